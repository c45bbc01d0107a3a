package hw

import (
	"errors"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// board is a lookup over gpiotest pins named like a Pi's lines.
func board(names ...string) func(string) gpio.PinIO {
	m := map[string]gpio.PinIO{}
	for i, n := range names {
		m[n] = &gpiotest.Pin{N: n, Num: i, EdgesChan: make(chan gpio.Level, 1)}
	}
	return func(name string) gpio.PinIO { return m[name] }
}

func TestPinsResolve(t *testing.T) {
	look := board("GPIO17", "GPIO18", "GPIO27", "GPIO22", "GPIO23")
	for _, tc := range []struct {
		name      string
		pins      Pins
		wantErrs  []error  // each must be in the joined error
		wantNames []string // each must be named in the message
		count     int      // number of joined errors
	}{
		{"all good", Pins{Relay: "GPIO17", Buzzer: "GPIO18", LED: "GPIO27", Door: "GPIO22", Button: "GPIO23"}, nil, nil, 0},
		{"relay only", Pins{Relay: "GPIO17"}, nil, nil, 0},
		{"every unknown reported", Pins{Relay: "GPIO99", Buzzer: "GPIO18", LED: "gpio27", Door: "PIN22", Button: "GPIO100"},
			[]error{ErrUnknownPin}, []string{`relay: "GPIO99"`, `led: "gpio27"`, `door: "PIN22"`, `button: "GPIO100"`}, 4},
		{"no relay and an unknown", Pins{LED: "GPIO5"}, []error{ErrNoRelay, ErrUnknownPin}, []string{`led: "GPIO5"`}, 2},
		{"pin used twice", Pins{Relay: "GPIO17", Buzzer: "GPIO17", LED: "NOPE"}, []error{ErrPinReused, ErrUnknownPin},
			[]string{"relay and buzzer", `"NOPE"`}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.pins.Resolve(look)
			if tc.count == 0 {
				if err != nil {
					t.Fatalf("Resolve: %v", err)
				}
				if res.Relay == nil || res.Relay.Name() != tc.pins.Relay {
					t.Fatalf("relay resolved to %v", res.Relay)
				}
				if (res.LED != nil) != (tc.pins.LED != "") || (res.Door != nil) != (tc.pins.Door != "") {
					t.Fatalf("fitted parts wrong: %+v", res)
				}
				return
			}
			if err == nil {
				t.Fatal("Resolve: no error")
			}
			for _, want := range tc.wantErrs {
				if !errors.Is(err, want) {
					t.Errorf("error %q does not wrap %v", err, want)
				}
			}
			for _, n := range tc.wantNames {
				if !strings.Contains(err.Error(), n) {
					t.Errorf("error %q does not name %s", err, n)
				}
			}
			var joined interface{ Unwrap() []error }
			if !errors.As(err, &joined) || len(joined.Unwrap()) != tc.count {
				t.Errorf("error %q: want %d problems reported at once", err, tc.count)
			}
		})
	}
}

func TestLookupPin(t *testing.T) {
	p := &gpiotest.Pin{N: "HWTEST_LINE7", Num: 7}
	if err := gpioreg.Register(p); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gpioreg.Unregister(p.N) })
	if got := LookupPin("HWTEST_LINE7"); got == nil || got.Name() != p.N {
		t.Fatalf("LookupPin(registered) = %v", got)
	}
	for _, name := range []string{"HWTEST_NONE", "GPIOx", "GPIO-1"} {
		if got := LookupPin(name); got != nil {
			t.Errorf("LookupPin(%q) = %v, want nil", name, got)
		}
	}
}

func TestInitHost(t *testing.T) {
	d, err := InitHost()
	if err != nil {
		t.Fatalf("InitHost: %v", err)
	}
	// gpioioctl is registered on every machine; it loads where there is a
	// /dev/gpiochip*, and is skipped, not failed, elsewhere.
	_, skipped := d.Skipped["ioctl-gpio"]
	loaded := false
	for _, n := range d.Loaded {
		loaded = loaded || n == "ioctl-gpio"
	}
	if loaded == skipped {
		t.Fatalf("ioctl-gpio loaded %v skipped %v: %+v", loaded, skipped, d)
	}
	t.Logf("drivers: %+v", d)
	if len(d.Failed) != 0 {
		t.Fatalf("failed drivers: %v", d.Failed)
	}
	if !skipped {
		return
	}
	// Without GPIO chips every configured pin is unknown, and Open says why.
	_, err = Open(Pins{Relay: "GPIO17", LED: "GPIO27"}, BoardConfig{})
	t.Logf("Open: %v", err)
	if !errors.Is(err, ErrUnknownPin) || !strings.Contains(err.Error(), "GPIO27") || !strings.Contains(err.Error(), "skipped") {
		t.Fatalf("Open without chips = %v", err)
	}
}

func TestBuildPolarity(t *testing.T) {
	look := board("GPIO17", "GPIO18", "GPIO27", "GPIO22")
	pins := Pins{Relay: "GPIO17", Buzzer: "GPIO18", LED: "GPIO27", Door: "GPIO22",
		RelayActiveLow: true, LEDActiveLow: true, DoorActiveLow: true}
	res, err := pins.Resolve(look)
	if err != nil {
		t.Fatal(err)
	}
	p := Build(pins, res, BoardConfig{})
	relay, led, buzzer := res.Relay.(*gpiotest.Pin), res.LED.(*gpiotest.Pin), res.Buzzer.(*gpiotest.Pin)
	if relay.Read() != gpio.High || led.Read() != gpio.High || buzzer.Read() != gpio.Low {
		t.Fatalf("idle levels relay %v led %v buzzer %v, want High High Low", relay.Read(), led.Read(), buzzer.Read())
	}
	if err := p.Relay.Open(time.Hour); err != nil {
		t.Fatal(err)
	}
	p.SetLED(string(LEDReadyOnline))
	if relay.Read() != gpio.Low || led.Read() != gpio.Low {
		t.Fatalf("active levels relay %v led %v, want Low Low", relay.Read(), led.Read())
	}
	if err := p.Close(); err != nil || relay.Read() != gpio.High {
		t.Fatalf("Close: %v relay %v", err, relay.Read())
	}
	if p.Button != nil || p.Door == nil {
		t.Fatalf("fitted inputs wrong: door %v button %v", p.Door, p.Button)
	}
}
