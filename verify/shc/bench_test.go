package shc

import (
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
)

// BenchmarkVerifyQR verifies spec example 00 from its QR text, as the kiosk
// does for every scan.
func BenchmarkVerifyQR(b *testing.B) {
	trust := specTrust(b)
	texts := []string{readFile(b, testdata("spec-examples", "example-00-f-qr-code-numeric-value-0.txt"))}
	v := newVerifier()
	now := unix(specExamples[0].nbf).Add(time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if res := run(v, texts, trust, now); res.Decision != verify.Accept {
			b.Fatalf("%s: %s", res.Reason, res.Detail)
		}
	}
}
