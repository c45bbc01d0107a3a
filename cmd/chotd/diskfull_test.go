package main

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/store"
)

// TestDaemonDiskFull: a small store and the hub down: chotd fills its log,
// refuses passes (the gate stays closed) and says so on the page; once the
// hub is back and has acknowledged the passes, chotd makes room and logs
// again, and the warning goes.
func TestDaemonDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a store")
	}
	dir := t.TempDir()
	data, frames := filepath.Join(dir, "data"), filepath.Join(dir, "frames")
	for _, d := range []string{data, frames} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 {
		qrFrame(t, filepath.Join(frames, fmt.Sprintf("%d.png", i)), fmt.Sprintf("DISK-FULL-%d", i))
	}
	_, real := enrolledHub(t, dir, filepath.Join(data, "chot.db"), store.Options{MaxSize: 64 << 10})
	ctx := context.Background()
	target, _ := url.Parse(real.URL)
	link := &faultyLink{proxy: httputil.NewSingleHostReverseProxy(target)}
	link.mode.Store(int32(hubDown))
	front := httptest.NewServer(link)
	defer front.Close()

	cfg := filepath.Join(dir, "chotd.yaml")
	conf := fmt.Sprintf(`
version: 1
device: {id: gate-1, data_dir: %s, store_max_bytes: 65536}
hub: {url: %q, interval: 200ms}
trust: {roots: ["11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="]}
camera: {source: replay, dir: %s, fps: 30, quiet: 20ms}
gpio: {driver: fake, relay: GPIO17}
privacy: {subject_key: 000102030405060708090a0b0c0d0e0f}
`, data, front.URL, frames)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	addrc, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- run(rctx, options{configPath: cfg, listen: "127.0.0.1:0", stderr: io.Discard, ready: func(a string) { addrc <- a }})
	}()
	defer func() { cancel(); <-done }()
	addr := <-addrc
	warned := func(w string) func(map[string]any) bool {
		return func(doc map[string]any) bool {
			snap, _ := doc["snapshot"].(map[string]any)
			ws, _ := snap["warnings"].([]any)
			for _, x := range ws {
				if s, _ := x.(string); strings.HasPrefix(s, w) {
					return true
				}
			}
			return false
		}
	}
	wait := func(what string, ok func(map[string]any) bool) map[string]any {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			doc := statusJSON(t, addr)
			if ok(doc) {
				return doc
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 60 s: %v", what, doc["snapshot"])
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	full := wait("log full: refused and said so", warned("log: passes cannot be logged"))
	if snap := full["snapshot"].(map[string]any); snap["led"] != "fault" || snap["gate"] == "open" {
		t.Errorf("store full: led %v gate %v, want the fault LED and the gate not open", snap["led"], snap["gate"])
	}
	link.mode.Store(int32(hubOK))
	wait("recovered once the hub acknowledged", func(doc map[string]any) bool { return !warned("log:")(doc) })
	t.Logf("store of 64 KiB: full with the hub down, refused with a warning, recovered after the hub came back")
}
