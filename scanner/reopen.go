package scanner

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Health is a source's state for the status page.
type Health struct {
	State     string    `json:"state"` // "open", "reopening", "closed"
	FPS       float64   `json:"fps"`   // frames a second, smoothed
	Frames    uint64    `json:"frames"`
	LastFrame time.Time `json:"last_frame"`
	Errors    uint64    `json:"errors"`
	LastError string    `json:"last_error,omitempty"`
	Reopens   uint64    `json:"reopens"`
}

// Source states in Health.
const (
	StateOpen      = "open"
	StateReopening = "reopening"
	StateClosed    = "closed"
)

// ReopenOptions tune a Reopener. Zero values: backoff from 250 ms doubling to
// 5 s, time.Now, slog.Default.
type ReopenOptions struct {
	MinBackoff, MaxBackoff time.Duration
	Now                    func() time.Time
	// Sleep waits between attempts; nil waits on a real timer. Tests
	// replace it to run without waiting.
	Sleep  func(ctx context.Context, d time.Duration) error
	Logger *slog.Logger
}

// Reopener keeps a Source going across failures: when Next fails (a USB
// camera unplugged), it closes the source and opens a new one with open,
// waiting with exponential backoff between attempts, until ctx is done. It
// reports its health. Next and Close are for one goroutine; Health may be
// called from any.
type Reopener struct {
	open    func() (Source, error)
	opts    ReopenOptions
	src     Source
	backoff time.Duration

	mu     sync.Mutex
	health Health
}

var _ Source = (*Reopener)(nil)

// NewReopener returns a Reopener over the sources open makes. It opens the
// first one on the first call to Next.
func NewReopener(open func() (Source, error), opts ReopenOptions) *Reopener {
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 250 * time.Millisecond
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(opts.MinBackoff, 5*time.Second)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Reopener{open: open, opts: opts, health: Health{State: StateReopening}}
}

// Health returns a copy of the current health.
func (r *Reopener) Health() Health {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.health
}

// Next returns the next frame, reopening the source as often as needed. It
// returns only a frame, ctx's error, ErrClosed, or io.EOF from a source that
// ended (a video file played to its end is not a fault).
func (r *Reopener) Next(ctx context.Context) (Frame, error) {
	for {
		if err := ctx.Err(); err != nil {
			return Frame{}, err
		}
		r.mu.Lock()
		closed := r.health.State == StateClosed
		r.mu.Unlock()
		if closed {
			return Frame{}, ErrClosed
		}
		if r.src == nil {
			src, err := r.open()
			if err != nil {
				r.fail(err)
				if err := r.wait(ctx); err != nil {
					return Frame{}, err
				}
				continue
			}
			r.src = src
			r.mu.Lock()
			r.health.State = StateOpen
			r.mu.Unlock()
		}
		f, err := r.src.Next(ctx)
		switch {
		case err == nil:
			r.backoff = 0
			r.frame(f)
			return f, nil
		case ctx.Err() != nil:
			return Frame{}, ctx.Err()
		case errors.Is(err, io.EOF):
			return Frame{}, err
		}
		r.fail(err)
		r.src.Close()
		r.src = nil
		if err := r.wait(ctx); err != nil {
			return Frame{}, err
		}
	}
}

// Close closes the current source; Next then returns ErrClosed.
func (r *Reopener) Close() error {
	r.mu.Lock()
	r.health.State = StateClosed
	r.mu.Unlock()
	if r.src == nil {
		return nil
	}
	err := r.src.Close()
	r.src = nil
	return err
}

func (r *Reopener) frame(f Frame) {
	at := f.At
	if at.IsZero() {
		at = r.opts.Now()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.health.LastFrame.IsZero() {
		if dt := at.Sub(r.health.LastFrame).Seconds(); dt > 0 {
			fps := 1 / dt
			if r.health.FPS == 0 {
				r.health.FPS = fps
			} else {
				r.health.FPS += 0.1 * (fps - r.health.FPS)
			}
		}
	}
	r.health.Frames++
	r.health.LastFrame = at
}

func (r *Reopener) fail(err error) {
	r.mu.Lock()
	first := r.health.State == StateOpen
	r.health.State = StateReopening
	r.health.Errors++
	r.health.LastError = err.Error()
	r.health.FPS = 0
	r.mu.Unlock()
	if first {
		r.opts.Logger.Warn("scanner: source failed; reopening", "err", err)
	}
}

// wait sleeps the current backoff and doubles it.
func (r *Reopener) wait(ctx context.Context) error {
	r.backoff = min(max(2*r.backoff, r.opts.MinBackoff), r.opts.MaxBackoff)
	if err := r.opts.Sleep(ctx, r.backoff); err != nil {
		return err
	}
	r.mu.Lock()
	r.health.Reopens++
	r.mu.Unlock()
	return nil
}
