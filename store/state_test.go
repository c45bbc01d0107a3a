package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestStateSurvivesCorruptLog: the device key, the last known good time, the
// rollback counter and the bundle are kept when a corrupt log is moved aside
// and a new epoch begins.
func TestStateSurvivesCorruptLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chot.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	key, err := s.Identity()
	if err != nil {
		t.Fatal(err)
	}
	known := testT0.Add(time.Hour)
	if err := s.SetKnownTime(known); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBundle([]byte("bundle v7"), 7); err != nil {
		t.Fatal(err)
	}
	appendN(t, s, 5, testT0)
	epoch := s.Epoch()
	s.Close()
	overwrite(t, path, 0, make([]byte, 2*os.Getpagesize())) // both meta pages gone

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st := s.Status()
	if st.Recovered == nil || s.Epoch() == epoch {
		t.Fatalf("the corrupt log was not replaced: %+v", st)
	}
	if k, err := s.Identity(); err != nil || !bytes.Equal(k, key) {
		t.Errorf("device key changed after recovery (%v): the device would have to enrol again", err)
	}
	if got := s.KnownTime(); !got.Equal(known) {
		t.Errorf("known time %s after recovery, want %s", got, known)
	}
	if v := s.BundleVersion(); v != 7 {
		t.Errorf("rollback counter %d after recovery, want 7", v)
	}
	if b, err := s.Bundle(); err != nil || string(b) != "bundle v7" {
		t.Errorf("bundle %q, %v after recovery", b, err)
	}
	if err := s.SetBundle([]byte("older"), 6); !errors.Is(err, ErrBundleRollback) {
		t.Errorf("older bundle after recovery: %v, want ErrBundleRollback", err)
	}
}

// TestStateMigratesFromMeta: a store written before PATH.state existed keeps
// its key, time and bundle.
func TestStateMigratesFromMeta(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chot.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	seed := bytes.Repeat([]byte{7}, 32)
	err = s.db.Update(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		return errors.Join(m.Put(keyIdentity, seed), m.Put(keyBundle, []byte("old bundle")), putU64(m, keyBundleVersion, 3),
			m.Put(keyKnownTime, seqKey(uint64(testT0.UnixNano()))))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, f := range []string{statePath(path), bundlePath(path)} {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k, _ := s.Identity()
	b, _ := s.Bundle()
	if !bytes.Equal(k.Seed(), seed) || string(b) != "old bundle" || s.BundleVersion() != 3 || !s.KnownTime().Equal(testT0) {
		t.Errorf("after migration: seed %x, bundle %q, version %d, time %s", k.Seed(), b, s.BundleVersion(), s.KnownTime())
	}
}
