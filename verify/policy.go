package verify

import (
	"fmt"
	"slices"
	"time"
)

// Policy holds a site's acceptance rules for one mode (travel, venue, …), as a
// health authority sets them. The zero value accepts every valid credential.
// Durations are in whole days or hours, as such rules are published.
type Policy struct {
	// Mode names the rule set, for display.
	Mode string `json:"mode,omitempty" yaml:"mode,omitempty" cbor:"mode,omitempty"`
	// Accept lists the credential types accepted; empty accepts all.
	Accept []CredType `json:"accept,omitempty" yaml:"accept,omitempty" cbor:"accept,omitempty"`
	// Diseases, if set, lists the targeted agents accepted (SNOMED CT codes,
	// DiseaseCOVID19): a credential of another disease, or of none known, is
	// refused. Empty: not checked (the formats count only COVID-19 entries:
	// an SHC of influenza doses has no vaccination a rule could accept).
	Diseases []string `json:"diseases,omitempty" yaml:"diseases,omitempty" cbor:"diseases,omitempty"`
	// MaxCertAgeDays refuses credentials issued longer ago than this; 0: no limit.
	MaxCertAgeDays int `json:"max_cert_age_days,omitempty" yaml:"max_cert_age_days,omitempty" cbor:"max_cert_age_days,omitempty"`

	// SignerValidity is how the signer's certificate must cover the
	// credential: SignerSigningTime (the default when empty) or SignerStrict.
	SignerValidity string `json:"signer_validity,omitempty" yaml:"signer_validity,omitempty" cbor:"signer_validity,omitempty"`
	// IssuerBinding is what a DCC whose signer's country is not its issuing
	// country gets: BindingRefuse (the default when empty) or BindingWarn.
	IssuerBinding string `json:"issuer_binding,omitempty" yaml:"issuer_binding,omitempty" cbor:"issuer_binding,omitempty"`
	// ValueSets is what a coded field outside its value set gets, when the
	// trust data carries value sets: BindingRefuse (the default when empty)
	// or BindingWarn.
	ValueSets string `json:"value_sets,omitempty" yaml:"value_sets,omitempty" cbor:"value_sets,omitempty"`

	Vaccination VaccinationRules `json:"vaccination,omitzero" yaml:"vaccination,omitempty" cbor:"vaccination,omitempty"`
	Test        TestRules        `json:"test,omitzero" yaml:"test,omitempty" cbor:"test,omitempty"`
	Recovery    RecoveryRules    `json:"recovery,omitzero" yaml:"recovery,omitempty" cbor:"recovery,omitempty"`
	// ICVP judges the WHO DVC (International Certificate of Vaccination or
	// Prophylaxis). It always applies to an icvp credential: its zero value
	// is the International Health Regulations' yellow-fever rule.
	ICVP ICVPRules `json:"icvp,omitzero" yaml:"icvp,omitempty" cbor:"icvp,omitempty"`
	// CheckIn is the identity check-in mode: an unsigned identity document
	// (Vietnam's CCCD QR) is taken as a check-in, logged by a keyed hash of
	// its number only, instead of being refused as unsigned. Accept still
	// applies (list "identity").
	CheckIn bool `json:"check_in,omitempty" yaml:"check_in,omitempty" cbor:"check_in,omitempty"`

	// RuleSets names business rule sets as health authorities publish them
	// (EU CertLogic rules, carried by the trust bundle) that a credential
	// must pass too, after the rules above: a country's entry rules, a
	// venue's 2G/3G.
	RuleSets []string `json:"rule_sets,omitempty" yaml:"rule_sets,omitempty" cbor:"rule_sets,omitempty"`
	// Country is the country of arrival the rule sets are evaluated for:
	// their acceptance rules are this country's (external.countryCode).
	// Required with RuleSets.
	Country string `json:"country,omitempty" yaml:"country,omitempty" cbor:"country,omitempty"`
	// Rules evaluates RuleSets. Whoever loads the rule sets sets it (the
	// trust store, for its bundle's modes); a mode with RuleSets and no
	// Rules refuses every credential.
	Rules RuleChecker `json:"-" yaml:"-" cbor:"-"`
}

