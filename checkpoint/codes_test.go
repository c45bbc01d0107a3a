package checkpoint

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestCredentials(t *testing.T) {
	for _, tc := range []struct {
		name  string
		texts []string
		want  [][]string
	}{
		{"one", []string{"HC1:A"}, [][]string{{"HC1:A"}}},
		{"two DCCs", []string{"HC1:A", "HC1:B"}, [][]string{{"HC1:A"}, {"HC1:B"}}},
		{"SHC chunks stay together", []string{"shc:/2/2/22", "HC1:A", "shc:/1/2/11"}, [][]string{{"shc:/2/2/22", "shc:/1/2/11"}, {"HC1:A"}}},
		{"whole SHCs apart", []string{"shc:/5676", "shc:/5677"}, [][]string{{"shc:/5676"}, {"shc:/5677"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := credentials(tc.texts)
			if !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestDecideSeveralCodes: with several codes in view, each is verified and
// the decision is the first that is accepted, else the first code's.
func TestDecideSeveralCodes(t *testing.T) {
	wall := mustTime("2021-10-01T09:00:00Z")
	for _, tc := range []struct {
		name             string
		texts            []string
		decision, reason string
	}{
		{"unreadable, then valid: accept", []string{"garbage", "X:ok:alice"}, "accept", "ok"},
		{"expired, then valid: accept", []string{"X:expired:bob", "X:ok:alice"}, "accept", "ok"},
		{"valid, then forged: accept", []string{"X:ok:alice", "X:forged"}, "accept", "ok"},
		{"expired, then forged: the first's reason", []string{"X:expired:bob", "X:forged"}, "reject", "expired"},
		{"forged, then expired: the first's reason", []string{"X:forged", "X:expired:bob"}, "reject", "bad_signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, Config{Pulse: 2 * time.Second}, goodTrust, wall)
			ev, err := r.cp.Decide(context.Background(), Scan{Texts: tc.texts, Uptime: r.clock.Uptime()})
			if err != nil {
				t.Fatal(err)
			}
			if ev.Decision != tc.decision || ev.Reason != tc.reason {
				t.Errorf("decision %s/%s, want %s/%s", ev.Decision, ev.Reason, tc.decision, tc.reason)
			}
		})
	}
}
