package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/chot-dev/chot/record"
)

// openTest opens a store in a temp dir and, at cleanup, closes it and runs
// the full integrity check on the file.
func openTest(t testing.TB, opts Options) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chot.db")
	s, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { closeAndCheck(t, s) })
	return s, path
}

// closeAndCheck closes s (if still open) and checks its file.
func closeAndCheck(t testing.TB, s *Store) {
	t.Helper()
	if err := s.Close(); err != nil && !errors.Is(err, ErrClosed) {
		t.Errorf("Close: %v", err)
	}
	if err := Check(s.Path(), Options{}); err != nil {
		t.Errorf("Check after test: %v", err)
	}
}

var testT0 = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

// testPass is a realistic pass of about 250 bytes, distinguishable by n.
func testPass(n int, at time.Time) record.Pass {
	return record.Pass{
		At:        at.UnixMilli(),
		UptimeMS:  int64(n) * 1000,
		BootID:    "3b0e1c2a-9f41-4b8e-a7f5-2d6c8e9b0a11",
		Clock:     record.ClockSynced,
		Decision:  "accept",
		Reason:    fmt.Sprintf("ok-%d", n),
		Format:    "dcc",
		Type:      "vaccination",
		Issuer:    "AT",
		Kid:       "d0sQ4v3aZks=",
		Subject:   "8f14e45fceea167a5a36dedd4bea2543",
		LatencyUS: 41250,
		Gate:      record.GateOpened,
		Mode:      "venue",
	}
}
