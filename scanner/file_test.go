package scanner

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/chot-dev/chot/bench/imgset"
)

func TestLoadImageTooLarge(t *testing.T) {
	dir := t.TempDir()
	bomb := filepath.Join(dir, "bomb.png")
	b := imgset.BombPNG(16000, 16000)
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
	if _, err := ReadImage(bytes.NewReader(imgset.BombPNG(64, 64))); err == nil || errors.Is(err, ErrTooLarge) {
		t.Errorf("64×64 header: got %v, want a decode error that is not ErrTooLarge", err)
	}
}
