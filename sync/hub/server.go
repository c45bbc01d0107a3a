package hub

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/chot-dev/chot/sync/wire"
)

// Config configures New. Zero values are the documented defaults.
type Config struct {
	// Storage holds devices, tokens and passes. Required.
	Storage Storage
	// Bundles serves GET /v1/bundle; nil answers 404.
	Bundles *Bundles
	// OperatorToken guards the export (Authorization: Bearer TOKEN); ""
	// disables the export.
	OperatorToken string
	// MaxBatch caps the passes in one batch. 0 means wire.MaxBatchPasses.
	MaxBatch int
	// MaxDecoded caps a decompressed batch body. 0 means
	// wire.MaxDecodedBytes.
	MaxDecoded int64
	// MaxInFlight caps concurrent batch inserts; beyond it the hub answers
	// 429 with Retry-After. 0 means 64.
	MaxInFlight int
	// RetryAfter is the Retry-After sent with 429 and 503. 0 means 5 s.
	RetryAfter time.Duration
	// Now is the clock (server_time, received time, token expiry). nil
	// means time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
	// Registry receives the metrics; nil means a new registry of the
	// Server's own (served on /metrics with the Go collectors).
	Registry *prometheus.Registry
	// HealthKeep is how long health reports are kept. 0 means 7 days.
	HealthKeep time.Duration
	// Rules judge the fleet's health (offline after, backlog growing).
	Rules Rules
}

// Server is the hub's HTTP side.
type Server struct {
	cfg      Config
	log      *slog.Logger
	m        *metrics
	reg      *prometheus.Registry
	inflight chan struct{}
	opHash   [32]byte
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Storage == nil {
		return nil, errors.New("hub: config: no storage")
	}
	if cfg.MaxBatch <= 0 || cfg.MaxBatch > wire.MaxBatchPasses {
		cfg.MaxBatch = wire.MaxBatchPasses
	}
	if cfg.MaxDecoded <= 0 {
		cfg.MaxDecoded = wire.MaxDecodedBytes
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 64
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 5 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HealthKeep <= 0 {
		cfg.HealthKeep = 7 * 24 * time.Hour
	}
	cfg.Rules = cfg.Rules.withDefaults()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return &Server{
		cfg:      cfg,
		log:      cfg.Logger,
		m:        newMetrics(reg),
		reg:      reg,
		inflight: make(chan struct{}, cfg.MaxInFlight),
		opHash:   sha256.Sum256([]byte(cfg.OperatorToken)),
	}, nil
}

// Handler returns the hub's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+wire.PathPasses, s.handlePush)
	mux.HandleFunc("GET "+wire.PathPasses, s.handleExport)
	mux.HandleFunc("POST "+wire.PathEnroll, s.handleEnroll)
	mux.HandleFunc("GET "+wire.PathBundle, s.handleBundle)
	mux.HandleFunc("POST "+wire.PathHealth, s.handleHealthReport)
	mux.HandleFunc("POST "+wire.PathRotate, s.handleRotate)
	mux.HandleFunc("GET "+wire.PathDevices, s.handleDevices)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", s.handleHealth)
	return mux
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Storage.Ping(ctx); err != nil {
		s.fail(w, http.StatusServiceUnavailable, wire.CodeUnavailable, "storage: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
}

// device returns an enrolled, unrevoked device. It reads the database every
// time: a revocation or rotation made through any hub instance holds at once
// (an indexed primary-key read, small against a batch insert).
func (s *Server) device(ctx context.Context, id string) (Device, error) {
	d, err := s.cfg.Storage.Device(ctx, id)
	if err != nil {
		return Device{}, err
	}
	if !d.Revoked.IsZero() {
		return d, fmt.Errorf("%w: %s", ErrRevoked, id)
	}
	return d, nil
}

// operator reports whether r carries the operator token.
func (s *Server) operator(r *http.Request) bool {
	if s.cfg.OperatorToken == "" {
		return false
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	h := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(h[:], s.opHash[:]) == 1
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// fail answers a wire.Error and counts the reject.
func (s *Server) fail(w http.ResponseWriter, status int, code, msg string) {
	s.m.rejects.WithLabelValues(code).Inc()
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", fmt.Sprint(int((s.cfg.RetryAfter+time.Second-1)/time.Second)))
	}
	writeJSON(w, status, wire.Error{Code: code, Error: msg})
}
