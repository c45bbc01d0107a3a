package dcc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"math/big"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/trust"
	"github.com/veraison/go-cose"
)

// BenchmarkVerify measures HC1 text → Result for an ES256 vaccination DCC
// ("full", through verify.Verifier as chotd runs it) next to a bare
// ecdsa.Verify of the same signature over the same Sig_structure ("bare").
// The goal is full within 1.5× bare.
func BenchmarkVerify(b *testing.B) {
	s := newSigner(b, ecKey(b, elliptic.P256()))
	iat, exp := t0.Add(-time.Hour), t0.AddDate(0, 6, 0)
	text := s.issue(b, vacc(), iat, exp)
	store := &verify.KeyList{List: []*verify.Key{s.k}}
	v := verify.New(New())

	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			res := v.Verify(verify.Input{Texts: []string{text}, Trust: store, Now: t0, CredentialOnly: true})
			if res.Decision != verify.Accept {
				b.Fatalf("rejected: %s %s", res.Reason, res.Detail)
			}
		}
	})

	// The same with the EU value sets in the trust data (the coded fields
	// checked), as a bundle built with --valuesets gives them.
	sets, _, err := trust.ImportValueSetDir(filepath.Join("..", "..", "..", "shared", "testdata", "valuesets"))
	if err != nil {
		b.Fatal(err)
	}
	vsStore := &verify.KeyList{List: store.List, ValueSets: map[string]*verify.ValueSet{}}
	for i := range sets {
		vsStore.ValueSets[sets[i].ID] = sets[i].ValueSet()
	}
	p := vacc()
	p.Vaccination[0].Country = "VN"
	vnText := s.issue(b, p, iat, exp)
	b.Run("full+valuesets", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			res := v.Verify(verify.Input{Texts: []string{vnText}, Trust: vsStore, Now: t0, CredentialOnly: true})
			if res.Decision != verify.Accept || res.Steps[verify.StepValueSet] != verify.Pass {
				b.Fatalf("rejected: %s %s", res.Reason, res.Detail)
			}
		}
	})

	comp, err := DecodeBase45(strings.TrimPrefix(text, Prefix))
	if err != nil {
		b.Fatal(err)
	}
	raw, err := inflate(comp)
	if err != nil {
		b.Fatal(err)
	}
	var m cose.Sign1Message
	if err := m.UnmarshalCBOR(raw); err != nil {
		b.Fatal(err)
	}
	tbs, err := toBeSigned(&m)
	if err != nil {
		b.Fatal(err)
	}
	pub := s.key.Public().(*ecdsa.PublicKey)
	r := new(big.Int).SetBytes(m.Signature[:32])
	sv := new(big.Int).SetBytes(m.Signature[32:])
	bare := func() {
		d := sha256.Sum256(tbs)
		if !ecdsa.Verify(pub, d[:], r, sv) {
			b.Fatal("bad signature")
		}
	}
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bare()
		}
	})
	// On a shared machine the two runs above see different loads; this one
	// alternates them in one loop, times both with the thread's CPU clock
	// (time spent preempted by other processes does not count) and reports
	// both and their ratio.
	b.Run("interleaved", func(b *testing.B) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var full, plain time.Duration
		for b.Loop() {
			t1 := threadCPU()
			v.Verify(verify.Input{Texts: []string{text}, Trust: store, Now: t0, CredentialOnly: true})
			t2 := threadCPU()
			bare()
			t3 := threadCPU()
			full += t2 - t1
			plain += t3 - t2
		}
		b.ReportMetric(float64(full.Nanoseconds())/float64(b.N), "full-cpu-ns/op")
		b.ReportMetric(float64(plain.Nanoseconds())/float64(b.N), "bare-cpu-ns/op")
		b.ReportMetric(float64(full)/float64(plain), "ratio")
	})
}
