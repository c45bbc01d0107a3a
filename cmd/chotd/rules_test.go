package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/trust"
)

// TestConfigModeRuleSets: a mode of chotd's config that names rule sets uses
// the installed bundle's, and the page finds their descriptions there.
func TestConfigModeRuleSets(t *testing.T) {
	d := newTrustDaemon(t)
	d.cfg = &Config{}
	d.cfg.Policy.Mode = "entry"
	d.cfg.Policy.Modes = map[string]*verify.Policy{"entry": {RuleSets: []string{"vn-entry"}, Country: "VN"}}
	if p := d.policy(); p == nil || p.Rules != nil {
		t.Fatalf("no bundle yet: %+v, want the mode unbound", p)
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "configs", "rules", "vn-entry.json"))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := trust.SplitRules(b)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	bundle := &trust.Bundle{Version: 1, IssuedAt: at, StaleAfter: at.Add(time.Hour), ExpiresAt: at.Add(24 * time.Hour),
		RuleSets: []trust.RuleSet{{Name: "vn-entry", Rules: rules}}}
	s, err := trust.NewStore(bundle)
	if err != nil {
		t.Fatal(err)
	}
	d.trust.store.Swap(s)
	p := d.policy()
	if p == nil || p.Rules == nil {
		t.Fatalf("with the bundle: %+v, want the mode bound to its rule sets", p)
	}
	if d.cfg.Policy.Modes["entry"].Rules != nil {
		t.Error("the config's mode was modified")
	}
	if got := d.ruleTexts("TR-VN-0001")["vi"]; got == "" {
		t.Error("no Vietnamese description of TR-VN-0001")
	}
	if got := d.ruleTexts("test.kinds"); got != nil {
		t.Errorf("chot's own rule has texts %v", got)
	}
}
