package hw

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

func newTestRelay(t *testing.T, activeLow bool) (*Relay, *recPin, *clockwork.FakeClock) {
	t.Helper()
	clk := clockwork.NewFakeClockAt(epoch)
	pin := newRecPin("RELAY", clk)
	return NewRelay(pin, RelayConfig{ActiveLow: activeLow, MaxPulse: 10 * time.Second, Clock: clk}), pin, clk
}

func TestRelayPulseLength(t *testing.T) {
	for _, tc := range []struct {
		name      string
		activeLow bool
		d         time.Duration
	}{
		{"active-high 1s", false, time.Second},
		{"active-low 1s", true, time.Second},
		{"active-high 250ms", false, 250 * time.Millisecond},
		{"clamped to max", false, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, pin, clk := newTestRelay(t, tc.activeLow)
			on, off := levels(tc.activeLow)
			want := min(tc.d, 10*time.Second)
			res := make(chan error, 1)
			go func() { res <- r.Pulse(t.Context(), tc.d) }()
			waiters(t, clk, 1)
			if got := pin.level(); got != on {
				t.Fatalf("pin during pulse = %v, want %v", got, on)
			}
			if !r.Energised() {
				t.Fatal("Energised() = false during pulse")
			}
			clk.Advance(want - time.Nanosecond)
			if got := pin.level(); got != on {
				t.Fatalf("pin 1ns before the end = %v, want %v", got, on)
			}
			clk.Advance(time.Nanosecond)
			if err := recv(t, res); err != nil {
				t.Fatalf("Pulse: %v", err)
			}
			if r.Energised() {
				t.Fatal("Energised() = true after pulse")
			}
			wantEdges := []edge{{0, off}, {0, on}, {want, off}}
			if got := pin.log(); !slices.Equal(got, wantEdges) {
				t.Fatalf("edges = %v, want %v", got, wantEdges)
			}
		})
	}
}

func TestRelayFailSecure(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cut     func(r *Relay, cancel context.CancelFunc)
		wantErr error
	}{
		{"ctx cancel", func(r *Relay, cancel context.CancelFunc) { cancel() }, context.Canceled},
		{"close", func(r *Relay, cancel context.CancelFunc) {
			if err := r.Close(); err != nil {
				panic(err)
			}
		}, ErrPulseCut},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, pin, clk := newTestRelay(t, true)
			_, off := levels(true)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			res := make(chan error, 1)
			go func() { res <- r.Pulse(ctx, time.Second) }()
			waiters(t, clk, 1)
			clk.Advance(300 * time.Millisecond)
			tc.cut(r, cancel)
			err := recv(t, res)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Pulse = %v, want %v", err, tc.wantErr)
			}
			if pin.level() != off || r.Energised() {
				t.Fatalf("after cut: pin %v energised %v, want %v false", pin.level(), r.Energised(), off)
			}
			// The release was at the cut, not at the end of the pulse.
			if got := pin.log(); got[len(got)-1] != (edge{300 * time.Millisecond, off}) {
				t.Fatalf("edges = %v, want release at 300ms", got)
			}
			// The relay stays usable after a cut.
			if err := r.Open(time.Second); err != nil {
				t.Fatalf("Open after cut: %v", err)
			}
			if !r.Energised() {
				t.Fatal("not energised after Open")
			}
			if err := r.Close(); err != nil || r.Energised() || pin.level() != off {
				t.Fatalf("Close: err %v energised %v pin %v", err, r.Energised(), pin.level())
			}
		})
	}
}

func TestRelayCancelledBeforeStart(t *testing.T) {
	r, pin, _ := newTestRelay(t, false)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := r.Pulse(ctx, time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("Pulse = %v, want context.Canceled", err)
	}
	if got := pin.log(); !slices.Equal(got, []edge{{0, gpio.Low}}) {
		t.Fatalf("edges = %v, want only the initial release", got)
	}
}

func TestRelayEnergiseFails(t *testing.T) {
	r, pin, _ := newTestRelay(t, false)
	pin.fail(true, false)
	if err := r.Open(time.Second); !errors.Is(err, errPin) {
		t.Fatalf("Open = %v, want %v", err, errPin)
	}
	if r.Energised() || pin.level() != gpio.Low {
		t.Fatalf("after failed energise: energised %v pin %v", r.Energised(), pin.level())
	}
}

func TestRelayReleaseFails(t *testing.T) {
	r, pin, clk := newTestRelay(t, false)
	res := make(chan error, 1)
	go func() { res <- r.Pulse(t.Context(), time.Second) }()
	waiters(t, clk, 1)
	pin.fail(false, true)
	clk.Advance(time.Second)
	if err := recv(t, res); !errors.Is(err, ErrPulseCut) || !errors.Is(err, errPin) {
		t.Fatalf("Pulse = %v, want ErrPulseCut wrapping %v", err, errPin)
	}
	if !r.Energised() {
		t.Fatal("Energised() = false after a failed release: the status page must show the worse case")
	}
	pin.fail(false, false)
	if err := r.Close(); err != nil || r.Energised() {
		t.Fatalf("Close after repair: err %v energised %v", err, r.Energised())
	}
}

func TestRelayOverlapExtends(t *testing.T) {
	r, pin, clk := newTestRelay(t, false)
	if err := r.Open(time.Second); err != nil {
		t.Fatal(err)
	}
	waiters(t, clk, 1)
	clk.Advance(600 * time.Millisecond)
	// Shorter than what is left: no change.
	if err := r.Open(100 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	// Ends later than the first: extends to 600ms+1s.
	if err := r.Open(time.Second); err != nil {
		t.Fatal(err)
	}
	clk.Advance(400 * time.Millisecond) // the first deadline: re-arms
	if !r.Energised() {
		t.Fatal("released at the first deadline despite the extension")
	}
	waiters(t, clk, 1)
	clk.Advance(600 * time.Millisecond)
	want := []edge{{0, gpio.Low}, {0, gpio.High}, {1600 * time.Millisecond, gpio.Low}}
	for r.Energised() {
		waitRelease(t, r)
	}
	if got := pin.log(); !slices.Equal(got, want) {
		t.Fatalf("edges = %v, want %v", got, want)
	}
}

// waitRelease waits for the relay's current period to end.
func waitRelease(t *testing.T, r *Relay) {
	t.Helper()
	r.mu.Lock()
	p := r.cur
	r.mu.Unlock()
	if p != nil {
		recv(t, p.done)
	}
}

func TestRelayBadPulse(t *testing.T) {
	r, _, _ := newTestRelay(t, false)
	for _, d := range []time.Duration{0, -time.Second} {
		if err := r.Open(d); !errors.Is(err, ErrBadPulse) {
			t.Errorf("Open(%v) = %v, want ErrBadPulse", d, err)
		}
	}
}
