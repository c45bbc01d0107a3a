package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/store"
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
	return s, checkpoint.TrustStateAt(checkpoint.Freshness{Version: s.Version(), IssuedAt: s.IssuedAt(),
		StaleAfter: s.StaleAfter(), ExpiresAt: s.ExpiresAt(), Keys: s.KeyCount()}, now)
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
		if err := d.install(data); err != nil {
			d.log.Error("trust: bundle file refused", "file", f, "err", err)
		}
	}
	return nil
}

// install checks a bundle (signature by a pinned root, version above the
// installed one, not expired), stores it durably in one transaction and only
// then puts it in force. It is uplink's Install hook.
//
// A bundle that is not newer than the installed one is not an error: there
// is nothing to do, and the uplink keeps its ETag instead of downloading the
// same bundle again at every pull (up to 16 MiB over a cellular link) and
// showing a false error on the page. An older one is logged as a warning.
func (d *daemon) install(data []byte) error {
	d.installMu.Lock()
	defer d.installMu.Unlock()
	now, _ := d.clock.Now()
	if _, err := d.trust.store.Install(data, d.roots, now, d.store.SetBundle); err != nil {
		if errors.Is(err, trust.ErrRollback) || errors.Is(err, store.ErrBundleRollback) {
			d.noteRollback(data, err)
			return nil
		}
		return err
	}
	s := d.trust.store.Load()
	d.clock.ObserveLowerBound(s.IssuedAt())
	d.log.Info("trust: bundle installed", "version", s.Version(), "keys", s.KeyCount(), "expires", s.ExpiresAt())
	return nil
}

// noteRollback logs a bundle that was not installed for not being newer.
func (d *daemon) noteRollback(data []byte, err error) {
	var installed uint64
	if s := d.trust.store.Load(); s != nil {
		installed = s.Version()
	}
	if b, _, ierr := trust.Inspect(data); ierr == nil && b.Version < installed {
		d.log.Warn("trust: offered an older bundle than the installed one; kept the installed one",
			"offered", b.Version, "installed", installed)
		return
	}
	d.log.Info("trust: bundle already installed", "version", installed, "detail", err)
}
