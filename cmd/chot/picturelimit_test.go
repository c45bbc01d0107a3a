package main

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
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
// that declares 16000×16000 pixels by its header, with a clear error, without
// decoding it: the error is the header check's (it names the declared size),
// and the run allocates far less than the 1 GB the pixels would take. (No
// timing: an allocation count does not depend on the machine's load.)
func TestPictureBombRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bomb.png")
	if err := os.WriteFile(path, bombPNG(t, 16000, 16000), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"decode", path}, {"verify", "--at", "2026-11-24T08:00:00Z", path}} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		code, _, stderr := runCLI(t, "", args...)
		runtime.ReadMemStats(&after)
		if code == 0 || !strings.Contains(stderr, "too large") || !strings.Contains(stderr, "16000×16000 pixels declared") {
			t.Errorf("chot %s: exit %d, stderr %q: want the header check's refusal naming the declared size", args[0], code, stderr)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 128<<20 {
			t.Errorf("chot %s allocated %d MB refusing it: the picture was decoded", args[0], grew>>20)
		} else {
			t.Logf("chot %s allocated %d KB refusing it", args[0], grew>>10)
		}
	}
}