// RuleChecker judges a verified credential against rule sets that verify
// does not read itself (verify/rules: CertLogic).
type RuleChecker interface {
	// CheckRules returns the refusal of the first rule of sets that res
	// does not pass, evaluated for the country of arrival at now, or nil.
	// An unknown set, or a rule that cannot be evaluated, refuses.
	CheckRules(sets []string, country string, res *Result, now time.Time) *Refusal
}

// Refusal is why a policy refused a credential.
type Refusal struct {
	// Rule names the rule: one of the Rule constants, or an EU rule's
	// Identifier (VR-VN-0001).
	Rule string
	// Detail says in a sentence what failed, for people; not stable.
	Detail string
	// Description is the rule's own description in the languages its
	// author gave (EU rules), for the page to show in its language.
	Description []Text
}

// Text is a sentence in one language.
type Text struct {
	Lang string `json:"lang"` // ISO 639-1, lower case
	Text string `json:"text"`
}

// ICVPRules judge an ICVP. By the International Health Regulations (annex 7)
// a yellow-fever vaccination is valid from 10 days after the dose for the
// life of the person: the zero value is that rule.
type ICVPRules struct {
	// Diseases lists the accepted targeted diseases (the DVC's tg codes);
	// empty: yellow fever only (ICD-11 1D47, SNOMED CT 16541001).
	Diseases []string `json:"diseases,omitempty" yaml:"diseases,omitempty" cbor:"diseases,omitempty"`
	// MinDaysSinceDose: the dose must be at least this old; 0: the IHR's 10
	// days; negative: no minimum.
	MinDaysSinceDose int `json:"min_days_since_dose,omitempty" yaml:"min_days_since_dose,omitempty" cbor:"min_days_since_dose,omitempty"`
}

// YellowFever lists the codes of yellow fever an ICVP's tg may carry.
var YellowFever = []string{"1D47", "16541001"}

// ICVPMinDays is the IHR's wait after a yellow-fever dose.
const ICVPMinDays = 10

// VaccinationRules judge a vaccination.
type VaccinationRules struct {
	// RequireComplete refuses a dose before the last of its series (dn < sd).
	RequireComplete bool `json:"require_complete,omitempty" yaml:"require_complete,omitempty" cbor:"require_complete,omitempty"`
	// MinDaysSinceDose: the last dose must be at least this old (immunity builds up).
	MinDaysSinceDose int `json:"min_days_since_dose,omitempty" yaml:"min_days_since_dose,omitempty" cbor:"min_days_since_dose,omitempty"`
	// MaxDaysSinceDose: the last dose must be at most this old; 0: no limit.
	MaxDaysSinceDose int `json:"max_days_since_dose,omitempty" yaml:"max_days_since_dose,omitempty" cbor:"max_days_since_dose,omitempty"`
	// Products lists the accepted vaccine products (EU/1/20/1528, …); empty accepts all.
	Products []string `json:"products,omitempty" yaml:"products,omitempty" cbor:"products,omitempty"`
}

// TestRules judge a test.
type TestRules struct {
	// MaxHoursSinceSample: the sample must be at most this old; 0: no limit.
	MaxHoursSinceSample int `json:"max_hours_since_sample,omitempty" yaml:"max_hours_since_sample,omitempty" cbor:"max_hours_since_sample,omitempty"`
	// Kinds lists the accepted test types (TestNAAT, TestRAT); empty accepts all.
	Kinds []string `json:"kinds,omitempty" yaml:"kinds,omitempty" cbor:"kinds,omitempty"`
	// AllowPositive accepts a "detected" result; off, a positive test is refused.
	AllowPositive bool `json:"allow_positive,omitempty" yaml:"allow_positive,omitempty" cbor:"allow_positive,omitempty"`
}

