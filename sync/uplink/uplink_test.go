package uplink_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/internal/synctest"
	"github.com/chot-dev/chot/sync/uplink"
)

// TestHubBehind: the hub lost what it had acknowledged (restored from an
// old backup). The device keeps its watermark but sends again from the
// hub's, and the hub ends complete.
func TestHubBehind(t *testing.T) {
	be := synctest.Backends[0]
	h := startLiveHub(t, be.New(t), nil)
	dev := synctest.NewDevice(t, h.Storage(), "kiosk-1")
	s := openStore(t)
	fill(t, s, 250)
	ob := &ackWatch{Store: s, target: 250, done: make(chan struct{})}
	u, err := uplink.New(fastConfig(h.URL(), dev, ob))
	if err != nil {
		t.Fatal(err)
	}
	stop := runUplink(t, u)
	<-ob.done
	stop()

	// A blank hub database: acked_through 0 there, 250 on the device.
	h2 := startLiveHub(t, be.New(t), nil)
	if err := h2.Storage().AddDevice(context.Background(), hub.Device{ID: dev.ID, PubKey: dev.Key.Public().(ed25519.PublicKey)}); err != nil {
		t.Fatal(err)
	}
	fill(t, s, 50)
	ob2 := &ackWatch{Store: s, target: 300, done: make(chan struct{})}
	u2, err := uplink.New(fastConfig(h2.URL(), dev, ob2))
	if err != nil {
		t.Fatal(err)
	}
	runUplink(t, u2)
	<-ob2.done
	waitHubAcked(t, h2.Storage(), dev.ID, s.Epoch(), 300)
	checkExactlyOnce(t, h2.Storage(), dev.ID, s)
	if ob2.back {
		t.Error("the device watermark moved backwards")
	}
}

// waitHubAcked waits until the hub's watermark reaches want; the uplink
// acks locally only after the hub answered, so this returns at once unless
// the hub is behind.
func waitHubAcked(t *testing.T, st hub.Storage, dev, epoch string, want uint64) {
	t.Helper()
	got, err := st.AckedThrough(context.Background(), dev, epoch)
	if err != nil || got != want {
		t.Fatalf("hub acked_through %d, %v; want %d", got, err, want)
	}
}

// TestRetryAfterHonoured: a 429 with Retry-After: 1 makes the uplink wait a
// second (through the injected Sleep, which records instead of sleeping).
func TestRetryAfterHonoured(t *testing.T) {
	h := startLiveHub(t, synctest.Backends[0].New(t), nil)
	dev := synctest.NewDevice(t, h.Storage(), "kiosk-1")
	s := openStore(t)
	fill(t, s, 10)
	proxy := synctest.NewProxy(h.URL())
	proxy.Choose = func(n int64) synctest.Fault {
		if n == 0 {
			return synctest.TooMany
		}
		return synctest.Pass
	}
	ps := httptest.NewServer(proxy)
	defer ps.Close()
	var mu sync.Mutex
	var waits []time.Duration
	cfg := fastConfig(ps.URL, dev, &ackWatch{Store: s, target: 10, done: make(chan struct{})})
	cfg.MaxRetryAfter = time.Minute
	cfg.Backoff = uplink.Backoff{Base: time.Millisecond, Max: time.Millisecond}
	cfg.Sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	var serverTimes []time.Time
	cfg.OnServerTime = func(st time.Time, rtt time.Duration) {
		mu.Lock()
		serverTimes = append(serverTimes, st)
		mu.Unlock()
		if rtt < 0 {
			t.Errorf("rtt %v", rtt)
		}
	}
	u, err := uplink.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ob := cfg.Outbox.(*ackWatch)
	stop := runUplink(t, u)
	<-ob.done
	stop()
	mu.Lock()
	defer mu.Unlock()
	if len(waits) != 1 || waits[0] != time.Second {
		t.Errorf("waits %v, want [1s]", waits)
	}
	if len(serverTimes) != 1 || !serverTimes[0].Equal(hubNow) {
		t.Errorf("server times %v, want [%v]", serverTimes, hubNow)
	}
	if st := u.Status(); !st.Online || st.Backlog != 0 || st.LastError != "" || st.LastSync.IsZero() {
		t.Errorf("status %+v", st)
	}
}

