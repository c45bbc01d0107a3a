package trust

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// KindDIDList is the WHO GDHCN DID trust list (a v2 DID document).
const KindDIDList = "who-gdhcn-did"

func init() {
	RegisterTrustListKind(TrustListKind{Name: KindDIDList, Detect: isDIDDocument, Import: importDIDList})
}

// isDIDDocument reports whether data looks like a DID document.
func isDIDDocument(data []byte) bool {
	d := bytes.TrimSpace(data)
	return len(d) > 0 && d[0] == '{' && bytes.Contains(d, []byte(`"verificationMethod"`)) &&
		bytes.Contains(d, []byte(`"did:`))
}

// importDIDList checks a DID document's proof against the pinned signers
// in key (a DID document or PEM keys) and takes its document signer keys.
// A proof that fails, or names a key not pinned, refuses the whole
// document; a document without proof, or no key to check it, is taken
// only when opts.AllowUnsigned. A reference document (bare DID strings in
// verificationMethod) yields no keys: its references are reported, to be
// imported document by document from the snapshot, never fetched.
func importDIDList(data, key []byte, opts TrustListOptions) (*ListImport, error) {
	doc, imp, err := ParseDIDDocument(data)
	if err != nil {
		return nil, err
	}
	l := &ListImport{Kind: KindDIDList, Keys: imp.Keys}
	switch {
	case key == nil && !opts.AllowUnsigned:
		return nil, fmt.Errorf("%w: a DID trust list, but no --trustlist-key (the WHO signing DID document) to check it", ErrListUnsigned)
	case key == nil:
		l.Signature = ListUnsigned
	default:
		signers, err := ParseDIDSigners(key)
		if err != nil {
			return nil, err
		}
		s, err := VerifyDIDDocument(data, signers)
		switch {
		case errors.Is(err, ErrListUnsigned) && opts.AllowUnsigned:
			l.Signature = ListUnsigned
		case err != nil:
			return nil, fmt.Errorf("%s: %w", doc.ID, err)
		default:
			l.Signature, l.SignedBy = ListVerified, didKeyFingerprint(s)
		}
	}
	for i, sk := range imp.Skipped {
		_, frag, _ := strings.Cut(sk.ID, "#")
		l.Skipped = append(l.Skipped, Skipped{Index: i, Kid: frag, Country: participantOf(sk.ID), Reason: sk.Reason})
	}
	for _, r := range imp.Refs {
		l.Skipped = append(l.Skipped, Skipped{Index: -1, Reason: "reference to " + r + ": import that document itself (never fetched)"})
	}
	for i := range l.Keys {
		if len(l.Keys[i].Kid) == 0 {
			l.Keys[i].Kid = DCCKid(l.Keys[i].Cert)
		}
	}
	return l, nil
}

// participantOf returns the participant segment of a vm id.
func participantOf(id string) string {
	did, _, _ := strings.Cut(id, "#")
	segs := strings.Split(did, ":")
	i := indexOf(segs, "trustlist")
	switch {
	case i < 0:
		return ""
	case len(segs)-i-1 == 3:
		return segs[i+2]
	case len(segs)-i-1 == 1:
		return strings.ToUpper(segs[i+1])
	}
	return ""
}
