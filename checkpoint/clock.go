package checkpoint

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/chot-dev/chot/record"
)

// ClockOptions tune TrustedClock. Zero values mean the defaults given.
type ClockOptions struct {
	// Floor is a time the clock can never be before: the build time of the
	// software. Zero: none.
	Floor time.Time
	// SyncedFor is how long a time learnt from the hub counts as synced;
	// after it the time is estimated. Default 24 h.
	SyncedFor time.Duration
	// MaxAhead is how far the wall clock may run ahead of the last known good
	// time before it is distrusted (a board that booted into the future).
	// Default 400 days: a checkpoint may stay offline for a season.
	MaxAhead time.Duration
	// MaxStep is how far one unsigned answer (the hub's server_time) may move
	// the time away from a trusted estimate (synced or estimated) on its own.
	// Default 2 minutes.
	MaxStep time.Duration
	// Agree is how many answers in a row must agree with each other (within
	// AgreeWithin, measured on the monotonic clock) before the time moves
	// farther than MaxStep, or is first set on a clock that has no trusted
	// estimate, unless the board's wall clock agrees with them (within
	// MaxStep). Default 3.
	Agree int
	// AgreeWithin is how far agreeing answers may differ. Default 5 s.
	AgreeWithin time.Duration
	// Logger receives the clock's moves and refusals. nil discards.
	Logger *slog.Logger
}

// TrustedClock is the checkpoint's time on a board without a real-time
// clock. It never believes a time earlier than the last known good time,
// learns time from the hub's answers and from the issue time of trust
// bundles, and says how far its time can be trusted:
//
//   - synced: anchored to the hub's time within SyncedFor, carried forward
//     on the monotonic clock;
//   - estimated: the wall clock, which is not before the last known good
//     time nor implausibly far after it;
//   - untrusted: no anchor, and the wall clock is before the last known good
//     time (a board that booted in 1970 or from an old saved time) or far
//     ahead of it. The time used is then the last known good time plus the
//     uptime: a lower bound.
//
// The hub's server_time is not signed (and may come over plain http), so one
// answer cannot move the time far: an answer within MaxStep of a trusted
// estimate is taken at once; anything else waits until Agree answers in a row
// agree. A trust bundle's issue time is signed by a pinned root, so it raises
// the last known good time on its own. The last known good time never goes
// down by itself; a technician resets it with `chotd -reset-clock` (see
// cmd/chotd), which is logged.
//
// Every state carries how far the board's wall clock is from the time used
// (ClockState.WallOffsetMS), so a wrong board clock shows even while synced.
//
// Persisting the last known good time (an fsync) happens outside the mutex
// that Now takes: a hub answer never makes a decision wait for the disk.
type TrustedClock struct {
	clock Clock
	store TimeStore
	opts  ClockOptions
	log   *slog.Logger

	mu         sync.Mutex
	lastKnown  time.Time
	saved      time.Time // the last value the store accepted
	anchored   bool
	anchorWall time.Time
	anchorUp   time.Duration
	lastSync   time.Time
	// pending holds the implied boot times (server time minus uptime) of
	// the answers waiting for agreement, oldest first.
	pending []time.Time
	note    string // why the last answer was not taken, for the page

	saveMu sync.Mutex // serialises writes to store; never held with mu
}

