package shc

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/shc/shcmint"
)

// FuzzSHC feeds arbitrary text to the verifier with the spec issuer trusted.
// It must never panic, and an accepted card must have passed every step
// with its key and issuer set.
func FuzzSHC(f *testing.F) {
	for _, pattern := range []string{"example-*-d-jws.txt", "example-*-f-*.txt", "example-*-e-file.smart-health-card"} {
		files, err := filepath.Glob(testdata("spec-examples", pattern))
		if err != nil || len(files) == 0 {
			f.Fatalf("no seed files %s: %v", pattern, err)
		}
		for _, p := range files {
			f.Add(readFile(f, p))
		}
	}
	f.Add("shc:/1/2/5676")
	f.Add("shc:/")
	f.Add(`{"verifiableCredential":["a.b.c"]}`)
	trust := specTrust(f)
	v := newVerifier()
	now := time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		// A chunked card arrives as lines; split so the fuzzer reaches reassembly.
		texts := strings.Split(text, "\n")
		res := run(v, texts, trust, now)
		if res.Reason == verify.ReasonInternal {
			t.Fatalf("internal error: %s", res.Detail)
		}
		if res.Decision == verify.Accept {
			for _, s := range []verify.Step{verify.StepCOSE, verify.StepCompression, verify.StepDecode, verify.StepSignature, verify.StepValidity} {
				if res.Steps[s] != verify.Pass {
					t.Fatalf("accepted with step %s = %q", s, res.Steps[s])
				}
			}
			if res.Issuer != specIssuer || len(res.Kid) == 0 || res.Credential == nil {
				t.Fatalf("accepted without issuer, kid or credential: %+v", res)
			}
		}
		if res.Decision == verify.Reject && res.Reason == "" {
			t.Fatal("rejected without a reason")
		}
	})
}

// FuzzNumeric checks DecodeNumeric against shcmint.EncodeNumeric.
func FuzzNumeric(f *testing.F) {
	files, _ := filepath.Glob(testdata("spec-examples", "example-*-f-*.txt"))
	for _, p := range files {
		text := readFile(f, p)
		f.Add(text[strings.LastIndex(text, "/")+1:])
	}
	f.Add("")
	f.Add("7")
	f.Add("78")
	f.Add("00")
	f.Fuzz(func(t *testing.T, digits string) {
		jws, err := DecodeNumeric(digits)
		if err != nil {
			if !errors.Is(err, ErrNumeric) {
				t.Fatalf("error %v does not wrap ErrNumeric", err)
			}
			return
		}
		if got := shcmint.EncodeNumeric(jws); got != digits {
			t.Fatalf("shcmint.EncodeNumeric(DecodeNumeric(%q)) = %q", digits, got)
		}
		for i := 0; i < len(jws); i++ {
			if jws[i] < 45 || jws[i] > 122 {
				t.Fatalf("decoded byte %d out of 45..122", jws[i])
			}
		}
	})
}
