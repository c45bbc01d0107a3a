package main

import (
	"fmt"
	"os"

	"github.com/chot-dev/chot/verify"
)

// readPolicySet reads a policy file (verify.ParsePolicyFile).
func readPolicySet(path string) (*verify.PolicySet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	set, err := verify.ParsePolicyFile(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return set, nil
}

// loadPolicy reads a policy file and picks mode (empty: the only mode, or
// "default").
func loadPolicy(path, mode string) (*verify.Policy, error) {
	set, err := readPolicySet(path)
	if err != nil {
		return nil, err
	}
	p, err := set.Select(mode)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}