// RecoveryRules judge a recovery statement. The statement's own validity
// window (df..du) is always enforced.
type RecoveryRules struct {
	// MaxDaysSincePositive: the first positive test must be at most this old; 0: no limit.
	MaxDaysSincePositive int `json:"max_days_since_positive,omitempty" yaml:"max_days_since_positive,omitempty" cbor:"max_days_since_positive,omitempty"`
}

// Signer validity settings (Policy.SignerValidity, Options.SignerValidity).
const (
	// SignerSigningTime: the signer's certificate must be valid when the
	// credential was issued (notBefore ≤ iat ≤ notAfter); the credential's
	// own exp governs how long it is valid. The HCERT specification's rule,
	// and what real issuers rely on. The default.
	SignerSigningTime = "signing_time"
	// SignerStrict: also exp ≤ the signer's notAfter, as the EU test data's
	// reference harness checks (the specification only says SHOULD).
	SignerStrict = "strict"
)

// Issuer binding settings (Policy.IssuerBinding, Options.IssuerBinding).
const (
	BindingRefuse = "refuse" // refuse with issuer_mismatch; the default
	BindingWarn   = "warn"   // accept, with a warning
)

// Options are the settings a format's handler applies while it checks a
// credential (before site rules). The zero value is the defaults.
type Options struct {
	SignerValidity string
	IssuerBinding  string
	ValueSets      string
}

// Check reports an unknown setting.
func (o Options) Check() error {
	if o.SignerValidity != "" && o.SignerValidity != SignerSigningTime && o.SignerValidity != SignerStrict {
		return fmt.Errorf("signer_validity %q: want %q or %q", o.SignerValidity, SignerSigningTime, SignerStrict)
	}
	if o.IssuerBinding != "" && o.IssuerBinding != BindingRefuse && o.IssuerBinding != BindingWarn {
		return fmt.Errorf("issuer_binding %q: want %q or %q", o.IssuerBinding, BindingRefuse, BindingWarn)
	}
	if o.ValueSets != "" && o.ValueSets != BindingRefuse && o.ValueSets != BindingWarn {
		return fmt.Errorf("value_sets %q: want %q or %q", o.ValueSets, BindingRefuse, BindingWarn)
	}
	return nil
}

// Strict reports whether the signer's certificate must outlive the credential.
func (o Options) Strict() bool { return o.SignerValidity == SignerStrict }

// WarnOnly reports whether an issuer mismatch is only a warning.
func (o Options) WarnOnly() bool { return o.IssuerBinding == BindingWarn }

// ValueSetsWarnOnly reports whether a code outside its value set is only a
// warning.
func (o Options) ValueSetsWarnOnly() bool { return o.ValueSets == BindingWarn }

// Options returns the handler settings of the policy; nil gives the defaults.
func (p *Policy) Options() Options {
	if p == nil {
		return Options{}
	}
	return Options{SignerValidity: p.SignerValidity, IssuerBinding: p.IssuerBinding, ValueSets: p.ValueSets}
}

// Rule names, as Result.Rule reports them. Stable: they are logged.
const (
	RuleType                = "accept"
	RuleCertAge             = "max_cert_age_days"
	RuleDisease             = "diseases"
	RuleVaccinationComplete = "vaccination.require_complete"
	RuleVaccinationMinDays  = "vaccination.min_days_since_dose"
	RuleVaccinationMaxDays  = "vaccination.max_days_since_dose"
	RuleVaccinationProduct  = "vaccination.products"
	RuleTestMaxHours        = "test.max_hours_since_sample"
	RuleTestKind            = "test.kinds"
	RuleTestPositive        = "test.allow_positive"
	RuleTestFuture          = "test.sampled_in_future"
	RuleRecoveryWindow      = "recovery.validity_window"
	RuleRecoveryMaxDays     = "recovery.max_days_since_positive"
	RuleICVPDisease         = "icvp.diseases"
	RuleICVPMinDays         = "icvp.min_days_since_dose"
	RuleICVPWindow          = "icvp.validity_window"
	RuleMissingData         = "data_missing"
	RuleSetsNotLoaded       = "rule_sets"
)

