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

// TestRulesSeeValueSets: a rule of the bundle sees the bundle's EU value
// sets as external.valueSets.
func TestRulesSeeValueSets(t *testing.T) {
	sets, _, err := ImportValueSetDir(filepath.Join(testdata, "valuesets"))
	if err != nil {
		t.Fatal(err)
	}
	rule := `{"Identifier":"VR-VN-0009","Type":"Acceptance","Country":"VN","Version":"1.0.0","SchemaVersion":"1.0.0",
"Engine":"CERTLOGIC","EngineVersion":"1.3.3","CertificateType":"Vaccination","Description":[{"lang":"en","desc":"EU-listed product."}],
"ValidFrom":"2026-01-01T00:00:00Z","ValidTo":"2030-01-01T00:00:00Z","AffectedFields":["v.0.mp"],
"Logic":{"in":[{"var":"payload.v.0.mp"},{"var":"external.valueSets.vaccines-covid-19-names"}]}}`
	b := testBundle(t, 5)
	b.ValueSets = sets
	b.RuleSets = []RuleSet{{Name: "vs", Rules: [][]byte{[]byte(rule)}}}
	opened, err := Open(signed(t, b, testRoot(1)), []ed25519.PublicKey{pub(testRoot(1))}, 0, t0)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewStore(opened)
	if err != nil {
		t.Fatal(err)
	}
	r := s.Rules().Rule("VR-VN-0009")
	res := &verify.Result{Format: verify.FormatDCC, Issuer: "VN", Credential: &verify.Credential{Type: verify.TypeVaccination}}
	for mp, want := range map[string]bool{"EU/1/20/1528": true, "EU/1/99/0000": false} {
		data := map[string]any{"payload": map[string]any{"v": []any{map[string]any{"mp": mp}}}, "external": s.Rules().External("VN", res, t0)}
		if got, err := r.Expr().Eval(data); err != nil || got != want {
			t.Errorf("%s: got %v, %v; want %v", mp, got, err, want)
		}
	}
}
