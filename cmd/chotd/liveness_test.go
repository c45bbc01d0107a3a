package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startBuilt runs chotd in-process with the config text (DATA is replaced by
// a temp dir) and returns the daemon, the status address and a stop function.
func startBuilt(t *testing.T, config string) (*daemon, string, func() error) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "chotd.yaml")
	if err := os.WriteFile(cfg, []byte(strings.ReplaceAll(config, "DATA", dir)), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc, built := make(chan string, 1), make(chan *daemon, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, options{configPath: cfg, listen: "127.0.0.1:0", stderr: io.Discard,
			ready: func(a string) { addrc <- a }, built: func(d *daemon) { built <- d }})
	}()
	select {
	case a := <-addrc:
		return <-built, a, func() error { cancel(); return <-done }
	case err := <-done:
		cancel()
		t.Fatalf("chotd ended before serving: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("chotd did not come up")
	}
	return nil, "", nil
}

// TestMissingCamera: a camera that is not there is a fault on the LED and the
// page, and no reason for the watchdog to restart chotd; the decision loop
// keeps turning.
func TestMissingCamera(t *testing.T) {
	d, addr, stop := startBuilt(t, `
version: 1
device: {id: gate-1, data_dir: DATA}
trust: {roots: ["11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="]}
camera: {source: camera, device: /dev/v4l/by-id/chot-test-no-such-camera}
gpio: {driver: fake, relay: GPIO17}
privacy: {subject_key: 000102030405060708090a0b0c0d0e0f}
`)
	deadline := time.Now().Add(30 * time.Second)
	var snap map[string]any
	var warnings []byte
	for {
		snap, _ = statusJSON(t, addr)["snapshot"].(map[string]any)
		warnings, _ = json.Marshal(snap["warnings"])
		if strings.Contains(string(warnings), "camera: no frames") || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if snap["led"] != "fault" || !strings.Contains(string(warnings), "camera: no frames") {
		t.Errorf("led %v warnings %s: want the fault LED and a camera warning", snap["led"], warnings)
	}
	if err := d.healthy(); err != nil {
		t.Errorf("watchdog test failed without a camera: %v (chotd would be restarted)", err)
	}
	if err := stop(); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if err := d.healthy(); err == nil {
		t.Error("healthy after the decision loop stopped")
	}
}
