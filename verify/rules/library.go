package rules

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/chot-dev/chot/verify"
)

// Library holds named rule sets (a country's entry rules, a venue's 2G/3G)
// and the value sets their rules see as external.valueSets. It implements
// verify.RuleChecker. It is immutable and safe for concurrent use.
type Library struct {
	sets      map[string][]*Rule
	valueSets map[string]any // id → []any of codes
	byID      map[string]*Rule
}

var _ verify.RuleChecker = (*Library)(nil)

// NewLibrary builds a library over sets and valueSets (value set id → its
// codes, as the EU value set files key them). It keeps the rules.
func NewLibrary(sets map[string][]*Rule, valueSets map[string][]string) *Library {
	l := &Library{sets: make(map[string][]*Rule, len(sets)), valueSets: make(map[string]any, len(valueSets)), byID: map[string]*Rule{}}
	for id, codes := range valueSets {
		list := make([]any, len(codes))
		for i, c := range codes {
			list[i] = c
		}
		l.valueSets[id] = list
	}
	for name, rs := range sets {
		// By Identifier, newest version first: Applicable takes the first
		// in force of each Identifier in one pass.
		rs = slices.Clone(rs)
		sort.SliceStable(rs, func(i, j int) bool {
			if rs[i].Identifier != rs[j].Identifier {
				return rs[i].Identifier < rs[j].Identifier
			}
			return rs[i].newerThan(rs[j])
		})
		l.sets[name] = rs
		for _, r := range rs {
			if o := l.byID[r.Identifier]; o == nil || r.newerThan(o) {
				l.byID[r.Identifier] = r
			}
		}
	}
	return l
}

// Has reports whether the library has a set of that name.
func (l *Library) Has(set string) bool {
	_, ok := l.sets[set]
	return ok
}

// Rule returns the newest rule with that Identifier, or nil.
func (l *Library) Rule(id string) *Rule {
	if l == nil {
		return nil
	}
	return l.byID[id]
}

// External is the "external" object chot gives a rule: the parameters the
// EU rule engines fill from the verified certificate and the device.
func (l *Library) External(country string, res *verify.Result, now time.Time) map[string]any {
	ext := map[string]any{
		"validationClock":   now.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		"valueSets":         l.valueSets,
		"countryCode":       country,
		"issuerCountryCode": res.Issuer,
		"kid":               res.KidText(),
	}
	if c := res.Credential; c != nil {
		if !c.IssuedAt.IsZero() {
			ext["iat"] = c.IssuedAt.UTC().Format(time.RFC3339)
		}
		if !c.ExpiresAt.IsZero() {
			ext["exp"] = c.ExpiresAt.UTC().Format(time.RFC3339)
		}
	}
	return ext
}

// Applicable returns the rules of the named sets that judge a certificate
// of type t issued by issuer, arriving in country, at now: the acceptance
// rules of country and the invalidation rules of issuer, of type General or
// t, in force at now, the newest version of each Identifier, ordered by
// Identifier. An unknown set name is an error.
func (l *Library) Applicable(sets []string, country, issuer string, t verify.CredType, now time.Time) ([]*Rule, error) {
	var out []*Rule
	for _, name := range sets {
		rs, ok := l.sets[name]
		if !ok {
			return nil, fmt.Errorf("rule set %q not in the trust data", name)
		}
		last := ""
		for _, r := range rs {
			if r.Identifier == last {
				continue // an older version of a rule already taken
			}
			if r.credType != "" && r.credType != t {
				continue
			}
			if r.Type == TypeAcceptance && r.Country != country || r.Type == TypeInvalidation && r.Country != issuer {
				continue
			}
			if !r.ValidAt(now) {
				continue
			}
			out = append(out, r)
			last = r.Identifier
		}
	}
	if len(sets) > 1 {
		// The same Identifier in two sets: keep the newest.
		sort.SliceStable(out, func(i, j int) bool {
			if out[i].Identifier != out[j].Identifier {
				return out[i].Identifier < out[j].Identifier
			}
			return out[i].newerThan(out[j])
		})
		out = slices.CompactFunc(out, func(a, b *Rule) bool { return a.Identifier == b.Identifier })
	}
	return out, nil
}

// CheckRules implements verify.RuleChecker. The EU rules judge an EU DCC's
// payload; a credential of another format is left to the policy's own rules.
// Every applicable rule must evaluate to true: false, any other value, or an
// evaluation error refuses, naming the rule.
func (l *Library) CheckRules(sets []string, country string, res *verify.Result, now time.Time) *verify.Refusal {
	if res.Format != verify.FormatDCC {
		return nil
	}
	if country == "" {
		return &verify.Refusal{Rule: verify.RuleSetsNotLoaded, Detail: "the policy mode names rule sets but no country"}
	}
	payload, ok := res.Claims["hcert"].(map[string]any)
	if !ok || res.Credential == nil {
		return &verify.Refusal{Rule: verify.RuleMissingData, Detail: "no DCC payload for the rule sets"}
	}
	rs, err := l.Applicable(sets, country, res.Issuer, res.Credential.Type, now)
	if err != nil {
		return &verify.Refusal{Rule: verify.RuleSetsNotLoaded, Detail: err.Error()}
	}
	data := map[string]any{"payload": payload, "external": l.External(country, res, now)}
	for _, r := range rs {
		v, err := r.logic.Eval(data)
		if err == nil && v == true {
			continue
		}
		detail := fmt.Sprintf("%s: %s", r.Identifier, r.DescriptionIn("en"))
		if err != nil {
			detail = fmt.Sprintf("%s could not be evaluated (%v): %s", r.Identifier, err, r.DescriptionIn("en"))
		}
		return &verify.Refusal{Rule: r.Identifier, Detail: detail, Description: r.Texts()}
	}
	return nil
}

// Names returns the set names, sorted.
func (l *Library) Names() []string {
	names := make([]string, 0, len(l.sets))
	for n := range l.sets {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// ParseValueSet reads an EU DCC value set file ({"valueSetId",
// "valueSetValues": {CODE: {...}}}) and returns its id and codes, sorted.
func ParseValueSet(b []byte) (id string, codes []string, err error) {
	var f struct {
		ID     string                     `json:"valueSetId"`
		Values map[string]json.RawMessage `json:"valueSetValues"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return "", nil, fmt.Errorf("rules: value set: %w", err)
	}
	if f.ID == "" || len(f.Values) == 0 {
		return "", nil, fmt.Errorf("rules: value set: no valueSetId or no valueSetValues")
	}
	for c := range f.Values {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return f.ID, codes, nil
}
