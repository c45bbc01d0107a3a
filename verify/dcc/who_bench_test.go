package dcc

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/internal/cputime"
	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/gdhcntest"
	"github.com/chot-dev/chot/verify/trust"
)

// BenchmarkWHO measures the DVC vector DVCTest3QR's text → Result
// ("full") next to the bare ES256 check over its Sig_structure ("bare").
func BenchmarkWHO(b *testing.B) {
	raw, err := os.ReadFile(gdhcntest.Path("vectors/DVCTest3QR.txt"))
	if err != nil {
		b.Fatal(err)
	}
	text := string(raw)
	doc, err := os.ReadFile(gdhcntest.Path("trust/tng-cdn-dev/trustlist/did.json"))
	if err != nil {
		b.Fatal(err)
	}
	_, imp, err := trust.ParseDIDDocument(doc)
	if err != nil {
		b.Fatal(err)
	}
	var key *verify.Key
	for i := range imp.Keys {
		if string(imp.Keys[i].Kid) == "\x51\x4b\x89\x73\x09\xa3\xa0\x93" {
			key, _ = imp.Keys[i].Key()
		}
	}
	if key == nil {
		b.Fatal("no XCL key")
	}
	store := &verify.KeyList{List: []*verify.Key{key}}
	now := time.Unix(1727101283+60, 0)
	v := verify.New(New())
	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if r := v.Verify(verify.Input{Texts: []string{text}, Trust: store, Now: now, CredentialOnly: true}); r.Reason != verify.ReasonOK {
				b.Fatal(r.Reason, r.Detail)
			}
		}
	})
	comp, _ := DecodeBase45(strings.TrimPrefix(text, Prefix))
	infl, _ := inflate(comp)
	m, err := parseCOSE(infl)
	if err != nil {
		b.Fatal(err)
	}
	tbs, _ := toBeSigned(m)
	pub := key.Public.(*ecdsa.PublicKey)
	r, s := new(big.Int).SetBytes(m.Signature[:32]), new(big.Int).SetBytes(m.Signature[32:])
	bare := func() {
		d := sha256.Sum256(tbs)
		if !ecdsa.Verify(pub, d[:], r, s) {
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
		cputime.Compare(b, func() { v.Verify(verify.Input{Texts: []string{text}, Trust: store, Now: now, CredentialOnly: true}) }, bare)
	})
}
