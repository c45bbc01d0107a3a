package checkpoint

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/verify"
)

// Scan is what the scanner saw: the texts of the codes in one frame (several
// for a chunked SMART Health Card) and when the frame came in.
type Scan struct {
	Texts []string
	// Uptime is the monotonic time (Clock.Uptime) the frame arrived; latency
	// is measured from it.
	Uptime time.Duration
}

// Deps are the parts a Checkpoint drives.
type Deps struct {
	Verifier  *verify.Verifier
	Trust     TrustSource
	Log       Log
	Gate      Gate
	Indicator Indicator
	Clock     Clock
	Time      *TrustedClock
	Logger    *slog.Logger
	// BootID identifies this boot in the pass records.
	BootID string
	// Policy, if set, returns the rules in force for each decision (the
	// trust bundle's, which a new bundle may change); otherwise
	// Config.Policy applies.
	Policy func() *verify.Policy
}

// Checkpoint is the decision loop. Its methods are safe for concurrent use;
// decisions are serialised so the gate sees one at a time.
type Checkpoint struct {
	cfg Config
	d   Deps
	log *slog.Logger

	decide sync.Mutex // one decision at a time, in scan order

	mu       sync.Mutex
	passback map[string]time.Duration // subject hex → uptime it was let through
	gate     string
	led      string
	opened   openState
	counters Counters
	recent   []Event
	subs     map[chan Event]struct{}
	warnings []string
	online   bool
	faults   map[string]string // part → what is wrong (SetFault)

	// beat is the uptime (ns) of the decision loop's last turn, running
	// whether Run is in its loop: Alive reads both, for the watchdog.
	beat    atomic.Int64
	running atomic.Bool
}

// openState remembers the last opening, for the door sensor.
type openState struct {
	at      time.Duration
	subject string
	seq     uint64
}

// Gate states in the snapshot.
const (
	GateClosed = "closed"
	GateOpen   = "open"
	GateFault  = "fault"
)

// New builds a Checkpoint. The gate is closed at once: whatever state the
// relay was left in, a new checkpoint starts fail-secure.
func New(cfg Config, d Deps) (*Checkpoint, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, fmt.Errorf("checkpoint: config: %w", err)
	}
	if d.Verifier == nil || d.Trust == nil || d.Log == nil || d.Gate == nil || d.Indicator == nil || d.Clock == nil || d.Time == nil {
		return nil, errors.New("checkpoint: missing dependency")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Checkpoint{
		cfg:      cfg,
		d:        d,
		log:      d.Logger,
		passback: make(map[string]time.Duration),
		gate:     GateClosed,
		subs:     make(map[chan Event]struct{}),
		faults:   make(map[string]string),
		counters: Counters{ByReason: map[string]uint64{}},
	}
	if err := d.Gate.Close(); err != nil {
		c.gate = GateFault
		c.log.Error("gate: close at start", "err", err)
	}
	c.refreshLED()
	return c, nil
}

// Run decides every scan from scans until ctx ends or scans closes. However
// it returns — shutdown, a closed channel, a panic in a decision — the gate is
// closed first.
func (c *Checkpoint) Run(ctx context.Context, scans <-chan Scan) (err error) {
	c.beat.Store(int64(c.d.Clock.Uptime()))
	c.running.Store(true)
	defer func() {
		c.running.Store(false)
		if p := recover(); p != nil {
			err = fmt.Errorf("checkpoint: panic in the decision loop: %v", p)
			c.log.Error("decision loop crashed", "err", err)
			c.d.Indicator.Sound(SoundFault)
			c.setGate(GateFault)
		}
		if cerr := c.d.Gate.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("checkpoint: close gate: %w", cerr))
		}
		if err == nil || errors.Is(err, context.Canceled) {
			c.setGate(GateClosed)
		}
	}()
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	for {
		c.beat.Store(int64(c.d.Clock.Uptime()))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case s, ok := <-scans:
			if !ok {
				return nil
			}
			if _, err := c.Decide(ctx, s); err != nil {
				c.log.Error("decision", "err", err)
			}
		case <-ticker.C:
			c.refreshLED()
		}
	}
}

