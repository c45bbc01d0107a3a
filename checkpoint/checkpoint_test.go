package checkpoint

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/verify"
)

var errGate = errors.New("relay driver failed")

// scriptHandler is a format whose texts say what to return: "X:ok:ID",
// "X:expired", "X:forged", "X:panic". The real formats are exercised by the
// end-to-end test; this one isolates the loop's own logic.
type scriptHandler struct{}

func (scriptHandler) Format() verify.Format   { return "script" }
func (scriptHandler) Detect(text string) bool { return strings.HasPrefix(text, "X:") }
func (scriptHandler) Verify(texts []string, _ verify.TrustStore, now time.Time) verify.Result {
	var r verify.Result
	r.Kid, r.Issuer = []byte{1, 2, 3}, "VN"
	parts := strings.Split(texts[0], ":")
	switch parts[1] {
	case "panic":
		panic("handler bug")
	case "expired":
		r.Fail(verify.StepValidity, verify.ReasonExpired, "expired")
	case "forged":
		r.Fail(verify.StepSignature, verify.ReasonBadSignature, "forged")
	case "forgedlong": // a forger's issuer and kid: a formula, control characters, 10 KB
		r.Issuer = "=HYPERLINK(\"http://evil\")\x1b[2J" + strings.Repeat("A", 10000)
		r.Kid = []byte(strings.Repeat("k", 5000))
		r.Fail(verify.StepSignature, verify.ReasonUnknownKey, "forged")
	default: // every step a format must pass
		r.Mark(verify.StepSignature, verify.Pass)
		r.Mark(verify.StepValidity, verify.Pass)
	}
	id := ""
	if len(parts) > 2 {
		id = parts[2]
	}
	r.Credential = &verify.Credential{Type: verify.TypeVaccination, ID: id, IssuedAt: now, Vaccination: &verify.Vaccination{}}
	return r
}

// memLog is a Log in memory; fail makes the next appends fail.
type memLog struct {
	ev     *events
	mu     sync.Mutex
	passes []record.Pass
	fail   bool
}

func (l *memLog) Append(_ context.Context, p record.Pass) (record.Pass, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail {
		l.ev.add("log-failed")
		return p, errors.New("disk full")
	}
	p.Seq = uint64(len(l.passes) + 1)
	l.passes = append(l.passes, p)
	l.ev.add("logged:" + p.Decision)
	return p, nil
}

type staticTrust struct{ ts TrustState }

func (s staticTrust) Current() (verify.TrustStore, TrustState) { return verify.EmptyTrust{}, s.ts }

type rig struct {
	cp    *Checkpoint
	ev    *events
	gate  *fakeGate
	ind   *fakeIndicator
	log   *memLog
	clock *manualClock
}

func newRig(t *testing.T, cfg Config, trust TrustState, wall time.Time) *rig {
	t.Helper()
	ev := &events{}
	r := &rig{ev: ev, gate: &fakeGate{ev: ev}, ind: &fakeIndicator{ev: ev}, log: &memLog{ev: ev},
		clock: &manualClock{wall: wall, up: time.Minute}}
	if cfg.SubjectKey == nil {
		cfg.SubjectKey = []byte("0123456789abcdef0123456789abcdef")
	}
	if cfg.Policy == nil {
		cfg.Policy = &verify.Policy{} // accepts every valid credential; no policy refuses all (nopolicy_test.go)
	}
	tc := NewTrustedClock(r.clock, &memTime{t: mustTime("2021-09-01T00:00:00Z")}, ClockOptions{})
	cp, err := New(cfg, Deps{
		Verifier: verify.New(scriptHandler{}), Trust: staticTrust{trust}, Log: r.log, Gate: r.gate,
		Indicator: r.ind, Clock: r.clock, Time: tc,
	})
	if err != nil {
		t.Fatal(err)
	}
	r.cp = cp
	return r
}

var goodTrust = TrustState{Installed: true, Version: 1}

