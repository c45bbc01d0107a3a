package status

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/record"
)

// Source is the checkpoint's read-only view: its state and its live events.
// Subscribe's channel closes when ctx ends.
type Source interface {
	Snapshot() checkpoint.Snapshot
	Subscribe(ctx context.Context) <-chan checkpoint.Event
}

// Actions are what a logged-in admin may do.
type Actions interface {
	// OpenGate opens the gate once; by names who asked, for the log.
	OpenGate(ctx context.Context, by string) error
	// SyncNow asks the uplink to sync with the hub now, without waiting.
	SyncNow()
}

// PassLog is the durable pass log, read for the CSV export. Passes returns
// up to max passes from seq fromSeq on, in order (each call a short read on
// its own: the export never holds the log open while a client reads);
// LastSeq is the last sequence number logged.
type PassLog interface {
	Passes(fromSeq uint64, max int) ([]record.Pass, error)
	LastSeq() uint64
}

// Health reports what the checkpoint itself does not know: the camera, the
// uplink, the disk.
type Health interface {
	Health() HealthInfo
}

// Config configures the status server. Every zero value has a working default.
type Config struct {
	// AdminPasswordHash is the bcrypt hash of the admin password
	// (see HashPassword). Empty: login is disabled and the page says so.
	AdminPasswordHash string
	// SessionTTL is how long a session lives. Zero: 8 hours.
	SessionTTL time.Duration
	// SecureCookies sets the Secure flag on cookies even without TLS seen by
	// this server (behind a TLS-terminating proxy). Under TLS it is always set.
	SecureCookies bool
	// PrivateViews puts the page and /events behind the login.
	// /status.json and /metrics stay public for monitoring.
	PrivateViews bool
	// LoginPerClient is how many login attempts one client address may make
	// per LoginWindow. Zero: 5.
	LoginPerClient int
	// LoginGlobal is how many login attempts all clients together may make
	// per LoginWindow. Zero: 20.
	LoginGlobal int
	// LoginWindow is the rate-limit window. Zero: one minute.
	LoginWindow time.Duration
	// MaxStreams caps the open /events streams; past it, 503. Zero: 32.
	MaxStreams int
	// Language is the site's language (status.language of chotd's config):
	// the page's language unless the visitor chose one (?lang=, remembered
	// in a cookie). Empty or unsupported: the browser's Accept-Language.
	Language string
	// RefreshInterval is how often the page refreshes its tiles. Zero: 5 s.
	RefreshInterval time.Duration
	// Gatherer adds the daemon's own metrics to /metrics (nil: none).
	Gatherer prometheus.Gatherer
	// Now is the clock. Nil: time.Now.
	Now func() time.Time
	// Logger logs; nil: slog.Default().
	Logger *slog.Logger
}

// Deps are the parts the server reads and drives. Source is required; a nil
// Actions, PassLog or Health disables what needs it, and the page says so.
type Deps struct {
	Source  Source
	Actions Actions
	Log     PassLog
	Health  Health
	// RuleTexts, if set, gives a policy rule's own description by language
	// (an EU business rule's Description): the page shows it under a
	// refusal, in the page's language.
	RuleTexts RuleTexts
}

func (c *Config) setDefaults() {
	if c.SessionTTL <= 0 {
		c.SessionTTL = 8 * time.Hour
	}
	if c.LoginPerClient <= 0 {
		c.LoginPerClient = 5
	}
	if c.LoginGlobal <= 0 {
		c.LoginGlobal = 20
	}
	if c.LoginWindow <= 0 {
		c.LoginWindow = time.Minute
	}
	if c.MaxStreams <= 0 {
		c.MaxStreams = 32
	}
	if c.RefreshInterval <= 0 {
		c.RefreshInterval = 5 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}
