package divoc

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/jsonld"
)

// Errors of the proof.
var (
	// ErrProof means the proof is missing or malformed.
	ErrProof = errors.New("divoc: malformed proof")
	// ErrSignature means the proof's signature does not verify.
	ErrSignature = errors.New("divoc: signature does not verify")
)

// proofContext is the context the proof options are canonicalised with
// (the linked-data signature suites of 2018).
const proofContext = "https://w3id.org/security/v2"

// suites maps each proof type to the JWS algorithm it must name.
var suites = map[string]string{
	"RsaSignature2018":     "PS256",
	"Ed25519Signature2018": "EdDSA",
}

// proof is a linked-data proof with its signing input prepared.
type proof struct {
	Type, Method string
	alg          string
	input        []byte // what the JWS signs
	sig          []byte
}

// parseProof splits the credential into the document and its proof and
// builds the signing input: b64url(header) "." SHA-256(URDNA2015(options))
// ‖ SHA-256(URDNA2015(document)), where the options are the proof without
// jws under the security/v2 context. Contexts come only from the pins.
func parseProof(doc map[string]any) (*proof, error) {
	raw, ok := doc["proof"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: no proof object", ErrProof)
	}
	p := &proof{}
	p.Type, _ = raw["type"].(string)
	p.Method, _ = raw["verificationMethod"].(string)
	jws, _ := raw["jws"].(string)
	want, ok := suites[p.Type]
	if !ok {
		return nil, fmt.Errorf("%w: proof type %q (want RsaSignature2018 or Ed25519Signature2018)", ErrProof, p.Type)
	}
	if p.Method == "" {
		return nil, fmt.Errorf("%w: no verificationMethod", ErrProof)
	}
	if purpose, _ := raw["proofPurpose"].(string); purpose != "assertionMethod" {
		return nil, fmt.Errorf("%w: proofPurpose %q, want assertionMethod", ErrProof, purpose)
	}
	header, sig, err := splitDetached(jws)
	if err != nil {
		return nil, err
	}
	var h struct {
		Alg  string   `json:"alg"`
		B64  *bool    `json:"b64"`
		Crit []string `json:"crit"`
	}
	hb, err := base64.RawURLEncoding.DecodeString(header)
	if err == nil {
		err = json.Unmarshal(hb, &h)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: JWS header: %v", ErrProof, err)
	}
	if h.Alg != want || h.B64 == nil || *h.B64 || !slices.Contains(h.Crit, "b64") {
		return nil, fmt.Errorf("%w: JWS header %s: want alg %s, b64 false, crit b64", ErrProof, hb, want)
	}
	p.alg = h.Alg
	if p.sig, err = base64.RawURLEncoding.DecodeString(sig); err != nil {
		return nil, fmt.Errorf("%w: JWS signature: %v", ErrProof, err)
	}
	body := make(map[string]any, len(doc))
	for k, v := range doc {
		if k != "proof" {
			body[k] = v
		}
	}
	opts := map[string]any{"@context": proofContext}
	for k, v := range raw {
		if k != "jws" {
			opts[k] = v
		}
	}
	nqDoc, err := jsonld.Canonicalize(body)
	if err != nil {
		return nil, fmt.Errorf("%w: document: %w", ErrProof, err)
	}
	nqOpts, err := jsonld.Canonicalize(opts)
	if err != nil {
		return nil, fmt.Errorf("%w: proof options: %w", ErrProof, err)
	}
	p.input = jsonld.SigningInput(header, nqOpts, nqDoc)
	return p, nil
}

func splitDetached(jws string) (header, sig string, err error) {
	parts := strings.Split(jws, ".")
	if len(parts) != 3 || parts[1] != "" || parts[0] == "" || parts[2] == "" {
		return "", "", fmt.Errorf("%w: jws is not a detached JWS (header..signature)", ErrProof)
	}
	return parts[0], parts[2], nil
}

// check verifies the proof with key: RSA-PSS with SHA-256 (salt 32) for
// RsaSignature2018, Ed25519 for Ed25519Signature2018. A key of the other
// type fails.
func (p *proof) check(k *verify.Key) error {
	switch pub := k.Public.(type) {
	case *rsa.PublicKey:
		if p.alg != "PS256" {
			break
		}
		d := sha256.Sum256(p.input)
		if err := rsa.VerifyPSS(pub, crypto.SHA256, d[:], p.sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}); err != nil {
			return fmt.Errorf("%w: %w", ErrSignature, err)
		}
		return nil
	case ed25519.PublicKey:
		if p.alg != "EdDSA" {
			break
		}
		if !ed25519.Verify(pub, p.input, p.sig) {
			return ErrSignature
		}
		return nil
	}
	return fmt.Errorf("%w: a %s proof with the %T key of %s", ErrSignature, p.Type, k.Public, p.Method)
}
