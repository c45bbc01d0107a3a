package dcc

import (
	"fmt"

	"github.com/chot-dev/chot/verify"
)

// Value set ids of the EU DCC value sets (their valueSetId).
const (
	VSDisease      = "disease-agent-targeted"
	VSVaccine      = "sct-vaccines-covid-19"
	VSProduct      = "vaccines-covid-19-names"
	VSManufacturer = "vaccines-covid-19-auth-holders"
	VSTestType     = "covid-19-lab-test-type"
	VSTestResult   = "covid-19-lab-result"
	VSTestDevice   = "covid-19-lab-test-manufacturer-and-name"
	VSCountry      = "country-2-codes"
	valueSetRule   = "valueset."
)

// codedFields names, per group, each coded field and its value set.
var codedFields = map[string][]struct{ field, set string }{
	"v": {{"tg", VSDisease}, {"vp", VSVaccine}, {"mp", VSProduct}, {"ma", VSManufacturer}, {"co", VSCountry}},
	"t": {{"tg", VSDisease}, {"tt", VSTestType}, {"tr", VSTestResult}, {"ma", VSTestDevice}, {"co", VSCountry}},
	"r": {{"tg", VSDisease}, {"co", VSCountry}},
}

// checkValueSets checks each coded field of the payload's entries against
// its value set, when the trust store carries value sets (a bundle built
// with them, or `chot verify --valuesets`); a field whose value set the
// store lacks is not judged, and without any the step is skipped. A code
// outside its set refuses with bad_value and Result.Rule names the value
// set ("valueset.vaccines-covid-19-names"). An inactive code (no longer
// issued) is accepted with a warning: older certificates carry it. With the
// warn setting (Options.ValueSets) a code outside its set is a warning too.
func checkValueSets(res *verify.Result, hcert map[string]any, trust verify.TrustStore, opts verify.Options) {
	src, ok := trust.(verify.ValueSetSource)
	if !ok {
		res.Mark(verify.StepValueSet, verify.Skip)
		return
	}
	judged := false
	for _, g := range groups {
		entries, _ := hcert[g.key].([]any)
		for i, e := range entries {
			m, _ := e.(map[string]any)
			for _, f := range codedFields[g.key] {
				vs := src.ValueSet(f.set)
				if vs == nil {
					continue
				}
				judged = true
				code, present := m[f.field].(string)
				if !present {
					continue // absent or not text: the schema's to judge
				}
				in, active := vs.Has(code)
				switch {
				case !in && opts.ValueSetsWarnOnly():
					res.Warnings = append(res.Warnings, fmt.Sprintf("%s/%d/%s is not in the value set %s (value_sets: warn)", g.key, i, f.field, f.set))
				case !in:
					res.Fail(verify.StepValueSet, verify.ReasonBadValue,
						fmt.Sprintf("%s/%d/%s is not in the value set %s", g.key, i, f.field, f.set))
					if res.Reason == verify.ReasonBadValue && res.Rule == "" {
						res.Rule = valueSetRule + f.set
					}
					return
				case !active:
					res.Warnings = append(res.Warnings, fmt.Sprintf("%s/%d/%s is an inactive code of %s", g.key, i, f.field, f.set))
				}
			}
		}
	}
	if !judged {
		res.Mark(verify.StepValueSet, verify.Skip)
		return
	}
	res.Mark(verify.StepValueSet, verify.Pass)
}
