package trust

import "github.com/chot-dev/chot/verify"

// PolicyInForce chooses the rules a checkpoint applies in mode: the site's
// own modes (a device's config) when it has any, their rule sets bound to
// the installed bundle's (without a bundle they stay unbound, and the mode
// refuses every credential: verify.RuleSetsNotLoaded); else the installed
// bundle's mode. nil (fail closed: nothing is accepted) when the chosen set
// has no such mode, or there are no site modes and no bundle. The result is
// a copy: site is not modified.
func PolicyInForce(mode string, site map[string]*verify.Policy, installed *Store) *verify.Policy {
	if len(site) > 0 {
		p := (&verify.PolicySet{Modes: site}).Mode(mode)
		if p != nil && len(p.RuleSets) > 0 && installed != nil {
			p.Rules = installed.Rules()
		}
		return p
	}
	if installed != nil {
		return installed.Policy().Mode(mode)
	}
	return nil
}
