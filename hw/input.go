package hw

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

// Input names.
const (
	InputDoor   = "door"   // the door sensor: active means open
	InputButton = "button" // the manual-open button: active means pressed
)

// Default input timings.
const (
	DefaultDebounce = 50 * time.Millisecond
	DefaultPoll     = 250 * time.Millisecond
)

// Event is a debounced change of an input.
type Event struct {
	Input  string    // InputDoor, InputButton, or the configured name
	Active bool      // door open, button pressed
	At     time.Time // when the level had settled, by the input's clock
}

// InputConfig configures an Input. The zero value is an active-high,
// floating input with the default debounce and poll interval.
type InputConfig struct {
	// Name labels the events and logs: InputDoor, InputButton.
	Name string
	// ActiveLow reads a low level as active: a contact to ground with a
	// pull-up, the usual wiring.
	ActiveLow bool
	// Pull is the pin's bias. The zero value, gpio.Float, is for inputs with
	// an external resistor. Open sets PullUp for active-low inputs and
	// PullDown for active-high ones.
	Pull gpio.Pull
	// Debounce is how long the level must stay unchanged after an edge
	// before it counts. Zero means DefaultDebounce.
	Debounce time.Duration
	// Poll bounds each wait for an edge, so Run notices ctx and edges the
	// driver missed. Zero means DefaultPoll.
	Poll time.Duration
	// Clock stamps events; nil means the real clock. (Edge waits are timed
	// by the pin driver itself.)
	Clock clockwork.Clock
	// Logger receives the changes; nil discards.
	Logger *slog.Logger
}

// Input watches a door sensor or a button with edge detection and debounce.
type Input struct {
	pin gpio.PinIn
	cfg InputConfig
	log *slog.Logger

	armOnce sync.Once
	armed   chan struct{}

	mu     sync.Mutex
	active bool
}

// NewInput returns the input on pin. Nothing happens until Run.
func NewInput(pin gpio.PinIn, cfg InputConfig) *Input {
	if cfg.Debounce <= 0 {
		cfg.Debounce = DefaultDebounce
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	cfg.Clock = clockOr(cfg.Clock)
	return &Input{pin: pin, cfg: cfg, log: loggerOr(cfg.Logger).With("input", cfg.Name), armed: make(chan struct{})}
}

// Armed is closed once Run has configured the pin and read its starting
// level: changes from then on produce events.
func (in *Input) Armed() <-chan struct{} { return in.armed }

// Name returns the input's configured name.
func (in *Input) Name() string { return in.cfg.Name }

// Active returns the last debounced state: door open, button pressed.
func (in *Input) Active() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.active
}

// Run configures the pin for edge detection, takes its current level as the
// starting state (without an event), and calls emit for each debounced
// change until ctx ends, when it returns ctx's error. An edge counts once the
// level has not changed for Debounce; bounces that settle back to the
// previous state produce no event. emit runs on Run's goroutine and should
// not block for long.
func (in *Input) Run(ctx context.Context, emit func(Event)) error {
	if err := in.pin.In(in.cfg.Pull, gpio.BothEdges); err != nil {
		return fmt.Errorf("hw: input %s: configure %s: %w", in.cfg.Name, in.pin, err)
	}
	stable := in.read()
	in.mu.Lock()
	in.active = stable
	in.mu.Unlock()
	in.armOnce.Do(func() { close(in.armed) })
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !in.pin.WaitForEdge(in.cfg.Poll) && in.read() == stable {
			continue
		}
		// Settle: wait until no edge for Debounce.
		for in.pin.WaitForEdge(in.cfg.Debounce) {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		now := in.read()
		if now == stable {
			continue
		}
		stable = now
		in.mu.Lock()
		in.active = now
		in.mu.Unlock()
		ev := Event{Input: in.cfg.Name, Active: now, At: in.cfg.Clock.Now()}
		in.log.Info("input: changed", "active", now)
		if emit != nil {
			emit(ev)
		}
	}
}

// read returns whether the pin is at its active level now.
func (in *Input) read() bool {
	return (in.pin.Read() == gpio.High) != in.cfg.ActiveLow
}
