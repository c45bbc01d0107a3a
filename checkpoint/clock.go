package checkpoint

import (
	"fmt"
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
type TrustedClock struct {
	clock Clock
	store TimeStore
	opts  ClockOptions

	mu         sync.Mutex
	lastKnown  time.Time
	anchored   bool
	anchorWall time.Time
	anchorUp   time.Duration
	lastSync   time.Time
}

// NewTrustedClock reads the last known good time from store.
func NewTrustedClock(c Clock, store TimeStore, opts ClockOptions) *TrustedClock {
	if opts.SyncedFor <= 0 {
		opts.SyncedFor = 24 * time.Hour
	}
	if opts.MaxAhead <= 0 {
		opts.MaxAhead = 400 * 24 * time.Hour
	}
	tc := &TrustedClock{clock: c, store: store, opts: opts}
	if store != nil {
		tc.lastKnown = store.KnownTime()
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
	up := c.clock.Uptime()
	lk := c.lastKnown
	if lk.Before(c.opts.Floor) {
		lk = c.opts.Floor
	}
	st := ClockState{LastKnown: c.lastKnown, LastSync: c.lastSync}
	if c.anchored {
		since := up - c.anchorUp
		t := c.anchorWall.Add(since)
		if t.Before(lk) {
			t = lk
		}
		st.Now = t
		if since <= c.opts.SyncedFor {
			st.State = record.ClockSynced
			st.Detail = "time from the hub"
		} else {
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

// ObserveServerTime anchors the clock to the hub's time, measured with the
// round-trip time of the request that carried it.
func (c *TrustedClock) ObserveServerTime(server time.Time, rtt time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := server.Add(rtt / 2)
	c.anchored = true
	c.anchorWall = t
	c.anchorUp = c.clock.Uptime()
	c.lastSync = t
	c.raiseLocked(t)
}

// ObserveLowerBound learns that the time is at least t: a trust bundle's
// issue time, for one.
func (c *TrustedClock) ObserveLowerBound(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.raiseLocked(t)
}

func (c *TrustedClock) raiseLocked(t time.Time) {
	if t.After(c.lastKnown) {
		c.lastKnown = t
		if c.store != nil {
			// Best effort here; Save reports errors.
			_ = c.store.SetKnownTime(t)
		}
	}
}

// Save persists the current time as the last known good time, unless it is
// untrusted. Call it periodically and at shutdown so a reboot never goes back
// in time.
func (c *TrustedClock) Save() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, st := c.nowLocked()
	if st.State == record.ClockUntrusted || !t.After(c.lastKnown) {
		return nil
	}
	c.lastKnown = t
	if c.store == nil {
		return nil
	}
	if err := c.store.SetKnownTime(t); err != nil {
		return fmt.Errorf("checkpoint: save known time: %w", err)
	}
	return nil
}
