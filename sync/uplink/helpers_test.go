package uplink_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/store"
	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/internal/synctest"
	"github.com/chot-dev/chot/sync/uplink"
)

var hubNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// liveHub is a hub on loopback that can be restarted on the same database.
type liveHub struct {
	t       testing.TB
	dsn     string
	bundles *hub.Bundles
	mu      sync.Mutex
	st      hub.Storage
	ts      *httptest.Server
}

func startLiveHub(t testing.TB, dsn string, bundles *hub.Bundles) *liveHub {
	h := &liveHub{t: t, dsn: dsn, bundles: bundles}
	h.start()
	t.Cleanup(h.stop)
	return h
}

func (h *liveHub) start() {
	st, err := hub.OpenStorage(context.Background(), h.dsn)
	if err != nil {
		h.t.Fatalf("hub storage: %v", err)
	}
	srv, err := hub.New(hub.Config{Storage: st, Bundles: h.bundles, Now: func() time.Time { return hubNow }})
	if err != nil {
		h.t.Fatal(err)
	}
	h.mu.Lock()
	h.st, h.ts = st, httptest.NewServer(srv.Handler())
	h.mu.Unlock()
}

func (h *liveHub) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ts != nil {
		h.ts.Close()
		h.st.Close()
		h.ts, h.st = nil, nil
	}
}

// restart stops the hub and starts it again on the same database (with a
// new address).
func (h *liveHub) restart() {
	h.stop()
	h.start()
}

func (h *liveHub) URL() string          { h.mu.Lock(); defer h.mu.Unlock(); return h.ts.URL }
func (h *liveHub) Storage() hub.Storage { h.mu.Lock(); defer h.mu.Unlock(); return h.st }

// openStore opens a real bbolt store in t's temp dir.
func openStore(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "chot.db"), store.Options{})
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fill appends n passes from 32 goroutines (the store commits them in
// groups).
func fill(t testing.TB, s *store.Store, n int) {
	t.Helper()
	var g errgroup.Group
	g.SetLimit(32)
	for i := range n {
		g.Go(func() error {
			_, err := s.Append(context.Background(), record.Pass{
				At: 1_790_000_000_000 + int64(i), UptimeMS: int64(i), BootID: "b1", Clock: record.ClockSynced,
				Decision: "accept", Reason: "ok", Format: "dcc", Type: "test", Issuer: "FR",
				Subject: fmt.Sprintf("%032x", i), LatencyUS: int64(i % 1000), Gate: record.GateOpened,
			})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("append: %v", err)
	}
}

// ackWatch wraps the store and closes done when the watermark reaches
// target; it also checks the watermark never moves back.
type ackWatch struct {
	*store.Store
	target uint64
	done   chan struct{}
	once   sync.Once
	mu     sync.Mutex
	back   bool
	last   uint64
}

func (a *ackWatch) Ack(through uint64) error {
	a.mu.Lock()
	if through < a.last {
		a.back = true
	}
	a.last = through
	a.mu.Unlock()
	if err := a.Store.Ack(through); err != nil {
		return err
	}
	if a.Store.AckedThrough() >= a.target {
		a.once.Do(func() { close(a.done) })
	}
	return nil
}

// checkExactlyOnce compares the hub's rows for device with the store's log:
// every pass once, byte-identical, none missing.
func checkExactlyOnce(t testing.TB, st hub.Storage, device string, s *store.Store) {
	t.Helper()
	want := map[uint64][32]byte{}
	err := s.Range(1, func(p record.Pass) error {
		j, err := json.Marshal(p)
		want[p.Seq] = sha256.Sum256(j)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if uint64(len(want)) != s.LastSeq() {
		t.Fatalf("store holds %d passes, last seq %d", len(want), s.LastSeq())
	}
	seen := map[uint64]int{}
	err = st.Export(context.Background(), hub.Query{Device: device}, func(r hub.Row) error {
		seen[r.Seq]++
		if r.Epoch != s.Epoch() {
			return fmt.Errorf("row seq %d has epoch %s, want %s", r.Seq, r.Epoch, s.Epoch())
		}
		if w, ok := want[r.Seq]; !ok || string(w[:]) != string(r.Digest) {
			return fmt.Errorf("row seq %d differs from the device's pass", r.Seq)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	missing, dup := 0, 0
	for seq := range want {
		switch seen[seq] {
		case 0:
			missing++
		case 1:
		default:
			dup++
		}
	}
	if missing != 0 || dup != 0 || len(seen) != len(want) {
		t.Fatalf("hub holds %d distinct seqs for %d passes: %d missing, %d duplicated", len(seen), len(want), missing, dup)
	}
	acked, err := st.AckedThrough(context.Background(), device, s.Epoch())
	if err != nil || acked != s.LastSeq() {
		t.Fatalf("hub acked_through %d, %v; want %d", acked, err, s.LastSeq())
	}
}

// passCount is CHOT_SYNC_PASSES or def.
func passCount(t testing.TB, def int) int {
	if v := os.Getenv("CHOT_SYNC_PASSES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("CHOT_SYNC_PASSES=%q", v)
		}
		return n
	}
	return def
}

// runUplink runs u until the returned stop is called (or t ends); stop
// checks Run returned context.Canceled.
func runUplink(t testing.TB, u *uplink.Uplink) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- u.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Errorf("Run: %v, want context.Canceled", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// fastConfig is an uplink config whose waits are all short. The attempt
// timeout is not: it only bounds a hang. A request that times out under load
// (a loaded CI machine, an fsync of the hub's SQLite on a busy disk) is an
// extra retry that the tests counting the uplink's waits (RetryAfter) or
// reading its first error (HubBehindWithoutReplay) or calling SendHealth
// once would take for a failure.
func fastConfig(url string, dev synctest.Device, ob uplink.Outbox) uplink.Config {
	return uplink.Config{
		URL: url, Device: dev.ID, Key: dev.Key, Outbox: ob,
		BatchSize:      100,
		AttemptTimeout: time.Minute,
		Backoff:        uplink.Backoff{Base: time.Millisecond, Max: 10 * time.Millisecond},
		MaxRetryAfter:  5 * time.Millisecond,
		Rejoin:         -1,
		Poll:           20 * time.Millisecond,
		BundleEvery:    -1,
	}
}
