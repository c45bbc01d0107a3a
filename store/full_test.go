package store

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// fillUp appends until ErrFull and returns how many succeeded.
func fillUp(t *testing.T, s *Store) int {
	t.Helper()
	for n := 0; n < 100000; n++ {
		_, err := s.Append(context.Background(), testPass(n, testT0))
		if errors.Is(err, ErrFull) {
			return n
		}
		if err != nil {
			t.Fatalf("Append %d: %v", n, err)
		}
	}
	t.Fatal("never became full")
	return 0
}

func TestFullRefusesWithoutGap(t *testing.T) {
	const maxSize = 64 << 10
	s, _ := openTest(t, Options{MaxSize: maxSize})
	n := fillUp(t, s)
	st := s.Status()
	if !st.Full || st.Refused != 1 || st.FullSince.IsZero() {
		t.Fatalf("status full %t refused %d since %v; want full, 1, set", st.Full, st.Refused, st.FullSince)
	}
	if st.LastSeq != uint64(n) || st.Records != uint64(n) {
		t.Fatalf("last %d records %d after %d appends", st.LastSeq, st.Records, n)
	}
	if st.Size > maxSize {
		t.Fatalf("file %d bytes, MaxSize %d", st.Size, maxSize)
	}

	// Nothing acknowledged: a burst is refused entirely, nothing is dropped.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := s.Append(context.Background(), testPass(0, testT0)); !errors.Is(err, ErrFull) {
				t.Errorf("Append while full: %v, want ErrFull", err)
			}
		})
	}
	wg.Wait()
	if st := s.Status(); st.Refused != 9 || st.LastSeq != uint64(n) {
		t.Fatalf("after burst: refused %d last %d; want 9, %d", st.Refused, st.LastSeq, n)
	}
	if ps, err := s.Pending(n + 10); err != nil || len(ps) != n {
		t.Fatalf("pending %d, %v; want all %d kept", len(ps), err, n)
	}

	// Once the hub has them, the writer prunes acknowledged passes to make
	// room, whatever Retention says.
	if err := s.Ack(uint64(n / 2)); err != nil {
		t.Fatal(err)
	}
	p, err := s.Append(context.Background(), testPass(1, testT0))
	if err != nil {
		t.Fatalf("Append after ack: %v", err)
	}
	if p.Seq != uint64(n+1) {
		t.Fatalf("seq %d after refusals, want %d (no gap)", p.Seq, n+1)
	}
	st = s.Status()
	if st.Full || st.FirstSeq != uint64(n/2+1) {
		t.Fatalf("after pruning for space: full %t first %d; want not full, %d", st.Full, st.FirstSeq, n/2+1)
	}
	if ps, err := s.Pending(n + 10); err != nil || len(ps) != n+1-n/2 {
		t.Fatalf("pending %d, %v; want %d (unacked never pruned)", len(ps), err, n+1-n/2)
	}
}

// A burst into an almost full store commits a prefix and refuses the rest.
func TestFullBurstCommitsPrefix(t *testing.T) {
	s, _ := openTest(t, Options{MaxSize: 64 << 10})
	n := fillUp(t, s)
	if err := s.Ack(uint64(n)); err != nil {
		t.Fatal(err)
	}
	// Enough for the freed room and then some.
	const burst = 200
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seqs = map[uint64]bool{}
		full int
	)
	for i := range burst {
		wg.Go(func() {
			p, err := s.Append(context.Background(), testPass(i, testT0))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, ErrFull):
				full++
			case err != nil:
				t.Errorf("Append: %v", err)
			default:
				seqs[p.Seq] = true
			}
		})
	}
	wg.Wait()
	if full == 0 || len(seqs) == 0 || full+len(seqs) != burst {
		t.Fatalf("%d committed, %d refused, of %d", len(seqs), full, burst)
	}
	for seq := uint64(n + 1); seq <= uint64(n+len(seqs)); seq++ {
		if !seqs[seq] {
			t.Fatalf("seq %d missing among %d committed after %d", seq, len(seqs), n)
		}
	}
	if got := s.LastSeq(); got != uint64(n+len(seqs)) {
		t.Fatalf("LastSeq %d, want %d", got, n+len(seqs))
	}
}
