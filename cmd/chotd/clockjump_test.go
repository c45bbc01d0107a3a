package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chot-dev/chot/store"
)

// TestDaemonWallClockJumps: once chotd is synced with the hub, its board's
// wall clock jumping a year forward or back changes neither the time it
// decides with nor the last known good time it saves.
func TestDaemonWallClockJumps(t *testing.T) {
	if testing.Short() {
		t.Skip("runs chotd with a hub")
	}
	dir := t.TempDir()
	data, frames := filepath.Join(dir, "data"), filepath.Join(dir, "frames")
	for _, d := range []string{data, frames} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	qrFrame(t, filepath.Join(frames, "0.png"), "CLOCK-JUMP-0")
	qrFrame(t, filepath.Join(frames, "1.png"), "CLOCK-JUMP-1")
	db := filepath.Join(data, "chot.db")
	_, h := enrolledHub(t, dir, db, store.Options{})
	ctx := context.Background()
	cfg := filepath.Join(dir, "chotd.yaml")
	conf := fmt.Sprintf(`
version: 1
device: {id: gate-1, data_dir: %s}
hub: {url: %q, interval: 200ms}
trust: {roots: ["11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="]}
camera: {source: replay, dir: %s, fps: 10, quiet: 50ms}
gpio: {driver: fake, relay: GPIO17}
privacy: {subject_key: 000102030405060708090a0b0c0d0e0f}
`, data, h.URL, frames)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	defer bootClock.shift.Store(0)
	rctx, cancel := context.WithCancel(ctx)
	addrc, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- run(rctx, options{configPath: cfg, listen: "127.0.0.1:0", stderr: io.Discard, ready: func(a string) { addrc <- a }})
	}()
	addr := <-addrc
	clock := func() (string, time.Time, time.Duration) {
		snap, _ := statusJSON(t, addr)["snapshot"].(map[string]any)
		c, _ := snap["clock"].(map[string]any)
		state, _ := c["state"].(string)
		now, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(c["now"]))
		off, _ := c["wall_offset_ms"].(float64)
		return state, now, time.Duration(off) * time.Millisecond
	}
	deadline := time.Now().Add(30 * time.Second)
	for state, _, _ := clock(); state != "synced"; state, _, _ = clock() {
		if time.Now().After(deadline) {
			t.Fatalf("never synced with the hub: %s", state)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, jump := range []time.Duration{365 * 24 * time.Hour, -365 * 24 * time.Hour, 0} {
		bootClock.shift.Store(int64(jump))
		// Let a few hub answers and decisions go by with the jumped wall clock.
		until := time.Now().Add(time.Second)
		for time.Now().Before(until) {
			state, now, off := clock()
			if state != "synced" || time.Until(now).Abs() > time.Minute {
				t.Fatalf("wall clock %+v: chotd's time %s (%s), want synced near %s", jump, now, state, time.Now())
			}
			if (off - jump).Abs() > time.Minute {
				t.Fatalf("wall clock %+v: the status shows the board clock %s off, want %s", jump, off, jump)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if k := st.KnownTime(); time.Until(k).Abs() > time.Minute {
		t.Errorf("last known good time saved %s, want near %s", k, time.Now())
	}
}
