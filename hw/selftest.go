package hw

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SelfTestPulse is how long the self-test clicks the relay.
const SelfTestPulse = 300 * time.Millisecond

// ReportFunc receives each self-test step as it ends: its name ("relay",
// "sound/accept", "led/fault", "door"…), whether it worked, and a detail for
// the technician.
type ReportFunc func(step string, ok bool, detail string)

// SelfTest exercises the parts for a technician standing at the gate: it
// clicks the relay, plays every sound in SoundOrder, shows every LED state
// for one cycle of its blink code (at least a second), and reads the inputs.
// Parts not fitted are reported as skipped (ok). It returns every failure
// joined, or ctx's error. The LED is left dark and the relay de-energised.
func SelfTest(ctx context.Context, p Parts, report ReportFunc) error {
	if report == nil {
		report = func(string, bool, string) {}
	}
	var errs []error
	step := func(name string, err error, detail string) {
		if err != nil {
			report(name, false, err.Error())
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			return
		}
		report(name, true, detail)
	}

	if p.Relay == nil {
		step("relay", ErrNoRelay, "")
	} else {
		err := p.Relay.Pulse(ctx, SelfTestPulse)
		if err == nil && p.Relay.Energised() {
			err = errors.New("still energised after the pulse")
		}
		step("relay", err, fmt.Sprintf("clicked for %s; listen for two clicks", SelfTestPulse))
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	for _, s := range SoundOrder {
		name := "sound/" + string(s)
		if p.Buzzer == nil {
			report(name, true, "skipped: no buzzer fitted")
			continue
		}
		step(name, p.Buzzer.PlayWait(ctx, s), p.Buzzer.sounds[s].String())
		if err := ctx.Err(); err != nil {
			return err
		}
	}

	for _, c := range LEDCodes {
		name := "led/" + string(c.State)
		if p.LED == nil {
			report(name, true, "skipped: no LED fitted")
			continue
		}
		if err := p.LED.Set(c.State); err != nil {
			step(name, err, "")
			continue
		}
		dwell := max(c.Pattern.Total(), time.Second)
		t := p.LED.pl.clock.NewTimer(dwell)
		select {
		case <-t.Chan():
		case <-ctx.Done():
			t.Stop()
			_ = p.LED.Close()
			return ctx.Err()
		}
		step(name, p.LED.pl.lastErr(), c.Looks)
	}
	if p.LED != nil {
		_ = p.LED.Close()
	}

	for _, in := range []struct {
		name         string
		in           *Input
		active, idle string
	}{{InputDoor, p.Door, "open", "closed"}, {InputButton, p.Button, "pressed", "released"}} {
		if in.in == nil {
			report(in.name, true, "skipped: not fitted")
			continue
		}
		state := in.idle
		if in.in.read() {
			state = in.active
		}
		report(in.name, true, "reads "+state)
	}
	return errors.Join(errs...)
}
