package checkpoint

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
)

// TestNoPolicyRefuses: a checkpoint with no rules in force (no policy in the
// bundle, or a mistyped mode: Deps.Policy returns nil) refuses every
// credential with no_policy and never opens the gate.
func TestNoPolicyRefuses(t *testing.T) {
	wall := mustTime("2021-10-01T09:00:00Z")
	for _, tc := range []struct {
		name   string
		policy func() *verify.Policy
	}{
		{"no policy", func() *verify.Policy { return nil }},
		{"mistyped mode", func() *verify.Policy {
			return (&verify.PolicySet{Modes: map[string]*verify.Policy{"venue": {}}}).Mode("venu")
		}},
		{"unknown setting", func() *verify.Policy { return &verify.Policy{SignerValidity: "lenient"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := &events{}
			r := &rig{ev: ev, gate: &fakeGate{ev: ev}, ind: &fakeIndicator{ev: ev}, log: &memLog{ev: ev},
				clock: &manualClock{wall: wall, up: time.Minute}}
			tcl := NewTrustedClock(r.clock, &memTime{t: mustTime("2021-09-01T00:00:00Z")}, ClockOptions{})
			cp, err := New(Config{SubjectKey: []byte("0123456789abcdef0123456789abcdef")}, Deps{
				Verifier: verify.New(scriptHandler{}), Trust: staticTrust{goodTrust}, Log: r.log, Gate: r.gate,
				Indicator: r.ind, Clock: r.clock, Time: tcl, Policy: tc.policy,
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := cp.Decide(context.Background(), Scan{Texts: []string{"X:ok:alice"}, Uptime: r.clock.Uptime()})
			if err != nil {
				t.Fatal(err)
			}
			if got.Decision != string(verify.Reject) || got.Reason != string(verify.ReasonNoPolicy) || r.gate.opens != 0 {
				t.Fatalf("decision %s/%s, gate opens %d: want reject/no_policy and a closed gate", got.Decision, got.Reason, r.gate.opens)
			}
			snap := cp.Snapshot()
			if snap.LED != LEDFault || snap.Policy.InForce || !slices.ContainsFunc(snap.Warnings, func(w string) bool {
				return strings.Contains(w, "every pass is refused")
			}) {
				t.Fatalf("LED %s, policy %+v, warnings %q: want the fault LED and the page saying why", snap.LED, snap.Policy, snap.Warnings)
			}
		})
	}
}

// TestSnapshotShowsPolicy: the status page shows the signer validity and
// issuer binding in force.
func TestSnapshotShowsPolicy(t *testing.T) {
	r := newRig(t, Config{Mode: "travel", Policy: &verify.Policy{SignerValidity: verify.SignerStrict}}, goodTrust, mustTime("2021-10-01T09:00:00Z"))
	p := r.cp.Snapshot().Policy
	if !p.InForce || p.Mode != "travel" || p.SignerValidity != verify.SignerStrict || p.IssuerBinding != verify.BindingRefuse {
		t.Fatalf("policy view %+v", p)
	}
	if led := r.cp.Snapshot().LED; led == LEDFault {
		t.Fatalf("LED %s with a policy in force", led)
	}
}
