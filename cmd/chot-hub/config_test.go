package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	good := "version: 1\nlisten: 127.0.0.1:8443\nstorage: hub.db\nbundle_dir: b\n"
	cases := []struct {
		name string
		yaml string
		errs []string // substrings the error must hold; none = valid
	}{
		{"minimal", good, nil},
		{"example config", mustRead(t, filepath.Join("..", "..", "configs", "chot-hub.yaml")), nil},
		{"demo config", mustRead(t, filepath.Join("..", "..", "configs", "demo-hub.yaml")), nil},
		{"unknown field", good + "colour: blue\n", []string{"field colour not found"}},
		{"every problem at once", "version: 2\nlisten: nope\nbundle_dir: \"\"\ntls_cert: c\nlog_level: loud\n",
			[]string{"version: 2", "listen", "storage: missing", "bundle_dir: missing", "tls_cert and tls_key", "log_level"}},
		{"negative limits", good + "max_batch: -1\n", []string{"must not be negative"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := parseConfig([]byte(c.yaml))
			if len(c.errs) == 0 {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				if cfg.TokenTTL <= 0 {
					t.Errorf("token_ttl default not applied")
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range c.errs {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
