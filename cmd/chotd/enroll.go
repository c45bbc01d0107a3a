package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/chot-dev/chot/sync/uplink"
)

// enroll marks this device for enrolment at the hub, unless it is enrolled
// already: run then runs runEnroll among its parts.
func (d *daemon) enroll(context.Context) {
	if _, err := os.Stat(d.enrolledMarker()); err == nil {
		return
	}
	d.enrolling = true
}

func (d *daemon) enrolledMarker() string { return filepath.Join(d.cfg.Device.DataDir, "enrolled") }

// runEnroll enrolls this device at the hub once, retrying while the hub is
// unreachable, until ctx ends. Success is remembered in the data dir.
func (d *daemon) runEnroll(ctx context.Context) {
	marker := d.enrolledMarker()
	func() {
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
