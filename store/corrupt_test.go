package store

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestCorruptFileMovedAside(t *testing.T) {
	page := int64(os.Getpagesize()) // bbolt's default page size
	cases := []struct {
		name       string
		corrupt    func(t *testing.T, path string)
		wantReason string // substring of Recovery.Reason, when it matters
	}{
		{"random bytes", func(t *testing.T, path string) {
			fi, _ := os.Stat(path)
			b := make([]byte, fi.Size())
			r := rand.New(rand.NewPCG(1, 2))
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			writeFile(t, path, b)
		}, "invalid database"},
		{"truncated", func(t *testing.T, path string) {
			if err := os.Truncate(path, 100); err != nil {
				t.Fatal(err)
			}
		}, ""},
		{"both meta pages zeroed", func(t *testing.T, path string) {
			overwrite(t, path, 0, make([]byte, 2*page))
		}, "invalid database"},
		{"data pages garbage", func(t *testing.T, path string) {
			fi, _ := os.Stat(path)
			overwrite(t, path, 2*page, bytes.Repeat([]byte{0xa5}, int(fi.Size()-2*page)))
		}, "panicked"},
		// bbolt opens this file fine; only tx.Check finds the damage.
		{"passes root page type", func(t *testing.T, path string) {
			db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			var root uint64
			ps := int64(db.Info().PageSize)
			_ = db.View(func(tx *bolt.Tx) error { root = uint64(tx.Bucket(bucketPasses).Root()); return nil })
			db.Close()
			overwrite(t, path, int64(root)*ps+8, []byte{0xff, 0xff}) // page header flags
		}, "unexpected type"},
		{"valid bbolt, not a store", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err })
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
		}, "missing bucket"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "chot.db")
			now := func() time.Time { return testT0 }
			s, err := Open(path, Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			appendN(t, s, 30, testT0)
			oldEpoch := s.Epoch()
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			c.corrupt(t, path)
			bad, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}

			if err := Check(path, Options{}); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Check: %v, want ErrCorrupt", err)
			}
			if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("read-only Open: %v, want ErrCorrupt", err)
			}

			s, err = Open(path, Options{Now: now})
			if err != nil {
				t.Fatalf("Open of a corrupt file: %v", err)
			}
			rec := s.Status().Recovered
			if rec == nil || rec.Reason == "" || !rec.At.Equal(testT0) {
				t.Fatalf("Status().Recovered = %+v, want the move recorded", rec)
			}
			if !strings.Contains(rec.Reason, c.wantReason) {
				t.Fatalf("reason %q, want it to mention %q", rec.Reason, c.wantReason)
			}
			if want := path + ".corrupt-20261124T080000.000Z"; rec.MovedTo != want {
				t.Fatalf("moved to %q, want %q", rec.MovedTo, want)
			}
			if moved, err := os.ReadFile(rec.MovedTo); err != nil || !bytes.Equal(moved, bad) {
				t.Fatalf("moved-aside file: %v; same bytes %t", err, bytes.Equal(moved, bad))
			}
			if s.Epoch() == oldEpoch || len(s.Epoch()) != 32 {
				t.Fatalf("epoch %q after recovery, old %q: want a new one", s.Epoch(), oldEpoch)
			}
			p, err := s.Append(context.Background(), testPass(1, testT0))
			if err != nil || p.Seq != 1 {
				t.Fatalf("first append after recovery: seq %d, %v; want 1", p.Seq, err)
			}
			newEpoch := s.Epoch()
			s = reopen(t, s, Options{})
			if got := s.Status().Recovered; got == nil || got.MovedTo != rec.MovedTo {
				t.Fatalf("after restart Recovered = %+v, want it kept", got)
			}
			if s.Epoch() != newEpoch || s.LastSeq() != 1 {
				t.Fatalf("after restart epoch %q last %d; want %q, 1", s.Epoch(), s.LastSeq(), newEpoch)
			}
		})
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func overwrite(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}
