package wire

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzDecodeHealth: a device's health report is a body the hub reads from
// the network; any bytes give a valid report or an error, and a report that
// decodes re-encodes to one that decodes the same.
func FuzzDecodeHealth(f *testing.F) {
	good := Health{Device: "gate-1", At: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), Clock: "synced",
		Camera: StateOK, CameraFPS: 14.8, Counts: map[string]uint64{"ok": 3, "expired": 1}}
	b, _ := json.Marshal(good)
	f.Add(b)
	f.Add([]byte(`{"device":"gate-1","at":"2026-11-24T08:00:00Z","camera_fps":1e309}`))
	f.Add([]byte(`{"device":"../etc","at":"0001-01-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		h, err := DecodeHealth(body)
		if err != nil {
			return
		}
		again, err := json.Marshal(h)
		if err != nil {
			t.Fatalf("a valid report does not encode: %v", err)
		}
		if _, err := DecodeHealth(again); err != nil {
			t.Fatalf("a valid report re-encoded is invalid: %v\n%s", err, again)
		}
	})
}
