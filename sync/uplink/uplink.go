package uplink

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/sync/wire"
)

// Outbox is what the uplink consumes of the device store (*store.Store
// satisfies it).
type Outbox interface {
	// Epoch is the store's epoch: the batches' epoch.
	Epoch() string
	// LastSeq is the last sequence number assigned.
	LastSeq() uint64
	// AckedThrough is the local watermark.
	AckedThrough() uint64
	// Pending returns up to max passes after AckedThrough, in order.
	Pending(max int) ([]record.Pass, error)
	// Ack moves the watermark forward to through.
	Ack(through uint64) error
}

// Replayer is implemented by an outbox that can read passes at or below its
// watermark, so the uplink can send again from a hub that is behind
// (*store.Store does, until Prune removes them).
type Replayer interface {
	// Range calls fn for every pass held with seq ≥ fromSeq, in order; an
	// error from fn stops the walk and is returned as is.
	Range(fromSeq uint64, fn func(record.Pass) error) error
}

// Errors the uplink reports in Status and returns from one attempt.
var (
	// ErrRejected means the hub refused the device or its batch (4xx other
	// than 409/429): retrying will not help until someone acts.
	ErrRejected = errors.New("uplink: rejected by hub")
	// ErrUnavailable means a 5xx, a 429, a timeout or a broken connection.
	ErrUnavailable = errors.New("uplink: hub unavailable")
	// ErrHubBehind means the hub's watermark is behind the device's and the
	// outbox cannot read the passes to send again.
	ErrHubBehind = errors.New("uplink: hub behind device watermark")
)

// Config configures New. Zero values are the documented defaults.
type Config struct {
	// URL is the hub's base URL, e.g. https://hub.example:8443.
	URL string
	// Device is this device's enrolled id.
	Device string
	// Key signs every batch.
	Key ed25519.PrivateKey
	// Outbox is the store.
	Outbox Outbox
	// Client does the requests. nil means a client with sane transport
	// timeouts (per-attempt deadlines come from AttemptTimeout).
	Client *http.Client
	// BatchSize is how many passes one push carries. 0 means 500.
	BatchSize int
	// AttemptTimeout bounds one request. 0 means 30 s.
	AttemptTimeout time.Duration
	// Backoff paces retries after failures.
	Backoff Backoff
	// MaxRetryAfter caps an honoured Retry-After. 0 means 10 minutes.
	MaxRetryAfter time.Duration
	// Rejoin is the upper bound of the random delay after a failure streak
	// ends. 0 means 10 s; negative means none.
	Rejoin time.Duration
	// Poll is how often an idle uplink looks for new passes without a
	// SyncNow. 0 means 15 s.
	Poll time.Duration
	// BundleEvery is how often the bundle is pulled. 0 means 10 minutes;
	// negative never.
	BundleEvery time.Duration
	// Install is handed every bundle the hub serves with a new ETag (nil:
	// bundles are not pulled). It checks it (trust.Open) and installs it.
	// It returns nil when there is nothing more to do, including for a
	// bundle that is not newer than the installed one (trust.ErrRollback);
	// an error means the same bundle should be fetched again later (e.g.
	// expired against a clock that may yet be corrected).
	Install func(data []byte) error
	// OnServerTime receives the hub's server_time with the request's round
	// trip, for the clock logic. May be nil.
	OnServerTime func(t time.Time, rtt time.Duration)
	// Health, if set, gives the device's health report (Counts: decisions
	// by reason since start; the uplink sends the difference since the
	// last report the hub took). Device, Epoch, LastSeq and Backlog are
	// filled in.
	Health func() wire.Health
	// HealthEvery is how often a report is sent. 0 means a minute.
	HealthEvery time.Duration
	// Now is the clock. nil means time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx is done. nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger; nil discards.
	Logger *slog.Logger
}

// Uplink pushes the outbox and pulls bundles. Create it with New.
type Uplink struct {
	cfg     Config
	passes  string // URL of /v1/passes
	bundle  string // URL of /v1/bundle
	health  string // URL of /v1/health
	log     *slog.Logger
	trigger chan struct{}
	notify  chan struct{}

	mu   sync.Mutex
	st   Status
	etag string
	// next is the next seq to send in epoch; 0 means AckedThrough()+1.
	next  uint64
	epoch string
	// sentCounts are the cumulative counts of the last report taken.
	sentCounts map[string]uint64
}

