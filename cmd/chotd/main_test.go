package main

import (
	"context"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the fault test run this test binary as chotd itself
// (CHOT_FAULT_CHILD=CONFIG), so that it can kill -9 a real process. With
// CHOT_FAULT_SHIFT=FILE the child's board wall clock follows the shift
// written in FILE (followShift).
func TestMain(m *testing.M) {
	if cfg := os.Getenv("CHOT_FAULT_CHILD"); cfg != "" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		if f := os.Getenv("CHOT_FAULT_SHIFT"); f != "" {
			applyShift(f)
			go followShift(ctx, f)
		}
		err := run(ctx, options{configPath: cfg, stderr: os.Stderr})
		stop()
		if err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// followShift moves the board's wall clock (bootClock.shift) to the
// duration written in file (time.ParseDuration), as a board's clock that
// jumps: the fault test jumps a chotd process's clock this way. It reads the
// file every 20 ms until ctx ends. Test binary only.
func followShift(ctx context.Context, file string) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			applyShift(file)
		}
	}
}

// applyShift sets bootClock.shift from file; a file missing or being
// rewritten leaves the shift as it is.
func applyShift(file string) {
	b, err := os.ReadFile(file)
	if err != nil {
		return
	}
	if d, err := time.ParseDuration(strings.TrimSpace(string(b))); err == nil {
		bootClock.shift.Store(int64(d))
	}
}
