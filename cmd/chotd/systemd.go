package main

import (
	"context"
	"log/slog"
	"time"

	sd "github.com/coreos/go-systemd/v22/daemon"
)

// notifyReady tells systemd (Type=notify) that chotd is up. Outside systemd
// it does nothing.
func notifyReady(log *slog.Logger, statusLine string) {
	if ok, err := sd.SdNotify(false, sd.SdNotifyReady+"\nSTATUS="+statusLine); err != nil {
		log.Warn("systemd notify", "err", err)
	} else if ok {
		log.Info("systemd: ready")
	}
}

// notifyStopping tells systemd chotd is shutting down.
func notifyStopping() { _, _ = sd.SdNotify(false, sd.SdNotifyStopping) }

// startWatchdog pings systemd's watchdog at half its interval while healthy()
// holds; a hung decision loop stops the pings and systemd restarts chotd.
// It returns a function that stops it.
func startWatchdog(ctx context.Context, log *slog.Logger, healthy func() bool) func() {
	interval, err := sd.SdWatchdogEnabled(false)
	if err != nil || interval == 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		t := time.NewTicker(interval / 2)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if healthy() {
					_, _ = sd.SdNotify(false, sd.SdNotifyWatchdog)
				} else {
					log.Error("watchdog: not healthy, withholding the ping")
				}
			}
		}
	}()
	log.Info("systemd watchdog", "interval", interval)
	return cancel
}
