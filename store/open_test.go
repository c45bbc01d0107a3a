package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chot-dev/chot/record"
)

func TestOpenLocked(t *testing.T) {
	s, path := openTest(t, Options{})
	for _, opts := range []Options{{Timeout: 20 * time.Millisecond}, {Timeout: 20 * time.Millisecond, ReadOnly: true}} {
		if _, err := Open(path, opts); !errors.Is(err, ErrLocked) {
			t.Fatalf("second Open (read-only %t): %v, want ErrLocked", opts.ReadOnly, err)
		}
	}
	if err := Check(path, Options{Timeout: 20 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Fatalf("Check while open: %v, want ErrLocked", err)
	}
	if _, _, err := Compact(path, Options{Timeout: 20 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Fatalf("Compact while open: %v, want ErrLocked", err)
	}
	// The locked-out attempts changed nothing.
	if s.Status().Recovered != nil {
		t.Fatal("a locked file was treated as corrupt")
	}
	if _, err := os.Stat(path + ".compact"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("compact left a temp file: %v", err)
	}
}

func TestReadOnly(t *testing.T) {
	s, path := openTest(t, Options{})
	appendN(t, s, 3, testT0)
	epoch := s.Epoch()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if ro.Epoch() != epoch || ro.LastSeq() != 3 || !ro.Status().ReadOnly {
		t.Fatalf("read-only: epoch %s last %d", ro.Epoch(), ro.LastSeq())
	}
	if ps, err := ro.Pending(10); err != nil || len(ps) != 3 {
		t.Fatalf("Pending: %d, %v", len(ps), err)
	}
	writes := map[string]func() error{
		"Append":    func() error { _, err := ro.Append(context.Background(), record.Pass{}); return err },
		"Ack":       func() error { return ro.Ack(1) },
		"Prune":     func() error { _, err := ro.Prune(testT0); return err },
		"SetBundle": func() error { return ro.SetBundle([]byte("b"), 1) },
		"SetKnown":  func() error { return ro.SetKnownTime(testT0) },
		"Identity":  func() error { _, err := ro.Identity(); return err }, // none yet
	}
	for name, w := range writes {
		t.Run(name, func(t *testing.T) {
			if err := w(); !errors.Is(err, ErrReadOnly) {
				t.Fatalf("got %v, want ErrReadOnly", err)
			}
		})
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.db"), Options{ReadOnly: true}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("read-only Open of a missing file: %v, want ErrNotExist", err)
	}
}
