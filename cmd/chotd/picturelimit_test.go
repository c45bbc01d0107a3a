package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chot-dev/chot/bench/imgset"
)

// TestReplayRefusesPictureBomb: a replay folder holding a PNG that declares
// 16000×16000 pixels does not make chotd decode a gigabyte: it starts
// unconfigured and the page says which picture is too large.
func TestReplayRefusesPictureBomb(t *testing.T) {
	dir := t.TempDir()
	frames := filepath.Join(dir, "frames")
	if err := os.Mkdir(frames, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(frames, "bomb.png"), imgset.BombPNG(16000, 16000), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "chotd.yaml")
	config := strings.ReplaceAll(testConfig, "camera: {source: replay, dir: DATA}", "camera: {source: replay, dir: DATA/frames}")
	if err := os.WriteFile(cfg, []byte(strings.ReplaceAll(config, "DATA", dir)), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, stop := startChotd(t, cfg)
	defer stop()
	snap, _ := statusJSON(t, addr)["snapshot"].(map[string]any)
	problems, _ := json.Marshal(snap["problems"])
	if snap["configured"] != false || !strings.Contains(string(problems), "too large") {
		t.Errorf("configured=%v problems %s: want unconfigured, naming the picture too large", snap["configured"], problems)
	}
}
