package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/hub/console"
	"github.com/chot-dev/chot/sync/hub/refresh"
)

func cmdServe(ctx context.Context, e *env, args []string) int {
	fs, cfgPath := newFlags(e, "serve")
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return fail(e, exitUsage, "%v", err)
	}
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level})).With("part", "hub")
	tok, err := cfg.operatorToken()
	if err != nil {
		return fail(e, exitUsage, "%v", err)
	}
	bundles, err := cfg.bundles(e.now)
	if err != nil {
		return fail(e, exitUsage, "%v", err)
	}
	sessionKey, err := cfg.sessionKey()
	if err != nil {
		return fail(e, exitUsage, "%v", err)
	}
	st, err := hub.OpenStorage(ctx, cfg.Storage)
	if err != nil {
		return fail(e, exitFail, "%v", err)
	}
	defer st.Close()
	srv, err := hub.New(hub.Config{
		Storage:       st,
		Bundles:       bundles,
		OperatorToken: tok,
		MaxBatch:      cfg.MaxBatch,
		MaxInFlight:   cfg.MaxInFlight,
		Now:           e.now,
		Logger:        log,
		HealthKeep:    cfg.HealthKeep,
		Rules:         cfg.rules(),
	})
	if err != nil {
		return fail(e, exitUsage, "%v", err)
	}
	handler := srv.Handler()
	if len(cfg.Console.Users) > 0 {
		users := make([]console.User, len(cfg.Console.Users))
		for i, u := range cfg.Console.Users {
			users[i] = console.User{Name: u.Name, Role: u.Role, PasswordHash: u.PasswordHash}
		}
		con, err := console.New(console.Config{Storage: st, Bundles: bundles, Users: users, SessionKey: sessionKey,
			SessionTTL: cfg.Console.SessionTTL, TokenTTL: cfg.TokenTTL, Rules: cfg.rules(), SecureCookies: cfg.Console.SecureCookies,
			Now: e.now, Logger: log.With("part", "console")})
		if err != nil {
			return fail(e, exitUsage, "%v", err)
		}
		mux := http.NewServeMux()
		mux.Handle("/", handler)
		mux.Handle(console.Prefix, con.Handler())
		handler = mux
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fail(e, exitFail, "%v", err)
	}
	hs := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      5 * time.Minute, // exports stream
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if cfg.Retention > 0 {
		rctx, stopRetention := context.WithCancel(ctx)
		defer stopRetention()
		go hub.RunRetention(rctx, st, cfg.Retention, cfg.RetentionEvery, e.now, log)
	}
	if cfg.TrustRefresh != nil && cfg.TrustRefresh.Every > 0 {
		go refreshLoop(ctx, *cfg.TrustRefresh, bundles, e.now, log)
	}
	errc := make(chan error, 1)
	go func() {
		if cfg.TLSCert != "" {
			errc <- hs.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	log.Info("listening", "addr", ln.Addr().String(), "tls", cfg.TLSCert != "", "storage", storageKind(cfg.Storage),
		"console", len(cfg.Console.Users) > 0)
	if e.ready != nil {
		e.ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return fail(e, exitFail, "serve: %v", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fail(e, exitFail, "serve: %v", err)
	}
	log.Info("stopped")
	return exitOK
}

// storageKind names the backend without the URL's credentials.
func storageKind(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "postgres"
	}
	return "sqlite"
}

// refreshLoop runs the trust refresh on its schedule until ctx ends.
func refreshLoop(ctx context.Context, cfg refresh.Config, b *hub.Bundles, now func() time.Time, log *slog.Logger) {
	t := time.NewTicker(cfg.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		res, err := refresh.Run(ctx, cfg, b, nil, now())
		if err != nil {
			log.Error("trust refresh", "err", err)
			continue
		}
		log.Info("trust refresh", "version", res.Version, "published", res.Published, "pending", res.Pending, "issuers", len(res.Changes.Issuers))
	}
}
