package verify

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// stubHandler is a format that accepts texts starting with "T:" and behaves as
// the text says; it exercises the dispatcher, not any real format.
type stubHandler struct{}

func (stubHandler) Format() Format          { return "stub" }
func (stubHandler) Detect(text string) bool { return strings.HasPrefix(text, "T:") }
func (stubHandler) Verify(texts []string, _ TrustStore, now time.Time) Result {
	var r Result
	r.Mark(StepUnprefix, Pass)
	switch texts[0] {
	case "T:panic":
		panic("boom")
	case "T:bad":
		r.Fail(StepSignature, ReasonBadSignature, "forged")
		r.Fail(StepValidity, ReasonExpired, "and expired")
		return r
	case "T:unchecked": // a handler bug: it forgot the validity step
		r.Mark(StepSignature, Pass)
		r.Credential = &Credential{Type: TypeTest, Test: &Test{Kind: TestRAT, Sampled: now.Add(-time.Hour)}}
		return r
	}
	r.Mark(StepSignature, Pass)
	r.Mark(StepValidity, Pass)
	r.Credential = &Credential{Type: TypeTest, Test: &Test{Kind: TestRAT, Sampled: now.Add(-time.Hour)}}
	return r
}

func TestVerifierDispatch(t *testing.T) {
	v := New(stubHandler{})
	now := date("2022-01-01T00:00:00Z")
	naat := &Policy{Mode: "strict", Test: TestRules{Kinds: []string{TestNAAT}}}
	tests := []struct {
		name       string
		texts      []string
		policy     *Policy
		only       bool // CredentialOnly
		decision   Decision
		reason     Reason
		rule       string
		policyStep Outcome
	}{
		{"no text", nil, nil, true, Reject, ReasonNoQR, "", ""},
		{"unknown prefix", []string{"XX:1"}, nil, true, Reject, ReasonBadPrefix, "", ""},
		{"valid, credential only", []string{"T:ok"}, nil, true, Accept, ReasonOK, "", Skip},
		{"BOM and space trimmed", []string{"\ufeff  T:ok \n"}, nil, true, Accept, ReasonOK, "", Skip},
		{"first failure decides", []string{"T:bad"}, nil, true, Reject, ReasonBadSignature, "", ""},
		{"policy refuses", []string{"T:ok"}, naat, false, Reject, ReasonPolicy, RuleTestKind, Fail},
		{"policy accepts", []string{"T:ok"}, &Policy{}, false, Accept, ReasonOK, "", Pass},
		{"panic is contained", []string{"T:panic"}, nil, true, Reject, ReasonInternal, "", ""},
		// Fail closed.
		{"nil policy refuses a valid credential", []string{"T:ok"}, nil, false, Reject, ReasonNoPolicy, "", Fail},
		{"nil policy names no_policy, not the forgery", []string{"T:bad"}, nil, false, Reject, ReasonNoPolicy, "", Fail},
		{"unknown signer validity setting", []string{"T:ok"}, &Policy{SignerValidity: "lenient"}, false, Reject, ReasonNoPolicy, "", Fail},
		{"unknown issuer binding setting", []string{"T:ok"}, &Policy{IssuerBinding: "maybe"}, false, Reject, ReasonNoPolicy, "", Fail},
		{"unknown value sets setting", []string{"T:ok"}, &Policy{ValueSets: "ignore"}, false, Reject, ReasonNoPolicy, "", Fail},
		{"a required step not passed is not an accept", []string{"T:unchecked"}, &Policy{}, false, Reject, ReasonInternal, "", Pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := v.Verify(Input{Texts: tt.texts, Now: now, Policy: tt.policy, CredentialOnly: tt.only})
			if r.Decision != tt.decision || r.Reason != tt.reason || r.Rule != tt.rule {
				t.Errorf("got %s/%s/%q, want %s/%s/%q (%s)", r.Decision, r.Reason, r.Rule, tt.decision, tt.reason, tt.rule, r.Detail)
			}
			if got := r.Steps[StepPolicy]; got != tt.policyStep {
				t.Errorf("policy step %q, want %q", got, tt.policyStep)
			}
		})
	}
}

