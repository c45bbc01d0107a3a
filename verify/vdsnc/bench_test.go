package vdsnc

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"math/big"
	"testing"

	"github.com/chot-dev/chot/internal/cputime"
	"github.com/chot-dev/chot/verify"
)

// BenchmarkVerify measures the AU seal's text → Result ("full": JSON, JCS,
// the seal's ES256 signature, the BSC's RSA signature by the CSCA, EKU,
// validity, CRL lookup) next to the bare ES256 check of the seal's
// signature over its precomputed digest ("bare").
func BenchmarkVerify(b *testing.B) {
	text := string(read(b, auSeal))
	trust := &verify.KeyList{List: []*verify.Key{cscaKey(b, auCSCA)}}
	v := verify.New(New())
	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if r := v.Verify(verify.Input{Texts: []string{text}, Trust: trust, Now: clock, CredentialOnly: true}); r.Reason != verify.ReasonOK {
				b.Fatal(r.Reason, r.Detail)
			}
		}
	})
	s, _, err := parseSeal(text)
	if err != nil {
		b.Fatal(err)
	}
	der, _ := decodeB64URL(s.Sig.Cer)
	bsc, err := x509.ParseCertificate(der)
	if err != nil {
		b.Fatal(err)
	}
	msg, _ := canonical(s.Data)
	digest := sha256.Sum256(msg)
	sig, _ := decodeB64URL(s.Sig.Sigvl)
	r, ss := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	pub := bsc.PublicKey.(*ecdsa.PublicKey)
	bare := func() {
		if !ecdsa.Verify(pub, digest[:], r, ss) {
			b.Fatal("bad signature")
		}
	}
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bare()
		}
	})
	b.Run("interleaved", func(b *testing.B) {
		cputime.Compare(b, func() { v.Verify(verify.Input{Texts: []string{text}, Trust: trust, Now: clock, CredentialOnly: true}) }, bare)
	})
}
