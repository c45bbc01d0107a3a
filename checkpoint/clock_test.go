package checkpoint

import (
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/record"
)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestTrustedClockBoot(t *testing.T) {
	lastKnown := mustTime("2021-10-01T08:00:00Z")
	floor := mustTime("2021-06-01T00:00:00Z")
	tests := []struct {
		name      string
		wall      time.Time
		lastKnown time.Time
		up        time.Duration
		state     string
		want      time.Time
	}{
		{"booted in 1970", time.Unix(0, 0), lastKnown, 90 * time.Second, record.ClockUntrusted, lastKnown.Add(90 * time.Second)},
		{"behind the last known time", lastKnown.Add(-48 * time.Hour), lastKnown, time.Minute, record.ClockUntrusted, lastKnown.Add(time.Minute)},
		{"far in the future", mustTime("2099-01-01T00:00:00Z"), lastKnown, time.Minute, record.ClockUntrusted, lastKnown.Add(time.Minute)},
		{"plausibly after", lastKnown.Add(72 * time.Hour), lastKnown, time.Minute, record.ClockEstimated, lastKnown.Add(72 * time.Hour)},
		{"never known, before the build", time.Unix(0, 0), time.Time{}, time.Minute, record.ClockUntrusted, floor.Add(time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bc := &manualClock{wall: tt.wall, up: tt.up}
			tc := NewTrustedClock(bc, &memTime{t: tt.lastKnown}, ClockOptions{Floor: floor})
			got, st := tc.Now()
			if st.State != tt.state || !got.Equal(tt.want) {
				t.Errorf("Now() = %s %s (%s), want %s %s", got, st.State, st.Detail, tt.want, tt.state)
			}
			if st.Detail == "" {
				t.Errorf("state %s has no explanation for the status page", st.State)
			}
		})
	}
}

func TestTrustedClockLearnsFromHub(t *testing.T) {
	store := &memTime{t: mustTime("2021-10-01T08:00:00Z")}
	bc := &manualClock{wall: time.Unix(0, 0), up: 10 * time.Second}
	tc := NewTrustedClock(bc, store, ClockOptions{SyncedFor: time.Hour})
	if _, st := tc.Now(); st.State != record.ClockUntrusted {
		t.Fatalf("before sync: %s, want untrusted", st.State)
	}
	hub := mustTime("2021-10-05T12:00:00Z")
	// The wall clock (1970) cannot confirm the hub: three answers must agree.
	for i := range 3 {
		if took := tc.ObserveServerTime(hub, 200*time.Millisecond); took != (i == 2) {
			t.Fatalf("answer %d taken=%v, want only the third", i+1, took)
		}
	}
	got, st := tc.Now()
	if st.State != record.ClockSynced || !got.Equal(hub.Add(100*time.Millisecond)) {
		t.Fatalf("after sync: %s %s, want %s synced", got, st.State, hub.Add(100*time.Millisecond))
	}
	bc.advance(30 * time.Minute)
	got, st = tc.Now()
	if st.State != record.ClockSynced || !got.Equal(hub.Add(30*time.Minute+100*time.Millisecond)) {
		t.Errorf("30 min later: %s %s: the anchor must run on the monotonic clock", got, st.State)
	}
	bc.advance(2 * time.Hour)
	if _, st = tc.Now(); st.State != record.ClockEstimated {
		t.Errorf("after SyncedFor: %s, want estimated", st.State)
	}
	if err := tc.Save(); err != nil {
		t.Fatal(err)
	}
	if want := hub.Add(150*time.Minute + 100*time.Millisecond); !store.KnownTime().Equal(want) {
		t.Errorf("saved %s, want %s", store.KnownTime(), want)
	}
}