// NewTrustedClock reads the last known good time from store.
func NewTrustedClock(c Clock, store TimeStore, opts ClockOptions) *TrustedClock {
	if opts.SyncedFor <= 0 {
		opts.SyncedFor = 24 * time.Hour
	}
	if opts.MaxAhead <= 0 {
		opts.MaxAhead = 400 * 24 * time.Hour
	}
	if opts.MaxStep <= 0 {
		opts.MaxStep = 2 * time.Minute
	}
	if opts.Agree <= 0 {
		opts.Agree = 3
	}
	if opts.AgreeWithin <= 0 {
		opts.AgreeWithin = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	tc := &TrustedClock{clock: c, store: store, opts: opts, log: opts.Logger}
	if store != nil {
		tc.lastKnown = store.KnownTime()
		tc.saved = tc.lastKnown
	}
	return tc
}

// Now returns the best time and its state.
func (c *TrustedClock) Now() (time.Time, ClockState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *TrustedClock) nowLocked() (time.Time, ClockState) {
	t, st := c.estimateLocked()
	st.WallOffsetMS = c.clock.Now().Sub(t).Milliseconds()
	if c.note != "" {
		st.Detail += "; " + c.note
	}
	return t, st
}

func (c *TrustedClock) estimateLocked() (time.Time, ClockState) {
	up := c.clock.Uptime()
	lk := c.lastKnown
	if lk.Before(c.opts.Floor) {
		lk = c.opts.Floor
	}
	st := ClockState{LastKnown: c.lastKnown, LastSync: c.lastSync}
	if c.anchored {
		since := up - c.anchorUp
		t := c.anchorWall.Add(since)
		behind := lk.Sub(t)
		if t.Before(lk) {
			t = lk
		}
		st.Now = t
		switch {
		case behind > c.opts.MaxStep:
			// The hub agrees on a time well before the last known good
			// time: one of them is wrong, and only a person can say which.
			st.State = record.ClockUntrusted
			st.Detail = fmt.Sprintf("the hub's time is %s behind the last known good time: check the hub, or reset the clock (chotd -reset-clock)", behind.Round(time.Second))
		case since <= c.opts.SyncedFor:
			st.State = record.ClockSynced
			st.Detail = "time from the hub"
		default:
			st.State = record.ClockEstimated
			st.Detail = fmt.Sprintf("last hub time %s ago", since.Round(time.Minute))
		}
		return t, st
	}
	wall := c.clock.Now()
	switch {
	case lk.IsZero():
		st.State = record.ClockUntrusted
		st.Detail = "no known good time yet: waiting for the hub or a trust bundle"
		st.Now = wall
	case wall.Before(lk):
		st.State = record.ClockUntrusted
		st.Detail = fmt.Sprintf("wall clock %s is before the last known good time", wall.UTC().Format(time.RFC3339))
		st.Now = lk.Add(up)
	case wall.Sub(lk) > c.opts.MaxAhead:
		st.State = record.ClockUntrusted
		st.Detail = fmt.Sprintf("wall clock %s is implausibly far ahead of the last known good time", wall.UTC().Format(time.RFC3339))
		st.Now = lk.Add(up)
	default:
		st.State = record.ClockEstimated
		st.Detail = "wall clock, not confirmed by the hub"
		st.Now = wall
	}
	return st.Now, st
}

// ObserveServerTime offers the hub's time, measured with the round-trip time
// of the request that carried it. It anchors the clock when the answer is
// within MaxStep of a trusted estimate, or when Agree answers in a row agree;
// otherwise it keeps the answer waiting. It reports whether the clock took it.
func (c *TrustedClock) ObserveServerTime(server time.Time, rtt time.Duration) bool {
	t := server.Add(rtt / 2)
	c.mu.Lock()
	up := c.clock.Uptime()
	cur, st := c.nowLocked()
	step := t.Sub(cur)
	took, why := false, ""
	wallStep := t.Sub(c.clock.Now())
	switch {
	case st.State != record.ClockUntrusted && abs(step) <= c.opts.MaxStep:
		took, why = true, "within the step"
	case abs(wallStep) <= c.opts.MaxStep && !t.Before(c.lastKnown.Add(-c.opts.MaxStep)):
		// The board's own wall clock agrees: two sources, not one.
		took, why = true, "the wall clock agrees"
	default:
		boot := t.Add(-up)
		if len(c.pending) > 0 && abs(boot.Sub(c.pending[0])) > c.opts.AgreeWithin {
			c.pending = c.pending[:0] // disagrees with the answers so far: start again
		}
		c.pending = append(c.pending, boot)
		if len(c.pending) >= c.opts.Agree {
			took, why = true, fmt.Sprintf("%d answers agree", len(c.pending))
		} else {
			c.note = fmt.Sprintf("the hub's time differs by %s: waiting for %d answers that agree (%d so far)",
				step.Round(time.Second), c.opts.Agree, len(c.pending))
		}
	}
	if took {
		c.pending, c.note = c.pending[:0], ""
		c.anchored = true
		c.anchorWall = t
		c.anchorUp = up
		c.lastSync = t
		c.raiseLocked(t)
	}
	note := c.note
	c.mu.Unlock()
	switch {
	case took && abs(step) > c.opts.MaxStep:
		c.log.Warn("clock: moved to the hub's time", "step", step.Round(time.Millisecond), "why", why, "time", t.UTC())
	case !took:
		c.log.Warn("clock: hub time not taken yet", "step", step.Round(time.Millisecond), "detail", note)
	}
	if took {
		c.persist()
	}
	return took
}

// ObserveLowerBound learns that the time is at least t: a trust bundle's
// issue time, signed by a pinned root.
func (c *TrustedClock) ObserveLowerBound(t time.Time) {
	c.mu.Lock()
	raised := c.raiseLocked(t)
	c.mu.Unlock()
	if raised {
		c.persist()
	}
}

// raiseLocked raises the last known good time in memory; persist writes it.
func (c *TrustedClock) raiseLocked(t time.Time) bool {
	if t.After(c.lastKnown) {
		c.lastKnown = t
		return true
	}
	return false
}

// persist writes the last known good time to the store if it moved. The
// write (an fsync) happens without c.mu, so Now never waits on the disk.
func (c *TrustedClock) persist() error {
	if c.store == nil {
		return nil
	}
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	c.mu.Lock()
	t, saved := c.lastKnown, c.saved
	c.mu.Unlock()
	if !t.After(saved) {
		return nil
	}
	if err := c.store.SetKnownTime(t); err != nil {
		c.log.Error("clock: save the last known good time", "err", err)
		return fmt.Errorf("checkpoint: save known time: %w", err)
	}
	c.mu.Lock()
	if t.After(c.saved) {
		c.saved = t
	}
	c.mu.Unlock()
	return nil
}

// Save persists the current time as the last known good time, unless it is
// untrusted. Call it periodically and at shutdown so a reboot never goes back
// in time.
func (c *TrustedClock) Save() error {
	c.mu.Lock()
	t, st := c.nowLocked()
	if st.State != record.ClockUntrusted {
		c.raiseLocked(t)
	}
	c.mu.Unlock()
	return c.persist()
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
