package dcc

import (
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/dcc/dccmint"
	"github.com/chot-dev/chot/verify/dcc/dcctest"
	"github.com/chot-dev/chot/verify/trust"
)

// loadSeedCases loads the EU test data for fuzz seeds.
func loadSeedCases(tb testing.TB) []dcctest.Case {
	tb.Helper()
	cases, err := dcctest.LoadCases(dcctest.Root(2))
	if err != nil {
		tb.Fatal(err)
	}
	return cases
}

// FuzzDCC feeds arbitrary text to the handler: it must never panic, and a
// rejection must carry a reason and a failed step.
func FuzzDCC(f *testing.F) {
	cases := loadSeedCases(f)
	var keys []*verify.Key
	for _, c := range cases {
		f.Add(c.Prefix)
		if k, err := trust.KeyFromDSC(c.Cert, ""); err == nil && len(keys) < 64 {
			keys = append(keys, k)
		}
	}
	store := &verify.KeyList{List: keys}
	h := New()
	now := time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		res := h.Verify([]string{text}, store, now) // no recover: a panic fails the fuzz target
		failed := false
		for _, o := range res.Steps {
			failed = failed || o == verify.Fail
		}
		if res.Failed() != failed {
			t.Fatalf("reason %q but steps %v", res.Reason, res.Steps)
		}
		if len(res.Steps) == 0 {
			t.Fatal("no step marked")
		}
	})
}

// FuzzCOSE fuzzes the bytes under the compression: COSE, CWT and payload
// decoding, seeded from the suite's COSE fields.
func FuzzCOSE(f *testing.F) {
	cases := loadSeedCases(f)
	var keys []*verify.Key
	for _, c := range cases {
		if c.COSE != nil {
			f.Add(c.COSE)
		}
		if k, err := trust.KeyFromDSC(c.Cert, ""); err == nil && len(keys) < 64 {
			keys = append(keys, k)
		}
	}
	store := &verify.KeyList{List: keys}
	h := New()
	now := time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, msg []byte) {
		text, err := dccmint.EncodeHC1(msg)
		if err != nil {
			t.Fatal(err)
		}
		res := h.Verify([]string{text}, store, now)
		if res.Steps[verify.StepCompression] != verify.Pass && len(msg) <= MaxInflated {
			t.Fatalf("compression step %q for %d bytes", res.Steps[verify.StepCompression], len(msg))
		}
	})
}
