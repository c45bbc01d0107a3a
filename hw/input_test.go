package hw

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

const testDebounce = 50 * time.Millisecond

// inputRig runs an Input on a gpiotest.Pin with an unbuffered edge channel,
// so each edge sent is handed to WaitForEdge before the send returns.
//
// The fake clock counts gpiotest's WaitForEdge timeouts as waiters until they
// expire, even once an edge has answered the wait. With Poll an hour (never
// reached), before burst j there are j+1 poll waits registered, and after k
// edges of a burst there are k debounce waits more: polls+k in all.
type inputRig struct {
	t      *testing.T
	clk    *clockwork.FakeClock
	pin    *gpiotest.Pin
	in     *Input
	events chan Event
	done   chan error
	cancel context.CancelFunc
	polls  int // poll waits registered and not expired
}

func newInputRig(t *testing.T, activeLow bool, idle gpio.Level) *inputRig {
	t.Helper()
	clk := clockwork.NewFakeClockAt(epoch)
	pin := &gpiotest.Pin{N: "DOOR", Clock: clk, EdgesChan: make(chan gpio.Level), L: idle}
	in := NewInput(pin, InputConfig{Name: InputDoor, ActiveLow: activeLow, Debounce: testDebounce, Poll: time.Hour, Clock: clk})
	ctx, cancel := context.WithCancel(t.Context())
	r := &inputRig{t: t, clk: clk, pin: pin, in: in, events: make(chan Event, 16), done: make(chan error, 1), cancel: cancel, polls: 1}
	go func() { r.done <- in.Run(ctx, func(e Event) { r.events <- e }) }()
	t.Cleanup(func() {
		waiters(t, clk, r.polls) // Run is back waiting for an edge
		cancel()
		clk.Advance(2 * time.Hour)
		recv(t, r.done)
	})
	// gpiotest's In drains EdgesChan: send nothing before Run's first wait.
	waiters(t, clk, 1)
	return r
}

// burst sends edges, gap apart, then lets the level settle for the debounce.
// Edge i's debounce wait expires at i*gap+debounce; those already expired no
// longer count as waiters.
func (r *inputRig) burst(gap time.Duration, levels ...gpio.Level) {
	r.t.Helper()
	alive := func(now time.Duration, n int) int {
		c := 0
		for i := range n {
			if time.Duration(i)*gap+testDebounce > now {
				c++
			}
		}
		return c
	}
	for i, l := range levels {
		if i > 0 && gap > 0 {
			waiters(r.t, r.clk, r.polls+alive(time.Duration(i-1)*gap, i))
			r.clk.Advance(gap)
		}
		r.pin.EdgesChan <- l
	}
	n := len(levels)
	waiters(r.t, r.clk, r.polls+alive(time.Duration(n-1)*gap, n))
	r.clk.Advance(testDebounce)
	r.polls++
}

func TestInputDebounce(t *testing.T) {
	H, L := gpio.High, gpio.Low
	type burst struct {
		gap    time.Duration
		levels []gpio.Level
	}
	for _, tc := range []struct {
		name      string
		activeLow bool
		idle      gpio.Level
		bursts    []burst
		want      []bool // events' Active, in order
	}{
		{"clean press", false, L, []burst{{0, []gpio.Level{H}}}, []bool{true}},
		{"bounces settle high", false, L, []burst{{0, []gpio.Level{H, L, H, L, H}}}, []bool{true}},
		{"bounces inside the window", false, L, []burst{{30 * time.Millisecond, []gpio.Level{H, L, H}}}, []bool{true}},
		{"bounce settles back: nothing", false, L, []burst{{0, []gpio.Level{H, L}}, {0, []gpio.Level{H}}}, []bool{true}},
		{"press and release", false, L, []burst{{0, []gpio.Level{H}}, {0, []gpio.Level{L, H, L}}}, []bool{true, false}},
		{"active low", true, H, []burst{{0, []gpio.Level{L}}, {0, []gpio.Level{H}}}, []bool{true, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newInputRig(t, tc.activeLow, tc.idle)
			var got []bool
			var elapsed time.Duration
			for _, b := range tc.bursts {
				r.burst(b.gap, b.levels...)
				elapsed += b.gap*time.Duration(len(b.levels)-1) + testDebounce
				// A settled change emits before the loop waits again.
				waiters(t, r.clk, r.polls)
				select {
				case ev := <-r.events:
					got = append(got, ev.Active)
					if ev.Input != InputDoor || !ev.At.Equal(epoch.Add(elapsed)) {
						t.Fatalf("event %+v, want door at +%v", ev, elapsed)
					}
					if r.in.Active() != ev.Active {
						t.Fatalf("Active() = %v after event %v", r.in.Active(), ev.Active)
					}
				default:
				}
				if n := len(r.events); n != 0 {
					t.Fatalf("%d more events from one burst", n)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("events %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("events %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestInputMissedEdge(t *testing.T) {
	r := newInputRig(t, false, gpio.Low)
	_ = r.pin.Out(gpio.High) // the level changed but no edge was reported
	r.clk.Advance(time.Hour) // the poll times out and reads the level
	waiters(t, r.clk, 1)     // settling
	r.clk.Advance(testDebounce)
	ev := recv(t, r.events)
	// The expired poll wait is gone; Run registers a new one.
	if !ev.Active {
		t.Fatalf("event %+v, want active", ev)
	}
}

func TestInputShutdown(t *testing.T) {
	clk := clockwork.NewFakeClockAt(epoch)
	pin := &gpiotest.Pin{N: "BUTTON", Clock: clk, EdgesChan: make(chan gpio.Level)}
	in := NewInput(pin, InputConfig{Name: InputButton, Poll: time.Second, Clock: clk})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, nil) }()
	waiters(t, clk, 1) // Run waits for an edge
	cancel()
	clk.Advance(time.Second)
	if err := recv(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
}

func TestInputConfigureFails(t *testing.T) {
	pin := &gpiotest.Pin{N: "NOEDGE"} // gpiotest refuses edges without EdgesChan
	in := NewInput(pin, InputConfig{Name: InputDoor})
	if err := in.Run(t.Context(), nil); err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want a configuration error", err)
	}
}
