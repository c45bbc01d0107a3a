package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/chot-dev/chot/sync/uplink"
)

// enroll enrolls this device at the hub once, in the background, retrying
// while the hub is unreachable. Success is remembered in the data dir.
func (d *daemon) enroll(ctx context.Context) {
	marker := filepath.Join(d.cfg.Device.DataDir, "enrolled")
	if _, err := os.Stat(marker); err == nil {
		return
	}
	go func() {
		delay := time.Second
		for {
			actx, cancel := context.WithTimeout(ctx, 15*time.Second)
			err := uplink.Enroll(actx, nil, d.cfg.Hub.URL, d.cfg.Device.ID, d.key, d.cfg.Hub.EnrollToken)
			cancel()
			switch {
			case err == nil:
				d.log.Info("enrolled at the hub", "hub", d.cfg.Hub.URL)
				if werr := os.WriteFile(marker, []byte(d.cfg.Hub.URL+"\n"), 0o640); werr != nil {
					d.log.Error("remember enrollment", "err", werr)
				}
				d.up.SyncNow()
				return
			case errors.Is(err, uplink.ErrRejected):
				d.log.Error("enrollment refused: ask the operator for a new token", "err", err)
				return
			}
			d.log.Warn("enrollment: hub not reachable, retrying", "err", err, "in", delay)
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
			delay = min(2*delay, 5*time.Minute)
		}
	}()
}
