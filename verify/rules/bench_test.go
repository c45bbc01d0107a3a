package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/dcc"
	"github.com/chot-dev/chot/verify/dcc/dccmint"
)

// valueSetsDir holds the EU DCC value sets (release 2.12.0).
var valueSetsDir = filepath.Join(suiteDir, "..", "valuesets")

// loadValueSets reads the EU value set files as external.valueSets.
func loadValueSets(t testing.TB) map[string][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(valueSetsDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no value sets in %s", valueSetsDir)
	}
	out := map[string][]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		id, codes, err := ParseValueSet(b)
		if err != nil {
			continue // vaccine-encoding-instructions has another shape
		}
		out[id] = codes
	}
	return out
}

// twentyRules are 20 acceptance rules that all apply to a vaccination DCC,
// of the kinds member states published: value set membership, series
// completeness, dose age windows, age of the holder, the UCI's country.
func twentyRules(t testing.TB) []*Rule {
	t.Helper()
	clock := `{"plusTime":[{"var":"external.validationClock"},0,"day"]}`
	logics := []string{
		`{"if":[{"var":"payload.v.0"},{"in":[{"var":"payload.v.0.mp"},{"var":"external.valueSets.vaccines-covid-19-names"}]},true]}`,
		`{"if":[{"var":"payload.v.0"},{"in":[{"var":"payload.v.0.ma"},{"var":"external.valueSets.vaccines-covid-19-auth-holders"}]},true]}`,
		`{"if":[{"var":"payload.v.0"},{"in":[{"var":"payload.v.0.tg"},{"var":"external.valueSets.disease-agent-targeted"}]},true]}`,
		`{"if":[{"var":"payload.v.0"},{">=":[{"var":"payload.v.0.dn"},{"var":"payload.v.0.sd"}]},true]}`,
		`{"if":[{"var":"payload.v.0"},{"not-after":[{"plusTime":[{"var":"payload.v.0.dt"},14,"day"]},` + clock + `,{"plusTime":[{"var":"payload.v.0.dt"},270,"day"]}]},true]}`,
		`{"if":[{"and":[{"var":"payload.dob"},{"after":[{"dccDateOfBirth":[{"var":"payload.dob"}]},{"plusTime":[{"var":"external.validationClock"},-18,"year"]}]}]},true,{"if":[{"var":"payload.v.0"},{"===":[{"var":"payload.v.0.dn"},{"var":"payload.v.0.sd"}]},true]}]}`,
		`{"if":[{"var":"payload.v.0.ci"},{"===":[{"extractFromUVCI":[{"var":"payload.v.0.ci"},1]},{"var":"payload.v.0.co"}]},true]}`,
		`{"not-after":[` + clock + `,{"plusTime":[{"var":"external.exp"},0,"day"]}]}`,
		`{"!":[{"in":[{"var":"payload.v.0.mp"},["EU/1/20/1507-X","Sputnik-V"]]}]}`,
		`{"===":[{"reduce":[{"var":"payload.v"},{"+":[{"var":"accumulator"},1]},0]},1]}`,
	}
	var out []*Rule
	for i := range 20 {
		ct := "Vaccination"
		id := fmt.Sprintf("VR-DE-%04d", i+1)
		if i%10 >= 7 {
			ct, id = "General", fmt.Sprintf("GR-DE-%04d", i+1)
		}
		b := fmt.Sprintf(`{"Identifier":%q,"Type":"Acceptance","Country":"DE","Version":"1.0.0","SchemaVersion":"1.0.0",
"Engine":"CERTLOGIC","EngineVersion":"1.3.3","CertificateType":%q,"Description":[{"lang":"en","desc":"Benchmark rule."}],
"ValidFrom":"2021-07-01T00:00:00Z","ValidTo":"2030-06-01T00:00:00Z","AffectedFields":["v.0"],"Logic":%s}`, id, ct, logics[i%len(logics)])
		r, err := ParseRule([]byte(b))
		if err != nil {
			t.Fatalf("rule %d: %v", i, err)
		}
		out = append(out, r)
	}
	return out
}

