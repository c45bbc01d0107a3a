package status

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/chot-dev/chot/checkpoint"

	"github.com/chot-dev/chot/internal/ratelimit"
)

// writeTimeout bounds writing one response (or one step of a long one).
const writeTimeout = 30 * time.Second

// Server is the status web server.
type Server struct {
	cfg      Config
	d        Deps
	log      *slog.Logger
	sessions *sessions
	limiter  *ratelimit.Limiter
	handler  http.Handler
	streams  atomic.Int32 // open /events streams
}

// New returns a server over d. A nil d.Source shows an unconfigured
// checkpoint. An AdminPasswordHash that is not a bcrypt hash disables login
// and is logged.
func New(cfg Config, d Deps) *Server {
	cfg.setDefaults()
	if d.Source == nil {
		d.Source = noSource{}
	}
	s := &Server{
		cfg:      cfg,
		d:        d,
		log:      cfg.Logger.With("part", "status"),
		sessions: &sessions{ttl: cfg.SessionTTL, m: map[string]session{}},
		limiter:  ratelimit.New(cfg.LoginPerClient, cfg.LoginGlobal, cfg.LoginWindow),
	}
	if h := s.cfg.AdminPasswordHash; h != "" {
		if err := CheckPasswordHash(h); err != nil {
			s.log.Error("login disabled", "err", err)
			s.cfg.AdminPasswordHash = ""
		}
	}
	s.handler = s.routes()
	return s
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Run serves on addr until ctx ends, then shuts down gracefully. A
// cancelled ctx is a clean stop: it returns nil.
func (s *Server) Run(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("status: listen: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve is Run on a listener the caller opened (systemd socket activation,
// tests). It closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// A response must be written within WriteTimeout; the long ones (the
		// export, /events) move their deadline on as they make progress.
		WriteTimeout: writeTimeout,
		IdleTimeout:  2 * time.Minute,
		// Request contexts end with ctx, so that open event streams
		// return and Shutdown does not wait for them.
		BaseContext: func(net.Listener) context.Context { return ctx },
		ErrorLog:    slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.log.Info("status page listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("status: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("status: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("status: serve: %w", err)
	}
	return nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	view := func(h http.HandlerFunc) http.Handler {
		if s.cfg.PrivateViews {
			return s.authed(func(w http.ResponseWriter, r *http.Request, _ string) { h(w, r) })
		}
		return h
	}
	mux.Handle("GET /{$}", http.HandlerFunc(s.handlePage)) // shows the login form when views are private
	mux.Handle("GET /partial/tiles", view(s.handleTiles))
	mux.Handle("GET /events", view(s.handleEvents))
	mux.HandleFunc("GET /status.json", s.handleStatusJSON)
	mux.Handle("GET /metrics", s.metricsHandler())
	mux.Handle("GET /assets/", assetHandler())
	mux.HandleFunc("POST /login", s.handleLogin)
	mux.Handle("POST /logout", s.authed(s.handleLogout))
	mux.Handle("POST /gate/open", s.authed(s.handleOpenGate))
	mux.Handle("POST /sync", s.authed(s.handleSync))
	mux.Handle("GET /export.csv", s.authed(s.handleExport))
	return securityHeaders(mux)
}

// csp allows only this origin's script and style, nothing inline.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// fail answers with status and a short translated message.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, key string) {
	lang := pickLang(w, r, s.secure(r), s.cfg.Language)
	http.Error(w, messages.Text(lang, key), status)
}

// handleOpenGate opens the gate for the logged-in admin.
func (s *Server) handleOpenGate(w http.ResponseWriter, r *http.Request, _ string) {
	if s.d.Actions == nil {
		s.fail(w, r, http.StatusNotImplemented, "action.unavailable")
		return
	}
	s.log.Info("gate opened from the status page", "client", ratelimit.ClientIP(r))
	if err := s.d.Actions.OpenGate(r.Context(), "web:"+ratelimit.ClientIP(r)); err != nil {
		s.log.Error("open gate", "err", err)
		http.Redirect(w, r, "/?msg=gate_failed", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/?msg=gate_opened", http.StatusSeeOther)
}

// handleSync asks for a sync now.
func (s *Server) handleSync(w http.ResponseWriter, r *http.Request, _ string) {
	if s.d.Actions == nil {
		s.fail(w, r, http.StatusNotImplemented, "action.unavailable")
		return
	}
	s.d.Actions.SyncNow()
	http.Redirect(w, r, "/?msg=sync_started", http.StatusSeeOther)
}

// noSource is the Source of a checkpoint that is not running.
type noSource struct{}

func (noSource) Snapshot() checkpoint.Snapshot {
	return checkpoint.Snapshot{LED: checkpoint.LEDUnconfigured, Gate: checkpoint.GateClosed}
}

func (noSource) Subscribe(ctx context.Context) <-chan checkpoint.Event {
	ch := make(chan checkpoint.Event)
	go func() { <-ctx.Done(); close(ch) }()
	return ch
}
