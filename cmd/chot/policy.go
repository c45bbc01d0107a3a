package main

import (
	"bytes"
	"fmt"
	"os"
	"sort"

	"gopkg.in/yaml.v3"

	"github.com/chot-dev/chot/verify"
)

// policyFile is the on-disk form of a site's rules: a version and the rule
// sets by mode. JSON is YAML, so either works.
type policyFile struct {
	Version int                       `yaml:"version"`
	Modes   map[string]*verify.Policy `yaml:"modes"`
}

// readPolicySet reads a policy file, rejecting unknown fields.
func readPolicySet(path string) (*verify.PolicySet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f policyFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("policy %s: version %d not supported (want 1)", path, f.Version)
	}
	if len(f.Modes) == 0 {
		return nil, fmt.Errorf("policy %s: no modes", path)
	}
	for name, p := range f.Modes {
		if p == nil {
			return nil, fmt.Errorf("policy %s: mode %q is empty", path, name)
		}
		if err := p.Options().Check(); err != nil {
			return nil, fmt.Errorf("policy %s: mode %q: %w", path, name, err)
		}
	}
	return &verify.PolicySet{Modes: f.Modes}, nil
}

// loadPolicy reads a policy file and picks mode (empty: the only mode, or
// "default").
func loadPolicy(path, mode string) (*verify.Policy, error) {
	set, err := readPolicySet(path)
	if err != nil {
		return nil, err
	}
	if mode == "" {
		if len(set.Modes) == 1 {
			for m := range set.Modes {
				mode = m
			}
		} else {
			mode = "default"
		}
	}
	p := set.Mode(mode)
	if p == nil {
		names := make([]string, 0, len(set.Modes))
		for m := range set.Modes {
			names = append(names, m)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("policy %s: no mode %q (have %v)", path, mode, names)
	}
	return p, nil
}