// TestBundlePull: a bundle is installed once per ETag; a failed install is
// fetched again; a newer one replaces it.
func TestBundlePull(t *testing.T) {
	b := &hub.Bundles{Dir: t.TempDir()}
	h := startLiveHub(t, synctest.Backends[0].New(t), b)
	dev := synctest.NewDevice(t, h.Storage(), "kiosk-1")
	var installed []string
	refuse := false
	cfg := fastConfig(h.URL(), dev, openStore(t))
	cfg.Install = func(data []byte) error {
		if refuse {
			return errors.New("version not higher")
		}
		installed = append(installed, string(data))
		return nil
	}
	u, err := uplink.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	steps := []struct {
		name    string
		publish string
		refuse  bool
		wantErr bool
		want    []string
	}{
		{"nothing published", "", false, false, nil},
		{"first", "one", false, false, []string{"one"}},
		{"unchanged", "", false, false, []string{"one"}},
		{"refused", "two", true, true, []string{"one"}},
		{"fetched again after refusal", "", false, false, []string{"one", "two"}},
		{"unchanged again", "", false, false, []string{"one", "two"}},
	}
	for _, s := range steps {
		if s.publish != "" {
			if _, err := b.Publish([]byte(s.publish)); err != nil {
				t.Fatal(err)
			}
		}
		refuse = s.refuse
		err := u.PullBundle(ctx)
		if (err != nil) != s.wantErr {
			t.Errorf("%s: err %v", s.name, err)
		}
		if len(installed) != len(s.want) || (len(s.want) > 0 && installed[len(installed)-1] != s.want[len(s.want)-1]) {
			t.Errorf("%s: installed %q, want %q", s.name, installed, s.want)
		}
	}
	if st := u.Status(); st.BundleETag == "" || st.LastBundle.IsZero() {
		t.Errorf("status %+v", st)
	}
}

// TestNewRejectsBadConfig reports every problem at once.
func TestNewRejectsBadConfig(t *testing.T) {
	_, err := uplink.New(uplink.Config{URL: "ftp://x", Device: "", BatchSize: 1 << 20})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"URL", "device", "key", "outbox", "batch size"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// noRange hides the store's Range: an outbox that cannot send again.
type noRange struct{ uplink.Outbox }

// TestHubBehindWithoutReplay: without Range the uplink cannot fill a hub
// that lost data; it says so in Status and keeps its watermark.
func TestHubBehindWithoutReplay(t *testing.T) {
	h := startLiveHub(t, synctest.Backends[0].New(t), nil)
	dev := synctest.NewDevice(t, h.Storage(), "kiosk-1")
	s := openStore(t)
	fill(t, s, 20)
	if err := s.Ack(10); err != nil { // as if a hub had acked 1..10 before losing them
		t.Fatal(err)
	}
	cfg := fastConfig(h.URL(), dev, noRange{s})
	failed := make(chan struct{})
	var once sync.Once
	cfg.Sleep = func(ctx context.Context, d time.Duration) error {
		once.Do(func() { close(failed) })
		<-ctx.Done()
		return ctx.Err()
	}
	u, err := uplink.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stop := runUplink(t, u)
	<-failed
	st := u.Status()
	stop()
	if st.Online || !strings.Contains(st.LastError, "hub behind") || s.AckedThrough() != 10 {
		t.Errorf("status %+v, device acked %d; want offline, hub-behind error, acked 10", st, s.AckedThrough())
	}
	if n := synctest.Count(t, h.Storage(), dev.ID); n != 0 {
		t.Errorf("hub holds %d passes, want 0", n)
	}
}

// TestEnroll enrolls a device with a token and pushes with its key.
func TestEnroll(t *testing.T) {
	h := startLiveHub(t, synctest.Backends[0].New(t), nil)
	tok, hash, err := hub.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Storage().AddToken(context.Background(), hash, hubNow.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	dev := synctest.NewDevice(t, nil, "kiosk-9")
	ctx := context.Background()
	if err := uplink.Enroll(ctx, nil, h.URL(), dev.ID, dev.Key, "wrong"); !errors.Is(err, uplink.ErrRejected) {
		t.Errorf("wrong token: %v, want ErrRejected", err)
	}
	if err := uplink.Enroll(ctx, nil, h.URL(), dev.ID, dev.Key, tok); err != nil {
		t.Fatalf("enroll: %v", err)
	}
	if err := uplink.Enroll(ctx, nil, h.URL(), dev.ID, dev.Key, tok); !errors.Is(err, uplink.ErrRejected) {
		t.Errorf("spent token: %v, want ErrRejected", err)
	}
	s := openStore(t)
	fill(t, s, 5)
	ob := &ackWatch{Store: s, target: 5, done: make(chan struct{})}
	u, err := uplink.New(fastConfig(h.URL(), dev, ob))
	if err != nil {
		t.Fatal(err)
	}
	runUplink(t, u)
	<-ob.done
	checkExactlyOnce(t, h.Storage(), dev.ID, s)
}

// TestRunPullsBundle: Run pulls the bundle at start and after SyncNow.
func TestRunPullsBundle(t *testing.T) {
	b := &hub.Bundles{Dir: t.TempDir()}
	if _, err := b.Publish([]byte("one")); err != nil {
		t.Fatal(err)
	}
	h := startLiveHub(t, synctest.Backends[0].New(t), b)
	dev := synctest.NewDevice(t, h.Storage(), "kiosk-1")
	got := make(chan string, 4)
	cfg := fastConfig(h.URL(), dev, openStore(t))
	cfg.BundleEvery = time.Hour
	cfg.Poll = time.Hour
	cfg.Install = func(data []byte) error { got <- string(data); return nil }
	u, err := uplink.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	runUplink(t, u)
	if s := <-got; s != "one" {
		t.Fatalf("installed %q", s)
	}
	if _, err := b.Publish([]byte("two")); err != nil {
		t.Fatal(err)
	}
	u.SyncNow()
	if s := <-got; s != "two" {
		t.Fatalf("installed %q after SyncNow", s)
	}
}
