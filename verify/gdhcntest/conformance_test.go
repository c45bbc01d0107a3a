package gdhcntest_test

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/formats"
	"github.com/chot-dev/chot/verify/gdhcntest"
	"github.com/chot-dev/chot/verify/gdhcntest/gdhcntrust"
)

// Outcome is a decision and its reason, as "accept/ok".
type outcome string

func outcomeOf(r verify.Result) outcome { return outcome(string(r.Decision) + "/" + string(r.Reason)) }

// upstream maps gdhcn-validator's statuses to chot's outcomes.
var upstream = map[string]outcome{
	"VERIFIED":           "accept/ok",
	"INVALID_SIGNATURE":  "reject/bad_signature",
	"ISSUER_NOT_TRUSTED": "reject/unknown_key",
	"TERMINATED_KEYS":    "reject/revoked",
}

// Expected is what case-index.csv expects of a case: the upstream status
// when its test is live, else what was verified here.
func expected(t *testing.T, c gdhcntest.Case) outcome {
	t.Helper()
	if !strings.HasPrefix(c.Upstream, "none") {
		for status, o := range upstream {
			if strings.Contains(c.Upstream, "Status."+status) {
				return o
			}
		}
		t.Fatalf("%s: upstream status %q not mapped", c.File, c.Upstream)
	}
	if strings.HasPrefix(c.Verified, "yes") {
		return "accept/ok"
	}
	t.Fatalf("%s: no live upstream status and verified_here %q", c.File, c.Verified)
	return ""
}

func clock(t *testing.T, v *verify.Verifier, c gdhcntest.Case) time.Time {
	t.Helper()
	at, err := gdhcntrust.Clock(v, c)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

type departure struct{ expected, chot outcome }

func departures(t *testing.T) map[string]departure {
	t.Helper()
	f, err := os.Open("testdata/departures.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]departure{}
	for _, row := range rows[1:] {
		if len(row) != 4 || strings.TrimSpace(row[3]) == "" {
			t.Fatalf("departure %v: want file,expected,chot,reason with a reason", row)
		}
		out[row[0]] = departure{outcome(row[1]), outcome(row[2])}
	}
	return out
}

// TestConformance runs every row of case-index.csv through the verifier of
// every format, with the trust its row lists, and compares the outcome with
// the row's expectation; departures.csv names each disagreement and why.
func TestConformance(t *testing.T) {
	cases, err := gdhcntest.LoadCases()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 21 {
		t.Fatalf("%d cases, want 21", len(cases))
	}
	deps := departures(t)
	v := formats.New()
	agreed := 0
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			store, err := gdhcntrust.Store(c.Name)
			if err != nil {
				t.Fatal(err)
			}
			want := expected(t, c)
			res := v.Verify(verify.Input{Texts: []string{c.Text}, Trust: store, Now: clock(t, v, c), CredentialOnly: true})
			got := outcomeOf(res)
			d, listed := deps[c.File]
			switch {
			case listed && d.expected != want:
				t.Errorf("departures.csv says expected %s, case-index.csv gives %s", d.expected, want)
			case listed && got == want:
				t.Errorf("listed as a departure but agrees: %s", got)
			case listed && got != d.chot:
				t.Errorf("got %s (%s), departures.csv says chot gives %s", got, res.Detail, d.chot)
			case !listed && got != want:
				t.Errorf("got %s (%s: %s), want %s", got, res.Format, res.Detail, want)
			case !listed:
				agreed++
			}
			if wantFormat := formatOf[c.Format]; res.Format != wantFormat {
				t.Errorf("format %s, want %s", res.Format, wantFormat)
			}
		})
	}
	t.Logf("%d cases: %d agree with case-index.csv, %d departures listed", len(cases), agreed, len(deps))
	for f := range deps {
		found := false
		for _, c := range cases {
			found = found || c.File == f
		}
		if !found {
			t.Errorf("departures.csv lists %s, not a case", f)
		}
	}
}

// formatOf maps case-index.csv's format column to chot's.
var formatOf = map[string]verify.Format{
	"hcert-dcc":       verify.FormatDCC,
	"hcert-dvc-icvp":  verify.FormatDVC,
	"legacy-who-ddcc": verify.FormatDDCC,
	"shc":             verify.FormatSHC,
	"icao-vds-nc":     verify.FormatVDSNC,
	"divoc":           verify.FormatDIVOC,
}
