package checkpoint

import "testing"

func TestTrustStateAt(t *testing.T) {
	f := Freshness{Version: 3, IssuedAt: mustTime("2026-11-01T00:00:00Z"), StaleAfter: mustTime("2026-11-08T00:00:00Z"),
		ExpiresAt: mustTime("2026-12-01T00:00:00Z"), Keys: 2}
	tests := []struct {
		now            string
		stale, expired bool
	}{
		{"2026-11-02T00:00:00Z", false, false},
		{"2026-11-08T00:00:00Z", true, false}, // stale from StaleAfter on
		{"2026-11-30T23:59:59Z", true, false},
		{"2026-12-01T00:00:00Z", true, true}, // expired from ExpiresAt on
	}
	for _, tt := range tests {
		st := TrustStateAt(f, mustTime(tt.now))
		if !st.Installed || st.Stale != tt.stale || st.Expired != tt.expired || st.Version != 3 || st.Keys != 2 {
			t.Errorf("at %s: %+v, want stale %v expired %v", tt.now, st, tt.stale, tt.expired)
		}
	}
}
