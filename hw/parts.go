package hw

import (
	"context"
	"errors"
	"sync"

	"periph.io/x/conn/v3/gpio"
)

// Parts are the checkpoint's hardware, real or fake. Any part but the relay
// may be nil (not fitted); the methods on Parts skip missing ones.
type Parts struct {
	Relay  *Relay
	Buzzer *Buzzer
	LED    *LED
	Door   *Input
	Button *Input
}

// Build makes the parts on resolved pins, each with its polarity from pins.
func Build(pins Pins, res Resolved, cfg BoardConfig) Parts {
	var p Parts
	log := loggerOr(cfg.Logger)
	if res.Relay != nil {
		p.Relay = NewRelay(res.Relay, RelayConfig{ActiveLow: pins.RelayActiveLow, MaxPulse: cfg.MaxPulse,
			Clock: cfg.Clock, Logger: log.With("part", "relay")})
	}
	if res.Buzzer != nil {
		p.Buzzer = NewBuzzer(res.Buzzer, BuzzerConfig{ActiveLow: pins.BuzzerActiveLow, Sounds: cfg.Sounds,
			Clock: cfg.Clock, Logger: log.With("part", "buzzer")})
	}
	if res.LED != nil {
		p.LED = NewLED(res.LED, LEDConfig{ActiveLow: pins.LEDActiveLow, Clock: cfg.Clock, Logger: log.With("part", "led")})
	}
	input := func(pin gpio.PinIn, name string, activeLow bool) *Input {
		pull := gpio.PullDown
		if activeLow {
			pull = gpio.PullUp
		}
		return NewInput(pin, InputConfig{Name: name, ActiveLow: activeLow, Pull: pull,
			Debounce: cfg.Debounce, Clock: cfg.Clock, Logger: log})
	}
	if res.Door != nil {
		p.Door = input(res.Door, InputDoor, pins.DoorActiveLow)
	}
	if res.Button != nil {
		p.Button = input(res.Button, InputButton, pins.ButtonActiveLow)
	}
	return p
}

// Sound plays a sound class on the buzzer, if fitted. With SetLED it
// satisfies checkpoint.Indicator.
func (p Parts) Sound(class string) {
	if p.Buzzer != nil {
		p.Buzzer.Sound(class)
	}
}

// SetLED shows an LED state, if an LED is fitted.
func (p Parts) SetLED(state string) {
	if p.LED != nil {
		p.LED.SetLED(state)
	}
}

// RunInputs runs the fitted inputs until ctx ends, calling emit for every
// event (from their goroutines, serialised). It returns ctx's error, or the
// first input's failure after stopping the others.
func (p Parts) RunInputs(ctx context.Context, emit func(Event)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs = make([]error, 2)
	)
	serial := func(ev Event) {
		mu.Lock()
		defer mu.Unlock()
		if emit != nil {
			emit(ev)
		}
	}
	n := 0
	for i, in := range []*Input{p.Door, p.Button} {
		if in == nil {
			continue
		}
		n++
		wg.Go(func() {
			errs[i] = in.Run(ctx, serial)
			cancel() // a failed input stops the others
		})
	}
	if n == 0 {
		<-ctx.Done()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
	}
	return ctx.Err()
}

// Close de-energises the relay first, then silences the buzzer and darkens
// the LED. It reports every failure.
func (p Parts) Close() error {
	var errs []error
	if p.Relay != nil {
		errs = append(errs, p.Relay.Close())
	}
	if p.Buzzer != nil {
		errs = append(errs, p.Buzzer.Close())
	}
	if p.LED != nil {
		errs = append(errs, p.LED.Close())
	}
	return errors.Join(errs...)
}
