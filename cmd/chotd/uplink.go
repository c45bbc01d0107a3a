package main

import (
	"context"
	"time"

	"github.com/chot-dev/chot/sync/uplink"
)

// buildUplink sets up the sync with the hub, enrolling first if the config
// carries an enrollment token this device has not used yet.
func (d *daemon) buildUplink(ctx context.Context) error {
	up, err := uplink.New(uplink.Config{
		URL: d.cfg.Hub.URL, Device: d.cfg.Device.ID, Key: d.key, Outbox: d.store,
		Poll: d.cfg.Hub.Interval, Install: d.install,
		OnServerTime: func(t time.Time, rtt time.Duration) { d.clock.ObserveServerTime(t, rtt) },
		Logger:       d.log.With("part", "uplink"),
		Health:       d.healthReport,
	})
	if err != nil {
		return err
	}
	d.up = up
	if d.cfg.Hub.EnrollToken != "" {
		d.enroll(ctx)
	}
	return nil
}
