package hub_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/internal/synctest"
	"github.com/chot-dev/chot/sync/wire"
)

// BenchmarkIngest measures the hub taking 500-pass signed batches from 8
// devices at once over loopback HTTP; one op is one batch. Bodies are
// encoded and signed before the timer starts.
//
//	CHOT_TEST_POSTGRES=postgres://… go test -run '^$' -bench Ingest -benchtime 400x ./sync/hub/
func BenchmarkIngest(b *testing.B) {
	const devices, size = 8, 500
	for _, be := range synctest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			st := synctest.Open(b, be.New(b))
			srv, ts := startBenchHub(b, st)
			_ = srv
			devs := make([]synctest.Device, devices)
			bodies := make([][][]byte, devices)
			for i := range devs {
				devs[i] = synctest.NewDevice(b, st, fmt.Sprintf("bench-%d", i))
			}
			for n := 0; n < b.N; n++ {
				d := n % devices
				first := uint64(len(bodies[d]))*size + 1
				body, err := wire.EncodeBatch(devs[d].Batch(epoch, synctest.Passes(epoch, first, first+size-1, "")))
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
					for _, body := range bodies[d] {
						req, _ := http.NewRequest(http.MethodPost, ts+wire.PathPasses, bytes.NewReader(body))
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

// BenchmarkStorageInsert measures the storage alone: 8 goroutines (one
// device each) inserting 500-row batches; one op is one batch.
//
//	CHOT_TEST_POSTGRES=postgres://… go test -run '^$' -bench StorageInsert -benchtime 400x ./sync/hub/
func BenchmarkStorageInsert(b *testing.B) {
	const devices, size = 8, 500
	for _, be := range synctest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			st := synctest.Open(b, be.New(b))
			work := make([][][]hub.Row, devices)
			for n := 0; n < b.N; n++ {
				d := n % devices
				first := uint64(len(work[d]))*size + 1
				work[d] = append(work[d], rows(fmt.Sprintf("bench-%d", d), synctest.Passes(epoch, first, first+size-1, "")))
			}
			b.ResetTimer()
			var wg sync.WaitGroup
			for d := range devices {
				wg.Go(func() {
					for _, r := range work[d] {
						if _, err := st.Insert(context.Background(), r); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "passes/s")
		})
	}
}
