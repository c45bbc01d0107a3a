package store

import (
	"context"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestBusyShowsAStuckCommit: while an append cannot commit (here another
// writer holds bbolt's lock, as a hung fsync would), Busy grows; it is 0 when
// the store is idle.
func TestBusyShowsAStuckCommit(t *testing.T) {
	s, _ := openTest(t, Options{})
	if b := s.Busy(); b != 0 {
		t.Fatalf("idle store busy for %s", b)
	}
	release, held := make(chan struct{}), make(chan struct{})
	go func() {
		_ = s.db.Update(func(*bolt.Tx) error { close(held); <-release; return nil })
	}()
	<-held
	done := make(chan error)
	go func() { _, err := s.Append(context.Background(), testPass(1, testT0)); done <- err }()
	deadline := time.Now().Add(10 * time.Second)
	for s.Busy() < 50*time.Millisecond {
		if time.Now().After(deadline) {
			t.Fatalf("Busy %s while the commit waits", s.Busy())
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if b := s.Busy(); b != 0 {
		t.Errorf("busy for %s after the commit", b)
	}
}