// Decide makes one decision: verify, anti-passback, log durably, then open
// the gate and sound. It returns the event as published. An error means the
// pass could not be logged (the gate stayed closed) or the gate could not be
// driven.
func (c *Checkpoint) Decide(ctx context.Context, s Scan) (Event, error) {
	c.decide.Lock()
	defer c.decide.Unlock()

	now, clk := c.d.Time.Now()
	store, ts := c.d.Trust.Current()
	var res verify.Result
	switch {
	case clk.State == record.ClockUntrusted && c.cfg.UntrustedClock == UntrustedRefuse:
		res.Reject(ReasonClockUntrusted, clk.Detail)
		res.Decision = verify.Reject
	case ts.Expired:
		res.Reject(verify.ReasonTrustExpired, fmt.Sprintf("trust data expired at %s", ts.ExpiresAt.UTC().Format(time.RFC3339)))
		res.Decision = verify.Reject
	default:
		res = c.verifyFirst(verify.Input{Texts: s.Texts, Trust: store, Now: now, Policy: c.policy()})
	}

	p := record.Pass{
		At:       now.UnixMilli(),
		UptimeMS: c.d.Clock.Uptime().Milliseconds(),
		BootID:   c.d.BootID,
		Clock:    clk.State,
		Decision: string(res.Decision),
		Reason:   string(res.Reason),
		Rule:     res.Rule,
		Format:   string(res.Format),
		Issuer:   res.Issuer,
		Gate:     record.GateNotOpened,
		Mode:     c.cfg.Mode,
	}
	p.Kid = res.KidText()
	if res.Credential != nil {
		p.Type = string(res.Credential.Type)
		if res.Credential.ID != "" {
			p.Subject = hex.EncodeToString(record.SubjectHash(c.cfg.SubjectKey, string(res.Format)+"\x00"+res.Credential.ID))
		}
	}
	if res.Steps[verify.StepSignature] != verify.Pass {
		// Nothing of the code is vouched for: what it says of its issuer
		// and key may be anything (a formula, a terminal escape, 10 KB).
		p.Unverified = true
		p.Issuer, p.Kid = record.Untrusted(p.Issuer), record.Untrusted(p.Kid)
	}
	if res.Decision == verify.Accept && c.passbackHit(p.Subject, s.Uptime) {
		p.Decision = string(verify.Reject)
		p.Reason = ReasonPassback
	}
	accept := p.Decision == string(verify.Accept)
	if accept {
		p.Gate = record.GateOpened
	}
	p.LatencyUS = (c.d.Clock.Uptime() - s.Uptime).Microseconds()

	logged, err := c.d.Log.Append(ctx, p)
	if err != nil {
		// Not durable: nothing opens.
		c.d.Indicator.Sound(SoundFault)
		c.setGate(GateFault)
		c.SetFault("log", "passes cannot be logged, nothing opens: "+err.Error())
		p.Reason, p.Gate, p.Decision = ReasonLogFailed, record.GateNotOpened, string(verify.Reject)
		ev := c.publish(p, now)
		return ev, fmt.Errorf("checkpoint: log pass: %w", err)
	}
	c.logRecovered()
	p = logged
	var gateErr error
	if accept {
		gateErr = c.open(p.Subject, p.Seq, s.Uptime)
		if gateErr != nil {
			c.d.Indicator.Sound(SoundFault)
		} else {
			c.d.Indicator.Sound(string(verify.ClassAccept))
		}
	} else {
		c.d.Indicator.Sound(soundClass(p.Reason))
	}
	p.LatencyUS = (c.d.Clock.Uptime() - s.Uptime).Microseconds()
	ev := c.publish(p, now)
	if gateErr != nil {
		c.logEvent(ctx, ReasonGateFault, record.GateNotOpened, p.Subject)
		return ev, gateErr
	}
	return ev, nil
}

// logRecovered clears the fault a failed append left (the disk was full and
// has room again): the gate is closed, not faulty, and the LED says so.
func (c *Checkpoint) logRecovered() {
	c.mu.Lock()
	_, was := c.faults["log"]
	if was {
		delete(c.faults, "log")
		if c.gate == GateFault {
			c.gate = GateClosed
		}
	}
	c.mu.Unlock()
	if was {
		c.log.Info("log: passes are logged again")
		c.refreshLED()
	}
}

