package checkpoint

import (
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
	tc.ObserveServerTime(hub, 200*time.Millisecond)
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
