package main

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
