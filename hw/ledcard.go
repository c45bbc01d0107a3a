package hw

import (
	"fmt"
	"strings"
	"time"
)

// LEDCard renders LEDCodes as the Markdown table printed for technicians
// (LEDCARD.md). A test keeps the file in step with the table.
func LEDCard() string {
	var b strings.Builder
	b.WriteString("# chot status LED\n\n")
	b.WriteString("Watch the LED for a few seconds; one cycle of every code is at most 2 s.\n\n")
	b.WriteString("| LED | state | cycle (on/off, ms) | what to do |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, c := range LEDCodes {
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", c.Looks, c.State, cycle(c.Pattern, true), c.Means)
	}
	b.WriteString("\nThe buzzer, for the staff at the gate:\n\n")
	b.WriteString("| sound | meaning | pattern (on/off, ms) |\n")
	b.WriteString("|---|---|---|\n")
	for _, s := range SoundOrder {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", soundLooks[s], soundMeans[s], cycle(DefaultSounds[s], false))
	}
	return b.String()
}

// cycle prints a pattern as "on 150 / off 150 / …", or, for a repeated
// pattern of one level, "steady on" or "steady off".
func cycle(p Pattern, repeat bool) string {
	if on, ok := p.steady(); ok && repeat {
		if on {
			return "steady on"
		}
		return "steady off"
	}
	parts := make([]string, 0, len(p))
	for i, d := range p {
		w := "on"
		if i%2 == 1 {
			w = "off"
		}
		parts = append(parts, fmt.Sprintf("%s %d", w, d/time.Millisecond))
	}
	return strings.Join(parts, " / ")
}

var soundLooks = map[Sound]string{
	SoundAccept:     "one short beep",
	SoundUnreadable: "two short beeps",
	SoundInvalid:    "one long beep",
	SoundTime:       "three short beeps",
	SoundRevoked:    "long, short, long",
	SoundPolicy:     "short, long",
	SoundFault:      "four even beeps",
}

var soundMeans = map[Sound]string{
	SoundAccept:     "accepted: the gate opens",
	SoundUnreadable: "code not readable: show it again, steadier, brighter screen",
	SoundInvalid:    "not a genuine or known certificate",
	SoundTime:       "expired or not yet valid",
	SoundRevoked:    "certificate revoked",
	SoundPolicy:     "genuine, but not accepted at this site",
	SoundFault:      "the checkpoint has a fault: see the LED and the status page",
}
