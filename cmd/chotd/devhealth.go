package main

import (
	"github.com/chot-dev/chot/status"
	"github.com/chot-dev/chot/sync/wire"
)

// healthReport is the device health the uplink sends to the hub: states,
// versions and counts, never pass content. The uplink fills in the backlog
// and turns the counts into differences.
func (d *daemon) healthReport() wire.Health {
	snap := d.cp.Snapshot()
	cam := d.camera.health()
	h := wire.Health{
		At: snap.Clock.Now, Clock: snap.Clock.State, Site: snap.Site, Software: version,
		LED: snap.LED, Gate: snap.Gate, // checkpoint.GateFault is wire.StateFault
		Camera: wire.StateOK, CameraFPS: cam.FPS, Counts: snap.Counters.ByReason,
	}
	if snap.Trust.Installed {
		h.Bundle, h.BundleStaleAfter, h.BundleExpiresAt = snap.Trust.Version, snap.Trust.StaleAfter, snap.Trust.ExpiresAt
	}
	if !cam.Running {
		h.Camera = wire.StateFault
	}
	if du, err := status.StatDisk(d.cfg.Device.DataDir); err == nil {
		h.FreeDisk = du.FreeBytes
	}
	return h
}
