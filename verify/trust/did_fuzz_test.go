package trust

import (
	"testing"
)

// FuzzDIDDocument feeds DID documents to the parser and the proof check
// with the pinned WHO signer: no panic, and bounded work (canonicalisation
// only ever loads the pinned contexts).
func FuzzDIDDocument(f *testing.F) {
	doc := readGDHCN(f, "trust/tng-cdn-dev/v2/trustlist/DCC/XCL/DSC/did.json")
	f.Add(doc)
	f.Add(readGDHCN(f, "trust/tng-cdn-dev/v2/trustlist/DDCC/XXA/SCA/did.json"))
	signers, err := ParseDIDSigners(readGDHCN(f, whoSigningDID))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		_, _, _ = ParseDIDDocument(b)
		_, _ = VerifyDIDDocument(b, signers)
	})
}
