package checkpoint

import (
	"context"
	"time"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/verify"
)

// Gate is the relay that opens the gate. hw.Relay satisfies it through the
// wiring in cmd/chotd.
type Gate interface {
	// Open energises the relay now and de-energises it after d. It returns as
	// soon as the relay is energised.
	Open(d time.Duration) error
	// Close de-energises the relay now. It must work in any state: the gate is
	// fail-secure.
	Close() error
}

// Indicator is what staff hear and see: the buzzer and the status LED.
type Indicator interface {
	// Sound plays the pattern of a sound class (verify.Class values, or
	// SoundFault) without blocking.
	Sound(class string)
	// SetLED shows one of the LED states.
	SetLED(state string)
}

// Log is the durable pass log. Append returns only once the pass is on disk,
// with its sequence number set.
type Log interface {
	Append(ctx context.Context, p record.Pass) (record.Pass, error)
}

// Clock is the board's time: the wall clock (which, without a real-time
// clock, may be anything after a power cut) and the monotonic time since boot.
type Clock interface {
	Now() time.Time
	Uptime() time.Duration
}

// TimeStore persists the last known good time.
type TimeStore interface {
	KnownTime() time.Time
	SetKnownTime(t time.Time) error
}

// TrustSource hands out the trust data in force; the daemon swaps it when a
// new bundle is installed.
type TrustSource interface {
	Current() (verify.TrustStore, TrustState)
}

// Sound classes beyond verify's.
const SoundFault = "fault"

// LED states.
const (
	LEDReadyOnline  = "ready-online"
	LEDReadyOffline = "ready-offline"
	LEDWarning      = "warning"
	LEDFault        = "fault"
	LEDUnconfigured = "unconfigured"
)

// Reasons the checkpoint adds to verify's.
const (
	ReasonPassback       = "passback"        // the same person was let through within the anti-passback window
	ReasonClockUntrusted = "clock_untrusted" // no trustworthy time and the site refuses then
	ReasonLogFailed      = "log_failed"      // the pass could not be made durable: the gate stays closed
	ReasonGateFault      = "gate_fault"      // the relay could not be driven
	ReasonDoorPassed     = "door_passed"     // the door sensor saw the person pass
	ReasonManualButton   = "manual_button"   // opened by the manual button
	ReasonManualWeb      = "manual_web"      // opened from the status page
	ReasonClockReset     = "clock_reset"     // a technician reset the last known good time (chotd -reset-clock)
)

// Decisions the checkpoint logs beyond accept and reject.
const (
	DecisionManual = "manual" // a manual opening
	DecisionEvent  = "event"  // a gate event that follows a decision
)
