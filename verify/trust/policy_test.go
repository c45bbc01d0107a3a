package trust

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
)

// TestPolicyInForce: the site's modes win over the bundle's, their rule
// sets bound to the bundle's; a mode found in neither, or no bundle and no
// site modes, is nil (fail closed).
func TestPolicyInForce(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "configs", "rules", "vn-entry.json"))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := SplitRules(data)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	installed, err := NewStore(&Bundle{Version: 1, IssuedAt: at, StaleAfter: at.Add(time.Hour), ExpiresAt: at.Add(24 * time.Hour),
		Policy:   &verify.PolicySet{Modes: map[string]*verify.Policy{"bundle-mode": {Country: "DE"}}},
		RuleSets: []RuleSet{{Name: "vn-entry", Rules: rs}}})
	if err != nil {
		t.Fatal(err)
	}
	site := map[string]*verify.Policy{
		"entry": {RuleSets: []string{"vn-entry"}, Country: "VN"},
		"plain": {Country: "VN"},
	}
	cases := []struct {
		name      string
		mode      string
		site      map[string]*verify.Policy
		installed *Store
		country   string // "" wants nil
		bound     bool   // wants Rules set
	}{
		{"site mode with rule sets, bundle installed", "entry", site, installed, "VN", true},
		{"site mode with rule sets, no bundle", "entry", site, nil, "VN", false},
		{"site mode without rule sets", "plain", site, installed, "VN", false},
		{"site modes win over the bundle's", "bundle-mode", site, installed, "", false},
		{"no site modes: the bundle's mode", "bundle-mode", nil, installed, "DE", false},
		{"mode in neither", "exit", nil, installed, "", false},
		{"no site modes, no bundle", "bundle-mode", nil, nil, "", false},
		{"empty site modes, no bundle", "entry", map[string]*verify.Policy{}, nil, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := PolicyInForce(c.mode, c.site, c.installed)
			if c.country == "" {
				if p != nil {
					t.Fatalf("got %+v, want nil", p)
				}
				return
			}
			if p == nil {
				t.Fatal("got nil")
			}
			if p.Country != c.country || p.Mode != c.mode {
				t.Errorf("got country %q mode %q, want %q %q", p.Country, p.Mode, c.country, c.mode)
			}
			if (p.Rules != nil) != c.bound {
				t.Errorf("rules bound %v, want %v", p.Rules != nil, c.bound)
			}
		})
	}
	if site["entry"].Rules != nil || site["entry"].Mode != "" {
		t.Error("the site's modes were modified")
	}
}
