package store

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

// benchStore opens a store for a benchmark, in CHOT_BENCH_DIR when set (to
// measure a particular disk, e.g. the Pi's SD card), else in a temp dir.
func benchStore(b *testing.B) *Store {
	b.Helper()
	dir := os.Getenv("CHOT_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	} else {
		var err error
		if dir, err = os.MkdirTemp(dir, "chot-bench-"); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
	}
	s, err := Open(filepath.Join(dir, "chot.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { closeAndCheck(b, s) })
	return s
}

// BenchmarkAppendSequential: one writer, each Append durable before the next.
func BenchmarkAppendSequential(b *testing.B) {
	s := benchStore(b)
	p := testPass(1, testT0)
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Append(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
}

// BenchmarkAppendBurst64: 64 goroutines appending at once, group-committed.
func BenchmarkAppendBurst64(b *testing.B) {
	const writers = 64
	s := benchStore(b)
	p := testPass(1, testT0)
	ctx := context.Background()
	var left atomic.Int64
	left.Store(int64(b.N))
	b.ResetTimer()
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				if _, err := s.Append(ctx, p); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
	b.ReportMetric(float64(b.N)/float64(s.Status().Commits), "appends/commit")
	if got := s.LastSeq(); got != uint64(b.N) {
		b.Fatalf("LastSeq %d after %d appends", got, b.N)
	}
}
