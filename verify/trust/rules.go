package trust

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/rules"
)

// RuleSet is a named set of EU business rules (a country's entry rules, a
// venue's 2G/3G), each the rule's JSON as its author published it.
type RuleSet struct {
	Name  string
	Rules [][]byte
}

type wireRuleSet struct {
	Name  string   `cbor:"1,keyasint"`
	Rules []string `cbor:"2,keyasint"`
}

func wireRuleSets(sets []RuleSet) []wireRuleSet {
	var out []wireRuleSet
	for _, s := range sets {
		w := wireRuleSet{Name: s.Name}
		for _, r := range s.Rules {
			w.Rules = append(w.Rules, string(r))
		}
		out = append(out, w)
	}
	return out
}

func fromWireRuleSets(ws []wireRuleSet) []RuleSet {
	var out []RuleSet
	for _, w := range ws {
		s := RuleSet{Name: w.Name}
		for _, r := range w.Rules {
			s.Rules = append(s.Rules, []byte(r))
		}
		out = append(out, s)
	}
	return out
}

// SplitRules reads a rule file (one EU rule object, or an array of them),
// checks every rule and returns each rule's JSON as its author wrote it
// (compacted), for a RuleSet.
func SplitRules(b []byte) ([][]byte, error) {
	t := bytes.TrimSpace(b)
	raws := []json.RawMessage{t}
	if len(t) > 0 && t[0] == '[' {
		raws = nil
		if err := json.Unmarshal(t, &raws); err != nil {
			return nil, fmt.Errorf("%w: %w", rules.ErrRule, err)
		}
	}
	out := make([][]byte, 0, len(raws))
	var errs []error
	for i, raw := range raws {
		if _, err := rules.ParseRule(raw); err != nil {
			errs = append(errs, fmt.Errorf("rule %d: %w", i, err))
			continue
		}
		var c bytes.Buffer
		if err := json.Compact(&c, raw); err != nil {
			return nil, err
		}
		out = append(out, c.Bytes())
	}
	return out, errors.Join(errs...)
}

// parseRuleSets parses every rule of sets: the library a store evaluates.
func parseRuleSets(sets []RuleSet) (map[string][]*rules.Rule, error) {
	out := make(map[string][]*rules.Rule, len(sets))
	var errs []error
	for _, s := range sets {
		if s.Name == "" {
			errs = append(errs, errors.New("rule set without a name"))
			continue
		}
		if _, dup := out[s.Name]; dup {
			errs = append(errs, fmt.Errorf("rule set %q twice", s.Name))
			continue
		}
		rs := make([]*rules.Rule, 0, len(s.Rules))
		for i, b := range s.Rules {
			r, err := rules.ParseRule(b)
			if err != nil {
				errs = append(errs, fmt.Errorf("rule set %q, rule %d: %w", s.Name, i, err))
				continue
			}
			rs = append(rs, r)
		}
		out[s.Name] = rs
	}
	return out, errors.Join(errs...)
}

// checkRuleSets reports bad rules and policy modes that name a rule set
// the bundle lacks, or no country for it.
func (b *Bundle) checkRuleSets() []error {
	var errs []error
	sets, err := parseRuleSets(b.RuleSets)
	if err != nil {
		errs = append(errs, err)
	}
	modes := policyModes(b.Policy)
	names := make([]string, 0, len(modes))
	for m := range modes {
		names = append(names, m)
	}
	sort.Strings(names)
	for _, m := range names {
		p := modes[m]
		if p == nil {
			continue
		}
		for _, s := range p.RuleSets {
			if _, ok := sets[s]; !ok {
				errs = append(errs, fmt.Errorf("policy mode %q: rule set %q not in the bundle", m, s))
			}
		}
		if len(p.RuleSets) > 0 && p.Country == "" {
			errs = append(errs, fmt.Errorf("policy mode %q: rule sets need a country", m))
		}
	}
	return errs
}

// bindRules returns the policy set with every mode's rule sets bound to
// the library, leaving ps unchanged.
func bindRules(ps *verify.PolicySet, lib *rules.Library) *verify.PolicySet {
	if ps == nil {
		return nil
	}
	out := &verify.PolicySet{Modes: make(map[string]*verify.Policy, len(ps.Modes))}
	for name, p := range ps.Modes {
		if p == nil {
			continue
		}
		c := *p
		c.RuleSets = slices.Clone(p.RuleSets)
		if len(c.RuleSets) > 0 {
			c.Rules = lib
		}
		out.Modes[name] = &c
	}
	return out
}
