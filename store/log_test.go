package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/chot-dev/chot/record"
)

// appendN appends n passes stamped at, at+1ms, … and fails the test on error.
func appendN(t testing.TB, s *Store, n int, at time.Time) {
	t.Helper()
	for i := range n {
		if _, err := s.Append(context.Background(), testPass(i, at.Add(time.Duration(i)*time.Millisecond))); err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
	}
}

func seqsOf(ps []record.Pass) []uint64 {
	out := make([]uint64, len(ps))
	for i, p := range ps {
		out[i] = p.Seq
	}
	return out
}

func TestAckForwardOnly(t *testing.T) {
	s, path := openTest(t, Options{})
	appendN(t, s, 10, testT0)
	steps := []struct {
		name    string
		through uint64
		wantErr error
		want    uint64
	}{
		{"first ack", 5, nil, 5},
		{"lower is a no-op", 3, nil, 5},
		{"equal is a no-op", 5, nil, 5},
		{"beyond last seq", 11, ErrAckBeyondLast, 5},
		{"up to last seq", 10, nil, 10},
		{"zero is a no-op", 0, nil, 10},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			err := s.Ack(st.through)
			if !errors.Is(err, st.wantErr) {
				t.Fatalf("Ack(%d): %v, want %v", st.through, err, st.wantErr)
			}
			if got := s.AckedThrough(); got != st.want {
				t.Fatalf("AckedThrough %d, want %d", got, st.want)
			}
		})
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer closeAndCheck(t, s2)
	if got := s2.AckedThrough(); got != 10 {
		t.Fatalf("AckedThrough after reopen %d, want 10", got)
	}
}

func TestPendingOrder(t *testing.T) {
	s, _ := openTest(t, Options{})
	appendN(t, s, 20, testT0)
	if err := s.Ack(7); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		max   int
		first uint64
		n     int
	}{
		{"capped", 5, 8, 5},
		{"all", 100, 8, 13},
		{"zero", 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps, err := s.Pending(c.max)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != c.n {
				t.Fatalf("got %d passes %v, want %d", len(ps), seqsOf(ps), c.n)
			}
			for i, p := range ps {
				if want := c.first + uint64(i); p.Seq != want {
					t.Fatalf("position %d: seq %d, want %d (all %v)", i, p.Seq, want, seqsOf(ps))
				}
				if p.Epoch != s.Epoch() {
					t.Fatalf("seq %d: epoch %q, want %q", p.Seq, p.Epoch, s.Epoch())
				}
			}
		})
	}
	if err := s.Ack(20); err != nil {
		t.Fatal(err)
	}
	if ps, err := s.Pending(10); err != nil || len(ps) != 0 {
		t.Fatalf("Pending after acking all: %v, %v; want none", seqsOf(ps), err)
	}
	if st := s.Status(); st.Pending != 0 || st.Records != 20 {
		t.Fatalf("Status: pending %d records %d, want 0 and 20", st.Pending, st.Records)
	}
}

func TestPrune(t *testing.T) {
	const retention = 24 * time.Hour
	old, young := testT0, testT0.Add(10*24*time.Hour)
	now := young.Add(time.Hour)
	cases := []struct {
		name      string
		oldN      int    // passes stamped old, then
		youngN    int    // passes stamped young, then
		tailOldN  int    // passes stamped old again (a clock that jumped back)
		ack       uint64 // watermark
		wantGone  int
		wantFirst uint64
	}{
		{"acked and old go", 6, 4, 0, 10, 6, 7},
		{"unacked old stay", 6, 4, 0, 3, 3, 4},
		{"nothing acked", 6, 0, 0, 0, 0, 1},
		{"young acked stay", 0, 5, 0, 5, 0, 1},
		// The log stays contiguous: an old pass after a young one waits.
		{"stops at the first young", 2, 2, 2, 6, 2, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, path := openTest(t, Options{Retention: retention})
			appendN(t, s, c.oldN, old)
			appendN(t, s, c.youngN, young)
			appendN(t, s, c.tailOldN, old)
			if err := s.Ack(c.ack); err != nil {
				t.Fatal(err)
			}
			last := s.LastSeq()
			n, err := s.Prune(now)
			if err != nil {
				t.Fatal(err)
			}
			if n != c.wantGone {
				t.Fatalf("pruned %d, want %d", n, c.wantGone)
			}
			st := s.Status()
			if st.FirstSeq != c.wantFirst || st.LastSeq != last || st.Records != last-c.wantFirst+1 {
				t.Fatalf("status first %d last %d records %d; want first %d last %d", st.FirstSeq, st.LastSeq, st.Records, c.wantFirst, last)
			}
			// Every unacknowledged pass is still there.
			ps, err := s.Pending(1000)
			if err != nil {
				t.Fatal(err)
			}
			if uint64(len(ps)) != last-c.ack {
				t.Fatalf("pending %d after prune, want %d", len(ps), last-c.ack)
			}
			if n, err := s.Prune(now); err != nil || n != 0 {
				t.Fatalf("second Prune: %d, %v; want 0", n, err)
			}
			// Sequence numbers continue after pruning and after reopening.
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s2, err := Open(path, Options{Retention: retention})
			if err != nil {
				t.Fatal(err)
			}
			defer closeAndCheck(t, s2)
			if got := s2.Status().FirstSeq; got != c.wantFirst {
				t.Fatalf("FirstSeq after reopen %d, want %d", got, c.wantFirst)
			}
			p, err := s2.Append(context.Background(), testPass(99, now))
			if err != nil {
				t.Fatal(err)
			}
			if p.Seq != last+1 {
				t.Fatalf("seq after prune %d, want %d", p.Seq, last+1)
			}
		})
	}
}

func TestRangeStopsOnError(t *testing.T) {
	s, _ := openTest(t, Options{})
	appendN(t, s, 5, testT0)
	stop := errors.New("stop")
	var seen []uint64
	err := s.Range(2, func(p record.Pass) error {
		seen = append(seen, p.Seq)
		if p.Seq == 4 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Range: %v, want the callback's error", err)
	}
	if len(seen) != 3 || seen[0] != 2 || seen[2] != 4 {
		t.Fatalf("Range visited %v, want [2 3 4]", seen)
	}
}
