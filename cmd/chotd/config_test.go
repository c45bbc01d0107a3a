package main

import (
	"errors"
	"os"
	"strings"
	"testing"
)

const goodConfig = `
version: 1
site: Chốt Km 12
device: {id: chot-01, data_dir: /tmp/x}
trust: {roots: ["11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="]}
camera: {source: replay, dir: frames, fps: 5}
gpio: {driver: fake, relay: GPIO17, buzzer: GPIO27, led: GPIO22}
policy: {mode: travel, modes: {travel: {accept: [vaccination]}}}
privacy: {subject_key: 000102030405060708090a0b0c0d0e0f}
`

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig([]byte(goodConfig), "/etc/chot")
	if err != nil {
		t.Fatal(err)
	}
	if c.Camera.Dir != "/etc/chot/frames" || c.Gate.Pulse.Seconds() != 3 || c.Policy.UntrustedClock != "refuse" {
		t.Errorf("paths or defaults wrong: %+v", c)
	}
}

func TestConfigReportsEveryProblem(t *testing.T) {
	bad := `
version: 2
device: {id: ""}
trust: {roots: ["not-a-key"]}
camera: {source: webcam}
gpio: {driver: fake, relay: GPIO17, buzer: GPIO27}
unknown_section: 1
privacy: {subject_key: zz}
`
	_, err := ParseConfig([]byte(bad), ".")
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("err %v, want a ConfigError", err)
	}
	want := []string{"buzer", "unknown_section", "version", "device.id", "trust.roots[0]", "camera.source", "privacy.subject_key"}
	text := err.Error()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("problem %q not reported in:\n%s", w, text)
		}
	}
	if len(ce.Problems) < len(want) {
		t.Errorf("%d problems reported, want at least %d", len(ce.Problems), len(want))
	}
}

func TestNoConfig(t *testing.T) {
	if _, err := LoadConfig(t.TempDir() + "/chotd.yaml"); !errors.Is(err, ErrNoConfig) {
		t.Errorf("err %v, want ErrNoConfig", err)
	}
}

// TestShippedConfigs parses the configs the repository ships: the real site's
// (whose files only exist on a board) and the demo's shape.
func TestShippedConfigs(t *testing.T) {
	b, err := os.ReadFile("../../configs/chotd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseConfig(b, "/etc/chot")
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("chotd.yaml: %v, want only the board's missing files reported", err)
	}
	for _, p := range ce.Strings() {
		if !strings.Contains(p, "/etc/chot/") {
			t.Errorf("chotd.yaml: unexpected problem %q", p)
		}
	}
}
