package uplink_test

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/chot-dev/chot/sync/internal/synctest"
	"github.com/chot-dev/chot/sync/uplink"
)

// TestExactlyOnceThroughFaults pushes a backlog (half logged before the
// uplink starts, half while it runs) through a proxy that drops answers
// after the hub committed, resets connections, holds answers past the
// client's timeout, answers 500 and 429, trickles bodies, and through a hub
// restart; the hub must end with every pass exactly once.
func TestExactlyOnceThroughFaults(t *testing.T) {
	n := passCount(t, 10_000)
	for _, be := range synctest.Backends {
		t.Run(be.Name, func(t *testing.T) { exactlyOnce(t, be.New(t), 1, n) })
	}
}

// TestExactlyOnceTwoInstances is the same through two hub instances on one
// PostgreSQL database that the proxy sends the device's requests to in turn
// (one of them restarted midway): no state lives in one instance only.
func TestExactlyOnceTwoInstances(t *testing.T) {
	exactlyOnce(t, synctest.Backends[1].New(t), 2, passCount(t, 10_000))
}

// exactlyOnce runs the fault test against instances hubs sharing dsn.
func exactlyOnce(t *testing.T, dsn string, instances, n int) {
	hubs := make([]*liveHub, instances)
	for i := range hubs {
		hubs[i] = startLiveHub(t, dsn, nil)
	}
	urls := func() []string {
		var out []string
		for _, h := range hubs {
			out = append(out, h.URL())
		}
		return out
	}
	h := hubs[len(hubs)-1] // the one restarted
	dev := synctest.NewDevice(t, hubs[0].Storage(), "kiosk-7")
	s := openStore(t)
	fill(t, s, n/2)

	proxy := synctest.NewProxy(h.URL())
	proxy.SetTargets(urls()...)
	restart := make(chan struct{})
	var once sync.Once
	rng := rand.New(rand.NewPCG(1, 2))
	var rmu sync.Mutex
	proxy.Choose = func(i int64) synctest.Fault {
		if i == 40 {
			once.Do(func() { close(restart) })
		}
		if i < int64(synctest.NumFaults) { // each fault at least once, first
			return synctest.Fault(i)
		}
		rmu.Lock()
		defer rmu.Unlock()
		if rng.IntN(100) < 35 {
			return synctest.Fault(1 + rng.IntN(int(synctest.NumFaults)-1))
		}
		return synctest.Pass
	}
	var idem sync.Once
	proxy.OnRequest = func(r *http.Request) {
		if r.Header.Get("Idempotency-Key") != "" || r.Header.Get("X-Idempotency-Key") != "" {
			idem.Do(func() { t.Error("an Idempotency-Key header was sent: Go's client would re-send silently") })
		}
	}
	ps := httptest.NewServer(proxy)
	defer ps.Close()

	ob := &ackWatch{Store: s, target: uint64(n), done: make(chan struct{})}
	u, err := uplink.New(uplink.Config{
		URL: ps.URL, Device: dev.ID, Key: dev.Key, Outbox: ob,
		BatchSize:      100,
		AttemptTimeout: 300 * time.Millisecond,
		Backoff:        uplink.Backoff{Base: time.Millisecond, Max: 10 * time.Millisecond},
		MaxRetryAfter:  5 * time.Millisecond,
		Rejoin:         2 * time.Millisecond,
		Poll:           20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	stop := runUplink(t, u)

	fillDone := make(chan struct{})
	go func() {
		defer close(fillDone)
		fill(t, s, n-n/2)
		u.Notify()
	}()
	deadline := time.NewTimer(3 * time.Minute)
	defer deadline.Stop()
	select {
	case <-restart:
	case <-ob.done:
		// Both may be ready when this goroutine wakes late: only a drain
		// with the restart point never reached is too few requests.
		select {
		case <-restart:
		default:
			t.Fatal("drained before the hub restart: too few requests")
		}
	case <-deadline.C:
		t.Fatal("no restart point reached")
	}
	h.restart()
	proxy.SetTargets(urls()...)
	<-fillDone
	select {
	case <-ob.done:
	case <-deadline.C:
		t.Fatalf("not drained: acked %d of %d; status %+v", s.AckedThrough(), n, u.Status())
	}
	stop()

	checkExactlyOnce(t, h.Storage(), dev.ID, s)
	if ob.back {
		t.Error("the device watermark moved backwards")
	}
	counts := proxy.Counts()
	for f := synctest.Fault(0); f < synctest.NumFaults; f++ {
		if counts[f.String()] == 0 {
			t.Errorf("fault %s never injected", f)
		}
	}
	st := u.Status()
	if st.Backlog != 0 || st.AckedThrough != uint64(n) {
		t.Errorf("status %+v, want backlog 0, acked %d", st, n)
	}
	t.Logf("%d passes, %d requests, faults %v", n, proxy.Requests(), counts)
}
