package main

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseConfig: a provisioning file is written by people and first-boot
// scripts; any bytes give a config or a list of problems, never a panic.
// Seeded with the shipped configs.
func FuzzParseConfig(f *testing.F) {
	paths, _ := filepath.Glob("../../configs/*.yaml")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(testConfig))
	f.Add([]byte("version: 1\npolicy: {modes: {a: {accept: [vaccination]}}}\n"))
	base := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConfig(b, base)
		if err == nil && c == nil {
			t.Fatal("no config and no error")
		}
		if ce, ok := err.(*ConfigError); ok && len(ce.Problems) == 0 {
			t.Fatal("a config error without problems")
		}
	})
}
