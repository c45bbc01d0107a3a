package status

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestBoardClockShown: how far the board's own wall clock is from the time in
// use is in status.json and /metrics, and on the clock tile once it is off by
// a minute or more, in the page's language.
func TestBoardClockShown(t *testing.T) {
	year := 365 * 24 * time.Hour
	tests := []struct {
		name   string
		offset time.Duration
		want   map[string]string // language: text the clock tile must hold; nil: no board clock line
		metric string
	}{
		{"a year ahead", year, map[string]string{
			"en": "Board clock: 2027-11-24 09:30 UTC (365 d ahead)",
			"vi": "Đồng hồ bo mạch: 2027-11-24 09:30 UTC (nhanh 365 ngày)"}, "chot_clock_wall_offset_seconds 3.1536e+07"},
		{"a year behind", -year, map[string]string{
			"en": "Board clock: 2025-11-24 09:30 UTC (365 d behind)",
			"vi": "Đồng hồ bo mạch: 2025-11-24 09:30 UTC (chậm 365 ngày)"}, "chot_clock_wall_offset_seconds -3.1536e+07"},
		{"a few seconds off", 1500 * time.Millisecond, nil, "chot_clock_wall_offset_seconds 1.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.src.mu.Lock()
			e.src.snap.Clock.WallOffsetMS = tt.offset.Milliseconds()
			e.src.mu.Unlock()

			var doc Document
			if err := json.Unmarshal([]byte(readBody(t, e.do(t, "GET", "/status.json", nil))), &doc); err != nil {
				t.Fatal(err)
			}
			if got := doc.Snapshot.Clock.WallOffsetMS; got != tt.offset.Milliseconds() {
				t.Errorf("status.json wall_offset_ms %d, want %d", got, tt.offset.Milliseconds())
			}
			if body := readBody(t, e.do(t, "GET", "/metrics", nil)); !strings.Contains(body, tt.metric) {
				t.Errorf("metrics lack %q", tt.metric)
			}
			for _, lang := range []string{"en", "vi"} {
				body := readBody(t, e.do(t, "GET", "/?lang="+lang, nil))
				label := map[string]string{"en": "Board clock: ", "vi": "Đồng hồ bo mạch: "}[lang]
				switch want, ok := tt.want[lang]; {
				case ok && !strings.Contains(body, want):
					t.Errorf("%s page lacks %q", lang, want)
				case !ok && strings.Contains(body, label):
					t.Errorf("%s page shows the board clock %s off", lang, tt.offset)
				}
			}
		})
	}
}
