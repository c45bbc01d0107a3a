package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"testing"
)

// TestMain lets the fault test run this test binary as chotd itself
// (CHOT_FAULT_CHILD=CONFIG), so that it can kill -9 a real process.
func TestMain(m *testing.M) {
	if cfg := os.Getenv("CHOT_FAULT_CHILD"); cfg != "" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		err := run(ctx, options{configPath: cfg, stderr: os.Stderr})
		stop()
		if err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
