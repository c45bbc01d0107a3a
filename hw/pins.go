package hw

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/driver/driverreg"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3/gpioioctl"
)

// ErrUnknownPin is wrapped by the error for each pin name that resolves to
// no pin.
var ErrUnknownPin = errors.New("hw: unknown pin")

// ErrNoRelay is returned when no relay pin is configured: a checkpoint
// without a gate is a configuration error.
var ErrNoRelay = errors.New("hw: no relay pin configured")

// ErrPinReused is wrapped by the error for a pin configured for two roles.
var ErrPinReused = errors.New("hw: pin used twice")

// Pins names the pins in the site config (relay: GPIO17). Names are resolved
// through periph's gpioreg: the kernel's line names (GPIO17 on a Raspberry
// Pi), or GPIOn for line n of the first pin controller. An empty name means
// the part is not fitted; only the relay is required.
type Pins struct {
	Relay  string `yaml:"relay" json:"relay"`
	Buzzer string `yaml:"buzzer" json:"buzzer"`
	LED    string `yaml:"led" json:"led"`
	Door   string `yaml:"door" json:"door"`
	Button string `yaml:"button" json:"button"`

	RelayActiveLow  bool `yaml:"relay_active_low" json:"relay_active_low"`
	BuzzerActiveLow bool `yaml:"buzzer_active_low" json:"buzzer_active_low"`
	LEDActiveLow    bool `yaml:"led_active_low" json:"led_active_low"`
	DoorActiveLow   bool `yaml:"door_active_low" json:"door_active_low"`     // low = door open
	ButtonActiveLow bool `yaml:"button_active_low" json:"button_active_low"` // low = pressed
}

// Resolved holds the pins a Pins config names; nil for a part not fitted.
type Resolved struct {
	Relay, Buzzer, LED gpio.PinOut
	Door, Button       gpio.PinIn
}

// Resolve looks every named pin up with byName and reports every problem at
// once (errors.Join): a missing relay, each unknown name, each pin used
// twice.
func (p Pins) Resolve(byName func(string) gpio.PinIO) (Resolved, error) {
	var (
		out  Resolved
		errs []error
		used = map[string]string{}
	)
	if strings.TrimSpace(p.Relay) == "" {
		errs = append(errs, ErrNoRelay)
	}
	look := func(role, name string) gpio.PinIO {
		name = strings.TrimSpace(name)
		if name == "" {
			return nil
		}
		pin := byName(name)
		if pin == nil {
			errs = append(errs, fmt.Errorf("%w: %s: %q", ErrUnknownPin, role, name))
			return nil
		}
		key := pin.Name()
		if r, ok := used[key]; ok {
			errs = append(errs, fmt.Errorf("%w: %s and %s: %q", ErrPinReused, r, role, name))
			return nil
		}
		used[key] = role
		return pin
	}
	if pin := look("relay", p.Relay); pin != nil {
		out.Relay = pin
	}
	if pin := look("buzzer", p.Buzzer); pin != nil {
		out.Buzzer = pin
	}
	if pin := look("led", p.LED); pin != nil {
		out.LED = pin
	}
	if pin := look("door", p.Door); pin != nil {
		out.Door = pin
	}
	if pin := look("button", p.Button); pin != nil {
		out.Button = pin
	}
	return out, errors.Join(errs...)
}

// Drivers reports what the periph host initialisation found, for the status
// page: the drivers loaded, and those skipped because they do not apply on
// this machine (no GPIO chip on a laptop). Failed drivers applied but broke.
type Drivers struct {
	Loaded  []string          `json:"loaded"`
	Skipped map[string]string `json:"skipped,omitempty"`
	Failed  map[string]string `json:"failed,omitempty"`
}

// InitHost initialises periph's drivers. It registers gpioioctl, the Linux
// GPIO character device driver (/dev/gpiochip*), on purpose instead of
// host.Init(): on arm that also loads bcm283x, which memory-maps
// /dev/gpiomem or /dev/mem (absent or strict on Debian) with a register map
// that does not fit the Pi 5. Drivers that do not apply here are skipped, not
// failed. It is safe to call more than once.
func InitHost() (Drivers, error) {
	st, err := driverreg.Init()
	if err != nil {
		return Drivers{}, fmt.Errorf("hw: periph init: %w", err)
	}
	d := Drivers{Skipped: map[string]string{}, Failed: map[string]string{}}
	for _, l := range st.Loaded {
		d.Loaded = append(d.Loaded, l.String())
	}
	sort.Strings(d.Loaded)
	for _, f := range st.Skipped {
		d.Skipped[f.D.String()] = f.Err.Error()
	}
	for _, f := range st.Failed {
		d.Failed[f.D.String()] = f.Err.Error()
	}
	return d, nil
}

// LookupPin finds a pin by name in periph's registry, falling back, for a
// name of the form GPIOn, to line n of the first GPIO chip (pin controllers
// sort first), for kernels whose device tree names no lines.
func LookupPin(name string) gpio.PinIO {
	if p := gpioreg.ByName(name); p != nil {
		return p
	}
	rest, ok := strings.CutPrefix(strings.ToUpper(name), "GPIO")
	if !ok || len(gpioioctl.Chips) == 0 {
		return nil
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 {
		return nil
	}
	if l := gpioioctl.Chips[0].ByNumber(n); l != nil {
		return l
	}
	return nil
}

// BoardConfig is what Open needs beyond the pin names. The zero value uses
// each part's defaults, the real clock, and no logging.
type BoardConfig struct {
	MaxPulse time.Duration     // RelayConfig.MaxPulse
	Sounds   map[Sound]Pattern // BuzzerConfig.Sounds
	Debounce time.Duration     // InputConfig.Debounce
	Clock    clockwork.Clock
	Logger   *slog.Logger // each part logs with part=relay, buzzer…
}

// Board is the hardware of a real checkpoint.
type Board struct {
	Parts
	Drivers Drivers
}

// Open initialises the host (InitHost), resolves pins and builds the parts.
// The relay is de-energised and the LED dark on return. The error lists every
// unknown pin; when no GPIO chip was found it says so.
func Open(pins Pins, cfg BoardConfig) (*Board, error) {
	drv, err := InitHost()
	if err != nil {
		return nil, err
	}
	res, err := pins.Resolve(LookupPin)
	if err != nil {
		if why, ok := drv.Skipped["ioctl-gpio"]; ok {
			err = errors.Join(err, fmt.Errorf("hw: GPIO character device driver skipped: %s", why))
		}
		return nil, err
	}
	return &Board{Parts: Build(pins, res, cfg), Drivers: drv}, nil
}