func TestDecide(t *testing.T) {
	wall := mustTime("2021-10-01T09:00:00Z")
	tests := []struct {
		name     string
		text     string
		decision string
		reason   string
		want     []string // the order of what the parts saw, after the initial close
	}{
		{"accept: durable, then open, then beep", "X:ok:alice", "accept", "ok", []string{"logged:accept", "open", "sound:accept"}},
		{"expired: closed, time sound", "X:expired:bob", "reject", "expired", []string{"logged:reject", "sound:time"}},
		{"forged: closed, invalid sound", "X:forged", "reject", "bad_signature", []string{"logged:reject", "sound:invalid"}},
		{"unreadable", "garbage", "reject", "bad_prefix", []string{"logged:reject", "sound:unreadable"}},
		{"handler panic: contained, closed", "X:panic", "reject", "internal", []string{"logged:reject", "sound:invalid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, Config{Pulse: 2 * time.Second}, goodTrust, wall)
			ev, err := r.cp.Decide(context.Background(), Scan{Texts: []string{tt.text}, Uptime: r.clock.Uptime()})
			if err != nil {
				t.Fatal(err)
			}
			if ev.Decision != tt.decision || ev.Reason != tt.reason {
				t.Errorf("decision %s/%s, want %s/%s", ev.Decision, ev.Reason, tt.decision, tt.reason)
			}
			if got := r.ev.list()[1:]; !slices.Equal(got, tt.want) {
				t.Errorf("parts saw %v, want %v", got, tt.want)
			}
			p := r.log.passes[0]
			if p.Clock != record.ClockEstimated || p.At != wall.UnixMilli() || p.Seq != 1 {
				t.Errorf("logged %+v: want the estimated wall time and seq 1", p)
			}
			if tt.decision == "accept" && (p.Gate != record.GateOpened || r.gate.lastDur != 2*time.Second) {
				t.Errorf("gate %s, pulse %s: want opened for 2s", p.Gate, r.gate.lastDur)
			}
		})
	}
}

func TestLogFailureKeepsGateClosed(t *testing.T) {
	r := newRig(t, Config{}, goodTrust, mustTime("2021-10-01T09:00:00Z"))
	r.log.fail = true
	ev, err := r.cp.Decide(context.Background(), Scan{Texts: []string{"X:ok:alice"}})
	if err == nil {
		t.Fatal("a failed durable write was not reported")
	}
	if r.gate.opens != 0 || r.gate.energised() {
		t.Errorf("the gate opened although the pass was not logged")
	}
	if ev.Reason != ReasonLogFailed || !slices.Contains(r.ev.list(), "sound:fault") {
		t.Errorf("event %+v, sounds %v: want log_failed and the fault sound", ev, r.ev.list())
	}
	if s := r.cp.Snapshot(); s.Gate != GateFault || s.LED != LEDFault || !slices.ContainsFunc(s.Warnings, func(w string) bool {
		return strings.HasPrefix(w, "log: passes cannot be logged")
	}) {
		t.Errorf("snapshot gate %s LED %s warnings %v, want fault/fault and the log's warning", s.Gate, s.LED, s.Warnings)
	}
	// Room again (the uplink caught up, acknowledged passes were pruned):
	// the next pass is logged and the fault clears.
	r.log.fail = false
	if _, err := r.cp.Decide(context.Background(), Scan{Texts: []string{"X:expired"}}); err != nil {
		t.Fatal(err)
	}
	if s := r.cp.Snapshot(); s.Gate != GateClosed || slices.ContainsFunc(s.Warnings, func(w string) bool { return strings.HasPrefix(w, "log:") }) {
		t.Errorf("after recovery: gate %s warnings %v, want closed and no log warning", s.Gate, s.Warnings)
	}
}

