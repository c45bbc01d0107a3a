package uplink_test

import (
	"testing"
	"time"

	"github.com/chot-dev/chot/sync/internal/synctest"
	"github.com/chot-dev/chot/sync/uplink"
)

// BenchmarkDrain measures one device emptying a backlog into the hub over
// loopback: real bbolt store, signed gzip batches of 500, real hub. One op
// is a whole backlog of CHOT_SYNC_PASSES passes (100,000 by default): run it
// with -benchtime 1x.
//
//	go test -run '^$' -bench Drain -benchtime 1x ./sync/uplink/
func BenchmarkDrain(b *testing.B) {
	n := passCount(b, 100_000)
	for _, be := range synctest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			var drained time.Duration
			for range b.N {
				b.StopTimer()
				h := startLiveHub(b, be.New(b), nil)
				dev := synctest.NewDevice(b, h.Storage(), "kiosk-1")
				s := openStore(b)
				fill(b, s, n)
				ob := &ackWatch{Store: s, target: uint64(n), done: make(chan struct{})}
				cfg := fastConfig(h.URL(), dev, ob)
				cfg.BatchSize = 500
				cfg.AttemptTimeout = 30 * time.Second
				u, err := uplink.New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				stop := runUplink(b, u)
				<-ob.done
				drained += time.Since(start)
				b.StopTimer()
				stop()
				checkExactlyOnce(b, h.Storage(), dev.ID, s)
			}
			b.ReportMetric(float64(n*b.N)/drained.Seconds(), "passes/s")
		})
	}
}
