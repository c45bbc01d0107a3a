package hw

import (
	"log/slog"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// FakeState is a snapshot of a FakeBoard for the demo's status page.
type FakeState struct {
	RelayOn       bool   `json:"relay_on"`
	Pulses        int    `json:"pulses"` // times the relay was energised
	BuzzerOn      bool   `json:"buzzer_on"`
	LastSound     string `json:"last_sound"`
	LEDOn         bool   `json:"led_on"`
	LED           string `json:"led"`
	DoorOpen      bool   `json:"door_open"`
	ButtonPressed bool   `json:"button_pressed"`
}

// FakeBoard is the checkpoint's hardware on in-memory pins (periph's
// gpiotest.Pin): the same Parts as a real Board, every change logged, and a
// snapshot for the status page. The demo presses its button and opens its
// door with the methods below; RunInputs must be running for events.
type FakeBoard struct {
	Parts

	log    *slog.Logger
	clock  clockwork.Clock
	relay  *watchPin
	door   *gpiotest.Pin
	button *gpiotest.Pin

	mu     sync.Mutex
	pulses int
}

// NewFakeBoard builds a relay, buzzer, LED, door sensor and button on fake
// pins, on the real clock. State changes go to logger (relay at Info, buzzer
// and LED pins at Debug); nil discards.
func NewFakeBoard(logger *slog.Logger) *FakeBoard {
	return NewFakeBoardClock(logger, nil)
}

// NewFakeBoardClock is NewFakeBoard on clock (nil: the real clock).
func NewFakeBoardClock(logger *slog.Logger, clock clockwork.Clock) *FakeBoard {
	log := loggerOr(logger).With("hw", "fake")
	clock = clockOr(clock)
	f := &FakeBoard{log: log, clock: clock}
	f.relay = newWatchPin("FAKE_RELAY", clock, func(l gpio.Level) {
		if l {
			f.mu.Lock()
			f.pulses++
			f.mu.Unlock()
		}
		log.Info("fake gpio: relay", "energised", bool(l))
	})
	buzzer := newWatchPin("FAKE_BUZZER", clock, func(l gpio.Level) {
		log.Debug("fake gpio: buzzer", "on", bool(l))
	})
	led := newWatchPin("FAKE_LED", clock, func(l gpio.Level) {
		log.Debug("fake gpio: led", "on", bool(l))
	})
	f.door = &gpiotest.Pin{N: "FAKE_DOOR", Num: 3, Clock: clock, EdgesChan: make(chan gpio.Level, 16)}
	f.button = &gpiotest.Pin{N: "FAKE_BUTTON", Num: 4, Clock: clock, EdgesChan: make(chan gpio.Level, 16)}
	f.Parts = Parts{
		Relay:  NewRelay(f.relay, RelayConfig{Clock: clock, Logger: log.With("part", "relay")}),
		Buzzer: NewBuzzer(buzzer, BuzzerConfig{Clock: clock, Logger: log.With("part", "buzzer")}),
		LED:    NewLED(led, LEDConfig{Clock: clock, Logger: log.With("part", "led")}),
		Door:   NewInput(f.door, InputConfig{Name: InputDoor, Clock: clock, Logger: log}),
		Button: NewInput(f.button, InputConfig{Name: InputButton, Clock: clock, Logger: log}),
	}
	return f
}

// State returns a snapshot of the board.
func (f *FakeBoard) State() FakeState {
	f.mu.Lock()
	pulses := f.pulses
	f.mu.Unlock()
	return FakeState{
		RelayOn:       f.Relay.Energised(),
		Pulses:        pulses,
		BuzzerOn:      f.Buzzer.On(),
		LastSound:     string(f.Buzzer.Last()),
		LEDOn:         f.LED.Lit(),
		LED:           string(f.LED.State()),
		DoorOpen:      f.door.Read() == gpio.High,
		ButtonPressed: f.button.Read() == gpio.High,
	}
}

// SetDoor trips the fake door sensor: open or closed.
func (f *FakeBoard) SetDoor(open bool) { f.set(f.door, open) }

// SetButton holds the fake button down or lets it go.
func (f *FakeBoard) SetButton(pressed bool) { f.set(f.button, pressed) }

// PressButton presses the fake button and lets it go after hold (long
// enough to outlast the debounce: 200 ms when zero), without blocking.
func (f *FakeBoard) PressButton(hold time.Duration) {
	if hold <= 0 {
		hold = 200 * time.Millisecond
	}
	f.SetButton(true)
	f.clock.AfterFunc(hold, func() { f.SetButton(false) })
}

// set changes a fake input's level and signals the edge. The level is set
// first, so an input whose Run has not started yet reads it as its initial
// state.
func (f *FakeBoard) set(p *gpiotest.Pin, active bool) {
	l := gpio.Level(active)
	_ = p.Out(l)
	select {
	case p.EdgesChan <- l:
	default:
		f.log.Warn("fake gpio: edge dropped", "pin", p.N)
	}
}

// watchPin is a gpiotest.Pin that reports each change of its output level
// with the time it happened.
type watchPin struct {
	*gpiotest.Pin
	clock    clockwork.Clock
	onChange func(gpio.Level)

	mu   sync.Mutex
	last gpio.Level
	seen bool
}

func newWatchPin(name string, clock clockwork.Clock, onChange func(gpio.Level)) *watchPin {
	return &watchPin{Pin: &gpiotest.Pin{N: name, Clock: clock}, clock: clock, onChange: onChange}
}

// Out implements gpio.PinOut.
func (w *watchPin) Out(l gpio.Level) error {
	if err := w.Pin.Out(l); err != nil {
		return err
	}
	w.mu.Lock()
	changed := !w.seen || w.last != l
	w.seen, w.last = true, l
	w.mu.Unlock()
	if changed && w.onChange != nil {
		w.onChange(l)
	}
	return nil
}

var _ gpio.PinIO = (*watchPin)(nil)
