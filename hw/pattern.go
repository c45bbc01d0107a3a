package hw

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

// Pattern is a sequence of alternating on and off durations, starting with
// on: {100ms, 50ms, 100ms} is on 100 ms, off 50 ms, on 100 ms. A pattern
// played once always ends off.
type Pattern []time.Duration

// Total is the length of one run of the pattern.
func (p Pattern) Total() time.Duration {
	var t time.Duration
	for _, d := range p {
		t += d
	}
	return t
}

// steady reports whether the pattern, repeated, is a constant level, and
// which: no on time means off, no off time means on.
func (p Pattern) steady() (on, ok bool) {
	var onT, offT time.Duration
	for i, d := range p {
		if i%2 == 0 {
			onT += d
		} else {
			offT += d
		}
	}
	switch {
	case onT <= 0:
		return false, true
	case offT <= 0:
		return true, true
	}
	return false, false
}

// String renders the pattern the way the LED card prints it:
// "on 150ms, off 150ms".
func (p Pattern) String() string {
	parts := make([]string, 0, len(p))
	for i, d := range p {
		w := "on"
		if i%2 == 1 {
			w = "off"
		}
		parts = append(parts, fmt.Sprintf("%s %s", w, d))
	}
	return strings.Join(parts, ", ")
}

// levels maps on/off to pin levels.
func levels(activeLow bool) (on, off gpio.Level) {
	if activeLow {
		return gpio.Low, gpio.High
	}
	return gpio.High, gpio.Low
}

// clockOr returns c, or the real clock when c is nil.
func clockOr(c clockwork.Clock) clockwork.Clock {
	if c == nil {
		return clockwork.NewRealClock()
	}
	return c
}

// loggerOr returns l, or a logger that discards when l is nil.
func loggerOr(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// player plays patterns on one output pin, one at a time: a new pattern
// preempts the one playing. It is shared by the buzzer and the LED.
type player struct {
	pin     gpio.PinOut
	on, off gpio.Level
	clock   clockwork.Clock
	log     *slog.Logger

	mu   sync.Mutex
	cur  *run // the pattern playing, nil when idle
	isOn bool // last level written
	err  error
}

// run is one playing of a pattern.
type run struct {
	stop chan struct{} // closed to preempt
	done chan struct{} // closed when the goroutine has returned
}

func newPlayer(pin gpio.PinOut, activeLow bool, clock clockwork.Clock, log *slog.Logger) *player {
	on, off := levels(activeLow)
	return &player{pin: pin, on: on, off: off, clock: clockOr(clock), log: loggerOr(log)}
}

// play stops what is playing and starts p, once or repeated. The returned
// channel is closed when p ends, either finished or preempted. Steady
// patterns (repeated with no off time, or no on time) set the pin and start
// nothing.
func (pl *player) play(p Pattern, repeat bool) <-chan struct{} {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.stopLocked()
	done := make(chan struct{})
	if on, ok := p.steady(); ok && (repeat || !on) {
		pl.setLocked(on)
		close(done)
		return done
	}
	r := &run{stop: make(chan struct{}), done: done}
	pl.cur = r
	pl.setLocked(true)
	go pl.loop(r, p, repeat)
	return done
}

// stop ends what is playing and leaves the pin off.
func (pl *player) stop() error {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.stopLocked()
	pl.setLocked(false)
	return pl.err
}

// stopLocked preempts the playing pattern and waits for its goroutine, so
// that it writes the pin no more. The goroutine only takes pl.mu through
// step, which gives up when stop is closed, so waiting here cannot deadlock.
func (pl *player) stopLocked() {
	for pl.cur != nil {
		r := pl.cur
		select {
		case <-r.stop:
		default:
			close(r.stop)
		}
		pl.mu.Unlock()
		<-r.done
		pl.mu.Lock()
		if pl.cur == r {
			pl.cur = nil
		}
	}
}

// lit reports the last level written: true for on.
func (pl *player) lit() bool {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return pl.isOn
}

// lastErr returns the last error writing the pin, nil once a write works.
func (pl *player) lastErr() error {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return pl.err
}

func (pl *player) setLocked(on bool) {
	l := pl.off
	if on {
		l = pl.on
	}
	if err := pl.pin.Out(l); err != nil {
		if pl.err == nil {
			pl.log.Error("pin write failed", "pin", pl.pin.String(), "err", err)
		}
		pl.err = fmt.Errorf("hw: %s: %w", pl.pin, err)
		return
	}
	pl.err = nil
	pl.isOn = on
}

// step writes one level unless r was preempted meanwhile.
func (pl *player) step(r *run, on bool) bool {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	select {
	case <-r.stop:
		return false
	default:
	}
	pl.setLocked(on)
	return true
}

func (pl *player) loop(r *run, p Pattern, repeat bool) {
	defer close(r.done)
	for {
		for i, d := range p {
			if i > 0 && !pl.step(r, i%2 == 0) {
				return
			}
			if d <= 0 {
				continue
			}
			t := pl.clock.NewTimer(d)
			select {
			case <-t.Chan():
			case <-r.stop:
				t.Stop()
				return
			}
		}
		if !repeat {
			pl.finish(r)
			return
		}
		if !pl.step(r, true) {
			return
		}
	}
}

// finish turns the pin off at the end of a pattern played once and marks
// the player idle.
func (pl *player) finish(r *run) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	select {
	case <-r.stop:
		return
	default:
	}
	pl.setLocked(false)
	if pl.cur == r {
		pl.cur = nil
	}
}
