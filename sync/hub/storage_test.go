package hub_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/internal/synctest"
)

const epoch = "0123456789abcdef0123456789abcdef"

func rows(dev string, passes []record.Pass) []hub.Row {
	out := make([]hub.Row, len(passes))
	for i, p := range passes {
		j, _ := json.Marshal(p)
		d := sha256.Sum256(j)
		out[i] = hub.Row{Device: dev, Epoch: p.Epoch, Seq: p.Seq, At: p.At, Received: time.Unix(1_790_000_000, 0), Digest: d[:], Body: j}
	}
	return out
}

func TestStorageInsert(t *testing.T) {
	ctx := context.Background()
	for _, be := range synctest.Backends {
		t.Run(be.Name, func(t *testing.T) {
			st := synctest.Open(t, be.New(t))
			steps := []struct {
				name               string
				first, last        uint64
				tag                string
				wantErr            error
				wantIns, wantDup   int
				wantAcked, wantRow uint64
			}{
				{"first batch", 1, 10, "", nil, 10, 0, 10, 10},
				{"overlap resent", 5, 15, "", nil, 5, 6, 15, 15},
				{"exact resend", 11, 15, "", nil, 0, 5, 15, 15},
				{"gap", 17, 20, "", hub.ErrGap, 0, 0, 15, 15},
				{"altered stored seq", 10, 12, "x", hub.ErrReplay, 0, 0, 15, 15},
				{"altered seq with new ones after", 15, 30, "x", hub.ErrReplay, 0, 0, 15, 15},
				{"contiguous next", 16, 20, "", nil, 5, 0, 20, 20},
			}
			for _, s := range steps {
				res, err := st.Insert(ctx, rows("dev-a", synctest.Passes(epoch, s.first, s.last, s.tag)))
				if !errors.Is(err, s.wantErr) {
					t.Fatalf("%s: err %v, want %v", s.name, err, s.wantErr)
				}
				if res.Inserted != s.wantIns || res.Duplicates != s.wantDup || res.AckedThrough != s.wantAcked {
					t.Errorf("%s: got %+v, want inserted %d, duplicates %d, acked %d", s.name, res, s.wantIns, s.wantDup, s.wantAcked)
				}
				if n := synctest.Count(t, st, "dev-a"); uint64(n) != s.wantRow {
					t.Errorf("%s: %d rows stored, want %d", s.name, n, s.wantRow)
				}
			}
			got, err := st.AckedThrough(ctx, "dev-a", epoch)
			if err != nil || got != 20 {
				t.Errorf("AckedThrough = %d, %v; want 20", got, err)
			}
			// Another epoch of the same device starts from zero.
			if _, err := st.Insert(ctx, rows("dev-a", synctest.Passes("ee", 2, 3, ""))); !errors.Is(err, hub.ErrGap) {
				t.Errorf("new epoch from seq 2: err %v, want ErrGap", err)
			}
			if res, err := st.Insert(ctx, rows("dev-a", synctest.Passes("ee", 1, 3, ""))); err != nil || res.AckedThrough != 3 {
				t.Errorf("new epoch: %+v, %v; want acked 3", res, err)
			}
		})
	}
}

func TestStorageDevicesAndTokens(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for _, be := range synctest.Backends {
		t.Run(be.Name, func(t *testing.T) {
			st := synctest.Open(t, be.New(t))
			a := synctest.NewDevice(t, st, "dev-a")
			if _, err := st.Device(ctx, "nope"); !errors.Is(err, hub.ErrUnknownDevice) {
				t.Errorf("unknown device: %v, want ErrUnknownDevice", err)
			}
			d, err := st.Device(ctx, "dev-a")
			if err != nil || !d.PubKey.Equal(a.Key.Public()) {
				t.Fatalf("Device = %v, %v", d, err)
			}
			if err := st.AddDevice(ctx, hub.Device{ID: "dev-a", PubKey: d.PubKey, Created: now}); err != nil {
				t.Errorf("same key again: %v", err)
			}
			b := synctest.NewDevice(t, nil, "dev-b")
			bpub := b.Key.Public().(ed25519.PublicKey)
			if err := st.AddDevice(ctx, hub.Device{ID: "dev-a", PubKey: bpub, Created: now}); !errors.Is(err, hub.ErrDeviceExists) {
				t.Errorf("other key: %v, want ErrDeviceExists", err)
			}
			tok, hash, err := hub.NewToken()
			if err != nil {
				t.Fatal(err)
			}
			if err := st.AddToken(ctx, hash, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			_, expired, _ := hub.NewToken()
			if err := st.AddToken(ctx, expired, now.Add(-time.Second)); err != nil {
				t.Fatal(err)
			}
			cases := []struct {
				name string
				hash []byte
				dev  hub.Device
				want error
			}{
				{"unknown token", hub.TokenHash("nope"), hub.Device{ID: "dev-b", PubKey: bpub}, hub.ErrBadToken},
				{"expired token", expired, hub.Device{ID: "dev-b", PubKey: bpub}, hub.ErrBadToken},
				{"taken id keeps token", hub.TokenHash(tok), hub.Device{ID: "dev-a", PubKey: bpub}, hub.ErrDeviceExists},
				{"ok", hub.TokenHash(tok), hub.Device{ID: "dev-b", PubKey: bpub}, nil},
				{"spent token", hub.TokenHash(tok), hub.Device{ID: "dev-c", PubKey: bpub}, hub.ErrBadToken},
			}
			for _, c := range cases {
				if err := st.Enroll(ctx, c.hash, c.dev, now); !errors.Is(err, c.want) {
					t.Errorf("%s: %v, want %v", c.name, err, c.want)
				}
			}
			if _, err := st.Device(ctx, "dev-b"); err != nil {
				t.Errorf("dev-b after enroll: %v", err)
			}
			if _, err := st.Device(ctx, "dev-c"); !errors.Is(err, hub.ErrUnknownDevice) {
				t.Errorf("dev-c: %v, want ErrUnknownDevice", err)
			}
		})
	}
}

// TestStorageConcurrentSameDevice: the same batches sent at once over
// several connections (a device restarted while its old request was still
// in flight) store each pass once and never fail.
func TestStorageConcurrentSameDevice(t *testing.T) {
	for _, be := range synctest.Backends {
		t.Run(be.Name, func(t *testing.T) {
			st := synctest.Open(t, be.New(t))
			var wg sync.WaitGroup
			for range 6 {
				wg.Go(func() {
					for first := uint64(1); first <= 400; first += 50 {
						_, err := st.Insert(context.Background(), rows("dev-a", synctest.Passes(epoch, first, first+49, "")))
						if err != nil {
							t.Errorf("insert %d: %v", first, err)
							return
						}
					}
				})
			}
			wg.Wait()
			if n := synctest.Count(t, st, "dev-a"); n != 400 {
				t.Errorf("%d passes stored, want 400", n)
			}
		})
	}
}
