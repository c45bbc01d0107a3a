package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startChotd runs chotd in-process on a free port and returns the status
// page's address and a function that stops it and returns run's error.
func startChotd(t *testing.T, cfgPath string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, options{configPath: cfgPath, listen: "127.0.0.1:0", stderr: io.Discard,
			ready: func(a string) { addrc <- a }})
	}()
	select {
	case a := <-addrc:
		return a, func() error { cancel(); return <-done }
	case err := <-done:
		cancel()
		t.Fatalf("chotd ended before serving: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("chotd did not come up")
	}
	return "", nil
}

func statusJSON(t *testing.T, addr string) map[string]any {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/status.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestUnconfigured: a provisioning file with a wrong field, a missing root
// key and an unknown pin. chotd stays up, the status page lists exactly what
// is wrong, the LED shows "unconfigured" and the gate stays closed.
func TestUnconfigured(t *testing.T) {
	tests := []struct {
		name   string
		config string // "" = no file at all
		want   []string
	}{
		{"no config yet", "", []string{"no configuration yet"}},
		{"broken config", `
version: 1
device: {id: gate-1, data_dir: DATA}
trust: {}
camera: {source: replay, dir: DATA}
gpio: {driver: periph, relay: GPIO17, buzer: GPIO27}
privacy: {subject_key: 000102030405060708090a0b0c0d0e0f}
`, []string{"buzer", "no pinned root key"}},
		{"unknown pin", `
version: 1
device: {id: gate-1, data_dir: DATA}
trust: {roots: ["11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="]}
camera: {source: replay, dir: DATA}
gpio: {driver: periph, relay: GPIO999, led: NOT_A_PIN}
privacy: {subject_key: 000102030405060708090a0b0c0d0e0f}
`, []string{"GPIO999", "NOT_A_PIN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "chotd.yaml")
			if tt.config != "" {
				if err := os.WriteFile(cfg, []byte(strings.ReplaceAll(tt.config, "DATA", dir)), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			addr, stop := startChotd(t, cfg)
			doc := statusJSON(t, addr)
			snap, _ := doc["snapshot"].(map[string]any)
			if snap == nil {
				t.Fatalf("status.json without a snapshot: %v", doc)
			}
			if snap["configured"] != false || snap["led"] != "unconfigured" || snap["gate"] != "closed" {
				t.Errorf("configured=%v led=%v gate=%v, want false, unconfigured, closed", snap["configured"], snap["led"], snap["gate"])
			}
			problems, _ := json.Marshal(snap["problems"])
			for _, w := range tt.want {
				if !strings.Contains(string(problems), w) {
					t.Errorf("problems %s do not mention %q", problems, w)
				}
			}
			resp, err := http.Get("http://" + addr + "/")
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("status page: %v %v", resp, err)
			} else {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !strings.Contains(string(body), tt.want[0]) {
					t.Errorf("the page does not show the problem %q", tt.want[0])
				}
			}
			if err := stop(); err != nil {
				t.Errorf("shutdown: %v", err)
			}
		})
	}
}
