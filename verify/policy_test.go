package verify

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestPolicyCheck(t *testing.T) {
	travel := &Policy{
		Mode:   "travel",
		Accept: []CredType{TypeVaccination, TypeTest, TypeRecovery},
		Vaccination: VaccinationRules{
			RequireComplete: true, MinDaysSinceDose: 14, MaxDaysSinceDose: 270,
			Products: []string{"EU/1/20/1528", "EU/1/20/1507"},
		},
		Test:           TestRules{MaxHoursSinceSample: 72, Kinds: []string{TestNAAT}},
		Recovery:       RecoveryRules{MaxDaysSincePositive: 180},
		MaxCertAgeDays: 365,
	}
	venue := &Policy{Mode: "venue", Accept: []CredType{TypeVaccination}}
	now := date("2021-09-01T12:00:00Z")
	issued := date("2021-08-01T00:00:00Z")
	vacc := func(dose, of int, when string, product string) *Credential {
		return &Credential{Type: TypeVaccination, IssuedAt: issued, Vaccination: &Vaccination{
			Product: product, Dose: dose, Doses: of, Date: date(when), Completes: dose >= of}}
	}
	test := func(kind, sampled string, detected bool) *Credential {
		return &Credential{Type: TypeTest, IssuedAt: issued, Test: &Test{Kind: kind, Sampled: date(sampled), Detected: detected}}
	}
	rec := func(fr, df, du string) *Credential {
		return &Credential{Type: TypeRecovery, IssuedAt: issued, Recovery: &Recovery{
			FirstPositive: date(fr), ValidFrom: date(df), ValidUntil: date(du)}}
	}
	tests := []struct {
		name string
		p    *Policy
		c    *Credential
		want string
	}{
		{"complete series, 30 days", travel, vacc(2, 2, "2021-08-02T00:00:00Z", "EU/1/20/1528"), ""},
		{"incomplete series", travel, vacc(1, 2, "2021-08-02T00:00:00Z", "EU/1/20/1528"), RuleVaccinationComplete},
		{"booster counts as complete", travel, vacc(3, 2, "2021-08-02T00:00:00Z", "EU/1/20/1528"), ""},
		{"dose too recent", travel, vacc(2, 2, "2021-08-25T00:00:00Z", "EU/1/20/1528"), RuleVaccinationMinDays},
		{"dose exactly 14 days", travel, vacc(2, 2, "2021-08-18T12:00:00Z", "EU/1/20/1528"), ""},
		{"dose too old", travel, vacc(2, 2, "2020-11-01T00:00:00Z", "EU/1/20/1528"), RuleVaccinationMaxDays},
		{"product not accepted", travel, vacc(2, 2, "2021-08-02T00:00:00Z", "BBIBP-CorV"), RuleVaccinationProduct},
		{"venue takes a first dose", venue, vacc(1, 2, "2021-08-30T00:00:00Z", "BBIBP-CorV"), ""},
		{"venue refuses a test", venue, test(TestNAAT, "2021-09-01T00:00:00Z", false), RuleType},
		{"fresh PCR", travel, test(TestNAAT, "2021-08-30T13:00:00Z", false), ""},
		{"PCR 73 hours old", travel, test(TestNAAT, "2021-08-29T11:00:00Z", false), RuleTestMaxHours},
		{"antigen not accepted", travel, test(TestRAT, "2021-09-01T00:00:00Z", false), RuleTestKind},
		{"positive test", travel, test(TestNAAT, "2021-09-01T00:00:00Z", true), RuleTestPositive},
		{"sample in the future", travel, test(TestNAAT, "2021-09-02T00:00:00Z", false), RuleTestFuture},
		{"recovery in window", travel, rec("2021-07-01T00:00:00Z", "2021-07-12T00:00:00Z", "2021-12-31T00:00:00Z"), ""},
		{"recovery valid through its last day", travel, rec("2021-07-01T00:00:00Z", "2021-07-12T00:00:00Z", "2021-09-01T00:00:00Z"), ""},
		{"recovery past du", travel, rec("2021-03-01T00:00:00Z", "2021-03-12T00:00:00Z", "2021-08-31T00:00:00Z"), RuleRecoveryWindow},
		{"recovery before df", travel, rec("2021-08-25T00:00:00Z", "2021-09-05T00:00:00Z", "2022-02-20T00:00:00Z"), RuleRecoveryWindow},
		{"recovery positive too long ago", travel, rec("2021-02-01T00:00:00Z", "2021-02-12T00:00:00Z", "2021-12-31T00:00:00Z"), RuleRecoveryMaxDays},
		{"certificate too old", travel, &Credential{Type: TypeVaccination, IssuedAt: date("2020-08-01T00:00:00Z"),
			Vaccination: &Vaccination{Product: "EU/1/20/1528", Dose: 2, Doses: 2, Completes: true, Date: date("2021-08-02T00:00:00Z")}}, RuleCertAge},
		{"missing entry", travel, &Credential{Type: TypeTest, IssuedAt: issued}, RuleMissingData},
		{"zero policy accepts", &Policy{}, vacc(1, 3, "2021-08-31T00:00:00Z", "x"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rule, detail := tt.p.Check(tt.c, now)
			if rule != tt.want {
				t.Errorf("rule %q (%s), want %q", rule, detail, tt.want)
			}
			if rule != "" && detail == "" {
				t.Errorf("rule %q refused without a detail", rule)
			}
		})
	}
}

func TestPolicySetMode(t *testing.T) {
	s := &PolicySet{Modes: map[string]*Policy{"venue": {Accept: []CredType{TypeTest}}}}
	p := s.Mode("venue")
	if p == nil || p.Mode != "venue" {
		t.Fatalf("Mode(venue) = %+v, want the venue policy named venue", p)
	}
	if s.Modes["venue"].Mode != "" {
		t.Errorf("Mode mutated the shared set")
	}
	if s.Mode("travel") != nil {
		t.Errorf("Mode(travel) found a policy that does not exist")
	}
	var nilSet *PolicySet
	if nilSet.Mode("x") != nil {
		t.Errorf("nil set returned a policy")
	}
}

// TestPolicyDiseases: a mode that lists diseases refuses a credential of
// another disease, or of none known, by the diseases rule.
func TestPolicyDiseases(t *testing.T) {
	p := &Policy{Mode: "covid", Diseases: []string{DiseaseCOVID19}}
	now := date("2021-09-01T12:00:00Z")
	vacc := func(disease string) *Credential {
		return &Credential{Type: TypeVaccination, Disease: disease, Vaccination: &Vaccination{Date: date("2021-06-01T00:00:00Z")}}
	}
	for _, tc := range []struct {
		disease, rule string
	}{{DiseaseCOVID19, ""}, {"6142004", RuleDisease}, {"", RuleDisease}} {
		if rule, detail := p.Check(vacc(tc.disease), now); rule != tc.rule {
			t.Errorf("disease %q: rule %q (%s), want %q", tc.disease, rule, detail, tc.rule)
		}
	}
	if rule, _ := (&Policy{}).Check(vacc(""), now); rule != "" {
		t.Errorf("no diseases listed: rule %q, want none", rule)
	}
}
