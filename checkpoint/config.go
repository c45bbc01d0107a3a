package checkpoint

import (
	"errors"
	"fmt"
	"time"

	"github.com/chot-dev/chot/verify"
)

// Untrusted-clock policies: what the site does when the time cannot be trusted.
const (
	UntrustedRefuse = "refuse" // refuse every credential: the default, the safe choice
	UntrustedAccept = "accept" // decide on the best estimate and flag the pass untrusted
)

// Config is the checkpoint's part of the site configuration.
type Config struct {
	Site   string
	Device string
	// Mode names the policy mode in force (travel, venue, …).
	Mode string
	// Policy is the site's acceptance rules; nil judges the credential only.
	Policy *verify.Policy
	// Pulse is how long the relay stays energised on accept. Default 3 s.
	Pulse time.Duration
	// Passback refuses the same subject for this long after it was let
	// through. Zero turns anti-passback off.
	Passback time.Duration
	// DoorWindow is how long after opening a door sensor event counts as the
	// person passing. Default Pulse + 5 s.
	DoorWindow time.Duration
	// UntrustedClock is UntrustedRefuse (default) or UntrustedAccept.
	UntrustedClock string
	// SubjectKey is the deployment key for the subject hash. Required.
	SubjectKey []byte
	// Recent is how many events the snapshot keeps. Default 50.
	Recent int
}

func (c *Config) setDefaults() error {
	if c.Pulse <= 0 {
		c.Pulse = 3 * time.Second
	}
	if c.DoorWindow <= 0 {
		c.DoorWindow = c.Pulse + 5*time.Second
	}
	if c.UntrustedClock == "" {
		c.UntrustedClock = UntrustedRefuse
	}
	if c.Recent <= 0 {
		c.Recent = 50
	}
	var errs []error
	if c.UntrustedClock != UntrustedRefuse && c.UntrustedClock != UntrustedAccept {
		errs = append(errs, fmt.Errorf("untrusted clock policy %q: want %q or %q", c.UntrustedClock, UntrustedRefuse, UntrustedAccept))
	}
	if len(c.SubjectKey) < 16 {
		errs = append(errs, errors.New("subject key: want at least 16 bytes"))
	}
	return errors.Join(errs...)
}