func TestTrustedClockNeverGoesBack(t *testing.T) {
	store := &memTime{}
	bc := &manualClock{wall: mustTime("2022-03-01T00:00:00Z"), up: time.Second}
	tc := NewTrustedClock(bc, store, ClockOptions{})
	tc.ObserveLowerBound(mustTime("2022-02-01T00:00:00Z")) // a bundle's issue time
	if _, st := tc.Now(); st.State != record.ClockEstimated {
		t.Fatalf("wall after the bundle: %s, want estimated", st.State)
	}
	tc.ObserveLowerBound(mustTime("2022-04-01T00:00:00Z")) // a newer bundle: the wall clock is behind it
	got, st := tc.Now()
	if st.State != record.ClockUntrusted || got.Before(mustTime("2022-04-01T00:00:00Z")) {
		t.Errorf("wall behind a bundle's issue time: %s %s, want untrusted and not before the bundle", got, st.State)
	}
	if err := tc.Save(); err != nil {
		t.Fatal(err)
	}
	if !store.KnownTime().Equal(mustTime("2022-04-01T00:00:00Z")) {
		t.Errorf("an untrusted time was saved: %s", store.KnownTime())
	}
	// A hub answer earlier than the known time does not move the clock back.
	tc.ObserveServerTime(mustTime("2022-03-15T00:00:00Z"), 0)
	if got, _ := tc.Now(); got.Before(mustTime("2022-04-01T00:00:00Z")) {
		t.Errorf("hub time behind the last known good time moved the clock back to %s", got)
	}
}

// TestClockOneAnswerCannotPushFar: one wrong hub answer (unsigned JSON, maybe
// over plain http) a year ahead does not move the time nor the persisted last
// known good time; answers that agree with the estimate still are taken.
func TestClockOneAnswerCannotPushFar(t *testing.T) {
	now := mustTime("2026-11-01T08:00:00Z")
	store := &memTime{t: now.Add(-time.Hour)}
	bc := &manualClock{wall: now, up: time.Minute}
	tc := NewTrustedClock(bc, store, ClockOptions{})
	if !tc.ObserveServerTime(now.Add(time.Second), 0) {
		t.Fatal("an answer agreeing with the wall clock was not taken")
	}
	if took := tc.ObserveServerTime(now.AddDate(1, 0, 0), 0); took {
		t.Error("one answer a year ahead was taken")
	}
	got, st := tc.Now()
	if st.State != record.ClockSynced || got.Sub(now) > time.Minute {
		t.Errorf("after a wrong answer: %s %s, want synced near %s", got, st.State, now)
	}
	if !strings.Contains(st.Detail, "waiting") {
		t.Errorf("detail %q does not say an answer is waiting", st.Detail)
	}
	if k := store.KnownTime(); k.Sub(now) > time.Minute {
		t.Errorf("persisted last known time %s: pushed by one answer", k)
	}
	bc.advance(30 * time.Second)
	if !tc.ObserveServerTime(now.Add(30*time.Second), 0) {
		t.Error("a good answer after the wrong one was not taken")
	}
	if got, _ := tc.Now(); got.Sub(now) > time.Minute {
		t.Errorf("time %s after the good answer", got)
	}
}

// TestClockFarMoveNeedsAgreement: a far move is taken only after Agree
// answers in a row agree on the monotonic clock; one that disagrees starts
// the count again.
func TestClockFarMoveNeedsAgreement(t *testing.T) {
	last := mustTime("2026-10-01T08:00:00Z")
	hub := last.Add(48 * time.Hour)
	tests := []struct {
		name    string
		answers []time.Duration // offsets from hub, one answer per 10 s of uptime
		took    []bool
	}{
		{"three agree", []time.Duration{0, 0, 0}, []bool{false, false, true}},
		{"drift within tolerance", []time.Duration{0, 2 * time.Second, -2 * time.Second}, []bool{false, false, true}},
		{"a disagreeing one restarts the count", []time.Duration{0, time.Hour, time.Hour, time.Hour}, []bool{false, false, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bc := &manualClock{wall: time.Unix(0, 0), up: time.Minute} // booted in 1970
			store := &memTime{t: last}
			tc := NewTrustedClock(bc, store, ClockOptions{})
			for i, off := range tt.answers {
				if got := tc.ObserveServerTime(hub.Add(off).Add(time.Duration(i)*10*time.Second), 0); got != tt.took[i] {
					t.Fatalf("answer %d: taken=%v, want %v", i+1, got, tt.took[i])
				}
				if i < len(tt.answers)-1 {
					if _, st := tc.Now(); st.State != record.ClockUntrusted {
						t.Fatalf("answer %d: state %s before agreement, want untrusted", i+1, st.State)
					}
					if !store.KnownTime().Equal(last) {
						t.Fatalf("answer %d: last known time moved to %s before agreement", i+1, store.KnownTime())
					}
				}
				bc.advance(10 * time.Second)
			}
			if _, st := tc.Now(); st.State != record.ClockSynced {
				t.Errorf("after agreement: %s, want synced", st.State)
			}
			if store.KnownTime().Before(hub) {
				t.Errorf("last known time %s not raised after agreement", store.KnownTime())
			}
		})
	}
}

