package scanner

import (
	"bytes"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// bombPNG is a small PNG whose header declares w×h pixels: a valid
// picture's header with the size changed and its CRC fixed, then the
// picture's own (small) data.
func bombPNG(t *testing.T, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// Signature (8), IHDR length (4), "IHDR" (4), width, height.
	putBE := func(o int, v uint32) { b[o], b[o+1], b[o+2], b[o+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v) }
	putBE(16, w)
	putBE(20, h)
	putBE(29, crc32.ChecksumIEEE(b[12:29])) // over "IHDR" and its 13 bytes
	return b
}

func TestLoadImageTooLarge(t *testing.T) {
	dir := t.TempDir()
	bomb := filepath.Join(dir, "bomb.png")
	b := bombPNG(t, 16000, 16000)
	if err := os.WriteFile(bomb, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"LoadImage", func() error { _, err := LoadImage(bomb); return err }},
		{"DecodeFile", func() error { _, err := DecodeFile(bomb); return err }},
		{"ReadImage", func() error { _, err := ReadImage(bytes.NewReader(b)); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, ErrTooLarge) {
				t.Errorf("got %v, want ErrTooLarge", err)
			}
		})
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Errorf("refusing allocated %d bytes: the picture was decoded", grew)
	}
	// Just under the limit is not refused for its size: it decodes (and
	// fails on its truncated data, not with ErrTooLarge).
	if _, err := ReadImage(bytes.NewReader(bombPNG(t, 64, 64))); err == nil || errors.Is(err, ErrTooLarge) {
		t.Errorf("64×64 header: got %v, want a decode error that is not ErrTooLarge", err)
	}
}
