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

// runWatchdog pings systemd's watchdog at half its interval while healthy()
// returns nil, until ctx ends; a hung part stops the pings and systemd
// restarts chotd. Outside systemd, or without WatchdogSec, it returns nil at
// once.
func runWatchdog(ctx context.Context, log *slog.Logger, healthy func() error) error {
	interval, err := sd.SdWatchdogEnabled(false)
	if err != nil || interval == 0 {
		return nil
	}
	log.Info("systemd watchdog", "interval", interval)
	t := time.NewTicker(interval / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := healthy(); err != nil {
				log.Error("watchdog: not healthy, withholding the ping", "err", err)
			} else {
				_, _ = sd.SdNotify(false, sd.SdNotifyWatchdog)
			}
		}
	}
}
