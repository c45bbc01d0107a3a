package main

import (
	"context"
	"errors"
	"log/slog"

	"golang.org/x/sync/errgroup"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/hw"
	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/status"
)

// errUnconfigured is what actions answer while chotd runs unconfigured.
var errUnconfigured = errors.New("chotd is not configured: the gate stays closed")

type noActions struct{}

func (noActions) OpenGate(context.Context, string) error { return errUnconfigured }
func (noActions) SyncNow()                               {}

type noLog struct{}

func (noLog) Passes(uint64, int) ([]record.Pass, error) { return nil, nil }
func (noLog) LastSeq() uint64                           { return 0 }

type noHealth struct{}

func (noHealth) Health() status.HealthInfo { return status.HealthInfo{} }

// runUnconfigured keeps chotd alive without a usable config: the status page
// lists the problems, the LED (if the pins can be had) shows "unconfigured",
// and the relay is held de-energised.
func runUnconfigured(ctx context.Context, log *slog.Logger, listen string, problems []string, cfg *Config, o options) error {
	for _, p := range problems {
		log.Error("unconfigured", "problem", p)
	}
	parts := unconfiguredParts(cfg, log)
	if parts.Relay != nil {
		_ = parts.Relay.Close()
	}
	parts.SetLED(checkpoint.LEDUnconfigured)
	defer func() { _ = parts.Close() }()

	snap := checkpoint.Snapshot{
		Configured: false, Problems: problems, Gate: checkpoint.GateClosed, LED: checkpoint.LEDUnconfigured,
		Clock: checkpoint.ClockState{State: record.ClockUntrusted, Detail: "not configured"},
	}
	if cfg != nil {
		snap.Site, snap.Device = cfg.Site, cfg.Device.ID
	}
	srv := status.New(status.Config{Logger: log.With("part", "status")}, status.Deps{
		Source: staticSource{snap}, Actions: noActions{}, Log: noLog{}, Health: noHealth{},
	})
	ln, err := listenAndReport(listen, o, log)
	if err != nil {
		return err
	}
	notifyReady(log, "unconfigured: "+problems[0])
	var g errgroup.Group
	g.Go(func() error { return runWatchdog(ctx, log, func() error { return nil }) })
	g.Go(func() error { return srv.Serve(ctx, ln) })
	err = g.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// unconfiguredParts tries to reach the relay and the LED with whatever pins
// the config names, so the board can show its state; it gives up quietly.
func unconfiguredParts(cfg *Config, log *slog.Logger) hw.Parts {
	if cfg == nil {
		return hw.Parts{}
	}
	if cfg.GPIO.Driver == "fake" {
		return hw.NewFakeBoard(log.With("part", "hw")).Parts
	}
	b, err := hw.Open(pinsOf(cfg), hw.BoardConfig{})
	if err != nil {
		log.Warn("unconfigured: GPIO not available", "err", err)
		return hw.Parts{}
	}
	return b.Parts
}

// pinsOf maps the config's GPIO section to hw's pin names.
func pinsOf(cfg *Config) hw.Pins {
	g := cfg.GPIO
	return hw.Pins{Relay: g.Relay, Buzzer: g.Buzzer, LED: g.LED, Door: g.Door, Button: g.Button, RelayActiveLow: g.RelayActiveLow}
}
