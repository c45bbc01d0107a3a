package dcc

import (
	"crypto/elliptic"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
)

// BenchmarkParts times each stage of the chain on its own, to see where the
// time beyond the signature goes.
func BenchmarkParts(b *testing.B) {
	s := newSigner(b, ecKey(b, elliptic.P256()))
	text := s.issue(b, vacc(), t0.Add(-time.Hour), t0.AddDate(0, 6, 0))
	b45 := strings.TrimPrefix(text, Prefix)
	comp, _ := DecodeBase45(b45)
	raw, _ := inflate(comp)
	msg, _ := parseCOSE(raw)
	c, err := decodeClaims(msg.Payload)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("base45", func(b *testing.B) {
		for b.Loop() {
			DecodeBase45(b45)
		}
	})
	b.Run("inflate", func(b *testing.B) {
		for b.Loop() {
			inflate(comp)
		}
	})
	b.Run("cose", func(b *testing.B) {
		for b.Loop() {
			parseCOSE(raw)
		}
	})
	b.Run("claims", func(b *testing.B) {
		for b.Loop() {
			decodeClaims(msg.Payload)
		}
	})
	b.Run("schema", func(b *testing.B) {
		for b.Loop() {
			ValidateSchema(c.HCert)
		}
	})
	b.Run("credential", func(b *testing.B) {
		for b.Loop() {
			credential(c)
		}
	})
	b.Run("signature", func(b *testing.B) {
		for b.Loop() {
			checkSignature(msg, s.k)
		}
	})
	b.Run("revocation", func(b *testing.B) {
		res := verify.Result{Credential: credential(c)}
		for b.Loop() {
			checkRevocation(&res, msg, &verify.KeyList{})
		}
	})
}
