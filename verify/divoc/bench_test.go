package divoc

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/chot-dev/chot/internal/cputime"
	"github.com/chot-dev/chot/verify"
)

// BenchmarkVerify measures DIVOC text → Result ("full": base64, ZIP,
// JSON, two URDNA2015 canonicalisations, the signature) for India's
// RSA-PSS and Indonesia's Ed25519 credentials, next to the bare signature
// check over the precomputed signing input ("bare").
func BenchmarkVerify(b *testing.B) {
	now := time.Date(2022, 8, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		key  *verify.Key
	}{
		{"DIVOCQR1", indiaPEM(b)},
		{"DIVOCIndonesia", registryKey(b, "did:indonesia", "EdDSA")},
	} {
		text := vector(b, tc.name)
		trust := &verify.KeyList{List: []*verify.Key{tc.key}}
		v := verify.New(New())
		b.Run(tc.name+"/full", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if r := v.Verify(verify.Input{Texts: []string{text}, Trust: trust, Now: now, CredentialOnly: true}); r.Reason != verify.ReasonOK {
					b.Fatal(r.Reason, r.Detail)
				}
			}
		})
		js, _ := unzip(text)
		doc, _ := decodeJSON(js)
		p, err := parseProof(doc)
		if err != nil {
			b.Fatal(err)
		}
		bare := func() {
			switch pub := tc.key.Public.(type) {
			case *rsa.PublicKey:
				d := sha256.Sum256(p.input)
				if rsa.VerifyPSS(pub, crypto.SHA256, d[:], p.sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) != nil {
					b.Fatal("bad signature")
				}
			case ed25519.PublicKey:
				if !ed25519.Verify(pub, p.input, p.sig) {
					b.Fatal("bad signature")
				}
			}
		}
		b.Run(tc.name+"/bare", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bare()
			}
		})
		b.Run(tc.name+"/interleaved", func(b *testing.B) {
			cputime.Compare(b, func() { v.Verify(verify.Input{Texts: []string{text}, Trust: trust, Now: now, CredentialOnly: true}) }, bare)
		})
	}
}