func TestGateFaultIsLogged(t *testing.T) {
	r := newRig(t, Config{}, goodTrust, mustTime("2021-10-01T09:00:00Z"))
	r.gate.failOn = true
	if _, err := r.cp.Decide(context.Background(), Scan{Texts: []string{"X:ok:alice"}}); !errors.Is(err, errGate) {
		t.Fatalf("err %v, want the relay's error", err)
	}
	if r.gate.energised() {
		t.Errorf("relay left energised after a fault")
	}
	last := r.log.passes[len(r.log.passes)-1]
	if last.Reason != ReasonGateFault || last.Decision != DecisionEvent {
		t.Errorf("last logged %+v, want a gate_fault event", last)
	}
}

func TestAntiPassback(t *testing.T) {
	r := newRig(t, Config{Passback: 30 * time.Second}, goodTrust, mustTime("2021-10-01T09:00:00Z"))
	ctx := context.Background()
	decide := func(text string) Event {
		t.Helper()
		ev, err := r.cp.Decide(ctx, Scan{Texts: []string{text}, Uptime: r.clock.Uptime()})
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	if ev := decide("X:ok:alice"); ev.Decision != "accept" {
		t.Fatalf("first pass %s", ev.Reason)
	}
	r.clock.advance(10 * time.Second)
	// A different QR code of the same person: the subject is the same.
	if ev := decide("X:ok:alice"); ev.Reason != ReasonPassback {
		t.Errorf("second pass within the window: %s, want passback", ev.Reason)
	}
	if ev := decide("X:ok:bob"); ev.Decision != "accept" {
		t.Errorf("another person refused: %s", ev.Reason)
	}
	r.clock.advance(31 * time.Second)
	if ev := decide("X:ok:alice"); ev.Decision != "accept" {
		t.Errorf("after the window: %s, want accept", ev.Reason)
	}
	if r.gate.opens != 3 {
		t.Errorf("gate opened %d times, want 3", r.gate.opens)
	}
	subjects := map[string]bool{}
	for _, p := range r.log.passes {
		if strings.Contains(p.Subject, "alice") || len(p.Subject) != 2*record.SubjectLen {
			t.Errorf("subject %q is not a keyed hash", p.Subject)
		}
		subjects[p.Subject] = true
	}
	if len(subjects) != 2 {
		t.Errorf("%d distinct subjects logged, want 2", len(subjects))
	}
}

func TestUntrustedClockPolicy(t *testing.T) {
	for _, pol := range []string{UntrustedRefuse, UntrustedAccept} {
		t.Run(pol, func(t *testing.T) {
			r := newRig(t, Config{UntrustedClock: pol}, goodTrust, time.Unix(0, 0)) // booted in 1970
			ev, err := r.cp.Decide(context.Background(), Scan{Texts: []string{"X:ok:alice"}})
			if err != nil {
				t.Fatal(err)
			}
			if ev.Clock != record.ClockUntrusted {
				t.Errorf("clock %s, want untrusted", ev.Clock)
			}
			want := map[string]string{UntrustedRefuse: ReasonClockUntrusted, UntrustedAccept: "ok"}[pol]
			if ev.Reason != want {
				t.Errorf("reason %s, want %s", ev.Reason, want)
			}
			if s := r.cp.Snapshot(); s.LED != LEDWarning || len(s.Warnings) == 0 {
				t.Errorf("LED %s warnings %v: the untrusted clock must be visible", s.LED, s.Warnings)
			}
		})
	}
}

func TestExpiredTrustRefusesEverything(t *testing.T) {
	r := newRig(t, Config{}, TrustState{Installed: true, Expired: true, ExpiresAt: mustTime("2021-09-15T00:00:00Z")}, mustTime("2021-10-01T09:00:00Z"))
	ev, _ := r.cp.Decide(context.Background(), Scan{Texts: []string{"X:ok:alice"}})
	if ev.Reason != string(verify.ReasonTrustExpired) || r.gate.opens != 0 {
		t.Errorf("reason %s, opens %d: want trust_expired and a closed gate", ev.Reason, r.gate.opens)
	}
	if s := r.cp.Snapshot(); s.LED != LEDFault {
		t.Errorf("LED %s, want fault while trust is expired", s.LED)
	}
}

func TestRunClosesGateOnExit(t *testing.T) {
	r := newRig(t, Config{Pulse: time.Hour}, goodTrust, mustTime("2021-10-01T09:00:00Z"))
	ctx, cancel := context.WithCancel(context.Background())
	scans := make(chan Scan)
	done := make(chan error, 1)
	go func() { done <- r.cp.Run(ctx, scans) }()
	scans <- Scan{Texts: []string{"X:ok:alice"}}
	scans <- Scan{Texts: []string{"X:ok:bob"}} // the first decision is done once this is taken
	if !r.gate.energised() {
		t.Fatal("gate not open after an accept")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	if r.gate.energised() {
		t.Errorf("relay still energised after shutdown: not fail-secure")
	}
}

func TestManualOpenAndDoor(t *testing.T) {
	r := newRig(t, Config{}, goodTrust, mustTime("2021-10-01T09:00:00Z"))
	ctx := context.Background()
	if err := r.cp.OpenManual(ctx, ReasonManualWeb); err != nil {
		t.Fatal(err)
	}
	r.cp.DoorPassed(ctx)
	r.cp.DoorPassed(ctx) // a second passage for one opening is not logged
	var got []string
	for _, p := range r.log.passes {
		got = append(got, p.Decision+"/"+p.Reason+"/"+p.Gate)
	}
	want := []string{"manual/manual_web/manual", "event/door_passed/passed"}
	if !slices.Equal(got, want) {
		t.Errorf("logged %v, want %v", got, want)
	}
	if c := r.cp.Snapshot().Counters; c.Manual != 1 || c.Accepted != 0 {
		t.Errorf("counters %+v", c)
	}
}

// panicLog crashes in the middle of a decision, after the gate was opened by
// an earlier one.
type panicLog struct{ memLog }

func (l *panicLog) Append(ctx context.Context, p record.Pass) (record.Pass, error) {
	if len(l.passes) == 1 {
		panic("store bug")
	}
	return l.memLog.Append(ctx, p)
}

func TestLoopCrashLeavesRelayOff(t *testing.T) {
	r := newRig(t, Config{Pulse: time.Hour}, goodTrust, mustTime("2021-10-01T09:00:00Z"))
	pl := &panicLog{memLog{ev: r.ev}}
	r.cp.d.Log = pl
	scans := make(chan Scan, 2)
	scans <- Scan{Texts: []string{"X:ok:alice"}}
	scans <- Scan{Texts: []string{"X:ok:bob"}}
	err := r.cp.Run(context.Background(), scans)
	if err == nil || !strings.Contains(err.Error(), "panic") {
		t.Fatalf("Run: %v, want the panic reported", err)
	}
	if r.gate.energised() {
		t.Errorf("relay energised after the loop crashed")
	}
	if s := r.cp.Snapshot(); s.Gate != GateFault {
		t.Errorf("gate state %s after a crash, want fault", s.Gate)
	}
}

// TestPartFault: a faulty part (a missing camera) shows on the LED and in
// the warnings, and clears when it comes back; decisions go on meanwhile.
func TestPartFault(t *testing.T) {
	r := newRig(t, Config{}, goodTrust, mustTime("2021-10-01T09:00:00Z"))
	r.cp.SetOnline(true)
	if s := r.cp.Snapshot(); s.LED != LEDReadyOnline {
		t.Fatalf("LED %s before the fault, want ready-online", s.LED)
	}
	r.cp.SetFault("camera", "no frames for 10s")
	s := r.cp.Snapshot()
	if s.LED != LEDFault || !slices.Contains(s.Warnings, "camera: no frames for 10s") {
		t.Errorf("LED %s warnings %v, want fault and the camera's warning", s.LED, s.Warnings)
	}
	if r.ind.led != LEDFault {
		t.Errorf("the LED shows %s, want fault", r.ind.led)
	}
	if _, err := r.cp.Decide(context.Background(), Scan{Texts: []string{"X:ok:alice"}}); err != nil {
		t.Errorf("decision during a camera fault: %v", err)
	}
	r.cp.SetFault("camera", "")
	if s := r.cp.Snapshot(); s.LED != LEDReadyOnline || len(s.Warnings) != 0 {
		t.Errorf("after the camera is back: LED %s warnings %v", s.LED, s.Warnings)
	}
}

// hangingLog is a Log whose appends hang once hang is set, like a dead SD card.
type hangingLog struct {
	memLog
	hang chan struct{}
	mu   sync.Mutex
}

func (h *hangingLog) Append(ctx context.Context, p record.Pass) (record.Pass, error) {
	h.mu.Lock()
	hang := h.hang
	h.mu.Unlock()
	if hang != nil {
		<-hang
		return p, errors.New("released")
	}
	return h.memLog.Append(ctx, p)
}

// TestAliveStopsWhenADecisionHangs: the loop is alive while idle (no code in
// view), and not alive once a decision hangs.
func TestAliveStopsWhenADecisionHangs(t *testing.T) {
	r := newRig(t, Config{}, goodTrust, mustTime("2021-10-01T09:00:00Z"))
	hl := &hangingLog{memLog: memLog{ev: r.ev}}
	r.cp.d.Log = hl
	if r.cp.Alive(time.Minute) {
		t.Error("alive before Run")
	}
	scans := make(chan Scan)
	done := make(chan error)
	go func() { done <- r.cp.Run(context.Background(), scans) }()
	for range 3 {
		r.clock.advance(20 * time.Second)
		scans <- Scan{Texts: []string{"garbage"}} // refused at once: a turn of the loop
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		hl.memLog.mu.Lock()
		n := len(hl.memLog.passes)
		hl.memLog.mu.Unlock()
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 3 refusals logged", n)
		}
	}
	if !r.cp.Alive(time.Minute) {
		t.Error("not alive while turning")
	}
	hl.mu.Lock()
	hl.hang = make(chan struct{})
	hl.mu.Unlock()
	scans <- Scan{Texts: []string{"X:ok:alice"}} // this decision hangs
	r.clock.advance(2 * time.Minute)
	if r.cp.Alive(time.Minute) {
		t.Error("alive while a decision hangs for 2 minutes")
	}
	close(hl.hang)
	close(scans)
	<-done
	if r.cp.Alive(time.Minute) {
		t.Error("alive after Run returned")
	}
}

// TestUnverifiedFieldsBounded: what a refused code claims about its issuer
// and kid is logged bounded in length, cleaned of control characters and
// marked unverified; a verified pass is not marked.
func TestUnverifiedFieldsBounded(t *testing.T) {
	r := newRig(t, Config{}, goodTrust, mustTime("2021-10-01T09:00:00Z"))
	ctx := context.Background()
	ev, err := r.cp.Decide(ctx, Scan{Texts: []string{"X:forgedlong"}})
	if err != nil {
		t.Fatal(err)
	}
	p := r.log.passes[0]
	if !p.Unverified || !ev.Unverified {
		t.Errorf("forged pass not marked unverified: log %v, event %v", p.Unverified, ev.Unverified)
	}
	if len(p.Issuer) > record.MaxUntrusted || len(p.Kid) > record.MaxUntrusted || strings.ContainsRune(p.Issuer, '\x1b') {
		t.Errorf("issuer %d bytes %q, kid %d bytes: want at most %d, no control characters", len(p.Issuer), p.Issuer, len(p.Kid), record.MaxUntrusted)
	}
	if _, err := r.cp.Decide(ctx, Scan{Texts: []string{"X:ok:alice"}}); err != nil {
		t.Fatal(err)
	}
	if r.log.passes[1].Unverified {
		t.Error("a verified pass is marked unverified")
	}
}
