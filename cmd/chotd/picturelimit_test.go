package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bombPNG is a PNG whose header declares w×h RGBA pixels.
func bombPNG(t *testing.T, w, h uint32) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6
	chunk("IHDR", ihdr)
	chunk("IEND", nil)
	return b.Bytes()
}

// TestReplayRefusesPictureBomb: a replay folder holding a PNG that declares
// 16000×16000 pixels does not make chotd decode a gigabyte: it starts
// unconfigured and the page says which picture is too large.
func TestReplayRefusesPictureBomb(t *testing.T) {
	dir := t.TempDir()
	frames := filepath.Join(dir, "frames")
	if err := os.Mkdir(frames, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(frames, "bomb.png"), bombPNG(t, 16000, 16000), 0o600); err != nil {
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
