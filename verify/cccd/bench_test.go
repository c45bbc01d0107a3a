package cccd

import (
	"testing"

	"github.com/chot-dev/chot/verify"
)

// BenchmarkVerify measures CCCD text → Result in check-in mode (there is
// no signature to compare with).
func BenchmarkVerify(b *testing.B) {
	v := verify.New(New())
	p := &verify.Policy{CheckIn: true}
	b.ReportAllocs()
	for b.Loop() {
		if r := v.Verify(verify.Input{Texts: []string{code}, Now: now, Policy: p}); r.Decision != verify.Accept {
			b.Fatal(r.Reason, r.Detail)
		}
	}
}
