package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/trust"
)

// trustSource is the trust data in force, swapped atomically when a new
// bundle is installed. It satisfies checkpoint.TrustSource.
type trustSource struct {
	store trust.Atomic
	clock *checkpoint.TrustedClock
}

// Current implements checkpoint.TrustSource.
func (t *trustSource) Current() (verify.TrustStore, checkpoint.TrustState) {
	s := t.store.Load()
	if s == nil {
		return verify.EmptyTrust{}, checkpoint.TrustState{}
	}
	now, _ := t.clock.Now()
	return s, checkpoint.TrustState{
		Installed: true, Version: s.Version(), IssuedAt: s.IssuedAt(), StaleAfter: s.StaleAfter(), ExpiresAt: s.ExpiresAt(),
		Stale: s.Stale(now), Expired: !now.Before(s.ExpiresAt()), Keys: s.KeyCount(),
	}
}

// loadTrust puts the installed bundle in force, then installs the config's
// bundle file if it is newer.
func (d *daemon) loadTrust() error {
	data, err := d.store.Bundle()
	if err != nil {
		return fmt.Errorf("trust: read installed bundle: %w", err)
	}
	if len(data) > 0 {
		// Checked when it was installed; only the signature and content are
		// checked again. An expired bundle stays in force and is shown
		// expired: the checkpoint then refuses everything.
		b, err := trust.OpenInstalled(data, d.roots)
		if err == nil {
			var s *trust.Store
			if s, err = trust.NewStore(b); err == nil {
				d.trust.store.Swap(s)
				d.clock.ObserveLowerBound(b.IssuedAt)
			}
		}
		if err != nil {
			d.log.Error("trust: installed bundle not usable", "err", err)
		}
	}
	if f := d.cfg.Trust.Bundle; f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("trust.bundle: %w", err)
		}
		switch err := d.install(data); {
		case errors.Is(err, trust.ErrRollback):
			d.log.Info("trust: bundle file not newer than the installed one", "file", f)
		case err != nil:
			d.log.Error("trust: bundle file refused", "file", f, "err", err)
		}
	}
	return nil
}

// install checks a bundle (signature by a pinned root, version above the
// installed one, not expired), stores it durably in one transaction and only
// then puts it in force. It is uplink's Install hook.
func (d *daemon) install(data []byte) error {
	d.installMu.Lock()
	defer d.installMu.Unlock()
	now, _ := d.clock.Now()
	if _, err := d.trust.store.Install(data, d.roots, now, d.store.SetBundle); err != nil {
		return err
	}
	s := d.trust.store.Load()
	d.clock.ObserveLowerBound(s.IssuedAt())
	d.log.Info("trust: bundle installed", "version", s.Version(), "keys", s.KeyCount(), "expires", s.ExpiresAt())
	return nil
}