// TestClockHubBehindLastKnown: a hub that agrees on a time well before the
// last known good time (which a past mistake pushed ahead) leaves the clock
// untrusted and the page says how to reset it.
func TestClockHubBehindLastKnown(t *testing.T) {
	wrong := mustTime("2027-06-01T00:00:00Z")
	hub := mustTime("2026-11-01T08:00:00Z")
	bc := &manualClock{wall: hub, up: time.Minute}
	tc := NewTrustedClock(bc, &memTime{t: wrong}, ClockOptions{})
	for range 3 {
		tc.ObserveServerTime(hub, 0)
	}
	got, st := tc.Now()
	if st.State != record.ClockUntrusted || got.Before(wrong) {
		t.Errorf("%s %s, want untrusted and not before the last known time", got, st.State)
	}
	if !strings.Contains(st.Detail, "reset-clock") {
		t.Errorf("detail %q does not say how to reset", st.Detail)
	}
}

// blockingTime is a TimeStore whose writes block until released, like an
// fsync on a slow SD card.
type blockingTime struct {
	memTime
	entered chan struct{}
	release chan struct{}
}

func (b *blockingTime) SetKnownTime(t time.Time) error {
	b.entered <- struct{}{}
	<-b.release
	return b.memTime.SetKnownTime(t)
}

// TestClockPersistDoesNotBlockNow: while the last known time is being written,
// decisions (Now) go on.
func TestClockPersistDoesNotBlockNow(t *testing.T) {
	now := mustTime("2026-11-01T08:00:00Z")
	store := &blockingTime{memTime: memTime{t: now.Add(-time.Hour)}, entered: make(chan struct{}), release: make(chan struct{})}
	tc := NewTrustedClock(&manualClock{wall: now, up: time.Minute}, store, ClockOptions{})
	go tc.ObserveServerTime(now, 0)
	<-store.entered // the write is in progress
	done := make(chan ClockState)
	go func() { _, st := tc.Now(); done <- st }()
	select {
	case st := <-done:
		if st.State != record.ClockSynced {
			t.Errorf("state %s during the write, want synced", st.State)
		}
	case <-time.After(5 * time.Second):
		t.Error("Now blocked behind the write of the last known time")
		close(store.release)
		<-done
		return
	}
	close(store.release)
}

// TestClockShowsWallOffset: the state says how far the board's own wall clock
// is from the time in use, in every state, so that a wrong board clock shows
// on the page even while the hub's time is used.
func TestClockShowsWallOffset(t *testing.T) {
	lastKnown := mustTime("2021-10-01T08:00:00Z")
	hub := mustTime("2021-10-05T12:00:00Z")
	year := 365 * 24 * time.Hour
	tests := []struct {
		name  string
		wall  time.Time
		sync  bool          // the hub's time was taken (with the wall clock agreeing) before the jump
		jump  time.Duration // the wall clock's jump after that
		state string
		want  time.Duration
	}{
		{"estimated: the wall clock is the time", lastKnown.Add(time.Hour), false, 0, record.ClockEstimated, 0},
		{"booted in 1970", time.Unix(0, 0), false, 0, record.ClockUntrusted, time.Unix(0, 0).Sub(lastKnown.Add(time.Minute))},
		{"synced, wall clock agrees", hub, true, 0, record.ClockSynced, 0},
		{"synced, wall clock a year ahead", hub, true, year, record.ClockSynced, year},
		{"synced, wall clock a year behind", hub, true, -year, record.ClockSynced, -year},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bc := &manualClock{wall: tt.wall, up: time.Minute}
			tc := NewTrustedClock(bc, &memTime{t: lastKnown}, ClockOptions{})
			if tt.sync && !tc.ObserveServerTime(hub, 0) {
				t.Fatal("the hub's time, confirmed by the wall clock, was not taken")
			}
			before, _ := tc.Now()
			bc.mu.Lock()
			bc.wall = bc.wall.Add(tt.jump)
			bc.mu.Unlock()
			got, st := tc.Now()
			if st.State != tt.state {
				t.Fatalf("state %s (%s), want %s", st.State, st.Detail, tt.state)
			}
			if tt.sync && !got.Equal(before) {
				t.Errorf("the wall clock's jump moved the synced time from %s to %s", before, got)
			}
			if want := tt.want.Milliseconds(); st.WallOffsetMS != want {
				t.Errorf("wall offset %d ms, want %d ms", st.WallOffsetMS, want)
			}
		})
	}
}
