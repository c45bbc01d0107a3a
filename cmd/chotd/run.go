package main

import (
	"context"
	"errors"
	"time"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/hw"
	"github.com/chot-dev/chot/status"
)

// run runs a configured chotd until ctx ends, then shuts down in the order of
// STYLE.md: stop scanning, close the gate, flush the log, close the HTTP
// server, close bbolt.
func (d *daemon) run(ctx context.Context, listen string, o options) error {
	defer d.close()
	bg := context.Background()

	scans := make(chan checkpoint.Scan)
	scanCtx, stopScan := context.WithCancel(bg)
	defer stopScan()
	scanDone := make(chan error, 1)
	go func() { scanDone <- d.scanLoop(scanCtx, scans) }()
	loopDone := make(chan error, 1)
	// The decision loop ends when the scan loop closes scans, after the
	// last scan: nothing decided is cut short. It closes the gate on return.
	go func() { loopDone <- d.cp.Run(bg, scans) }()

	partsCtx, stopParts := context.WithCancel(bg)
	defer stopParts()
	go d.runInputs(partsCtx)
	go d.housekeeping(partsCtx)
	upDone := make(chan error, 1)
	if d.up != nil {
		go func() { upDone <- d.up.Run(partsCtx) }()
	} else {
		upDone <- nil
	}

	srv := status.New(status.Config{
		AdminPasswordHash: d.cfg.Status.AdminPasswordHash,
		Logger:            d.log.With("part", "status"),
	}, status.Deps{Source: d.cp, Actions: actions{d}, Log: d.store, Health: health{d}, RuleTexts: d.ruleTexts})
	ln, err := listenAndReport(listen, o, d.log)
	if err != nil {
		return err
	}
	httpCtx, stopHTTP := context.WithCancel(bg)
	defer stopHTTP()
	httpDone := make(chan error, 1)
	go func() { httpDone <- srv.Serve(httpCtx, ln) }()

	d.beat.Store(int64(bootClock.Uptime()))
	notifyReady(d.log, "checking")
	stopWatchdog := startWatchdog(ctx, d.log, d.healthy)
	defer stopWatchdog()
	d.log.Info("chotd ready", "device", d.cfg.Device.ID, "site", d.cfg.Site)

	var loopErr error
	select {
	case <-ctx.Done():
	case loopErr = <-loopDone:
		// The decision loop died (a crash it recovered from): the gate is
		// closed; stop everything and let systemd restart chotd.
		d.log.Error("decision loop ended", "err", loopErr)
		loopDone <- loopErr
	}
	notifyStopping()
	d.log.Info("shutting down")
	stopScan()
	<-scanDone
	loopErr = <-loopDone // the gate is closed once this returns
	stopParts()
	<-upDone
	if err := d.clock.Save(); err != nil {
		d.log.Error("save clock", "err", err)
	}
	stopHTTP()
	<-httpDone
	if loopErr != nil && !errors.Is(loopErr, context.Canceled) {
		return loopErr
	}
	return nil
}

// healthy is the watchdog's test: frames are flowing through the loop.
func (d *daemon) healthy() bool {
	last := time.Duration(d.beat.Load())
	return bootClock.Uptime()-last < 30*time.Second
}

// runInputs turns the door sensor and the manual button into checkpoint calls.
func (d *daemon) runInputs(ctx context.Context) {
	err := d.board.RunInputs(ctx, func(ev hw.Event) {
		if !ev.Active {
			return
		}
		switch ev.Input {
		case hw.InputDoor:
			d.cp.DoorPassed(ctx)
		case hw.InputButton:
			if err := d.cp.OpenManual(ctx, checkpoint.ReasonManualButton); err != nil {
				d.log.Error("manual button", "err", err)
			}
		}
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		d.log.Error("inputs", "err", err)
	}
}

// housekeeping saves the clock, prunes the log and tells the checkpoint
// whether the hub is reachable.
func (d *daemon) housekeeping(ctx context.Context) {
	fast := time.NewTicker(2 * time.Second)
	defer fast.Stop()
	slow := time.NewTicker(10 * time.Minute)
	defer slow.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-fast.C:
			if d.up != nil {
				d.cp.SetOnline(d.up.Status().Online)
			}
		case <-slow.C:
			if err := d.clock.Save(); err != nil {
				d.log.Error("save clock", "err", err)
			}
			now, _ := d.clock.Now()
			if n, err := d.store.Prune(now); err != nil {
				d.log.Error("prune", "err", err)
			} else if n > 0 {
				d.log.Info("pruned synced passes", "count", n)
			}
		}
	}
}

// actions are what the status page may ask of chotd.
type actions struct{ d *daemon }

func (a actions) OpenGate(ctx context.Context, by string) error {
	a.d.log.Info("gate opened from the status page", "by", by)
	return a.d.cp.OpenManual(ctx, checkpoint.ReasonManualWeb)
}

func (a actions) SyncNow() {
	if a.d.up != nil {
		a.d.up.SyncNow()
	}
}

// health reports the camera, the uplink and the disk.
type health struct{ d *daemon }

func (h health) Health() status.HealthInfo {
	d := h.d
	st := d.store.Status()
	hi := status.HealthInfo{Camera: d.camera.health(), Backlog: st.Pending, StoreBytes: st.Size}
	if d.up != nil {
		us := d.up.Status()
		hi.Online, hi.LastSync, hi.LastSyncError = us.Online, us.LastSync, us.LastError
	}
	if du, err := status.StatDisk(d.cfg.Device.DataDir); err == nil {
		hi.Disk = du
	}
	return hi
}
