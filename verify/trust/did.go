package trust

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/chot-dev/chot/verify"
)

// The WHO GDHCN trust list: DID documents (smart-trust concepts_did_gdhcn.md)
// whose verificationMethod entries are JsonWebKey2020 keys with the signer's
// certificate in x5c. v2 documents sit at
// v2/trustlist/{domain}/{participant}/{usage}/did.json, their vm ids end in
// :{domain}:{participant}:{usage}#{kid}; the deprecated v1 list has
// :trustlist:{participant}#{kid}. The kid is the raw standard base64 of the
// HCERT kid.

// ErrDIDList means a DID trust list document is unusable as a whole.
var ErrDIDList = errors.New("trust: DID trust list")

// DIDDocument is the part of a DID document the importer reads.
type DIDDocument struct {
	Context            json.RawMessage   `json:"@context"`
	ID                 string            `json:"id"`
	VerificationMethod []json.RawMessage `json:"verificationMethod"`
	Proof              json.RawMessage   `json:"proof,omitempty"`
}

type didMethod struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	PublicKeyJwk struct {
		Kty string   `json:"kty"`
		X5c []string `json:"x5c"`
	} `json:"publicKeyJwk"`
	KeyUsage struct {
		Code string `json:"code"`
	} `json:"keyusage"`
	Participant struct {
		Code string `json:"code"`
	} `json:"participant"`
}

// DIDSkip is a verification method the importer left out, and why.
type DIDSkip struct {
	ID     string
	Reason string
}

// DIDImport is what a DID trust list document yields.
type DIDImport struct {
	Keys []KeyEntry
	// Skipped lists the entries left out: not a document signer (SCA,
	// DECA, ...), a certificate Go cannot parse, a kid that is not the
	// certificate's. One bad entry never voids the list.
	Skipped []DIDSkip
	// Refs are the bare DID strings of a ref document: other documents
	// to resolve inside the snapshot, never fetched.
	Refs []string
}

// ParseDIDDocument reads a DID document of the GDHCN trust list and
// returns its document signer keys as DCC key entries (HCERT keys are
// found by kid, as the EU's). It does not check the proof: use
// VerifyDIDDocument first.
func ParseDIDDocument(data []byte) (*DIDDocument, *DIDImport, error) {
	var doc DIDDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrDIDList, err)
	}
	if doc.ID == "" || !strings.HasPrefix(doc.ID, "did:") {
		return nil, nil, fmt.Errorf("%w: no DID id", ErrDIDList)
	}
	out := &DIDImport{}
	for _, raw := range doc.VerificationMethod {
		raw = bytes.TrimSpace(raw)
		if len(raw) > 0 && raw[0] == '"' {
			var ref string
			if err := json.Unmarshal(raw, &ref); err == nil {
				out.Refs = append(out.Refs, ref)
			}
			continue
		}
		var m didMethod
		if err := json.Unmarshal(raw, &m); err != nil {
			out.Skipped = append(out.Skipped, DIDSkip{Reason: "not a verification method: " + err.Error()})
			continue
		}
		e, err := didEntry(&m)
		if err != nil {
			out.Skipped = append(out.Skipped, DIDSkip{ID: m.ID, Reason: err.Error()})
			continue
		}
		out.Keys = append(out.Keys, e)
	}
	return &doc, out, nil
}

// didEntry turns one verification method into a DSC key entry.
func didEntry(m *didMethod) (KeyEntry, error) {
	if m.Type != "JsonWebKey2020" {
		return KeyEntry{}, fmt.Errorf("type %q, not JsonWebKey2020", m.Type)
	}
	did, frag, ok := strings.Cut(m.ID, "#")
	if !ok || frag == "" {
		return KeyEntry{}, errors.New("no kid fragment")
	}
	segs := strings.Split(did, ":")
	participant, usage := "", "DSC"
	if i := indexOf(segs, "trustlist"); i >= 0 {
		rest := segs[i+1:]
		switch len(rest) {
		case 1: // v1: :trustlist:{participant}
			participant = rest[0]
		case 3: // v2: :trustlist:{domain}:{participant}:{usage}
			participant, usage = rest[1], rest[2]
		}
	}
	if c := strings.TrimPrefix(m.KeyUsage.Code, "#"); c != "" {
		usage = c
	}
	if !strings.EqualFold(usage, "DSC") {
		return KeyEntry{}, fmt.Errorf("key usage %s, not a document signer", usage)
	}
	if c := strings.TrimPrefix(m.Participant.Code, "#"); c != "" {
		participant = c
	}
	if participant == "-" {
		participant = ""
	}
	kid, err := base64.StdEncoding.DecodeString(frag)
	if err != nil {
		return KeyEntry{}, fmt.Errorf("kid %q is not standard base64: %w", frag, err)
	}
	if len(m.PublicKeyJwk.X5c) == 0 {
		return KeyEntry{}, errors.New("no x5c certificate")
	}
	der, err := base64.StdEncoding.DecodeString(m.PublicKeyJwk.X5c[0])
	if err != nil {
		return KeyEntry{}, fmt.Errorf("x5c[0]: %w", err)
	}
	// The list's kid is authoritative, but a certificate entry must carry
	// its own: a hand-set kid (DEV has "ABCDEFGH") is left out.
	if !bytes.Equal(kid, DCCKid(der)) {
		return KeyEntry{}, fmt.Errorf("kid %s is not the certificate's %s", frag, base64.StdEncoding.EncodeToString(DCCKid(der)))
	}
	// The issuer is the certificate's country (alpha-2, as the DCC's iss
	// and co are, and as the issuer binding compares); the participant
	// code (alpha-3, or DEV's XCL for a C=XL signer) only when it has none.
	e := KeyEntry{Format: verify.FormatDCC, Kid: kid, Cert: der}
	k, err := e.Key()
	if err != nil {
		return KeyEntry{}, err
	}
	e.Issuer = k.Issuer
	if e.Issuer == "" {
		e.Issuer = strings.ToUpper(participant)
	}
	return e, nil
}

func indexOf(s []string, v string) int { return slices.Index(s, v) }
