package trust

import (
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/rules"
)

// demoRules reads the demo's CertLogic rule sets, one JSON text per rule.
func demoRules(t testing.TB) []RuleSet {
	t.Helper()
	var out []RuleSet
	for _, name := range []string{"vn-entry", "venue-2g"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "configs", "rules", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		rs, err := SplitRules(b)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, RuleSet{Name: name, Rules: rs})
	}
	return out
}

func TestRuleSetsRoundTrip(t *testing.T) {
	root := testRoot(7)
	b := testBundle(t, 3)
	b.RuleSets = demoRules(t)
	b.Policy.Modes["entry"] = &verify.Policy{RuleSets: []string{"vn-entry"}, Country: "VN"}
	signed, err := Sign(b, root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Open(signed, []ed25519.PublicKey{pub(root)}, 0, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.RuleSets) != 2 || got.RuleSets[0].Name != "vn-entry" || len(got.RuleSets[0].Rules) != 7 {
		t.Fatalf("rule sets: %+v", got.RuleSets)
	}
	s, err := NewStore(got)
	if err != nil {
		t.Fatal(err)
	}
	p := s.Policy().Mode("entry")
	if p == nil || p.Rules == nil || p.Country != "VN" {
		t.Fatalf("mode entry: %+v", p)
	}
	if s.Rules().Rule("TR-VN-0001").DescriptionIn("vi") == "" {
		t.Error("no vi description for TR-VN-0001")
	}
	if b.Policy.Modes["entry"].Rules != nil {
		t.Error("NewStore modified the bundle's policy")
	}
}

// TestRuleSetsRefused: a bad rule, or a mode naming a set the bundle lacks,
// is refused when the bundle is built and when it is opened.
func TestRuleSetsRefused(t *testing.T) {
	good := demoRules(t)
	badLogic := []byte(strings.Replace(string(good[0].Rules[1]), `"if"`, `"or"`, 1))
	tests := []struct {
		name string
		mod  func(b *Bundle)
		want string
	}{
		{"invalid logic", func(b *Bundle) { b.RuleSets = []RuleSet{{Name: "x", Rules: [][]byte{badLogic}}} }, "unrecognised operator"},
		{"not a rule", func(b *Bundle) { b.RuleSets = []RuleSet{{Name: "x", Rules: [][]byte{[]byte(`{"and":[true,true]}`)}}} }, "unknown field"},
		{"missing set", func(b *Bundle) {
			b.Policy.Modes["entry"] = &verify.Policy{RuleSets: []string{"nope"}, Country: "VN"}
		}, `rule set "nope" not in the bundle`},
		{"no country", func(b *Bundle) {
			b.RuleSets = good
			b.Policy.Modes["entry"] = &verify.Policy{RuleSets: []string{"vn-entry"}}
		}, "need a country"},
		{"duplicate set", func(b *Bundle) { b.RuleSets = append(good, good[0]) }, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := testBundle(t, 4)
			tt.mod(b)
			_, err := b.Payload()
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("build: got %v, want ErrMalformed with %q", err, tt.want)
			}
			// The same bundle, encoded past the builder's check, is refused
			// when opened.
			raw, err := encMode.Marshal(&wireBundle{Format: FormatVersion, Version: 4, IssuedAt: t0.Unix(),
				StaleAfter: t0.Unix() + 1, ExpiresAt: t0.Unix() + 2, RuleSets: wireRuleSets(b.RuleSets), Policy: mustPolicy(t, b.Policy)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ParsePayload(raw); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("open: got %v, want ErrMalformed with %q", err, tt.want)
			}
		})
	}
	if _, err := rules.ParseRule(badLogic); !errors.Is(err, rules.ErrRule) {
		t.Fatalf("bad logic parses: %v", err)
	}
}

func mustPolicy(t *testing.T, p *verify.PolicySet) []byte {
	b, err := encMode.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
