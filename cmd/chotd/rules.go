package main

import "github.com/chot-dev/chot/verify"

// bindRules lets a mode of chotd's own config name rule sets: they are the
// installed bundle's. Without a bundle they stay unbound, and the mode
// refuses every credential (verify.RuleSetsNotLoaded). p is a copy.
func (d *daemon) bindRules(p *verify.Policy) *verify.Policy {
	if p == nil || len(p.RuleSets) == 0 {
		return p
	}
	if s := d.trust.store.Load(); s != nil {
		p.Rules = s.Rules()
	}
	return p
}

// ruleTexts gives the status page the description, by language, of an EU
// business rule of the installed bundle (the rule a refusal names), or nil.
func (d *daemon) ruleTexts(rule string) map[string]string {
	s := d.trust.store.Load()
	if s == nil {
		return nil
	}
	r := s.Rules().Rule(rule)
	if r == nil {
		return nil
	}
	out := make(map[string]string, len(r.Description))
	for _, t := range r.Description {
		out[t.Lang] = t.Desc
	}
	return out
}
