package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/store"
)

const testConfig = `
version: 1
device: {id: gate-1, data_dir: DATA}
trust: {roots: ["11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="]}
camera: {source: replay, dir: DATA}
gpio: {driver: fake, relay: GPIO17}
privacy: {subject_key: 000102030405060708090a0b0c0d0e0f}
`

// TestResetClock: a last known time pushed a year ahead is reset by the
// technician's command, which says what it did, refuses while chotd runs and
// leaves a clock_reset event in the pass log.
func TestResetClock(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "chotd.yaml")
	if err := os.WriteFile(cfg, []byte(strings.ReplaceAll(testConfig, "DATA", dir)), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "chot.db")
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wrong := time.Now().AddDate(1, 0, 0)
	if err := st.SetKnownTime(wrong); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	var out bytes.Buffer
	// chotd holds the store: the reset refuses and says why.
	if err := resetClock(ctx, cfg, time.Time{}, &out, log); err == nil || !strings.Contains(err.Error(), "stop it first") {
		t.Errorf("reset while running: %v, want an error telling to stop chotd", err)
	}
	st.Close()

	to := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := resetClock(ctx, cfg, to, &out, log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), to.UTC().Format(time.RFC3339)) {
		t.Errorf("output %q does not show the new time", out.String())
	}
	st, err = store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := st.KnownTime(); !got.Equal(to) {
		t.Errorf("known time %s after the reset, want %s", got, to)
	}
	var events []record.Pass
	_ = st.Range(1, func(p record.Pass) error { events = append(events, p); return nil })
	if len(events) != 1 || events[0].Reason != checkpoint.ReasonClockReset {
		t.Errorf("pass log %+v, want one clock_reset event", events)
	}
}