// policy returns the rules in force.
func (c *Checkpoint) policy() *verify.Policy {
	if c.d.Policy != nil {
		return c.d.Policy()
	}
	return c.cfg.Policy
}

// soundClass maps a logged reason to its buzzer class.
func soundClass(reason string) string {
	switch reason {
	case ReasonPassback:
		return string(verify.ClassPolicy)
	case ReasonClockUntrusted:
		return string(verify.ClassTime)
	case ReasonLogFailed, ReasonGateFault:
		return SoundFault
	}
	return string(verify.Reason(reason).Class())
}

// passbackHit reports whether subject was let through within the window.
func (c *Checkpoint) passbackHit(subject string, up time.Duration) bool {
	if c.cfg.Passback <= 0 || subject == "" {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for s, at := range c.passback {
		if up-at > c.cfg.Passback {
			delete(c.passback, s)
		}
	}
	at, ok := c.passback[subject]
	return ok && up-at <= c.cfg.Passback
}

// open pulses the relay, after the pass is durable.
func (c *Checkpoint) open(subject string, seq uint64, up time.Duration) error {
	if err := c.d.Gate.Open(c.cfg.Pulse); err != nil {
		c.setGate(GateFault)
		_ = c.d.Gate.Close()
		return fmt.Errorf("checkpoint: open gate: %w", err)
	}
	c.mu.Lock()
	c.gate = GateOpen
	c.opened = openState{at: up, subject: subject, seq: seq}
	if subject != "" && c.cfg.Passback > 0 {
		c.passback[subject] = up
	}
	c.mu.Unlock()
	time.AfterFunc(c.cfg.Pulse, func() {
		c.mu.Lock()
		if c.gate == GateOpen {
			c.gate = GateClosed
		}
		c.mu.Unlock()
	})
	return nil
}

// OpenManual opens the gate by hand (button or status page), logging it first.
func (c *Checkpoint) OpenManual(ctx context.Context, reason string) error {
	c.decide.Lock()
	defer c.decide.Unlock()
	now, clk := c.d.Time.Now()
	p := record.Pass{
		At: now.UnixMilli(), UptimeMS: c.d.Clock.Uptime().Milliseconds(), BootID: c.d.BootID, Clock: clk.State,
		Decision: DecisionManual, Reason: reason, Gate: record.GateManual, Mode: c.cfg.Mode,
	}
	logged, err := c.d.Log.Append(ctx, p)
	if err != nil {
		c.d.Indicator.Sound(SoundFault)
		return fmt.Errorf("checkpoint: log manual opening: %w", err)
	}
	if err := c.open("", logged.Seq, c.d.Clock.Uptime()); err != nil {
		c.d.Indicator.Sound(SoundFault)
		return err
	}
	c.d.Indicator.Sound(string(verify.ClassAccept))
	c.publish(logged, now)
	return nil
}

// DoorPassed records that the door sensor saw someone pass. It counts only
// within DoorWindow of an opening, once per opening.
func (c *Checkpoint) DoorPassed(ctx context.Context) {
	up := c.d.Clock.Uptime()
	c.mu.Lock()
	o := c.opened
	valid := o.seq != 0 && up-o.at <= c.cfg.DoorWindow
	if valid {
		c.opened = openState{}
	}
	c.mu.Unlock()
	if !valid {
		c.log.Warn("door sensor: passage without an opening")
		return
	}
	c.logEvent(ctx, ReasonDoorPassed, record.GatePassed, o.subject)
}

// logEvent appends a gate event that follows a decision.
func (c *Checkpoint) logEvent(ctx context.Context, reason, gate, subject string) {
	now, clk := c.d.Time.Now()
	p := record.Pass{
		At: now.UnixMilli(), UptimeMS: c.d.Clock.Uptime().Milliseconds(), BootID: c.d.BootID, Clock: clk.State,
		Decision: DecisionEvent, Reason: reason, Gate: gate, Subject: subject, Mode: c.cfg.Mode,
	}
	logged, err := c.d.Log.Append(ctx, p)
	if err != nil {
		c.log.Error("log gate event", "reason", reason, "err", err)
		return
	}
	c.publish(logged, now)
}

func (c *Checkpoint) setGate(s string) {
	c.mu.Lock()
	c.gate = s
	c.mu.Unlock()
	c.refreshLED()
}