// New checks cfg and returns an Uplink.
func New(cfg Config) (*Uplink, error) {
	var errs []error
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("URL %q: want http(s)://host[:port]", cfg.URL))
	}
	if !wire.ValidDevice(cfg.Device) {
		errs = append(errs, fmt.Errorf("device %q: not a valid id", cfg.Device))
	}
	if len(cfg.Key) != ed25519.PrivateKeySize {
		errs = append(errs, errors.New("key: not an Ed25519 private key"))
	}
	if cfg.Outbox == nil {
		errs = append(errs, errors.New("outbox: missing"))
	}
	if cfg.BatchSize > wire.MaxBatchPasses {
		errs = append(errs, fmt.Errorf("batch size %d over %d", cfg.BatchSize, wire.MaxBatchPasses))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("uplink: config: %w", errors.Join(errs...))
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			MaxIdleConns:          2,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
		}}
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = 30 * time.Second
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = 10 * time.Minute
	}
	if cfg.Rejoin == 0 {
		cfg.Rejoin = 10 * time.Second
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 15 * time.Second
	}
	if cfg.HealthEvery <= 0 {
		cfg.HealthEvery = time.Minute
	}
	if cfg.BundleEvery == 0 {
		cfg.BundleEvery = 10 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	base := strings.TrimRight(cfg.URL, "/")
	return &Uplink{
		cfg:     cfg,
		passes:  base + wire.PathPasses,
		bundle:  base + wire.PathBundle,
		health:  base + wire.PathHealth,
		log:     cfg.Logger,
		trigger: make(chan struct{}, 1),
		notify:  make(chan struct{}, 1),
	}, nil
}

// SyncNow asks Run to push, pull the bundle and report health now instead of
// at the next poll. It never blocks.
func (u *Uplink) SyncNow() {
	select {
	case u.trigger <- struct{}{}:
	default:
	}
}

// Notify tells Run that new passes are waiting: it pushes now instead of at
// the next poll. It never blocks; call it after each append.
func (u *Uplink) Notify() {
	select {
	case u.notify <- struct{}{}:
	default:
	}
}

// Run pushes and pulls until ctx is done, then returns ctx.Err().
func (u *Uplink) Run(ctx context.Context) error {
	failures := 0
	var bundleNext time.Time // zero: pull now
	var healthNext time.Time
	pulls := u.cfg.Install != nil && u.cfg.BundleEvery > 0
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if u.cfg.Health != nil && !u.cfg.Now().Before(healthNext) {
			if err := u.SendHealth(ctx); err != nil && ctx.Err() == nil {
				u.log.Warn("uplink: health report", "err", err)
			}
			healthNext = u.cfg.Now().Add(u.cfg.HealthEvery)
		}
		if pulls && !u.cfg.Now().Before(bundleNext) {
			wait := u.cfg.BundleEvery
			if err := u.PullBundle(ctx); errors.Is(err, ErrUnavailable) {
				wait = min(wait, bundleRetry)
			}
			bundleNext = u.cfg.Now().Add(wait)
		}
		more, wait, err := u.pushOne(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			u.setErr(err)
			d := u.cfg.Backoff.Delay(failures)
			if wait > d {
				d = wait
			}
			failures++
			u.log.Warn("uplink: push failed", "err", err, "retry_in", d, "failures", failures)
			if err := u.cfg.Sleep(ctx, d); err != nil {
				return err
			}
			continue
		}
		if failures > 0 {
			failures = 0
			bundleNext, healthNext = time.Time{}, time.Time{} // the link is back: bundle and health too
			if u.cfg.Rejoin > 0 {
				d := u.cfg.Backoff.Jitter(u.cfg.Rejoin)
				u.log.Info("uplink: hub reachable again", "delay", d)
				if err := u.cfg.Sleep(ctx, d); err != nil {
					return err
				}
			}
		}
		if more {
			continue
		}
		t := time.NewTimer(u.cfg.Poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-u.trigger:
			bundleNext, healthNext = time.Time{}, time.Time{}
		case <-u.notify:
		case <-t.C:
		}
		t.Stop()
	}
}

// bundleRetry is how soon a bundle pull that failed for want of the hub is
// tried again.
const bundleRetry = time.Minute

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
