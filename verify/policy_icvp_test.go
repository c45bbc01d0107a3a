package verify

import (
	"testing"
	"time"
)

// TestICVPRules checks the IHR's yellow-fever rule: valid from 10 days
// after the dose, for life; and the settings around it.
func TestICVPRules(t *testing.T) {
	dose := time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC)
	icvp := func(disease string, v Vaccination) *Credential {
		v.Date = dose
		return &Credential{Type: TypeICVP, Disease: disease, Vaccination: &v}
	}
	tests := []struct {
		name  string
		rules ICVPRules
		cred  *Credential
		now   time.Time
		rule  string
	}{
		{"9 days after", ICVPRules{}, icvp("1D47", Vaccination{}), dose.AddDate(0, 0, 9), RuleICVPMinDays},
		{"10 days after", ICVPRules{}, icvp("1D47", Vaccination{}), dose.AddDate(0, 0, 10), ""},
		{"40 years after: for life", ICVPRules{}, icvp("1D47", Vaccination{}), dose.AddDate(40, 0, 0), ""},
		{"SNOMED yellow fever", ICVPRules{}, icvp("16541001", Vaccination{}), dose.AddDate(1, 0, 0), ""},
		{"COVID-19 is no yellow fever", ICVPRules{}, icvp("RA01", Vaccination{}), dose.AddDate(1, 0, 0), RuleICVPDisease},
		{"a site that takes polio too", ICVPRules{Diseases: []string{"1D47", "1C81"}}, icvp("1C81", Vaccination{}), dose.AddDate(1, 0, 0), ""},
		{"no minimum", ICVPRules{MinDaysSinceDose: -1}, icvp("1D47", Vaccination{}), dose.AddDate(0, 0, 1), ""},
		{"past the certificate's own end", ICVPRules{}, icvp("1D47", Vaccination{ValidUntil: dose.AddDate(1, 0, 0)}), dose.AddDate(2, 0, 0), RuleICVPWindow},
		{"no date", ICVPRules{}, &Credential{Type: TypeICVP, Disease: "1D47", Vaccination: &Vaccination{}}, dose, RuleMissingData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Policy{ICVP: tt.rules}
			if rule, detail := p.Check(tt.cred, tt.now); rule != tt.rule {
				t.Errorf("rule %q (%s), want %q", rule, detail, tt.rule)
			}
		})
	}
}
