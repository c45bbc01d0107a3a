package dcc

import (
	"crypto/elliptic"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/dcc/dccmint"
	"github.com/chot-dev/chot/verify/trust"
)

// TestValueSetRule: with value sets in the trust data, a code outside its
// value set is refused by the rule naming that set; an inactive code is
// accepted with a warning; without value sets the step is skipped.
func TestValueSetRule(t *testing.T) {
	sets, _, err := trust.ImportValueSetDir(filepath.Join("..", "..", "..", "shared", "testdata", "valuesets"))
	if err != nil {
		t.Fatal(err)
	}
	vs := map[string]*verify.ValueSet{}
	for i := range sets {
		vs[sets[i].ID] = sets[i].ValueSet()
	}
	es := newSigner(t, ecKey(t, elliptic.P256()))
	iat, exp := t0.Add(-time.Hour), t0.AddDate(0, 6, 0)
	with := func(f func(*dccmint.VaccinationData)) string {
		p := vacc()
		p.Vaccination[0].Country = "VN" // XX, the tests' country, is no ISO code
		f(&p.Vaccination[0])
		return es.issue(t, p, iat, exp)
	}
	tests := []struct {
		name   string
		text   string
		sets   map[string]*verify.ValueSet
		reason verify.Reason
		rule   string
		step   verify.Outcome
		warn   bool
		opts   verify.Options
	}{
		{"all codes in their sets", with(func(*dccmint.VaccinationData) {}), vs, verify.ReasonOK, "", verify.Pass, false, verify.Options{}},
		{"unknown product", with(func(v *dccmint.VaccinationData) { v.Product = "EU/1/99/9999" }), vs, verify.ReasonBadValue, "valueset." + VSProduct, verify.Fail, false, verify.Options{}},
		{"unknown manufacturer", with(func(v *dccmint.VaccinationData) { v.Manufacturer = "ORG-99999999" }), vs, verify.ReasonBadValue, "valueset." + VSManufacturer, verify.Fail, false, verify.Options{}},
		{"country XY", with(func(v *dccmint.VaccinationData) { v.Country = "XY" }), vs, verify.ReasonBadValue, "valueset." + VSCountry, verify.Fail, false, verify.Options{}},
		{"inactive vaccine code J07BX03", with(func(v *dccmint.VaccinationData) { v.Vaccine = "J07BX03" }), vs, verify.ReasonOK, "", verify.Pass, true, verify.Options{}},
		{"no value sets: not judged", with(func(v *dccmint.VaccinationData) { v.Product = "EU/1/99/9999" }), nil, verify.ReasonOK, "", verify.Skip, false, verify.Options{}},
	}
	tests = append(tests, struct {
		name   string
		text   string
		sets   map[string]*verify.ValueSet
		reason verify.Reason
		rule   string
		step   verify.Outcome
		warn   bool
		opts   verify.Options
	}{"unknown product, value_sets: warn", with(func(v *dccmint.VaccinationData) { v.Product = "EU/1/99/9999" }), vs,
		verify.ReasonOK, "", verify.Pass, true, verify.Options{ValueSets: verify.BindingWarn}})
	v := verify.New(New())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := v.Verify(verify.Input{Texts: []string{tt.text}, Now: t0, CredentialOnly: true, Options: tt.opts,
				Trust: &verify.KeyList{List: []*verify.Key{withIssuer(es.k, "XX")}, ValueSets: tt.sets}})
			if res.Reason != tt.reason || res.Rule != tt.rule || res.Steps[verify.StepValueSet] != tt.step {
				t.Fatalf("%s rule %q step %q (%s), want %s rule %q step %q", res.Reason, res.Rule, res.Steps[verify.StepValueSet], res.Detail, tt.reason, tt.rule, tt.step)
			}
			if got := slices.ContainsFunc(res.Warnings, func(w string) bool { return len(w) > 0 }); got != tt.warn {
				t.Errorf("warnings %q, want some: %v", res.Warnings, tt.warn)
			}
		})
	}
}
