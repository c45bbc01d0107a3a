package main

import (
	"context"
	"crypto/ed25519"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/chot-dev/chot/sync/uplink"
	"github.com/chot-dev/chot/sync/wire"
)

// TestBundleRollbackIsNotAnError: after a restart the uplink has no ETag and
// the hub serves the bundle already installed. That is not an error: the
// ETag is kept, the next pull is a 304 (no second download of up to 16 MiB),
// and the page shows no bundle error.
func TestBundleRollbackIsNotAnError(t *testing.T) {
	d := newTrustDaemon(t)
	v5 := signedBundle(t, 5)
	if err := d.install(v5); err != nil {
		t.Fatalf("first install: %v", err)
	}
	var downloads, notModified atomic.Int32
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != wire.PathBundle {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("If-None-Match") == `"v5"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		downloads.Add(1)
		w.Header().Set("ETag", `"v5"`)
		_, _ = w.Write(v5)
	}))
	defer hub.Close()
	_, key, _ := ed25519.GenerateKey(nil)
	// A new uplink: what a restart of chotd has.
	up, err := uplink.New(uplink.Config{URL: hub.URL, Device: "gate-1", Key: key, Outbox: d.store, Install: d.install})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 3 {
		if err := up.PullBundle(ctx); err != nil {
			t.Errorf("pull %d: %v", i+1, err)
		}
	}
	if got := downloads.Load(); got != 1 {
		t.Errorf("the installed bundle was downloaded %d times after the restart, want 1", got)
	}
	if got := notModified.Load(); got != 2 {
		t.Errorf("%d pulls answered 304, want 2", got)
	}
	if st := up.Status(); st.BundleError != "" {
		t.Errorf("bundle error on the page: %q", st.BundleError)
	}
	// An older bundle is not installed either, and is no error.
	if err := d.install(signedBundle(t, 4)); err != nil {
		t.Errorf("older bundle: %v, want nil (nothing to do)", err)
	}
	if v := d.trust.store.Load().Version(); v != 5 {
		t.Errorf("version in force %d, want 5", v)
	}
	// A newer one is installed.
	if err := d.install(signedBundle(t, 6)); err != nil || d.trust.store.Load().Version() != 6 {
		t.Errorf("newer bundle: %v, version %d", err, d.trust.store.Load().Version())
	}
}
