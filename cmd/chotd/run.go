package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/hw"
	"github.com/chot-dev/chot/status"
)

// Liveness limits of the watchdog's test (healthy).
const (
	// loopHang is how long the decision loop may go without turning.
	loopHang = 30 * time.Second
	// storeHang is how long one append transaction may take.
	storeHang = 30 * time.Second
	// cameraGrace is how long the camera may be without frames before it is
	// a fault on the LED and the page.
	cameraGrace = 5 * time.Second
)

// run runs a configured chotd until ctx ends or a part fails, then shuts
// down in the order of STYLE.md: stop scanning, close the gate (the decision
// loop closes it when it returns), flush the log, close the HTTP server,
// close bbolt. Every long-lived part runs in an errgroup of its stage, and
// every stage is joined before d.close.
func (d *daemon) run(ctx context.Context, listen string, o options) error {
	defer d.close()
	srv := status.New(status.Config{
		AdminPasswordHash: d.cfg.Status.AdminPasswordHash,
		Language:          d.cfg.Status.Language,
		Logger:            d.log.With("part", "status"),
	}, status.Deps{Source: d.cp, Actions: actions{d}, Log: d.store, Health: health{d}, RuleTexts: d.ruleTexts})
	ln, err := listenAndReport(listen, o, d.log)
	if err != nil {
		return err
	}

	// ended receives the first part that ended by itself: chotd then
	// stops, and systemd restarts it. An essential part (scanner, decision
	// loop, status page) may not end at all; the others only not in error.
	ended := make(chan partEnded, 1)
	part := func(name string, essential bool, f func() error) func() error {
		return func() error {
			err := f()
			if errors.Is(err, context.Canceled) {
				err = nil
			}
			if err != nil {
				err = fmt.Errorf("%s: %w", name, err)
			}
			if err != nil || essential {
				select {
				case ended <- partEnded{name, err}:
				default:
				}
			}
			return err
		}
	}
	bg := context.Background()
	scanCtx, stopScan := context.WithCancel(bg)
	defer stopScan()
	partsCtx, stopParts := context.WithCancel(bg)
	defer stopParts()
	httpCtx, stopHTTP := context.WithCancel(bg)
	defer stopHTTP()
	var scanning, deciding, parts, serving errgroup.Group

	scans := make(chan checkpoint.Scan)
	scanning.Go(part("scanner", true, func() error { return d.scanLoop(scanCtx, scans) }))
	// The decision loop ends when the scan loop closes scans, after the
	// last scan: nothing decided is cut short. It closes the gate on return.
	deciding.Go(part("decision loop", true, func() error { return d.cp.Run(bg, scans) }))
	parts.Go(func() error { d.runInputs(partsCtx); return nil })
	parts.Go(part("housekeeping", false, func() error { return d.housekeeping(partsCtx) }))
	if d.up != nil {
		parts.Go(part("uplink", false, func() error { return d.up.Run(partsCtx) }))
	}
	if d.enrolling {
		parts.Go(func() error { d.runEnroll(partsCtx); return nil })
	}
	parts.Go(part("watchdog", false, func() error { return runWatchdog(partsCtx, d.log, d.healthy) }))
	serving.Go(part("status page", true, func() error { return srv.Serve(httpCtx, ln) }))

	notifyReady(d.log, "checking")
	d.log.Info("chotd ready", "device", d.cfg.Device.ID, "site", d.cfg.Site)

	var failed error
	select {
	case <-ctx.Done():
	case pe := <-ended:
		d.log.Error("a part ended: stopping", "part", pe.name, "err", pe.err)
		failed = pe.err
		if failed == nil {
			failed = fmt.Errorf("%s ended", pe.name)
		}
	}
	notifyStopping()
	d.log.Info("shutting down")
	stopScan()
	errs := []error{failed, scanning.Wait(), deciding.Wait()} // the gate is closed once the loop returns
	stopParts()
	errs = append(errs, parts.Wait())
	if err := d.clock.Save(); err != nil {
		d.log.Error("save clock", "err", err)
	}
	stopHTTP()
	errs = append(errs, serving.Wait())
	if ctx.Err() != nil && failed == nil {
		return nil
	}
	return errors.Join(errs...)
}

// partEnded is a part that returned by itself.
type partEnded struct {
	name string
	err  error
}

// healthy is the watchdog's test: the parts that must keep moving do. The
// decision loop turns (even with no code in view), and no append is stuck on
// the disk. A missing camera is not a reason to restart: housekeeping shows
// it on the LED and the page. The gate is driven from the decision loop
// only, so a relay call that hangs stops the loop turning.
func (d *daemon) healthy() error {
	var errs []error
	if !d.cp.Alive(loopHang) {
		errs = append(errs, fmt.Errorf("decision loop has not turned for %s", loopHang))
	}
	if b := d.store.Busy(); b > storeHang {
		errs = append(errs, fmt.Errorf("store: an append has been committing for %s", b.Round(time.Second)))
	}
	return errors.Join(errs...)
}

// runInputs turns the door sensor and the manual button into checkpoint
// calls. An input that fails is a fault on the LED and the page; the
// checkpoint goes on without it.
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
	if err != nil && ctx.Err() == nil {
		d.log.Error("inputs", "err", err)
		d.cp.SetFault("inputs", err.Error())
	}
}

// housekeeping saves the clock, prunes the log, tells the checkpoint whether
// the hub is reachable and reports a camera without frames as a fault.
func (d *daemon) housekeeping(ctx context.Context) error {
	fast := time.NewTicker(time.Second)
	defer fast.Stop()
	slow := time.NewTicker(10 * time.Minute)
	defer slow.Stop()
	var cam cameraWatch
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case now := <-fast.C:
			if d.up != nil {
				d.cp.SetOnline(d.up.Status().Online)
			}
			d.checkCamera(&cam, now)
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

// cameraWatch is what checkCamera remembers between calls.
type cameraWatch struct {
	down    time.Time // when the camera was first seen without frames
	faulted bool
}

// checkCamera sets the camera fault after cameraGrace without frames and
// clears it when frames come again.
func (d *daemon) checkCamera(w *cameraWatch, now time.Time) {
	h := d.camera.health()
	switch {
	case h.Running:
		if w.faulted {
			d.log.Info("camera: frames again", "source", h.Source)
			d.cp.SetFault("camera", "")
		}
		*w = cameraWatch{}
	case w.down.IsZero():
		w.down = now
	case now.Sub(w.down) >= cameraGrace:
		detail := "no frames"
		if h.LastError != "" {
			detail += ": " + h.LastError
		}
		if !w.faulted {
			d.log.Error("camera: no frames", "source", h.Source, "err", h.LastError)
		}
		w.faulted = true
		d.cp.SetFault("camera", detail)
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