// BenchmarkRules measures one full verification of a vaccination DCC
// (HC1 text → Result, ES256, chot's own policy: "verify") next to the
// evaluation of 20 CertLogic rules on the same verified result, rule
// selection and the external parameters included ("rules20"). The goal is
// rules20 ≤ 10 % of verify.
func BenchmarkRules(b *testing.B) {
	is := newIssuer(b)
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	h := dccmint.Holder{Family: "Mustermann", Given: "Erika", DateOfBirth: "1964-08-12"}
	text := is.issue(b, dccmint.NewVaccination(h, 2, 2, now.AddDate(0, 0, -60), "DE", "RKI", "URN:UVCI:01:DE:187/37512422923"))
	lib := NewLibrary(map[string][]*Rule{"de": twentyRules(b)}, loadValueSets(b))
	own := &verify.Policy{Vaccination: verify.VaccinationRules{RequireComplete: true, MinDaysSinceDose: 14}}
	v := verify.New(dcc.New())
	res := v.Verify(verify.Input{Texts: []string{text}, Trust: is.trust, Now: now, Policy: own})
	if res.Decision != verify.Accept {
		b.Fatalf("rejected: %s %s", res.Reason, res.Detail)
	}
	if rs, _ := lib.Applicable([]string{"de"}, "DE", "DE", verify.TypeVaccination, now); len(rs) != 20 {
		b.Fatalf("%d rules apply, want 20", len(rs))
	}
	if ref := lib.CheckRules([]string{"de"}, "DE", &res, now); ref != nil {
		b.Fatalf("refused by %s: %s", ref.Rule, ref.Detail)
	}
	b.Run("verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := v.Verify(verify.Input{Texts: []string{text}, Trust: is.trust, Now: now, Policy: own})
			if r.Decision != verify.Accept {
				b.Fatal(r.Reason)
			}
		}
	})
	b.Run("rules20", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ref := lib.CheckRules([]string{"de"}, "DE", &res, now); ref != nil {
				b.Fatal(ref.Rule)
			}
		}
	})
	// Both interleaved, so that the machine's load weighs on them alike: the
	// ratio of their summed times, in percent.
	b.Run("interleaved", func(b *testing.B) {
		var tv, tr time.Duration
		for b.Loop() {
			t0 := time.Now()
			r := v.Verify(verify.Input{Texts: []string{text}, Trust: is.trust, Now: now, Policy: own})
			t1 := time.Now()
			ref := lib.CheckRules([]string{"de"}, "DE", &r, now)
			t2 := time.Now()
			if r.Decision != verify.Accept || ref != nil {
				b.Fatal("refused")
			}
			tv += t1.Sub(t0)
			tr += t2.Sub(t1)
		}
		b.ReportMetric(100*float64(tr)/float64(tv), "rules/verify-%")
		b.ReportMetric(float64(tv.Nanoseconds())/float64(b.N), "verify-ns/op")
		b.ReportMetric(float64(tr.Nanoseconds())/float64(b.N), "rules20-ns/op")
	})
}

// TestTwentyRulesRefuse makes sure the benchmark's rules can refuse: each
// template, on a payload that breaks it, names its rule.
func TestTwentyRulesRefuse(t *testing.T) {
	is := newIssuer(t)
	lib := NewLibrary(map[string][]*Rule{"de": twentyRules(t)}, loadValueSets(t))
	h := dccmint.Holder{Family: "Mustermann", Given: "Erika", DateOfBirth: "1964-08-12"}
	p := dccmint.NewVaccination(h, 2, 2, t0.AddDate(0, 0, -60), "DE", "RKI", "URN:UVCI:01:DE:187/37512422923")
	p.Vaccination[0].Product = "Sputnik-V"
	res := verify.New(dcc.New()).Verify(verify.Input{Texts: []string{is.issue(t, p)}, Trust: is.trust, Now: t0, CredentialOnly: true})
	// Rules run in Identifier order: the General deny list comes first.
	if ref := lib.CheckRules([]string{"de"}, "DE", &res, t0); ref == nil || ref.Rule != "GR-DE-0009" {
		t.Fatalf("Sputnik-V: got %+v, want a refusal by GR-DE-0009", ref)
	}
	// The value set rule refuses a product it does not list.
	p.Vaccination[0].Product = "EU/1/99/0000"
	res = verify.New(dcc.New()).Verify(verify.Input{Texts: []string{is.issue(t, p)}, Trust: is.trust, Now: t0, CredentialOnly: true})
	if ref := lib.CheckRules([]string{"de"}, "DE", &res, t0); ref == nil || ref.Rule != "VR-DE-0001" {
		t.Fatalf("EU/1/99/0000: got %+v, want a refusal by VR-DE-0001", ref)
	}
	data := map[string]any{"payload": res.Claims["hcert"], "external": lib.External("DE", &res, t0)}
	if v, err := lib.Rule("VR-DE-0001").Expr().Eval(data); err != nil || v != false {
		t.Fatalf("VR-DE-0001 on EU/1/99/0000: %v, %v; want false", v, err)
	}
	p.Vaccination[0].Product = "EU/1/20/1528"
	res = verify.New(dcc.New()).Verify(verify.Input{Texts: []string{is.issue(t, p)}, Trust: is.trust, Now: t0, CredentialOnly: true})
	data = map[string]any{"payload": res.Claims["hcert"], "external": lib.External("DE", &res, t0)}
	if v, err := lib.Rule("VR-DE-0001").Expr().Eval(data); err != nil || v != true {
		t.Fatalf("VR-DE-0001 on Comirnaty: %v, %v; want true", v, err)
	}
}
