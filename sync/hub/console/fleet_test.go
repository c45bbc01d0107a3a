package console_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/store"
	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/hub/console"
	"github.com/chot-dev/chot/sync/internal/synctest"
	"github.com/chot-dev/chot/sync/uplink"
	"github.com/chot-dev/chot/sync/wire"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

const (
	operatorPW = "console-operator-pw"
	viewerPW   = "console-viewer-pw"
)

// clock is the test's settable clock, shared by the hub and the console.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// fleetEnv is a hub with its console on loopback and real devices (a bbolt
// store and an uplink each) reporting to it.
type fleetEnv struct {
	st      hub.Storage
	clock   *clock
	srv     *httptest.Server
	devices map[string]*device
	bundles *hub.Bundles
}

type device struct {
	id    string
	key   synctest.Device
	store *store.Store
	up    *uplink.Uplink
	// bundle stale and expiry times it reports
	staleAfter, expiresAt time.Time
}

var (
	hashOnce           sync.Once
	opHash, viewerHash string
)

func hashes(t testing.TB) (string, string) {
	hashOnce.Do(func() { // the cheapest cost: the race detector makes bcrypt slow
		o, err := bcrypt.GenerateFromPassword([]byte(operatorPW), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := bcrypt.GenerateFromPassword([]byte(viewerPW), bcrypt.MinCost)
		opHash, viewerHash = string(o), string(v)
	})
	return opHash, viewerHash
}

func newFleetEnv(t *testing.T) *fleetEnv {
	t.Helper()
	e := &fleetEnv{clock: &clock{t: t0}, devices: map[string]*device{}}
	e.st = synctest.Open(t, synctest.Backends[0].New(t))
	e.bundles = &hub.Bundles{Dir: t.TempDir()}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h, err := hub.New(hub.Config{Storage: e.st, Bundles: e.bundles, Now: e.clock.Now, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	op, vw := hashes(t)
	con, err := console.New(console.Config{
		Storage: e.st, Bundles: e.bundles, Now: e.clock.Now, Logger: log,
		Users: []console.User{{Name: "ops", Role: console.RoleOperator, PasswordHash: op}, {Name: "audit", Role: console.RoleViewer, PasswordHash: vw}},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", h.Handler())
	mux.Handle(console.Prefix, con.Handler())
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

// addDevice enrolls a real device with a one-time token over HTTP, logs
// passes in its store (reasons cycling through ok, expired, revoked over the
// last hours) and returns it with its uplink.
func (e *fleetEnv) addDevice(t *testing.T, id, site string, passes int) *device {
	t.Helper()
	tok, hash, _ := hub.NewToken()
	if err := e.st.AddToken(context.Background(), hash, e.clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	key := synctest.NewDevice(t, nil, id)
	if err := uplink.Enroll(context.Background(), nil, e.srv.URL, id, key.Key, tok); err != nil {
		t.Fatalf("enroll %s: %v", id, err)
	}
	s, err := store.Open(filepath.Join(t.TempDir(), id+".db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	reasons := []struct{ decision, reason string }{{"accept", "ok"}, {"accept", "ok"}, {"reject", "expired"}, {"reject", "revoked"}}
	for i := range passes {
		r := reasons[i%len(reasons)]
		_, err := s.Append(context.Background(), record.Pass{
			At: e.clock.Now().Add(-time.Duration(passes-i) * 3 * time.Minute).UnixMilli(), BootID: "b1", Clock: record.ClockSynced,
			Decision: r.decision, Reason: r.reason, Format: "dcc", Type: "vaccination", Issuer: "VN", Kid: "a2lk",
			Subject: "00112233445566778899aabbccddeeff", LatencyUS: 40_000, Gate: record.GateOpened, Mode: "venue",
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	d := &device{id: id, key: key, store: s, staleAfter: e.clock.Now().Add(24 * time.Hour), expiresAt: e.clock.Now().Add(72 * time.Hour)}
	u, err := uplink.New(uplink.Config{
		URL: e.srv.URL, Device: id, Key: key.Key, Outbox: s, BatchSize: 50, BundleEvery: -1, Rejoin: -1,
		Backoff: uplink.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond}, Now: e.clock.Now,
		Health: func() wire.Health {
			return wire.Health{At: e.clock.Now(), Clock: record.ClockSynced, Site: site, Software: "chotd 1.4.0",
				Bundle: 12, BundleStaleAfter: d.staleAfter, BundleExpiresAt: d.expiresAt, LED: "ready-online", Gate: "closed",
				Camera: wire.StateOK, CameraFPS: 14.8, FreeDisk: 6 << 30, Counts: map[string]uint64{"ok": uint64(passes / 2)}}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	d.up = u
	e.devices[id] = d
	return d
}

// sync drains the device's outbox to the hub through its uplink and sends
// one health report.
func (d *device) sync(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.up.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for d.store.AckedThrough() < d.store.LastSeq() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("uplink: %v", err)
	}
	if d.store.AckedThrough() != d.store.LastSeq() {
		t.Fatalf("%s not drained: %+v", d.id, d.up.Status())
	}
	if err := d.up.SendHealth(context.Background()); err != nil {
		t.Fatalf("%s health: %v", d.id, err)
	}
}
