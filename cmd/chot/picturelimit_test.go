package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/chot-dev/chot/bench/imgset"
)

// TestPictureBombRefused: `chot decode` and `chot verify` refuse a small PNG
// that declares 16000×16000 pixels by its header, with a clear error, without
// decoding it: the error is the header check's (it names the declared size),
// and the run allocates far less than the 1 GB the pixels would take. (No
// timing: an allocation count does not depend on the machine's load.)
func TestPictureBombRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bomb.png")
	if err := os.WriteFile(path, imgset.BombPNG(16000, 16000), 0o600); err != nil {
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
