package verify

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// TestParsePolicyFileShipped: the policy file the project ships parses, and
// every mode it names can be selected.
func TestParsePolicyFileShipped(t *testing.T) {
	data, err := os.ReadFile("../configs/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	set, err := ParsePolicyFile(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Modes) == 0 {
		t.Fatal("no modes")
	}
	for m := range set.Modes {
		p, err := set.Select(m)
		if err != nil || p.Mode == "" {
			t.Errorf("Select(%q) = %+v, %v", m, p, err)
		}
	}
}

func TestParsePolicyFile(t *testing.T) {
	for _, tc := range []struct {
		name, in, wantErr string
		modes             int
	}{
		{"yaml", "version: 1\nmodes:\n  travel:\n    accept: [vaccination, test]\n  venue: {}\n", "", 2},
		{"json", `{"version": 1, "modes": {"entry": {"test": {"max_hours_since_sample": 72}}}}`, "", 1},
		{"unknown field", "version: 1\nmodes:\n  travel:\n    acept: [vaccination]\n", "acept", 0},
		{"unknown top field", "version: 1\nmode: {}\nmodes:\n  a: {}\n", "mode", 0},
		{"no version", "modes:\n  a: {}\n", "version 0", 0},
		{"version 2", "version: 2\nmodes:\n  a: {}\n", "version 2", 0},
		{"no modes", "version: 1\n", "no modes", 0},
		{"empty mode", "version: 1\nmodes:\n  a:\n", `mode "a" is empty`, 0},
		{"bad setting", "version: 1\nmodes:\n  a: {issuer_binding: maybe}\n", "issuer_binding", 0},
		{"not yaml", "version: [1\n", "policy", 0},
		{"empty file", "", "policy", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, err := ParsePolicyFile([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one naming %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(set.Modes) != tc.modes {
				t.Errorf("%d modes, want %d", len(set.Modes), tc.modes)
			}
		})
	}
}

func TestPolicySetSelect(t *testing.T) {
	one := &PolicySet{Modes: map[string]*Policy{"venue": {}}}
	two := &PolicySet{Modes: map[string]*Policy{"default": {MaxCertAgeDays: 1}, "travel": {MaxCertAgeDays: 2}}}
	noDefault := &PolicySet{Modes: map[string]*Policy{"a": {}, "b": {}}}
	for _, tc := range []struct {
		name string
		set  *PolicySet
		mode string
		want string // mode selected; "" for ErrNoMode
	}{
		{"only mode", one, "", "venue"},
		{"named", one, "venue", "venue"},
		{"missing", one, "travel", ""},
		{"default", two, "", "default"},
		{"named of two", two, "travel", "travel"},
		{"no default", noDefault, "", ""},
		{"nil set", nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.set.Select(tc.mode)
			if tc.want == "" {
				if !errors.Is(err, ErrNoMode) {
					t.Fatalf("got %+v, %v: want ErrNoMode", p, err)
				}
				return
			}
			if err != nil || p.Mode != tc.want {
				t.Fatalf("got %+v, %v: want mode %q", p, err, tc.want)
			}
		})
	}
}

// FuzzParsePolicyFile: any bytes give a policy set or an error, never a
// panic, and a set that parses has only modes whose options check.
func FuzzParsePolicyFile(f *testing.F) {
	if data, err := os.ReadFile("../configs/policy.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"version": 1, "modes": {"entry": {"rule_sets": ["vn"], "country": "VN"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := ParsePolicyFile(data)
		if err != nil {
			return
		}
		for m, p := range set.Modes {
			if p == nil {
				t.Fatalf("mode %q nil", m)
			}
			if err := p.Options().Check(); err != nil {
				t.Fatalf("mode %q: %v", m, err)
			}
		}
	})
}
