package trust_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/trust"
)

// TestFormatFilesImport: real CSCAs (Australia's, Japan's explicit-parameter
// one), their real CRLs and India's DIVOC key import; a CRL without its CSCA,
// a DIVOC key not bound to a method and a missing file fail the whole import.
func TestFormatFilesImport(t *testing.T) {
	g := func(p string) string { return filepath.Join(testdata, "gdhcn", "trust", p) }
	au := g("ddcc-trust/production-keys/australia/public-keys/aus_csca6_kc-cs.cer")
	jp := g("ddcc-trust/production-keys/japan/JP#arTykoK9lkf2%2FyoC95RNdJ6XhGM%3D.pem")
	auCRL := g("vds-nc-reader-library-android/extracted/Data.kt.crlData.crl")
	jpCRL := g("vds-nc-reader-library-android/extracted/Data.kt.JAPAN_CRL.crl")
	india := g("ddcc-trust/production-keys/india/india.pem")
	at := time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC)

	var warnings []string
	keys, revs, err := trust.FormatFiles{
		CSCAs: []string{au, jp}, CRLs: []string{auCRL, jpCRL}, DIVOCKeys: []string{"did:india=" + india},
	}.Import(at, func(m string) { warnings = append(warnings, m) })
	if err != nil {
		t.Fatal(err)
	}
	byFormat := map[verify.Format]int{}
	for _, k := range keys {
		byFormat[k.Format]++
	}
	if byFormat[verify.FormatVDSNC] != 2 || byFormat[verify.FormatDIVOC] != 1 {
		t.Errorf("keys by format %v: want 2 VDS-NC CSCAs and 1 DIVOC key", byFormat)
	}
	for _, k := range keys {
		if k.Format == verify.FormatDIVOC && string(k.Kid) != "did:india" {
			t.Errorf("DIVOC key bound to %q, want did:india", k.Kid)
		}
	}
	if len(warnings) == 0 || !strings.Contains(warnings[0], "stale") {
		t.Errorf("warnings %q: want the stale CRL named", warnings)
	}
	t.Logf("%d keys, %d revocation lists, warnings %q", len(keys), len(revs), warnings)

	for _, tc := range []struct {
		name string
		f    trust.FormatFiles
		want string
	}{
		{"CRL without its CSCA", trust.FormatFiles{CSCAs: []string{jp}, CRLs: []string{auCRL}}, "Data.kt.crlData.crl"},
		{"DIVOC key without a method", trust.FormatFiles{DIVOCKeys: []string{india}}, "VERIFICATION_METHOD=FILE"},
		{"DIVOC method not a DID", trust.FormatFiles{DIVOCKeys: []string{"india=" + india}}, "VERIFICATION_METHOD=FILE"},
		{"missing CSCA file", trust.FormatFiles{CSCAs: []string{g("no-such.cer")}}, "no-such.cer"},
		{"a CRL given as a CSCA", trust.FormatFiles{CSCAs: []string{jpCRL}}, "JAPAN_CRL.crl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys, revs, err := tc.f.Import(at, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v (keys %d, revocations %d): want an error naming %q", err, len(keys), len(revs), tc.want)
			}
		})
	}
	if !(trust.FormatFiles{}).Empty() || (trust.FormatFiles{CRLs: []string{auCRL}}).Empty() {
		t.Error("Empty is wrong")
	}
}
