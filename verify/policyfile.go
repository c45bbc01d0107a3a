package verify

import (
	"bytes"
	"errors"
	"fmt"
	"sort"

	"gopkg.in/yaml.v3"
)

// ErrNoMode is returned by PolicySet.Select for a mode the set lacks.
var ErrNoMode = errors.New("no such mode")

// policyFile is the on-disk form of a site's rules: a version and the rule
// sets by mode. JSON is YAML, so either works.
type policyFile struct {
	Version int                `yaml:"version"`
	Modes   map[string]*Policy `yaml:"modes"`
}

// ParsePolicyFile reads a policy file (YAML or JSON, version 1), refusing
// unknown fields, a file without modes, an empty mode and a mode whose
// options are not known values: a typo must not turn into a rule that is
// silently not applied.
func ParsePolicyFile(data []byte) (*PolicySet, error) {
	var f policyFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("policy: version %d not supported (want 1)", f.Version)
	}
	if len(f.Modes) == 0 {
		return nil, errors.New("policy: no modes")
	}
	for name, p := range f.Modes {
		if p == nil {
			return nil, fmt.Errorf("policy: mode %q is empty", name)
		}
		if err := p.Options().Check(); err != nil {
			return nil, fmt.Errorf("policy: mode %q: %w", name, err)
		}
	}
	return &PolicySet{Modes: f.Modes}, nil
}

// Select returns the policy of mode; an empty mode picks the only mode of a
// set that has one, otherwise "default". A mode the set lacks is ErrNoMode,
// naming the modes it has.
func (s *PolicySet) Select(mode string) (*Policy, error) {
	if s == nil {
		return nil, fmt.Errorf("policy: %w %q (no policy)", ErrNoMode, mode)
	}
	if mode == "" {
		mode = "default"
		if len(s.Modes) == 1 {
			for m := range s.Modes {
				mode = m
			}
		}
	}
	if p := s.Mode(mode); p != nil {
		return p, nil
	}
	names := make([]string, 0, len(s.Modes))
	for m := range s.Modes {
		names = append(names, m)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("policy: %w %q (have %v)", ErrNoMode, mode, names)
}
