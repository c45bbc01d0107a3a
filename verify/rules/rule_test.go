package rules

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/dcc"
	"github.com/chot-dev/chot/verify/dcc/dccmint"
)

const goodRule = `{"Identifier":"VR-DE-0001","Type":"Acceptance","Country":"DE","Version":"1.0.0","SchemaVersion":"1.0.0",
"Engine":"CERTLOGIC","EngineVersion":"0.7.5","CertificateType":"Vaccination",
"Description":[{"lang":"en","desc":"Full series."},{"lang":"de","desc":"Vollständige Serie."}],
"ValidFrom":"2021-07-01T00:00:00Z","ValidTo":"2030-06-01T00:00:00Z","AffectedFields":["v.0.dn","v.0.sd"],
"Logic":{"if":[{"var":"payload.v.0"},{">=":[{"var":"payload.v.0.dn"},{"var":"payload.v.0.sd"}]},true]}}`

func TestParseRule(t *testing.T) {
	r, err := ParseRule([]byte(goodRule))
	if err != nil {
		t.Fatal(err)
	}
	if r.DescriptionIn("de") != "Vollständige Serie." || r.DescriptionIn("vi") != "Full series." {
		t.Errorf("descriptions: %q %q", r.DescriptionIn("de"), r.DescriptionIn("vi"))
	}
	tests := []struct{ name, from, to, want string }{
		{"identifier", `"VR-DE-0001"`, `"VR-DE-1"`, "Identifier"},
		{"type", `"Acceptance"`, `"Accept"`, "Type"},
		{"country", `"Country":"DE"`, `"Country":"de"`, "Country"},
		{"engine", `"CERTLOGIC"`, `"JSONLOGIC"`, "Engine"},
		{"cert type", `"Vaccination"`, `"Vax"`, "CertificateType"},
		{"validity", `"2030-06-01T00:00:00Z"`, `"2020-06-01T00:00:00Z"`, "ValidTo"},
		{"no description", `[{"lang":"en","desc":"Full series."},{"lang":"de","desc":"Vollständige Serie."}]`, `[]`, "Description"},
		{"unknown field", `"Engine":`, `"Extra":1,"Engine":`, "unknown field"},
		{"unknown operator", `"if":`, `"or":`, "unrecognised operator"},
		{"float literal", `true]}}`, `1.5]}}`, "non-integer"},
		{"bad path", `"payload.v.0"}`, `"payload..v"}`, "data access path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := strings.Replace(goodRule, tt.from, tt.to, 1)
			if b == goodRule {
				t.Fatal("the test changes nothing")
			}
			_, err := ParseRule([]byte(b))
			if !errors.Is(err, ErrRule) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want ErrRule mentioning %q", err, tt.want)
			}
		})
	}
}

func TestApplicable(t *testing.T) {
	base, err := ParseRule([]byte(goodRule))
	if err != nil {
		t.Fatal(err)
	}
	mk := func(mod func(*Rule)) *Rule {
		c := *base
		mod(&c)
		if err := c.check(); err != nil {
			t.Fatal(err)
		}
		return &c
	}
	v2 := mk(func(r *Rule) { r.Version = "1.1.0" })
	future := mk(func(r *Rule) { r.Version = "2.0.0"; r.ValidFrom = "2027-01-01T00:00:00Z" })
	nl := mk(func(r *Rule) { r.Country = "NL" })
	test := mk(func(r *Rule) { r.Identifier = "TR-DE-0001"; r.CertificateType = CertTest })
	general := mk(func(r *Rule) { r.Identifier = "GR-DE-0001"; r.CertificateType = CertGeneral })
	inval := mk(func(r *Rule) {
		r.Identifier = "IR-FR-0001"
		r.Type = TypeInvalidation
		r.Country = "FR"
		r.CertificateType = CertGeneral
	})
	lib := NewLibrary(map[string][]*Rule{"s": {base, v2, future, nl, test, general, inval}}, nil)

	ids := func(rs []*Rule) string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Identifier+"@"+r.Version)
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		country, issuer string
		typ             verify.CredType
		now             time.Time
		want            string
	}{
		{"DE", "DE", verify.TypeVaccination, t0, "GR-DE-0001@1.0.0 VR-DE-0001@1.1.0"},
		{"DE", "FR", verify.TypeVaccination, t0, "GR-DE-0001@1.0.0 IR-FR-0001@1.0.0 VR-DE-0001@1.1.0"},
		{"DE", "DE", verify.TypeTest, t0, "GR-DE-0001@1.0.0 TR-DE-0001@1.0.0"},
		{"DE", "DE", verify.TypeVaccination, t0.AddDate(1, 0, 0), "GR-DE-0001@1.0.0 VR-DE-0001@2.0.0"},
		{"NL", "DE", verify.TypeVaccination, t0, "VR-DE-0001@1.0.0"},
		{"DE", "DE", verify.TypeVaccination, time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC), ""},
	}
	for _, tt := range tests {
		rs, err := lib.Applicable([]string{"s"}, tt.country, tt.issuer, tt.typ, tt.now)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(rs); got != tt.want {
			t.Errorf("%s/%s/%s at %s: got %q, want %q", tt.country, tt.issuer, tt.typ, tt.now.Format(time.DateOnly), got, tt.want)
		}
	}
	if _, err := lib.Applicable([]string{"nope"}, "DE", "DE", verify.TypeTest, t0); err == nil {
		t.Error("unknown set: no error")
	}
}

