package formats

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
)

// FuzzVerify: any QR text, of any format chotd reads, gives a result with a
// decision and a reason, never a panic, and is accepted only when every
// required step passed (here never: the trust store is empty).
func FuzzVerify(f *testing.F) {
	for _, glob := range []string{"../../../shared/testdata/dcc/*/*/*.json", "../../../shared/testdata/shc/*.txt"} {
		paths, _ := filepath.Glob(glob)
		for i, p := range paths {
			if i >= 8 {
				break
			}
			if b, err := os.ReadFile(p); err == nil {
				if s := string(b); strings.Contains(s, "HC1:") {
					if i := strings.Index(s, "HC1:"); i >= 0 {
						s = s[i:]
						if j := strings.IndexByte(s, '"'); j > 0 {
							s = s[:j]
						}
					}
					f.Add(s)
				} else {
					f.Add(s)
				}
			}
		}
	}
	f.Add("HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH")
	f.Add("shc:/5676290952432060346029243740446031222959532654603460292540772804336028702864716745222809286133314564376531415906402203064504590856435503414245413640370636654171372412363803043756220467374075323239254334433260573601064529315312707424283950386922127667")
	f.Fuzz(func(t *testing.T, text string) {
		v := New()
		res := v.Verify(verify.Input{Texts: []string{text}, Trust: verify.EmptyTrust{},
			Now: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), Policy: &verify.Policy{}})
		if res.Decision != verify.Accept && res.Decision != verify.Reject {
			t.Fatalf("decision %q", res.Decision)
		}
		if res.Decision == verify.Reject && res.Reason == "" {
			t.Fatal("a refusal without a reason")
		}
		if res.Decision == verify.Accept && res.Steps[verify.StepSignature] != verify.Pass {
			t.Fatalf("accepted without a verified signature: %+v", res.Steps)
		}
	})
}
