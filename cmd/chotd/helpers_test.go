package main

import (
	"crypto/ed25519"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/store"
	"github.com/chot-dev/chot/verify/trust"
)

// testRoot is a fixed root key for the tests' bundles.
var testRoot = ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))

// newTrustDaemon is the part of a daemon that installs bundles: a real bbolt
// store, the trusted clock and the trust source, with testRoot pinned.
func newTrustDaemon(t *testing.T) *daemon {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "chot.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d := &daemon{log: slog.New(slog.NewTextHandler(io.Discard, nil)), store: st,
		roots: []ed25519.PublicKey{testRoot.Public().(ed25519.PublicKey)}}
	d.clock = checkpoint.NewTrustedClock(bootClock, st, checkpoint.ClockOptions{})
	d.trust = &trustSource{clock: d.clock}
	return d
}

// signedBundle is an empty, valid bundle of the given version signed by testRoot.
func signedBundle(t *testing.T, version uint64) []byte {
	t.Helper()
	now := time.Now().Truncate(time.Second)
	b, err := trust.Sign(&trust.Bundle{Version: version, IssuedAt: now.Add(-time.Hour),
		StaleAfter: now.Add(7 * 24 * time.Hour), ExpiresAt: now.Add(30 * 24 * time.Hour)}, testRoot)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
