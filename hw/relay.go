package hw

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

// ErrBadPulse is returned for a pulse of zero or negative length.
var ErrBadPulse = errors.New("hw: relay: pulse length must be positive")

// ErrPulseCut is wrapped by the error a Pulse returns when the pulse was
// ended early by Close, by a failure, or by another caller's cancelled
// context.
var ErrPulseCut = errors.New("hw: relay: pulse cut short")

// DefaultMaxPulse bounds a pulse when RelayConfig.MaxPulse is zero.
const DefaultMaxPulse = 30 * time.Second

// RelayConfig configures a Relay. The zero value is an active-high relay,
// pulses capped at DefaultMaxPulse, the real clock, no logging.
type RelayConfig struct {
	// ActiveLow energises the coil by driving the pin low (most opto-isolated
	// relay boards). False: high energises.
	ActiveLow bool
	// MaxPulse caps the length of one energised period, extensions included.
	// Longer requests are clamped and logged. Zero means DefaultMaxPulse.
	MaxPulse time.Duration
	// Clock times the pulses; nil means the real clock.
	Clock clockwork.Clock
	// Logger receives energise/release events; nil discards.
	Logger *slog.Logger
}

// Relay drives the gate relay. It is fail-secure: it is de-energised when
// built, when a pulse ends, on Close, when a Pulse's context is cancelled, and
// whenever energising fails.
//
// Overlapping pulses extend: a pulse requested while the relay is energised
// moves the release to whichever is later, the current release or now plus
// the new length (never past the first energising plus MaxPulse). The relay
// is never released and re-energised in between, so a second pass during an
// open gate keeps it open without a click.
//
// A Relay is safe for concurrent use.
type Relay struct {
	pin     gpio.PinOut
	on, off gpio.Level
	max     time.Duration
	clock   clockwork.Clock
	log     *slog.Logger

	mu        sync.Mutex
	cur       *period // the energised period, nil when de-energised
	energised bool
}

// period is one energised stretch of the relay, from energise to release.
type period struct {
	start    time.Time
	deadline time.Time
	stop     chan struct{} // closed to end the hold goroutine without touching the pin
	done     chan struct{} // closed once released
	err      error         // why it ended early, nil for a normal release
}

// NewRelay returns the relay on pin and drives it de-energised. A failure to
// do so is logged and surfaces again on the first Open, Pulse or Close.
func NewRelay(pin gpio.PinOut, cfg RelayConfig) *Relay {
	on, off := levels(cfg.ActiveLow)
	r := &Relay{pin: pin, on: on, off: off, max: cfg.MaxPulse, clock: clockOr(cfg.Clock), log: loggerOr(cfg.Logger)}
	if r.max <= 0 {
		r.max = DefaultMaxPulse
	}
	if err := pin.Out(off); err != nil {
		r.log.Error("relay: de-energise at start", "pin", pin.String(), "err", err)
	}
	return r
}

// Open energises the relay now and releases it after d, without waiting:
// it returns once the relay is energised. During a pulse it extends the
// pulse (see Relay). It satisfies checkpoint.Gate.
func (r *Relay) Open(d time.Duration) error {
	_, err := r.open(d)
	return err
}

// Pulse energises the relay for d and returns once it is released again.
// It returns nil for a pulse that ran its length; if ctx ends first the relay
// is released at once and ctx's error is returned; a pulse cut short by Close
// or by a failure returns an error wrapping ErrPulseCut.
func (r *Relay) Pulse(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("hw: relay: %w", err)
	}
	p, err := r.open(d)
	if err != nil {
		return err
	}
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		if rerr := r.release(p, ctx.Err()); rerr != nil {
			return errors.Join(fmt.Errorf("hw: relay: %w", ctx.Err()), rerr)
		}
		return fmt.Errorf("hw: relay: %w", ctx.Err())
	}
}

// Close de-energises the relay now, ending any pulse. It works in any state
// and may be called any number of times; the relay stays usable (this is the
// fail-secure "close the gate", not a teardown). It satisfies
// checkpoint.Gate.
func (r *Relay) Close() error {
	r.mu.Lock()
	p := r.cur
	r.mu.Unlock()
	if p != nil {
		return r.release(p, errors.New("closed"))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.outOffLocked()
}

// Energised reports whether the relay is energised, for the status page.
// After a failed release it stays true: the pin's state is unknown.
func (r *Relay) Energised() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.energised
}

// open energises the relay or extends the current period, and returns the
// period.
func (r *Relay) open(d time.Duration) (*period, error) {
	if d <= 0 {
		return nil, fmt.Errorf("%w: %s", ErrBadPulse, d)
	}
	if d > r.max {
		r.log.Warn("relay: pulse clamped", "asked", d, "max", r.max)
		d = r.max
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clock.Now()
	if p := r.cur; p != nil {
		deadline := now.Add(d)
		if limit := p.start.Add(r.max); deadline.After(limit) {
			deadline = limit
		}
		if deadline.After(p.deadline) {
			p.deadline = deadline
			r.log.Debug("relay: pulse extended", "until", deadline.Sub(p.start))
		}
		return p, nil
	}
	if err := r.pin.Out(r.on); err != nil {
		err = fmt.Errorf("hw: relay: energise %s: %w", r.pin, err)
		if oerr := r.outOffLocked(); oerr != nil {
			err = errors.Join(err, oerr)
		}
		r.log.Error("relay: energise failed", "err", err)
		return nil, err
	}
	r.energised = true
	p := &period{start: now, deadline: now.Add(d), stop: make(chan struct{}), done: make(chan struct{})}
	r.cur = p
	r.log.Info("relay: energised", "for", d)
	go r.hold(p)
	return p, nil
}

// hold waits out p's deadline, which may move later, then releases.
func (r *Relay) hold(p *period) {
	for {
		r.mu.Lock()
		remain := p.deadline.Sub(r.clock.Now())
		r.mu.Unlock()
		if remain <= 0 {
			_ = r.release(p, nil)
			return
		}
		t := r.clock.NewTimer(remain)
		select {
		case <-t.Chan():
		case <-p.stop:
			t.Stop()
			return
		}
	}
}

// release de-energises the relay if p is still the current period, ending
// it with cause (nil for a pulse that ran its length).
func (r *Relay) release(p *period, cause error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur != p {
		return nil
	}
	r.cur = nil
	close(p.stop)
	err := r.outOffLocked()
	switch {
	case cause != nil && err != nil:
		p.err = fmt.Errorf("%w: %w: %w", ErrPulseCut, cause, err)
	case cause != nil:
		p.err = fmt.Errorf("%w: %w", ErrPulseCut, cause)
	case err != nil:
		p.err = fmt.Errorf("%w: %w", ErrPulseCut, err)
	}
	r.log.Info("relay: released", "after", r.clock.Since(p.start), "cause", cause)
	close(p.done)
	return err
}

// outOffLocked drives the pin de-energised and records the state.
func (r *Relay) outOffLocked() error {
	if err := r.pin.Out(r.off); err != nil {
		r.energised = true // unknown: report the worse case
		r.log.Error("relay: de-energise failed", "pin", r.pin.String(), "err", err)
		return fmt.Errorf("hw: relay: de-energise %s: %w", r.pin, err)
	}
	r.energised = false
	return nil
}