const day = 24 * time.Hour

// DiseaseCOVID19 is SNOMED CT's COVID-19, the DCC's tg.
const DiseaseCOVID19 = "840539006"

// Check judges c at now. It returns the name of the first rule that refuses
// and a sentence for people, or "" when c is acceptable.
func (p *Policy) Check(c *Credential, now time.Time) (rule, detail string) {
	if len(p.Accept) > 0 && !slices.Contains(p.Accept, c.Type) {
		return RuleType, fmt.Sprintf("%s %q not accepted in mode %q", "credential type", c.Type, p.Mode)
	}
	if diseases := p.Diseases; len(diseases) > 0 && !slices.Contains(diseases, c.Disease) {
		what := "no known disease"
		if c.Disease != "" {
			what = "disease " + c.Disease
		}
		return RuleDisease, fmt.Sprintf("%s: not a credential for %v in mode %q", what, diseases, p.Mode)
	}
	if p.MaxCertAgeDays > 0 && !c.IssuedAt.IsZero() && now.Sub(c.IssuedAt) > time.Duration(p.MaxCertAgeDays)*day {
		return RuleCertAge, fmt.Sprintf("issued %s, more than %d days ago", c.IssuedAt.UTC().Format(time.DateOnly), p.MaxCertAgeDays)
	}
	switch c.Type {
	case TypeVaccination:
		return p.Vaccination.check(c.Vaccination, now)
	case TypeTest:
		return p.Test.check(c.Test, now)
	case TypeRecovery:
		return p.Recovery.check(c.Recovery, now)
	case TypeICVP:
		return p.ICVP.check(c.Disease, c.Vaccination, now)
	}
	return "", ""
}

func (r *VaccinationRules) check(v *Vaccination, now time.Time) (string, string) {
	if v == nil {
		return RuleMissingData, "no COVID-19 vaccination entry"
	}
	if r.RequireComplete && !v.Completes {
		return RuleVaccinationComplete, fmt.Sprintf("dose %d of %d: series not complete", v.Dose, v.Doses)
	}
	if len(r.Products) > 0 && !slices.Contains(r.Products, v.Product) {
		return RuleVaccinationProduct, fmt.Sprintf("vaccine product %q not accepted", v.Product)
	}
	if (r.MinDaysSinceDose > 0 || r.MaxDaysSinceDose > 0) && v.Date.IsZero() {
		return RuleMissingData, "no vaccination date"
	}
	age := now.Sub(v.Date)
	if r.MinDaysSinceDose > 0 && age < time.Duration(r.MinDaysSinceDose)*day {
		return RuleVaccinationMinDays, fmt.Sprintf("last dose on %s, less than %d days ago", v.Date.Format(time.DateOnly), r.MinDaysSinceDose)
	}
	if r.MaxDaysSinceDose > 0 && age > time.Duration(r.MaxDaysSinceDose)*day {
		return RuleVaccinationMaxDays, fmt.Sprintf("last dose on %s, more than %d days ago", v.Date.Format(time.DateOnly), r.MaxDaysSinceDose)
	}
	return "", ""
}

func (r *TestRules) check(t *Test, now time.Time) (string, string) {
	if t == nil {
		return RuleMissingData, "no test entry"
	}
	if t.Detected && !r.AllowPositive {
		return RuleTestPositive, "the test result is positive"
	}
	if len(r.Kinds) > 0 && !slices.Contains(r.Kinds, t.Kind) {
		return RuleTestKind, fmt.Sprintf("test type %q not accepted", t.Kind)
	}
	if t.Sampled.IsZero() {
		if r.MaxHoursSinceSample > 0 {
			return RuleMissingData, "no sample time"
		}
		return "", ""
	}
	if t.Sampled.After(now) {
		return RuleTestFuture, fmt.Sprintf("sampled %s, in the future", t.Sampled.UTC().Format(time.RFC3339))
	}
	if r.MaxHoursSinceSample > 0 && now.Sub(t.Sampled) > time.Duration(r.MaxHoursSinceSample)*time.Hour {
		return RuleTestMaxHours, fmt.Sprintf("sampled %s, more than %d hours ago", t.Sampled.UTC().Format(time.RFC3339), r.MaxHoursSinceSample)
	}
	return "", ""
}

