// Package cputime times benchmarks by the CPU time of the calling thread,
// so that other processes on a shared machine do not inflate one side of
// a comparison: for benchmarks that put a full verification next to its
// bare signature check.
package cputime

import (
	"runtime"
	"testing"
	"time"
)

// Compare runs full and bare alternately in one loop on one locked OS
// thread, times each with the thread's CPU clock, and reports both per
// operation and their ratio (full-cpu-ns/op, bare-cpu-ns/op, ratio).
func Compare(b *testing.B, full, bare func()) {
	b.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var f, p time.Duration
	n := 0
	for b.Loop() {
		t1 := Thread()
		full()
		t2 := Thread()
		bare()
		t3 := Thread()
		f += t2 - t1
		p += t3 - t2
		n++
	}
	if n == 0 || p == 0 {
		return
	}
	b.ReportMetric(float64(f.Nanoseconds())/float64(n), "full-cpu-ns/op")
	b.ReportMetric(float64(p.Nanoseconds())/float64(n), "bare-cpu-ns/op")
	b.ReportMetric(float64(f)/float64(p), "ratio")
}
