package hw

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

// Sound names a buzzer pattern. The reject sounds carry the names of
// verify.Class values, so a result's class converts directly:
// hw.Sound(result.Reason.Class()).
type Sound string

// The sounds.
const (
	SoundAccept     Sound = "accept"     // the gate opens
	SoundUnreadable Sound = "unreadable" // the code could not be decoded: show it again
	SoundInvalid    Sound = "invalid"    // forged, unknown key, malformed
	SoundTime       Sound = "time"       // expired or not yet valid
	SoundRevoked    Sound = "revoked"
	SoundPolicy     Sound = "policy" // valid, but not accepted by the site's rules
	SoundFault      Sound = "fault"  // the checkpoint itself is in trouble
)

// PreemptGap is the silence inserted when a sound preempts one that is
// sounding at that instant.
const PreemptGap = 60 * time.Millisecond

// ErrUnknownSound is returned for a sound with no pattern.
var ErrUnknownSound = errors.New("hw: buzzer: unknown sound")

// ms is a shorthand for the pattern tables.
const ms = time.Millisecond

// DefaultSounds are the buzzer patterns. Each is distinct by rhythm, so
// staff tell them apart without looking: accept is the only single short
// beep; every reject is longer than half a second.
var DefaultSounds = map[Sound]Pattern{
	SoundAccept:     {120 * ms},
	SoundUnreadable: {80 * ms, 80 * ms, 80 * ms},                                            // two short: "again"
	SoundInvalid:    {700 * ms},                                                             // one long
	SoundTime:       {80 * ms, 80 * ms, 80 * ms, 80 * ms, 80 * ms},                          // three short
	SoundRevoked:    {400 * ms, 120 * ms, 100 * ms, 120 * ms, 400 * ms},                     // long short long
	SoundPolicy:     {100 * ms, 120 * ms, 500 * ms},                                         // short long
	SoundFault:      {250 * ms, 150 * ms, 250 * ms, 150 * ms, 250 * ms, 150 * ms, 250 * ms}, // four even
}

// SoundOrder lists the sounds in the order the self-test plays them.
var SoundOrder = []Sound{SoundAccept, SoundUnreadable, SoundInvalid, SoundTime, SoundRevoked, SoundPolicy, SoundFault}

// BuzzerConfig configures a Buzzer. The zero value is an active-high
// buzzer with DefaultSounds on the real clock.
type BuzzerConfig struct {
	// ActiveLow sounds the buzzer by driving the pin low.
	ActiveLow bool
	// Sounds replaces DefaultSounds entirely when non-nil.
	Sounds map[Sound]Pattern
	// Clock times the patterns; nil means the real clock.
	Clock clockwork.Clock
	// Logger receives the sounds played; nil discards.
	Logger *slog.Logger
}

// Buzzer plays sound patterns on an active buzzer. Patterns play in the
// background; a new sound preempts the one playing. A Buzzer is safe for
// concurrent use.
type Buzzer struct {
	pl     *player
	sounds map[Sound]Pattern
	log    *slog.Logger

	mu   sync.Mutex
	last Sound
}

// NewBuzzer returns the buzzer on pin, silent.
func NewBuzzer(pin gpio.PinOut, cfg BuzzerConfig) *Buzzer {
	sounds := cfg.Sounds
	if sounds == nil {
		sounds = DefaultSounds
	}
	log := loggerOr(cfg.Logger)
	b := &Buzzer{pl: newPlayer(pin, cfg.ActiveLow, cfg.Clock, log), sounds: sounds, log: log}
	_ = b.pl.stop()
	return b
}

// Play starts s and returns at once, preempting whatever plays.
func (b *Buzzer) Play(s Sound) error {
	_, err := b.start(s)
	return err
}

// PlayWait plays s and returns when it has finished, or when ctx ends (the
// sound is then stopped) or another sound preempts it.
func (b *Buzzer) PlayWait(ctx context.Context, s Sound) error {
	done, err := b.start(s)
	if err != nil {
		return err
	}
	select {
	case <-done:
		return b.pl.lastErr()
	case <-ctx.Done():
		_ = b.Stop()
		return fmt.Errorf("hw: buzzer: %w", ctx.Err())
	}
}

// Sound plays the pattern of a sound class without blocking: a verify.Class
// value or "fault". An unknown class sounds as "invalid", so a reject is
// never silent. It satisfies half of checkpoint.Indicator.
func (b *Buzzer) Sound(class string) {
	s := Sound(class)
	if _, ok := b.sounds[s]; !ok {
		b.log.Warn("buzzer: unknown sound class, playing invalid", "class", class)
		s = SoundInvalid
	}
	_ = b.Play(s)
}

// Stop silences the buzzer.
func (b *Buzzer) Stop() error {
	return b.pl.stop()
}

// Close silences the buzzer. The buzzer stays usable.
func (b *Buzzer) Close() error {
	return b.Stop()
}

// Last returns the last sound started, "" before the first.
func (b *Buzzer) Last() Sound {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

// On reports whether the buzzer is sounding at this instant.
func (b *Buzzer) On() bool { return b.pl.lit() }

func (b *Buzzer) start(s Sound) (<-chan struct{}, error) {
	p, ok := b.sounds[s]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownSound, s)
	}
	b.mu.Lock()
	b.last = s
	b.mu.Unlock()
	if b.pl.lit() {
		// Preempting a beep: a short silence first, or the two would merge.
		p = append(Pattern{0, PreemptGap}, p...)
	}
	b.log.Info("buzzer: sound", "sound", string(s))
	done := b.pl.play(p, false)
	return done, b.pl.lastErr()
}
