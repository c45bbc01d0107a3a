package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/chot-dev/chot/verify"
)

// MaxRuleSize caps one rule's JSON before it is decoded.
const MaxRuleSize = 256 << 10

// ErrRule means a rule is not a valid EU business rule: a field missing or
// malformed, or a Logic that is not valid CertLogic. It is refused when
// imported (chot trust build, a bundle's installation, chot rules check).
var ErrRule = errors.New("rules: invalid rule")

// Rule types and certificate types of the EU rule format.
const (
	TypeAcceptance   = "Acceptance"   // the country of arrival's rules
	TypeInvalidation = "Invalidation" // the issuing country's rules
	CertGeneral      = "General"      // applies to every certificate type
	CertVaccination  = "Vaccination"
	CertTest         = "Test"
	CertRecovery     = "Recovery"
)

// Rule is one business rule in the EU format (the DCC gateway's and the
// member states' rule JSON). Field names are the format's.
type Rule struct {
	Identifier      string          `json:"Identifier"`
	Type            string          `json:"Type"`
	Country         string          `json:"Country"`
	Region          string          `json:"Region,omitempty"`
	Version         string          `json:"Version"`
	SchemaVersion   string          `json:"SchemaVersion"`
	Engine          string          `json:"Engine"`
	EngineVersion   string          `json:"EngineVersion"`
	CertificateType string          `json:"CertificateType"`
	Description     []Description   `json:"Description"`
	ValidFrom       string          `json:"ValidFrom"`
	ValidTo         string          `json:"ValidTo"`
	AffectedFields  []string        `json:"AffectedFields"`
	Logic           json.RawMessage `json:"Logic"`

	validFrom, validTo time.Time
	version            [3]int
	credType           verify.CredType // "" for General
	logic              *Expr
}

// Description is a rule's description in one language.
type Description struct {
	Lang string `json:"lang"`
	Desc string `json:"desc"`
}

var (
	identifierRE = regexp.MustCompile(`^(GR|VR|TR|RR|IR)-[A-Z]{2}(-[A-Z0-9]{1,5})?-\d{4}$`)
	countryRE    = regexp.MustCompile(`^[A-Z]{2}$`)
	semverRE     = regexp.MustCompile(`^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$`)
	langRE       = regexp.MustCompile(`^[a-z]{2}$`)
)

// certTypes maps the format's certificate types to chot's ("" for General).
var certTypes = map[string]verify.CredType{
	CertGeneral: "", CertVaccination: verify.TypeVaccination, CertTest: verify.TypeTest, CertRecovery: verify.TypeRecovery,
}

// ParseRule decodes and checks one rule, reporting every problem at once.
// Unknown fields are refused: a rule this engine half-understands would
// judge wrongly.
func ParseRule(b []byte) (*Rule, error) {
	if len(b) > MaxRuleSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrRule, len(b), MaxRuleSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var r Rule
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRule, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the rule", ErrRule)
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	return &r, nil
}

func (r *Rule) check() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !identifierRE.MatchString(r.Identifier) {
		bad("Identifier %q is not of the form VR-XX-0000", r.Identifier)
	}
	if r.Type != TypeAcceptance && r.Type != TypeInvalidation {
		bad("Type %q: want Acceptance or Invalidation", r.Type)
	}
	if !countryRE.MatchString(r.Country) {
		bad("Country %q is not an ISO 3166 alpha-2 code", r.Country)
	}
	for name, v := range map[string]string{"Version": r.Version, "SchemaVersion": r.SchemaVersion, "EngineVersion": r.EngineVersion} {
		if !semverRE.MatchString(v) {
			bad("%s %q is not a version N.N.N", name, v)
		}
	}
	if m := semverRE.FindStringSubmatch(r.Version); m != nil {
		for i := range r.version {
			r.version[i], _ = strconv.Atoi(m[i+1])
		}
	}
	if r.Engine != "CERTLOGIC" {
		bad("Engine %q: only CERTLOGIC is known", r.Engine)
	}
	var ok bool
	if r.credType, ok = certTypes[r.CertificateType]; !ok {
		bad("CertificateType %q: want General, Vaccination, Test or Recovery", r.CertificateType)
	}
	if len(r.Description) == 0 {
		bad("no Description")
	}
	for i, d := range r.Description {
		if !langRE.MatchString(d.Lang) || strings.TrimSpace(d.Desc) == "" {
			bad("Description %d: want a two-letter lang and a desc", i)
		}
	}
	var err error
	if r.validFrom, err = verify.ParseTime(r.ValidFrom); err != nil {
		bad("ValidFrom: %w", err)
	}
	if r.validTo, err = verify.ParseTime(r.ValidTo); err != nil {
		bad("ValidTo: %w", err)
	}
	if err == nil && !r.validFrom.IsZero() && !r.validTo.After(r.validFrom) {
		bad("ValidTo %s is not after ValidFrom %s", r.ValidTo, r.ValidFrom)
	}
	if len(r.AffectedFields) == 0 {
		bad("no AffectedFields")
	}
	if len(r.Logic) == 0 {
		bad("no Logic")
	} else if r.logic, err = CompileJSON(r.Logic); err != nil {
		bad("Logic: %w", err)
	}
	if len(errs) > 0 {
		id := r.Identifier
		if id == "" {
			id = "rule"
		}
		return fmt.Errorf("%w %s: %w", ErrRule, id, errors.Join(errs...))
	}
	return nil
}

// Expr returns the rule's compiled Logic.
func (r *Rule) Expr() *Expr { return r.logic }

// Texts returns the descriptions as verify.Text.
func (r *Rule) Texts() []verify.Text {
	out := make([]verify.Text, len(r.Description))
	for i, d := range r.Description {
		out[i] = verify.Text{Lang: d.Lang, Text: d.Desc}
	}
	return out
}

// DescriptionIn returns the description in lang, else in English, else the
// first one.
func (r *Rule) DescriptionIn(lang string) string {
	for _, want := range []string{lang, "en"} {
		for _, d := range r.Description {
			if d.Lang == want {
				return d.Desc
			}
		}
	}
	if len(r.Description) > 0 {
		return r.Description[0].Desc
	}
	return ""
}

// ValidAt reports whether the rule is in force at t: ValidFrom ≤ t < ValidTo.
func (r *Rule) ValidAt(t time.Time) bool {
	return !t.Before(r.validFrom) && t.Before(r.validTo)
}

// newerThan orders versions of one Identifier.
func (r *Rule) newerThan(o *Rule) bool {
	for i := range r.version {
		if r.version[i] != o.version[i] {
			return r.version[i] > o.version[i]
		}
	}
	return r.validFrom.After(o.validFrom)
}

// ParseRules reads a rule file: one rule object, or an array of them.
func ParseRules(b []byte) ([]*Rule, error) {
	t := bytes.TrimSpace(b)
	if len(t) > 0 && t[0] == '[' {
		var raws []json.RawMessage
		if err := json.Unmarshal(t, &raws); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrRule, err)
		}
		var out []*Rule
		var errs []error
		for i, raw := range raws {
			r, err := ParseRule(raw)
			if err != nil {
				errs = append(errs, fmt.Errorf("rule %d: %w", i, err))
				continue
			}
			out = append(out, r)
		}
		if len(errs) > 0 {
			return nil, errors.Join(errs...)
		}
		return out, nil
	}
	r, err := ParseRule(t)
	if err != nil {
		return nil, err
	}
	return []*Rule{r}, nil
}
