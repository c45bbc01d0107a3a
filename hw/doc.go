// Package hw drives the checkpoint's hardware on periph.io: the gate relay,
// the buzzer, the status LED and the door-sensor and manual-open inputs.
//
// Each driver takes the periph conn interface of its pin (gpio.PinOut for
// outputs, gpio.PinIn for inputs) and returns a concrete type with small
// methods: [NewRelay], [NewBuzzer], [NewLED], [NewInput]. The checkpoint
// package declares the interfaces it consumes (Gate, Indicator); [Relay] and
// [Parts] satisfy them.
//
// On the board, [Open] initialises periph's gpioioctl driver (the Linux GPIO
// character device, /dev/gpiochip*; see [InitHost]) and resolves the
// configured pin names ([Pins]) through gpioreg; every unknown pin is
// reported at once. On a machine without GPIO chips the driver is skipped,
// not failed, and [Drivers] says so for the status page. On a
// development machine or in the demo, [NewFakeBoard] builds the same parts on
// in-memory pins, logs every change, and exposes a snapshot for the status
// page.
//
// Time comes from an injected clock (github.com/jonboulle/clockwork, the one
// periph's gpiotest uses), so tests drive pulses, sounds, blink codes and
// debouncing on a fake clock.
//
// # Fail-secure
//
// The relay is de-energised when it is built, when a pulse ends, when its
// context is cancelled, when [Relay.Close] is called, and whenever driving
// the pin fails. Wire the lock so that de-energised means locked.
//
// # Caveats
//
//   - Only gpioioctl is initialised: not periph's memory-mapped bcm283x
//     driver, which needs /dev/gpiomem (absent on Debian's kernel) or
//     /dev/mem, and whose register map does not fit the Pi 5. If another
//     package of the binary calls host.Init(), bcm283x registers too; without
//     /dev/gpiomem it falls back to the same gpioioctl lines.
//   - Until chotd drives it, and after a crash releases the line, the relay
//     pin may be an input with the SoC's default pull (on a Raspberry Pi, up for
//     GPIO0–8, down for GPIO9–27). Pick a pin whose default pull leaves the
//     relay de-energised: a pull-down pin for an active-high relay, a pull-up
//     pin for an active-low one.
//   - Input edges are waited for with a finite poll interval, so a shutdown
//     takes up to [InputConfig].Poll.
//   - The buzzer is an active buzzer switched on and off; there is no tone
//     generation.
package hw
