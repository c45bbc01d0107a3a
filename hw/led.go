package hw

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

// LEDState is what the status LED shows. The values are the checkpoint's
// LED state names.
type LEDState string

// The LED states.
const (
	LEDOff          LEDState = "off" // dark: chotd is not running (or the LED is closed)
	LEDReadyOnline  LEDState = "ready-online"
	LEDReadyOffline LEDState = "ready-offline"
	LEDWarning      LEDState = "warning"
	LEDFault        LEDState = "fault"
	LEDUnconfigured LEDState = "unconfigured"
)

// ErrUnknownLEDState is returned for an LED state with no blink code.
var ErrUnknownLEDState = errors.New("hw: led: unknown state")

// LEDCode is the blink code of one state and what it tells the technician.
type LEDCode struct {
	State   LEDState
	Pattern Pattern // repeated; no off time is steady on, no on time is dark
	Looks   string  // how it looks, for the printed card
	Means   string  // what to do, for the printed card
}

// LEDCodes are the blink codes, in the order of the printed card
// (LEDCARD.md, generated from this table by TestLEDCard).
var LEDCodes = []LEDCode{
	{LEDReadyOnline, Pattern{2000 * ms}, "steady on",
		"Ready, hub reachable. Nothing to do."},
	{LEDReadyOffline, Pattern{1800 * ms, 200 * ms}, "on, dark blink every 2 s",
		"Ready, hub unreachable: passes are checked offline and queued. Check the network if it lasts."},
	{LEDWarning, Pattern{500 * ms, 500 * ms}, "slow blink, 1 per second",
		"Working, but needs attention soon (trust data stale, clock untrusted, log backlog). See the status page."},
	{LEDFault, Pattern{100 * ms, 100 * ms}, "fast blink, 5 per second",
		"Not admitting anyone (gate, camera, storage or trust data failed). See the status page; run `chot selftest`."},
	{LEDUnconfigured, Pattern{150 * ms, 150 * ms, 150 * ms, 1550 * ms}, "double flash every 2 s",
		"No configuration or not enrolled. Drop the provisioning file on the boot partition."},
	{LEDOff, Pattern{0, 2000 * ms}, "dark",
		"chotd is not running or has no power. Check power, then `systemctl status chotd`."},
}

// LEDConfig configures an LED. The zero value is an active-high LED with
// LEDCodes on the real clock.
type LEDConfig struct {
	// ActiveLow lights the LED by driving the pin low.
	ActiveLow bool
	// Clock times the blink codes; nil means the real clock.
	Clock clockwork.Clock
	// Logger receives state changes; nil discards.
	Logger *slog.Logger
}

// LED shows the checkpoint's state as a blink code, repeated until the state
// changes. An LED is safe for concurrent use.
type LED struct {
	pl    *player
	log   *slog.Logger
	codes map[LEDState]Pattern

	mu    sync.Mutex
	state LEDState
}

// NewLED returns the LED on pin, dark (LEDOff).
func NewLED(pin gpio.PinOut, cfg LEDConfig) *LED {
	codes := make(map[LEDState]Pattern, len(LEDCodes))
	for _, c := range LEDCodes {
		codes[c.State] = c.Pattern
	}
	log := loggerOr(cfg.Logger)
	l := &LED{pl: newPlayer(pin, cfg.ActiveLow, cfg.Clock, log), log: log, codes: codes, state: LEDOff}
	_ = l.pl.stop()
	return l
}

// Set shows state. Setting the state already shown does not restart its
// blink code.
func (l *LED) Set(state LEDState) error {
	p, ok := l.codes[state]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownLEDState, state)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if state == l.state {
		return l.pl.lastErr()
	}
	l.log.Info("led: state", "from", string(l.state), "to", string(state))
	l.state = state
	l.pl.play(p, true)
	return l.pl.lastErr()
}

// SetLED shows state, logging an unknown one as fault. It satisfies half of
// checkpoint.Indicator.
func (l *LED) SetLED(state string) {
	if err := l.Set(LEDState(state)); errors.Is(err, ErrUnknownLEDState) {
		l.log.Warn("led: unknown state, showing fault", "state", state)
		_ = l.Set(LEDFault)
	}
}

// State returns the state shown.
func (l *LED) State() LEDState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state
}

// Lit reports whether the LED is lit at this instant.
func (l *LED) Lit() bool { return l.pl.lit() }

// Close turns the LED dark (LEDOff). The LED stays usable.
func (l *LED) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.state = LEDOff
	return l.pl.stop()
}