func TestReasonClasses(t *testing.T) {
	seen := map[Reason]bool{}
	for _, r := range Reasons {
		if seen[r] {
			t.Errorf("reason %s listed twice", r)
		}
		seen[r] = true
		if r.Class() == "" {
			t.Errorf("reason %s has no class", r)
		}
	}
	if ReasonOK.Class() != ClassAccept || ReasonExpired.Class() != ClassTime || ReasonBadBase45.Class() != ClassUnread ||
		ReasonRevoked.Class() != ClassRevoked || ReasonPolicy.Class() != ClassPolicy || ReasonBadSignature.Class() != ClassInvalid {
		t.Errorf("class mapping changed")
	}
}

func TestKeyListLookup(t *testing.T) {
	l := &KeyList{
		List: []*Key{
			{Format: FormatDCC, Issuer: "AT", Kid: []byte{1, 2}},
			{Format: FormatSHC, Issuer: "https://a.example", Kid: []byte("k1")},
		},
		Revocations: []Revocation{
			{Format: FormatSHC, Issuer: "https://a.example", Kid: []byte("k1"), Kind: "rid", Value: []byte("r1"), Before: date("2022-01-01T00:00:00Z")},
			{Format: FormatDCC, Kind: "UCI", Value: []byte{9}},
		},
	}
	if got := l.Keys(FormatDCC, "DE", []byte{1, 2}); len(got) != 1 {
		t.Errorf("DCC keys are found by kid whatever the issuer: got %d", len(got))
	}
	if got := l.Keys(FormatSHC, "https://b.example", []byte("k1")); len(got) != 0 {
		t.Errorf("SHC key bound to another issuer was returned")
	}
	q := RevocationQuery{Format: FormatSHC, Issuer: "https://a.example", Kid: []byte("k1"), Kind: "rid", Value: []byte("r1")}
	q.IssuedAt = date("2021-06-01T00:00:00Z")
	if !l.Revoked(q) {
		t.Errorf("rid issued before the entry's time not revoked")
	}
	q.IssuedAt = date("2022-06-01T00:00:00Z")
	if l.Revoked(q) {
		t.Errorf("rid issued after the entry's time revoked")
	}
	if !l.Revoked(RevocationQuery{Format: FormatDCC, Kind: "UCI", Value: []byte{9}}) {
		t.Errorf("DCC UCI hash not revoked")
	}
	if l.Revoked(RevocationQuery{Format: FormatDCC, Kind: "SIGNATURE", Value: []byte{9}}) {
		t.Errorf("hash of another kind revoked")
	}
}

func TestCheckSignature(t *testing.T) {
	a, b := &Key{Kid: []byte("a")}, &Key{Kid: []byte("b")}
	errA := errors.New("a does not verify")
	onlyB := func(k *Key) error {
		if k == b {
			return nil
		}
		return errA
	}
	never := func(*Key) error { return errA }
	tests := []struct {
		name    string
		keys    []*Key
		check   func(*Key) error
		want    *Key
		outcome Outcome
		reason  Reason
	}{
		{"no key", nil, never, nil, Fail, ReasonUnknownKey},
		{"second key verifies", []*Key{a, b}, onlyB, b, Pass, ""},
		{"none verifies", []*Key{a, b}, never, nil, Fail, ReasonBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Result
			got := r.CheckSignature(tt.keys, "no key for kid x", tt.check)
			if got != tt.want || r.Steps[StepSignature] != tt.outcome || r.Reason != tt.reason {
				t.Errorf("got key %v, step %s, reason %q; want %v, %s, %q", got, r.Steps[StepSignature], r.Reason, tt.want, tt.outcome, tt.reason)
			}
			if tt.reason == ReasonBadSignature && r.Detail != errA.Error() {
				t.Errorf("detail %q, want the first key's error", r.Detail)
			}
		})
	}
}

// TestUnknownMode: a mode the policy set does not have gives no policy, and
// every credential is refused.
func TestUnknownMode(t *testing.T) {
	set := &PolicySet{Modes: map[string]*Policy{"venue": {}}}
	v := New(stubHandler{})
	now := date("2022-01-01T00:00:00Z")
	if r := v.Verify(Input{Texts: []string{"T:ok"}, Now: now, Policy: set.Mode("venue")}); r.Decision != Accept {
		t.Fatalf("known mode: %s/%s", r.Decision, r.Reason)
	}
	r := v.Verify(Input{Texts: []string{"T:ok"}, Now: now, Policy: set.Mode("venu")})
	if r.Decision != Reject || r.Reason != ReasonNoPolicy {
		t.Fatalf("mistyped mode: %s/%s, want reject/no_policy", r.Decision, r.Reason)
	}
}
