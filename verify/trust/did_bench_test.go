package trust

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	"github.com/chot-dev/chot/internal/cputime"
)

// BenchmarkDIDDocument measures checking one DID document's proof (two
// URDNA2015 canonicalisations and the ES256 signature) next to the bare
// signature check, and parsing its keys.
func BenchmarkDIDDocument(b *testing.B) {
	doc := readGDHCN(b, "trust/tng-cdn-dev/v2/trustlist/DCC/XCL/DSC/did.json")
	signers, err := ParseDIDSigners(readGDHCN(b, whoSigningDID))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := VerifyDIDDocument(doc, signers); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := ParseDIDDocument(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The bare check: a valid ES256 DER signature on P-256, as the
	// proof's (signed here with a fresh key: the WHO's is not ours).
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	d := sha256.Sum256(doc)
	sig, _ := ecdsa.SignASN1(rand.Reader, k, d[:])
	bare := func() {
		if !ecdsa.VerifyASN1(&k.PublicKey, d[:], sig) {
			b.Fatal("bad signature")
		}
	}
	b.Run("bare", func(b *testing.B) {
		for b.Loop() {
			bare()
		}
	})
	b.Run("interleaved", func(b *testing.B) {
		cputime.Compare(b, func() { _, _ = VerifyDIDDocument(doc, signers) }, bare)
	})
}
