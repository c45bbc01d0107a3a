package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/store"
)

// resetClock is `chotd -reset-clock [-reset-clock-to TIME]`: the technician's
// way out when the last known good time was pushed ahead (a wrong hub, a
// bundle signed on a machine with a wrong clock) and the checkpoint refuses
// everything as expired or shows the clock untrusted. chotd must be stopped
// (systemctl stop chotd): the store's lock tells. It sets the last known good
// time to `to` (zero: forget it; the clock then waits for the hub's answers to
// agree), logs the change and appends a clock_reset event to the pass log, so
// the hub's operator sees it too.
func resetClock(ctx context.Context, cfgPath string, to time.Time, stdout io.Writer, log *slog.Logger) error {
	cfg, err := LoadConfig(cfgPath)
	if err != nil {
		return fmt.Errorf("reset clock: %w", err)
	}
	st, err := store.Open(filepath.Join(cfg.Device.DataDir, "chot.db"), store.Options{Timeout: time.Second, Logger: log})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("reset clock: chotd is running: stop it first (systemctl stop chotd): %w", err)
	}
	if err != nil {
		return fmt.Errorf("reset clock: %w", err)
	}
	defer st.Close()
	old, err := st.ResetKnownTime(to)
	if err != nil {
		return fmt.Errorf("reset clock: %w", err)
	}
	clk := record.ClockUntrusted
	at := time.Now()
	if !to.IsZero() {
		at = to
	}
	if _, err := st.Append(ctx, record.Pass{
		At: at.UnixMilli(), Clock: clk, Decision: checkpoint.DecisionEvent, Reason: checkpoint.ReasonClockReset,
		Gate: record.GateNotOpened,
	}); err != nil {
		return fmt.Errorf("reset clock: log the reset: %w", err)
	}
	log.Warn("clock: last known good time reset by a technician", "old", fmtTime(old), "new", fmtTime(to))
	fmt.Fprintf(stdout, "last known good time: %s → %s\n", fmtTime(old), fmtTime(to))
	return nil
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format(time.RFC3339)
}
