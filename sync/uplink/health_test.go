package uplink_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/sync/internal/synctest"
	"github.com/chot-dev/chot/sync/uplink"
	"github.com/chot-dev/chot/sync/wire"
)

// TestHealthReports: a real uplink reports its health to a real hub; the
// hub's latest report carries the store's backlog and the counts since the
// report before; a revoked device's report is refused.
func TestHealthReports(t *testing.T) {
	for _, be := range synctest.Backends {
		t.Run(be.Name, func(t *testing.T) {
			h := startLiveHub(t, be.New(t), nil)
			dev := synctest.NewDevice(t, h.Storage(), "kiosk-3")
			s := openStore(t)
			fill(t, s, 40)
			counts := map[string]uint64{"ok": 30, "expired": 10}
			n := 0
			cfg := fastConfig(h.URL(), dev, s)
			cfg.Health = func() wire.Health {
				n++
				c := map[string]uint64{}
				for k, v := range counts {
					c[k] = v
				}
				return wire.Health{At: hubNow.Add(time.Duration(n) * time.Minute), Clock: record.ClockSynced,
					Site: "hall-2", Software: "test", Bundle: 3, Gate: "closed", Camera: wire.StateOK, CameraFPS: 9, FreeDisk: 1 << 32, Counts: c}
			}
			u, err := uplink.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := u.SendHealth(ctx); err != nil {
				t.Fatal(err)
			}
			d, err := h.Storage().Device(ctx, dev.ID)
			if err != nil || d.Health == nil {
				t.Fatalf("device %+v, %v", d, err)
			}
			if d.Health.Backlog != 40 || d.Health.LastSeq != 40 || d.Health.Epoch != s.Epoch() || d.Health.Counts["ok"] != 30 || d.Site != "hall-2" {
				t.Errorf("first report: %+v", d.Health)
			}
			counts["ok"], counts["revoked"] = 35, 2
			if err := u.SendHealth(ctx); err != nil {
				t.Fatal(err)
			}
			d, _ = h.Storage().Device(ctx, dev.ID)
			if c := d.Health.Counts; c["ok"] != 5 || c["revoked"] != 2 || c["expired"] != 0 {
				t.Errorf("second report's counts %v, want the difference", c)
			}
			if st := u.Status(); st.LastHealth.IsZero() || st.HealthError != "" {
				t.Errorf("status %+v", st)
			}
			if err := h.Storage().RevokeDevice(ctx, dev.ID, hubNow); err != nil {
				t.Fatal(err)
			}
			if err := u.SendHealth(ctx); !errors.Is(err, uplink.ErrRejected) {
				t.Errorf("revoked: %v, want ErrRejected", err)
			}
			if hist, _ := h.Storage().HealthHistory(ctx, dev.ID, 10); len(hist) != 2 {
				t.Errorf("%d reports kept, want 2", len(hist))
			}
		})
	}
}

// TestRotate: the device rotates its key; the old key is refused after,
// the new one pushes, and the same rotation sent again is harmless.
func TestRotate(t *testing.T) {
	h := startLiveHub(t, synctest.Backends[0].New(t), nil)
	dev := synctest.NewDevice(t, h.Storage(), "kiosk-r")
	next := synctest.NewDevice(t, nil, "kiosk-r")
	ctx := context.Background()
	if err := uplink.Rotate(ctx, nil, h.URL(), dev.ID, next.Key, next.Key, hubNow); !errors.Is(err, uplink.ErrRejected) {
		t.Errorf("rotation signed by a stranger: %v", err)
	}
	for range 2 {
		if err := uplink.Rotate(ctx, nil, h.URL(), dev.ID, dev.Key, next.Key, hubNow); err != nil {
			t.Fatalf("rotate: %v", err)
		}
	}
	s := openStore(t)
	cfg := fastConfig(h.URL(), dev, s)
	cfg.Health = func() wire.Health { return wire.Health{At: hubNow, Clock: record.ClockSynced} }
	u, _ := uplink.New(cfg)
	if err := u.SendHealth(ctx); !errors.Is(err, uplink.ErrRejected) {
		t.Errorf("old key after rotation: %v, want ErrRejected", err)
	}
	cfg.Key = next.Key
	u, _ = uplink.New(cfg)
	if err := u.SendHealth(ctx); err != nil {
		t.Errorf("new key: %v", err)
	}
}
