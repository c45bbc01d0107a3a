package checkpoint

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/verify"
)

// publish records p in the counters and the recent list and sends it to the
// subscribers. A slow subscriber misses events rather than slowing the gate.
func (c *Checkpoint) publish(p record.Pass, at time.Time) Event {
	ev := Event{
		Seq: p.Seq, At: at, Clock: p.Clock, Decision: p.Decision, Reason: p.Reason, Class: soundClass(p.Reason),
		Rule: p.Rule, Format: p.Format, Type: p.Type, Issuer: p.Issuer, Kid: p.Kid, Gate: p.Gate, LatencyUS: p.LatencyUS, Unverified: p.Unverified,
	}
	if p.Decision == DecisionManual || p.Decision == DecisionEvent {
		ev.Class = string(verify.ClassAccept)
		if p.Reason == ReasonGateFault {
			ev.Class = SoundFault
		}
	}
	c.mu.Lock()
	switch p.Decision {
	case string(verify.Accept):
		c.counters.Accepted++
	case string(verify.Reject):
		c.counters.Rejected++
	case DecisionManual:
		c.counters.Manual++
	}
	if p.Decision != DecisionEvent {
		c.counters.ByReason[p.Reason]++
	}
	c.recent = append([]Event{ev}, c.recent...)
	if len(c.recent) > c.cfg.Recent {
		c.recent = c.recent[:c.cfg.Recent]
	}
	for ch := range c.subs {
		select {
		case ch <- ev:
		default:
		}
	}
	c.mu.Unlock()
	return ev
}

// Subscribe returns a channel of events until ctx ends.
func (c *Checkpoint) Subscribe(ctx context.Context) <-chan Event {
	ch := make(chan Event, 64)
	c.mu.Lock()
	c.subs[ch] = struct{}{}
	c.mu.Unlock()
	go func() {
		<-ctx.Done()
		c.mu.Lock()
		delete(c.subs, ch)
		close(ch)
		c.mu.Unlock()
	}()
	return ch
}

// Snapshot returns the checkpoint's state for the status page.
func (c *Checkpoint) Snapshot() Snapshot {
	_, clk := c.d.Time.Now()
	_, ts := c.d.Trust.Current()
	pv := PolicyView{Mode: c.cfg.Mode}
	if pol := c.policy(); pol != nil {
		o := pol.Options()
		pv.InForce = o.Check() == nil
		pv.SignerValidity, pv.IssuerBinding = o.SignerValidity, o.IssuerBinding
		if pv.SignerValidity == "" {
			pv.SignerValidity = verify.SignerSigningTime
		}
		if pv.IssuerBinding == "" {
			pv.IssuerBinding = verify.BindingRefuse
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Snapshot{
		Site: c.cfg.Site, Device: c.cfg.Device, Mode: c.cfg.Mode, Configured: true,
		Gate: c.gate, LED: c.led, Clock: clk, Trust: ts, Policy: pv,
		Counters: Counters{Accepted: c.counters.Accepted, Rejected: c.counters.Rejected, Manual: c.counters.Manual,
			ByReason: make(map[string]uint64, len(c.counters.ByReason))},
		Recent:   slices.Clone(c.recent),
		Warnings: slices.Clone(c.warnings),
	}
	for k, v := range c.counters.ByReason {
		s.Counters.ByReason[k] = v
	}
	return s
}

// SetOnline tells the checkpoint whether the hub is reachable, for the LED.
func (c *Checkpoint) SetOnline(online bool) {
	c.mu.Lock()
	c.online = online
	c.mu.Unlock()
	c.refreshLED()
}

// SetFault reports that a part the checkpoint does not drive itself (the
// camera, the disk) is faulty, with what the page should say; an empty
// detail clears it. A fault shows the fault LED and a warning; the
// checkpoint goes on deciding whatever comes in.
func (c *Checkpoint) SetFault(part, detail string) {
	c.mu.Lock()
	if detail == "" {
		delete(c.faults, part)
	} else {
		c.faults[part] = detail
	}
	c.mu.Unlock()
	c.refreshLED()
}

// Alive reports whether the decision loop is running and turned within the
// last within (it turns at least every second, between decisions): the
// watchdog's test of the loop. A decision stuck on the disk or the relay
// stops it turning.
func (c *Checkpoint) Alive(within time.Duration) bool {
	if !c.running.Load() {
		return false
	}
	return c.d.Clock.Uptime()-time.Duration(c.beat.Load()) <= within
}

// refreshLED recomputes the LED state and the warnings from the gate, the
// clock and the trust data.
func (c *Checkpoint) refreshLED() {
	_, clk := c.d.Time.Now()
	_, ts := c.d.Trust.Current()
	var warn []string
	if clk.State == record.ClockUntrusted {
		warn = append(warn, "clock untrusted: "+clk.Detail)
	}
	noPolicy := false
	if pol := c.policy(); pol == nil {
		noPolicy = true
		warn = append(warn, fmt.Sprintf("no site policy in force for mode %q: every pass is refused (no_policy)", c.cfg.Mode))
	} else if err := pol.Options().Check(); err != nil {
		noPolicy = true
		warn = append(warn, "the policy has an unknown setting, every pass is refused (no_policy): "+err.Error())
	}
	if !ts.Installed {
		warn = append(warn, "no trust data installed")
	} else if ts.Expired {
		warn = append(warn, "trust data expired: nothing is accepted")
	} else if ts.Stale {
		warn = append(warn, "trust data stale: sync soon")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	parts := make([]string, 0, len(c.faults))
	for p := range c.faults {
		parts = append(parts, p)
	}
	slices.Sort(parts)
	for _, p := range parts {
		warn = append(warn, p+": "+c.faults[p])
	}
	c.warnings = warn
	led := LEDReadyOffline
	if c.online {
		led = LEDReadyOnline
	}
	switch {
	case c.gate == GateFault || ts.Expired || noPolicy || len(c.faults) > 0:
		led = LEDFault
	case len(warn) > 0:
		led = LEDWarning
	}
	if led != c.led {
		c.led = led
		c.d.Indicator.SetLED(led)
	}
}
