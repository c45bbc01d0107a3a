package hw

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

var (
	_ gpio.PinIO = &gpiotest.Pin{}
	_ gpio.PinIO = (*recPin)(nil)
)

// epoch is the fake clocks' start.
var epoch = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

// errPin is what a failing recPin returns.
var errPin = errors.New("pin broken")

// edge is one change of an output level, at a time since the clock's start.
type edge struct {
	At    time.Duration
	Level gpio.Level
}

// recPin is a gpiotest.Pin that records every change of its output level
// with the fake clock's time, and can be made to fail.
type recPin struct {
	*gpiotest.Pin
	clock *clockwork.FakeClock

	mu       sync.Mutex
	edges    []edge
	failHigh bool // Out(High) fails
	failLow  bool // Out(Low) fails
}

func newRecPin(name string, clock *clockwork.FakeClock) *recPin {
	return &recPin{Pin: &gpiotest.Pin{N: name, Clock: clock}, clock: clock}
}

func (p *recPin) Out(l gpio.Level) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if (l == gpio.High && p.failHigh) || (l == gpio.Low && p.failLow) {
		return errPin
	}
	if n := len(p.edges); n == 0 || p.edges[n-1].Level != l {
		p.edges = append(p.edges, edge{At: p.clock.Since(epoch), Level: l})
	}
	return p.Pin.Out(l)
}

func (p *recPin) fail(high, low bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failHigh, p.failLow = high, low
}

// log returns the recorded changes.
func (p *recPin) log() []edge {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.edges)
}

// level returns the pin's level now.
func (p *recPin) level() gpio.Level { return p.Pin.Read() }

// waiters blocks until the fake clock has at least n timers waiting, so the
// code under test is parked on its timer before the test advances time.
func waiters(t *testing.T, clk *clockwork.FakeClock, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := clk.BlockUntilContext(ctx, n); err != nil {
		t.Fatalf("waiting for %d timers: %v", n, err)
	}
}

// recv receives from ch, failing the test if nothing comes within a
// generous real-time bound (a hang, not a timing assertion).
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("nothing received in 10 s")
		panic("unreachable")
	}
}

// durations turns recorded edges into the on/off durations between them,
// i.e. the Pattern that was played, starting at the first high edge.
func durations(edges []edge, on gpio.Level) Pattern {
	var p Pattern
	start := -1
	for i, e := range edges {
		if e.Level == on {
			start = i
			break
		}
	}
	if start < 0 {
		return nil
	}
	for i := start + 1; i < len(edges); i++ {
		p = append(p, edges[i].At-edges[i-1].At)
	}
	return p
}
