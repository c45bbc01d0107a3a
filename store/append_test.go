package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/chot-dev/chot/record"
)

func TestAppendConcurrentGapFree(t *testing.T) {
	const writers, each = 16, 40
	s, path := openTest(t, Options{})
	ctx := context.Background()
	var (
		mu   sync.Mutex
		got  = map[uint64]record.Pass{}
		wg   sync.WaitGroup
		errs = make(chan error, writers)
	)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				p, err := s.Append(ctx, testPass(w*1000+i, testT0))
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				got[p.Seq] = p
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Append: %v", err)
	}
	if len(got) != writers*each {
		t.Fatalf("got %d distinct seqs, want %d", len(got), writers*each)
	}
	for seq := uint64(1); seq <= writers*each; seq++ {
		p, ok := got[seq]
		if !ok {
			t.Fatalf("seq %d never returned", seq)
		}
		if p.Epoch != s.Epoch() {
			t.Fatalf("seq %d: epoch %q, want %q", seq, p.Epoch, s.Epoch())
		}
	}
	if got, want := s.LastSeq(), uint64(writers*each); got != want {
		t.Fatalf("LastSeq %d, want %d", got, want)
	}
	// What Append returned is what the file holds, also after reopening.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer closeAndCheck(t, s2)
	var n uint64
	err = s2.Range(1, func(p record.Pass) error {
		n++
		if p.Seq != n {
			return fmt.Errorf("seq %d at position %d", p.Seq, n)
		}
		if p != got[p.Seq] {
			return fmt.Errorf("seq %d: stored %+v, Append returned %+v", p.Seq, p, got[p.Seq])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != writers*each {
		t.Fatalf("Range saw %d records, want %d", n, writers*each)
	}
}

func TestAppendCanceledContext(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Append(ctx, testPass(1, testT0)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Append with canceled ctx: %v, want context.Canceled", err)
	}
	p, err := s.Append(context.Background(), testPass(2, testT0))
	if err != nil {
		t.Fatal(err)
	}
	if p.Seq != 1 {
		t.Fatalf("seq after a canceled append %d, want 1 (no gap)", p.Seq)
	}
}

func TestClosed(t *testing.T) {
	s, _ := openTest(t, Options{})
	if _, err := s.Append(context.Background(), testPass(1, testT0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	calls := map[string]func() error{
		"Append":    func() error { _, err := s.Append(context.Background(), testPass(2, testT0)); return err },
		"Pending":   func() error { _, err := s.Pending(10); return err },
		"Ack":       func() error { return s.Ack(1) },
		"Range":     func() error { return s.Range(1, func(record.Pass) error { return nil }) },
		"Prune":     func() error { _, err := s.Prune(testT0); return err },
		"Bundle":    func() error { _, err := s.Bundle(); return err },
		"SetBundle": func() error { return s.SetBundle([]byte("x"), 1) },
		"Identity":  func() error { _, err := s.Identity(); return err },
		"SetKnown":  func() error { return s.SetKnownTime(testT0) },
		"Close":     s.Close,
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			if err := call(); !errors.Is(err, ErrClosed) {
				t.Fatalf("got %v, want ErrClosed", err)
			}
		})
	}
	if got := s.Status().LastSeq; got != 1 {
		t.Fatalf("Status after Close: LastSeq %d, want 1", got)
	}
}

// Appends racing Close either commit or get ErrClosed; none hangs or is lost.
func TestCloseWhileAppending(t *testing.T) {
	s, path := openTest(t, Options{})
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seqs []uint64
	)
	start := make(chan struct{})
	for w := range 8 {
		wg.Go(func() {
			<-start
			for i := 0; ; i++ {
				p, err := s.Append(context.Background(), testPass(w*100+i, testT0))
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("Append: %v", err)
					return
				}
				mu.Lock()
				seqs = append(seqs, p.Seq)
				mu.Unlock()
			}
		})
	}
	close(start)
	for s.LastSeq() < 20 {
		if _, err := s.Pending(1); err != nil { // lets the appenders run
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer closeAndCheck(t, s2)
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	if got := s2.LastSeq(); got != uint64(len(seqs)) || seqs[len(seqs)-1] != got {
		t.Fatalf("after reopen LastSeq %d; %d appends returned, highest %d", got, len(seqs), seqs[len(seqs)-1])
	}
}
