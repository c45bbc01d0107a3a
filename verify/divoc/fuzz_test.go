package divoc

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
)

// FuzzDIVOC feeds arbitrary text to the handler, seeded with the three
// vectors (B64: and raw ZIP forms): it must never panic, and a rejection
// has a failed step. The container's bounds (MaxText, 8 entries, 64 KiB
// inflated, JSON depth 32) keep work and memory bounded for any input.
func FuzzDIVOC(f *testing.F) {
	for _, n := range []string{"DIVOCQR1", "DIVOCJamaica", "DIVOCIndonesia"} {
		text := vector(f, n)
		f.Add(text)
		raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(text, Prefix))
		f.Add(string(raw))
	}
	trust := &verify.KeyList{List: []*verify.Key{indiaPEM(f)}}
	h := New()
	now := time.Date(2022, 8, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		res := h.Verify([]string{text}, trust, now)
		failed := false
		for _, o := range res.Steps {
			failed = failed || o == verify.Fail
		}
		if res.Failed() != failed || len(res.Steps) == 0 {
			t.Fatalf("reason %q, steps %v", res.Reason, res.Steps)
		}
	})
}

// FuzzCredentialJSON fuzzes certificate.json itself (the ZIP's content):
// deep nesting, huge numbers, odd JSON-LD.
func FuzzCredentialJSON(f *testing.F) {
	for _, n := range []string{"DIVOCQR1", "DIVOCJamaica"} {
		b, err := unzip(vector(f, n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"@context":"https://www.w3.org/2018/credentials/v1","evidence":[{"dose":1e400}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxJSON {
			return
		}
		doc, err := decodeJSON(b)
		if err != nil {
			return
		}
		_ = credential(doc)
		_ = checkShape(doc)
		_, _ = parseProof(doc)
	})
}