// TestPolicyMode runs real DCCs through verify.Verifier with a policy mode
// made of chot's own rules and the demo's CertLogic rule sets.
func TestPolicyMode(t *testing.T) {
	is := newIssuer(t)
	lib := demoLibrary(t)
	adult := dccmint.Holder{Family: "Nguyen", Given: "An", DateOfBirth: "1980-05-05"}
	minor := dccmint.Holder{Family: "Nguyen", Given: "Binh", DateOfBirth: "2015-03"}
	entry := &verify.Policy{Mode: "travel", Test: verify.TestRules{MaxHoursSinceSample: 72}, RuleSets: []string{"vn-entry"}, Country: "VN", Rules: lib}
	venue := &verify.Policy{Mode: "venue", RuleSets: []string{"venue-2g"}, Country: "VN", Rules: lib}
	unbound := &verify.Policy{Mode: "x", RuleSets: []string{"vn-entry"}, Country: "VN"}
	tests := []struct {
		name   string
		p      dccmint.Payload
		policy *verify.Policy
		rule   string // "" accept
	}{
		{"complete series", dccmint.NewVaccination(adult, 2, 2, t0.AddDate(0, 0, -60), "DE", "RKI", "URN:UVCI:01:DE:A1"), entry, ""},
		{"incomplete series", dccmint.NewVaccination(adult, 1, 2, t0.AddDate(0, 0, -60), "DE", "RKI", "URN:UVCI:01:DE:A2"), entry, "VR-VN-0001"},
		{"dose too recent", dccmint.NewVaccination(adult, 2, 2, t0.AddDate(0, 0, -3), "DE", "RKI", "URN:UVCI:01:DE:A3"), entry, "VR-VN-0002"},
		{"pcr", dccmint.NewTest(adult, verify.TestNAAT, t0.Add(-20*time.Hour), false, "Lab", "DE", "RKI", "URN:UVCI:01:DE:A4"), entry, ""},
		{"antigen", dccmint.NewTest(adult, verify.TestRAT, t0.Add(-12*time.Hour), false, "Lab", "DE", "RKI", "URN:UVCI:01:DE:A5"), entry, "TR-VN-0001"},
		{"old pcr: chot's own rule first", dccmint.NewTest(adult, verify.TestNAAT, t0.Add(-80*time.Hour), false, "Lab", "DE", "RKI", "URN:UVCI:01:DE:A6"), entry, verify.RuleTestMaxHours},
		{"2g: adult vaccinated", dccmint.NewVaccination(adult, 1, 2, t0.AddDate(0, 0, -3), "DE", "RKI", "URN:UVCI:01:DE:A7"), venue, ""},
		{"2g: adult tested", dccmint.NewTest(adult, verify.TestNAAT, t0.Add(-2*time.Hour), false, "Lab", "DE", "RKI", "URN:UVCI:01:DE:A8"), venue, "GR-VN-0100"},
		{"2g: minor tested", dccmint.NewTest(minor, verify.TestNAAT, t0.Add(-2*time.Hour), false, "Lab", "DE", "RKI", "URN:UVCI:01:DE:A9"), venue, ""},
		{"rule sets not loaded", dccmint.NewVaccination(adult, 2, 2, t0.AddDate(0, 0, -60), "DE", "RKI", "URN:UVCI:01:DE:B1"), unbound, verify.RuleSetsNotLoaded},
	}
	v := verify.New(dcc.New())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := v.Verify(verify.Input{Texts: []string{is.issue(t, tt.p)}, Trust: is.trust, Now: t0, Policy: tt.policy})
			if tt.rule == "" {
				if res.Decision != verify.Accept {
					t.Fatalf("got %s %s (%s): %s, want accept", res.Decision, res.Reason, res.Rule, res.Detail)
				}
				return
			}
			if res.Decision != verify.Reject || res.Reason != verify.ReasonPolicy || res.Rule != tt.rule {
				t.Fatalf("got %s %s rule %q (%s), want policy refusal by %s", res.Decision, res.Reason, res.Rule, res.Detail, tt.rule)
			}
			if strings.Contains(tt.rule, "-VN-") {
				langs := []string{}
				for _, d := range res.RuleDescription {
					langs = append(langs, d.Lang)
				}
				if !slices.Equal(langs, []string{"en", "vi"}) {
					t.Errorf("description languages %v, want [en vi]", langs)
				}
			}
		})
	}
}
