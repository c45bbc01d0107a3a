package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// appendMany appends n passes from 32 goroutines (group commit: few fsyncs).
func appendMany(t testing.TB, s *Store, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			for i := g; i < n; i += 32 {
				if _, err := s.Append(context.Background(), testPass(i, testT0)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestOpenCheckDepth: after a clean shutdown Open checks quickly (the meta
// pages, the invariants, the newest records) and so does not see damage in
// an old page; after an unclean one (the marker left behind, as kill -9 or a
// power cut leaves it) it runs the full check, which does, and moves the file
// aside.
func TestOpenCheckDepth(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chot.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(runningMarker(path)); err != nil {
		t.Fatalf("no marker while open: %v", err)
	}
	appendMany(t, s, 4000)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(runningMarker(path)); !os.IsNotExist(err) {
		t.Fatalf("marker left after a clean close: %v", err)
	}

	// Damage the page that holds an old record: its header's flags.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ps := int64(os.Getpagesize())
	at := bytes.Index(b, []byte(`"reason":"ok-1500"`))
	if at < 0 {
		t.Fatal("record 1500 not found in the file")
	}
	overwrite(t, path, int64(at)/ps*ps+8, []byte{0xff, 0xff})

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.Check.Full || st.Recovered != nil || st.Records != 4000 {
		t.Fatalf("clean restart: check %+v, recovered %v, %d records: want the quick check only", st.Check, st.Recovered, st.Records)
	}
	s.Close()

	writeFile(t, runningMarker(path), []byte("left by a killed chotd\n"))
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st := s.Status()
	if !st.Check.Full || !st.Check.Unclean {
		t.Errorf("unclean restart: check %+v, want full", st.Check)
	}
	if st.Recovered == nil || st.Records != 0 {
		t.Errorf("the full check did not find the damaged page: recovered %v, %d records", st.Recovered, st.Records)
	}
}
