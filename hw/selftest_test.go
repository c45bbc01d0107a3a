package hw

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

type step struct {
	name string
	ok   bool
}

// selfTestRig builds every part on recording pins and one fake clock that a
// goroutine advances whenever something waits on it.
func selfTestRig(t *testing.T) (Parts, map[string]*recPin) {
	t.Helper()
	clk := clockwork.NewFakeClockAt(epoch)
	pins := map[string]*recPin{"relay": newRecPin("RELAY", clk), "buzzer": newRecPin("BUZZER", clk), "led": newRecPin("LED", clk)}
	door := &gpiotest.Pin{N: "DOOR", L: gpio.High}
	p := Parts{
		Relay:  NewRelay(pins["relay"], RelayConfig{Clock: clk}),
		Buzzer: NewBuzzer(pins["buzzer"], BuzzerConfig{Clock: clk}),
		LED:    NewLED(pins["led"], LEDConfig{Clock: clk}),
		Door:   NewInput(door, InputConfig{Name: InputDoor, Clock: clk}),
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for clk.BlockUntilContext(ctx, 1) == nil {
			clk.Advance(10 * time.Millisecond)
		}
	}()
	t.Cleanup(func() { cancel(); <-stopped })
	return p, pins
}

func TestSelfTest(t *testing.T) {
	p, pins := selfTestRig(t)
	var got []step
	details := map[string]string{}
	err := SelfTest(t.Context(), p, func(name string, ok bool, detail string) {
		got = append(got, step{name, ok})
		details[name] = detail
	})
	if err != nil {
		t.Fatalf("SelfTest: %v", err)
	}
	want := []step{{"relay", true}}
	for _, s := range SoundOrder {
		want = append(want, step{"sound/" + string(s), true})
	}
	for _, c := range LEDCodes {
		want = append(want, step{"led/" + string(c.State), true})
	}
	want = append(want, step{"door", true}, step{"button", true})
	if !slices.Equal(got, want) {
		t.Fatalf("steps %v, want %v", got, want)
	}
	if details["door"] != "reads open" || details["button"] != "skipped: not fitted" {
		t.Fatalf("input details %q %q", details["door"], details["button"])
	}
	// The relay clicked once for SelfTestPulse (within the advancer's step).
	r := pins["relay"].log()
	if len(r) != 3 || r[1].Level != gpio.High || r[2].At-r[1].At < SelfTestPulse || r[2].At-r[1].At > SelfTestPulse+10*time.Millisecond {
		t.Fatalf("relay edges %v, want one %v pulse", r, SelfTestPulse)
	}
	// Every sound was heard: the beeps add up.
	beeps := 0
	for _, e := range pins["buzzer"].log() {
		if e.Level == gpio.High {
			beeps++
		}
	}
	wantBeeps := 0
	for _, s := range SoundOrder {
		wantBeeps += (len(DefaultSounds[s]) + 1) / 2
	}
	if beeps != wantBeeps {
		t.Fatalf("%d beeps, want %d", beeps, wantBeeps)
	}
	if p.Relay.Energised() || p.LED.State() != LEDOff || pins["led"].level() != gpio.Low {
		t.Fatal("self-test left the relay energised or the LED lit")
	}
}

func TestSelfTestReportsFailures(t *testing.T) {
	p, pins := selfTestRig(t)
	pins["relay"].fail(true, false)
	var failed []string
	err := SelfTest(t.Context(), p, func(name string, ok bool, detail string) {
		if !ok {
			failed = append(failed, name)
		}
	})
	if !errors.Is(err, errPin) || !slices.Equal(failed, []string{"relay"}) {
		t.Fatalf("SelfTest = %v, failed steps %v; want the relay step failed and the rest run", err, failed)
	}
}
