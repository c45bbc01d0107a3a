package store

import (
	"io"
	"log/slog"
	"time"
)

// Defaults applied to zero Options fields.
const (
	DefaultMaxSize   = 1 << 30             // 1 GiB
	DefaultRetention = 90 * 24 * time.Hour // 90 days
	DefaultMaxBatch  = 512
	DefaultTimeout   = 2 * time.Second
)

// Options configures Open. The zero value is a sensible device default.
type Options struct {
	// MaxSize caps the file in bytes. 0 means DefaultMaxSize (1 GiB); a
	// negative value means no cap (not for 32-bit ARM: bbolt panics near
	// 2 GiB there). Appends beyond the cap fail with ErrFull.
	MaxSize int64

	// Retention is how long acknowledged records are kept before Prune
	// removes them. 0 means DefaultRetention (90 days); a negative value keeps
	// acknowledged records until the store is full.
	Retention time.Duration

	// Logger receives the store's few events (recovery, full). nil discards.
	Logger *slog.Logger

	// MaxBatch caps how many queued appends one transaction commits. 0 means
	// DefaultMaxBatch.
	MaxBatch int

	// Timeout is how long Open waits for the file lock held by another
	// process before it returns ErrLocked. 0 means DefaultTimeout; a negative
	// value waits forever.
	Timeout time.Duration

	// ReadOnly opens an existing file with a shared lock for inspection and
	// export: nothing is created, repaired or moved aside (a corrupt file
	// gives ErrCorrupt), and writing methods return ErrReadOnly.
	ReadOnly bool

	// FullCheck makes Open run bbolt's full consistency check (it reads
	// every page: minutes for 1 GiB on an SD card) even after a clean
	// shutdown. Without it Open checks fully only after an unclean one.
	FullCheck bool

	// Now is the clock used to name a corrupt file moved aside and to stamp
	// Status events. nil means time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.MaxSize == 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = DefaultMaxBatch
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
