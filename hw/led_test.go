package hw

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

func newTestLED(t *testing.T, activeLow bool) (*LED, *recPin, *clockwork.FakeClock) {
	t.Helper()
	clk := clockwork.NewFakeClockAt(epoch)
	pin := newRecPin("LED", clk)
	return NewLED(pin, LEDConfig{ActiveLow: activeLow, Clock: clk}), pin, clk
}

func TestLEDBlinkCodes(t *testing.T) {
	seen := map[string]LEDState{}
	for _, c := range LEDCodes {
		t.Run(string(c.State), func(t *testing.T) {
			l, pin, clk := newTestLED(t, true)
			on, off := levels(true)
			if err := l.Set(c.State); err != nil {
				t.Fatal(err)
			}
			if l.State() != c.State {
				t.Fatalf("State() = %q", l.State())
			}
			if steadyOn, ok := c.Pattern.steady(); ok {
				want := off
				if steadyOn {
					want = on
				}
				clk.Advance(time.Minute)
				if pin.level() != want || len(pin.log()) > 2 {
					t.Fatalf("steady state: pin %v edges %v, want constant %v", pin.level(), pin.log(), want)
				}
				return
			}
			// Two full cycles.
			for range 2 {
				for _, d := range c.Pattern {
					waiters(t, clk, 1)
					clk.Advance(d)
				}
			}
			waiters(t, clk, 1) // the third cycle has begun
			got := durations(pin.log(), on)
			want := append(slices.Clone(c.Pattern), c.Pattern...)
			if !slices.Equal(got, want) {
				t.Fatalf("blinked %v, want %v", got, want)
			}
			key := c.Pattern.String()
			if other, dup := seen[key]; dup {
				t.Fatalf("%s blinks like %s", c.State, other)
			}
			seen[key] = c.State
		})
	}
}

func TestLEDChangeState(t *testing.T) {
	l, pin, clk := newTestLED(t, false)
	if err := l.Set(LEDFault); err != nil {
		t.Fatal(err)
	}
	waiters(t, clk, 1)
	clk.Advance(100 * time.Millisecond) // fault: now off
	waiters(t, clk, 1)
	// Setting the same state does not restart the code.
	if err := l.Set(LEDFault); err != nil {
		t.Fatal(err)
	}
	l.SetLED("ready-online")
	if pin.level() != gpio.High || l.State() != LEDReadyOnline {
		t.Fatalf("ready-online: pin %v state %q", pin.level(), l.State())
	}
	n := len(pin.log())
	clk.Advance(time.Minute)
	if got := pin.log(); len(got) != n {
		t.Fatalf("the fault blink went on after the change: %v", got)
	}
	if err := l.Set("disco"); !errors.Is(err, ErrUnknownLEDState) {
		t.Fatalf("Set(disco) = %v", err)
	}
	l.SetLED("disco")
	if l.State() != LEDFault {
		t.Fatalf("unknown state shows %q, want fault", l.State())
	}
	if err := l.Close(); err != nil || pin.level() != gpio.Low || l.State() != LEDOff {
		t.Fatalf("Close: %v pin %v state %q", err, pin.level(), l.State())
	}
}
