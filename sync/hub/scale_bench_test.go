package hub_test

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/chot-dev/chot/sync/internal/synctest"
	"github.com/chot-dev/chot/sync/wire"
)

// BenchmarkIngestInstances measures ingest on PostgreSQL through one hub
// instance and through two (each its own Server and connection pool on the
// same database; devices alternate between them batch by batch), in the
// same run. 16 devices send 5,000-pass (the protocol maximum) signed batches at once; bodies are
// encoded and signed before the timer starts; one op is one batch.
//
//	CHOT_TEST_POSTGRES=postgres://… go test -run '^$' -bench IngestInstances -benchtime 80x ./sync/hub/
func BenchmarkIngestInstances(b *testing.B) {
	const devices, size = 16, 5000
	for _, instances := range []int{1, 2} {
		b.Run(fmt.Sprintf("instances=%d", instances), func(b *testing.B) {
			dsn := synctest.Backends[1].New(b)
			var urls []string
			st := synctest.Open(b, dsn)
			for range instances {
				_, u := startBenchHub(b, synctest.Open(b, dsn))
				urls = append(urls, u)
			}
			devs := make([]synctest.Device, devices)
			bodies := make([][][]byte, devices)
			for i := range devs {
				devs[i] = synctest.NewDevice(b, st, fmt.Sprintf("bench-%d", i))
			}
			for n := 0; n < b.N; n++ {
				d := n % devices
				first := uint64(len(bodies[d]))*size + 1
				ps := synctest.Passes(epoch, first, first+size-1, "")
				for i := range ps {
					ps[i].Reason = []string{"ok", "ok", "expired", "revoked"}[i%4]
				}
				body, err := wire.EncodeBatch(devs[d].Batch(epoch, ps))
				if err != nil {
					b.Fatal(err)
				}
				bodies[d] = append(bodies[d], body)
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: devices}}
			b.ResetTimer()
			var wg sync.WaitGroup
			errs := make(chan error, devices)
			for d := range devices {
				wg.Go(func() {
					for i, body := range bodies[d] {
						req, _ := http.NewRequest(http.MethodPost, urls[(d+i)%len(urls)]+wire.PathPasses, bytes.NewReader(body))
						req.Header.Set("Content-Encoding", "gzip")
						req.Header.Set(wire.HeaderDevice, devs[d].ID)
						req.Header.Set(wire.HeaderSignature, wire.Sign(devs[d].Key, body))
						resp, err := client.Do(req)
						if err != nil {
							errs <- err
							return
						}
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							errs <- fmt.Errorf("status %d", resp.StatusCode)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
			total := 0
			for d := range devices {
				total += synctest.Count(b, st, devs[d].ID)
			}
			if total != b.N*size {
				b.Fatalf("hub holds %d passes, want %d", total, b.N*size)
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "passes/s")
		})
	}
}