func (r *RecoveryRules) check(rc *Recovery, now time.Time) (string, string) {
	if rc == nil {
		return RuleMissingData, "no recovery entry"
	}
	if !rc.ValidFrom.IsZero() && now.Before(rc.ValidFrom) {
		return RuleRecoveryWindow, fmt.Sprintf("recovery valid from %s", rc.ValidFrom.Format(time.DateOnly))
	}
	// du is a date: valid through the whole of that day.
	if !rc.ValidUntil.IsZero() && !now.Before(rc.ValidUntil.Add(day)) {
		return RuleRecoveryWindow, fmt.Sprintf("recovery valid until %s", rc.ValidUntil.Format(time.DateOnly))
	}
	if r.MaxDaysSincePositive > 0 {
		if rc.FirstPositive.IsZero() {
			return RuleMissingData, "no date of the first positive test"
		}
		if now.Sub(rc.FirstPositive) > time.Duration(r.MaxDaysSincePositive)*day {
			return RuleRecoveryMaxDays, fmt.Sprintf("first positive %s, more than %d days ago", rc.FirstPositive.Format(time.DateOnly), r.MaxDaysSincePositive)
		}
	}
	return "", ""
}

func (r *ICVPRules) check(disease string, v *Vaccination, now time.Time) (string, string) {
	if v == nil || v.Date.IsZero() {
		return RuleMissingData, "no vaccination date"
	}
	diseases := r.Diseases
	if len(diseases) == 0 {
		diseases = YellowFever
	}
	if !slices.Contains(diseases, disease) {
		return RuleICVPDisease, fmt.Sprintf("vaccination against %q, not an accepted disease", disease)
	}
	days := r.MinDaysSinceDose
	if days == 0 {
		days = ICVPMinDays
	}
	if days > 0 && now.Sub(v.Date) < time.Duration(days)*day {
		return RuleICVPMinDays, fmt.Sprintf("dose on %s, less than %d days ago", v.Date.Format(time.DateOnly), days)
	}
	if !v.ValidFrom.IsZero() && now.Before(v.ValidFrom) {
		return RuleICVPWindow, fmt.Sprintf("valid from %s", v.ValidFrom.Format(time.DateOnly))
	}
	if !v.ValidUntil.IsZero() && !now.Before(v.ValidUntil.Add(day)) {
		return RuleICVPWindow, fmt.Sprintf("valid until %s", v.ValidUntil.Format(time.DateOnly))
	}
	return "", ""
}

// Judge applies the whole policy to a verified result: chot's own rules
// (Check), then the rule sets. It returns the refusal, or nil.
func (p *Policy) Judge(res *Result, now time.Time) *Refusal {
	if res.Credential != nil {
		if rule, detail := p.Check(res.Credential, now); rule != "" {
			return &Refusal{Rule: rule, Detail: detail}
		}
	}
	if len(p.RuleSets) == 0 {
		return nil
	}
	if p.Rules == nil {
		return &Refusal{Rule: RuleSetsNotLoaded, Detail: fmt.Sprintf("rule sets %v of mode %q are not loaded", p.RuleSets, p.Mode)}
	}
	return p.Rules.CheckRules(p.RuleSets, p.Country, res, now)
}

// PolicySet holds the rule sets of a site or a trust bundle, by mode.
type PolicySet struct {
	Modes map[string]*Policy `json:"modes" yaml:"modes" cbor:"modes"`
}

// Mode returns the policy for mode m, or nil.
func (s *PolicySet) Mode(m string) *Policy {
	if s == nil {
		return nil
	}
	p, ok := s.Modes[m]
	if !ok || p == nil {
		return nil
	}
	c := *p
	if c.Mode == "" {
		c.Mode = m
	}
	return &c
}
