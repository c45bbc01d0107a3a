package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/chot-dev/chot/checkpoint"
)

// options are chotd's command-line settings.
type options struct {
	configPath string
	listen     string
	stderr     io.Writer
	// ready, if set, receives the status page's address once chotd is up
	// (tests and the demo use it).
	ready func(addr string)
	// built, if set, sees the daemon once it is built (tests).
	built func(*daemon)
}

// run loads the config and runs chotd until ctx ends. A missing or broken
// config, or hardware that cannot be set up, is not fatal: chotd runs
// unconfigured and shows why.
func run(ctx context.Context, o options) error {
	cfg, cfgErr := LoadConfig(o.configPath)
	level := slog.LevelInfo
	if cfg != nil {
		_ = level.UnmarshalText([]byte(cfg.Log.Level))
	}
	log := slog.New(slog.NewTextHandler(o.stderr, &slog.HandlerOptions{Level: level}))
	log.Info("chotd starting", "version", version, "config", o.configPath)
	listen := "127.0.0.1:8080"
	if cfg != nil {
		listen = cfg.Status.Listen
	}
	if o.listen != "" {
		listen = o.listen
	}
	if cfgErr != nil {
		return runUnconfigured(ctx, log, listen, problemsOf(cfgErr), cfg, o)
	}
	d, err := build(ctx, cfg, log)
	if err != nil {
		log.Error("cannot start configured", "err", err)
		return runUnconfigured(ctx, log, listen, problemsOf(err), cfg, o)
	}
	if o.built != nil {
		o.built(d)
	}
	return d.run(ctx, listen, o)
}

// problemsOf lists an error's problems for the status page.
func problemsOf(err error) []string {
	var ce *ConfigError
	if errors.As(err, &ce) {
		return ce.Strings()
	}
	if errors.Is(err, ErrNoConfig) {
		return []string{"no configuration yet: " + err.Error()}
	}
	var out []string
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{err.Error()}
}

// listenAndReport opens the status page's listener and tells o.ready.
func listenAndReport(addr string, o options, log *slog.Logger) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("status page: %w", err)
	}
	log.Info("status page", "url", "http://"+ln.Addr().String()+"/")
	if o.ready != nil {
		o.ready(ln.Addr().String())
	}
	return ln, nil
}

// staticSource is the status page's view of an unconfigured chotd.
type staticSource struct{ snap checkpoint.Snapshot }

func (s staticSource) Snapshot() checkpoint.Snapshot {
	snap := s.snap
	snap.Clock.Now = time.Now()
	return snap
}

func (s staticSource) Subscribe(ctx context.Context) <-chan checkpoint.Event {
	ch := make(chan checkpoint.Event)
	go func() { <-ctx.Done(); close(ch) }()
	return ch
}
