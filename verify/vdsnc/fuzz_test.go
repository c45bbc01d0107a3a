package vdsnc

import (
	"testing"

	"github.com/chot-dev/chot/verify"
)

// FuzzSeal feeds arbitrary text to the handler, seeded with the AU and JP
// seals and a pretty-printed one: it must never panic, a rejection has a
// failed step, and a text past MaxLen or nested too deep is refused before
// any decoding (bounded work and memory whatever the input).
func FuzzSeal(f *testing.F) {
	au, jp := cscaKey(f, auCSCA), cscaKey(f, jpCSCA)
	f.Add(string(read(f, auSeal)))
	f.Add(string(read(f, jpSeal)))
	f.Add(`{"data":{"hdr":{"is":"AUS","t":"icao.test","v":1},"msg":{"utci":"x","pid":{}}},"sig":{"alg":"ES512","cer":"AA","sigvl":"AA"}}`)
	f.Add(`{"data":{"hdr":{"is":"AUS","t":"icao.vacc","v":1e400},"msg":{}},"sig":{"alg":"ES256","cer":"AA","sigvl":"AA"}}`)
	trust := &verify.KeyList{List: []*verify.Key{au, jp}}
	h := New()
	f.Fuzz(func(t *testing.T, text string) {
		res := h.Verify([]string{text}, trust, clock)
		failed := false
		for _, o := range res.Steps {
			failed = failed || o == verify.Fail
		}
		if res.Failed() != failed || len(res.Steps) == 0 {
			t.Fatalf("reason %q, steps %v", res.Reason, res.Steps)
		}
		if res.Reason == "" && res.Steps[verify.StepSignature] != verify.Pass {
			t.Fatalf("no failure, but the signature step is %q", res.Steps[verify.StepSignature])
		}
	})
}

// FuzzCSCA feeds certificates to the lenient CSCA parser: no panic, and
// whatever parses has a usable key.
func FuzzCSCA(f *testing.F) {
	f.Add(read(f, jpCSCA))
	f.Add(read(f, auCSCA))
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := ParseCSCA(der)
		if err == nil && c.Public == nil {
			t.Fatal("parsed without a key")
		}
	})
}
