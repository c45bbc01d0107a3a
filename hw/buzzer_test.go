package hw

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

func newTestBuzzer(t *testing.T, activeLow bool) (*Buzzer, *recPin, *clockwork.FakeClock) {
	t.Helper()
	clk := clockwork.NewFakeClockAt(epoch)
	pin := newRecPin("BUZZER", clk)
	return NewBuzzer(pin, BuzzerConfig{ActiveLow: activeLow, Clock: clk}), pin, clk
}

// playThrough starts s and advances the clock through its pattern, then
// waits for it to end.
// A sound preempting a beep starts with PreemptGap.
func playThrough(t *testing.T, b *Buzzer, clk *clockwork.FakeClock, s Sound) {
	t.Helper()
	steps := b.sounds[s]
	if b.On() {
		steps = append(Pattern{PreemptGap}, steps...)
	}
	done, err := b.start(s)
	if err != nil {
		t.Fatalf("start(%s): %v", s, err)
	}
	for _, d := range steps {
		if d <= 0 {
			continue
		}
		waiters(t, clk, 1)
		clk.Advance(d)
	}
	recv(t, done)
}

func TestBuzzerPatterns(t *testing.T) {
	played := map[Sound]Pattern{}
	for _, activeLow := range []bool{false, true} {
		for _, s := range SoundOrder {
			t.Run(string(s), func(t *testing.T) {
				b, pin, clk := newTestBuzzer(t, activeLow)
				on, off := levels(activeLow)
				playThrough(t, b, clk, s)
				got := durations(pin.log(), on)
				if want := DefaultSounds[s]; !slices.Equal(got, want) {
					t.Fatalf("played %v, want %v", got, want)
				}
				if pin.level() != off || b.On() {
					t.Fatalf("after the sound: pin %v, want %v", pin.level(), off)
				}
				if b.Last() != s {
					t.Fatalf("Last() = %q, want %q", b.Last(), s)
				}
				played[s] = got
			})
		}
	}
	// Every sound is told apart by ear: no two share a rhythm, and accept is
	// the only single short beep.
	for i, a := range SoundOrder {
		for _, c := range SoundOrder[i+1:] {
			if slices.Equal(played[a], played[c]) {
				t.Errorf("%s and %s sound the same: %v", a, c, played[a])
			}
		}
		if a != SoundAccept && len(played[a]) == 1 && played[a][0] <= played[SoundAccept][0]*2 {
			t.Errorf("%s is a short single beep like accept: %v", a, played[a])
		}
	}
}

func TestBuzzerPreempt(t *testing.T) {
	b, pin, clk := newTestBuzzer(t, false)
	if err := b.Play(SoundRevoked); err != nil {
		t.Fatal(err)
	}
	waiters(t, clk, 1)
	clk.Advance(200 * time.Millisecond) // inside revoked's first long beep
	playThrough(t, b, clk, SoundAccept)
	want := []edge{
		{0, gpio.Low}, {0, gpio.High}, // revoked starts
		{200 * time.Millisecond, gpio.Low},  // preempted: gap
		{260 * time.Millisecond, gpio.High}, // accept
		{380 * time.Millisecond, gpio.Low},
	}
	if got := pin.log(); !slices.Equal(got, want) {
		t.Fatalf("edges = %v, want %v", got, want)
	}
	// Nothing of revoked resumes later.
	clk.Advance(10 * time.Second)
	if got := pin.log(); len(got) != len(want) {
		t.Fatalf("edges after preemption = %v, want %v", got, want)
	}
	if b.Last() != SoundAccept {
		t.Fatalf("Last() = %q", b.Last())
	}
}

func TestBuzzerPreemptInSilence(t *testing.T) {
	b, pin, clk := newTestBuzzer(t, false)
	if err := b.Play(SoundTime); err != nil {
		t.Fatal(err)
	}
	waiters(t, clk, 1)
	clk.Advance(80 * time.Millisecond) // now in the first gap
	waiters(t, clk, 1)
	playThrough(t, b, clk, SoundAccept)
	want := []edge{{0, gpio.Low}, {0, gpio.High}, {80 * time.Millisecond, gpio.Low},
		{80 * time.Millisecond, gpio.High}, {200 * time.Millisecond, gpio.Low}}
	if got := pin.log(); !slices.Equal(got, want) {
		t.Fatalf("edges = %v, want %v", got, want)
	}
}

func TestBuzzerSoundClass(t *testing.T) {
	for _, tc := range []struct{ class, want string }{
		{"accept", "accept"}, {"unreadable", "unreadable"}, {"invalid", "invalid"},
		{"time", "time"}, {"revoked", "revoked"}, {"policy", "policy"}, {"fault", "fault"},
		{"no-such-class", "invalid"}, {"", "invalid"},
	} {
		t.Run(tc.class, func(t *testing.T) {
			b, pin, _ := newTestBuzzer(t, false)
			b.Sound(tc.class)
			if got := string(b.Last()); got != tc.want {
				t.Fatalf("Sound(%q) played %q, want %q", tc.class, got, tc.want)
			}
			if pin.level() != gpio.High {
				t.Fatal("not sounding")
			}
			if err := b.Close(); err != nil || pin.level() != gpio.Low {
				t.Fatalf("Close: %v, pin %v", err, pin.level())
			}
		})
	}
}

func TestBuzzerUnknownSound(t *testing.T) {
	b, _, _ := newTestBuzzer(t, false)
	if err := b.Play("song"); !errors.Is(err, ErrUnknownSound) {
		t.Fatalf("Play = %v, want ErrUnknownSound", err)
	}
}

func TestBuzzerPlayWaitCancel(t *testing.T) {
	b, pin, clk := newTestBuzzer(t, false)
	ctx, cancel := context.WithCancel(t.Context())
	res := make(chan error, 1)
	go func() { res <- b.PlayWait(ctx, SoundFault) }()
	waiters(t, clk, 1)
	cancel()
	if err := recv(t, res); !errors.Is(err, context.Canceled) {
		t.Fatalf("PlayWait = %v, want context.Canceled", err)
	}
	if pin.level() != gpio.Low {
		t.Fatal("still sounding after cancel")
	}
}
