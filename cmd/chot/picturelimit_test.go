package main

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bombPNG is a PNG of a few dozen bytes whose header declares w×h RGBA
// pixels (16000×16000: 1 GB to decode).
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
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

// TestPictureBombRefused: `chot decode` and `chot verify` refuse a small PNG
// that declares 16000×16000 pixels by its header, at once, with a clear error.
func TestPictureBombRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bomb.png")
	if err := os.WriteFile(path, bombPNG(t, 16000, 16000), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"decode", path}, {"verify", "--at", "2026-11-24T08:00:00Z", path}} {
		start := time.Now()
		code, _, stderr := runCLI(t, "", args...)
		if code == 0 || !strings.Contains(stderr, "too large") {
			t.Errorf("chot %s: exit %d, stderr %q: want a refusal naming the size", args[0], code, stderr)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("chot %s took %s: the picture was decoded", args[0], d)
		}
	}
}
