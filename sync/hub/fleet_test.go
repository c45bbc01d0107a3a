package hub_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/internal/synctest"
	"github.com/chot-dev/chot/sync/wire"
)

func report(dev string, at time.Time, backlog uint64) wire.Health {
	return wire.Health{Device: dev, At: at, Clock: record.ClockSynced, Site: "gate-north", Software: "v1.2.3",
		Bundle: 7, BundleStaleAfter: at.Add(24 * time.Hour), BundleExpiresAt: at.Add(48 * time.Hour),
		LED: "ready-online", Gate: "closed", Camera: wire.StateOK, CameraFPS: 14.5, Backlog: backlog,
		FreeDisk: 1 << 30, Counts: map[string]uint64{"ok": 3, "expired": 1}}
}

func TestStorageHealth(t *testing.T) {
	ctx := context.Background()
	for _, be := range synctest.Backends {
		t.Run(be.Name, func(t *testing.T) {
			st := synctest.Open(t, be.New(t))
			synctest.NewDevice(t, st, "dev-a")
			synctest.NewDevice(t, st, "dev-b")
			if err := st.SaveHealth(ctx, hubNow, report("nope", hubNow, 0), time.Hour); !errors.Is(err, hub.ErrUnknownDevice) {
				t.Errorf("unknown device: %v", err)
			}
			// Four reports, one arriving late (older At): it joins the
			// history but does not become the latest.
			steps := []struct {
				recv, at time.Duration
				backlog  uint64
			}{{0, 0, 10}, {time.Minute, time.Minute, 150}, {2 * time.Minute, 30 * time.Second, 999}, {3 * time.Minute, 3 * time.Minute, 400}}
			for _, s := range steps {
				if err := st.SaveHealth(ctx, hubNow.Add(s.recv), report("dev-a", hubNow.Add(s.at), s.backlog), 150*time.Second); err != nil {
					t.Fatal(err)
				}
			}
			d, err := st.Device(ctx, "dev-a")
			if err != nil {
				t.Fatal(err)
			}
			if d.Health == nil || d.Health.Backlog != 400 || d.PrevBacklog != 150 || d.Site != "gate-north" || !d.LastSeen.Equal(hubNow.Add(3*time.Minute)) {
				t.Errorf("latest: %+v health %+v", d, d.Health)
			}
			hist, err := st.HealthHistory(ctx, "dev-a", 10)
			if err != nil {
				t.Fatal(err)
			}
			// The first report is older than keep (150 s) at the last save.
			if len(hist) != 3 || hist[0].Report.Backlog != 400 || hist[2].Report.Backlog != 150 || hist[0].Report.Counts["ok"] != 3 {
				t.Errorf("history: %+v", hist)
			}
			ds, err := st.Devices(ctx)
			if err != nil || len(ds) != 2 || ds[0].ID != "dev-a" || ds[1].Health != nil {
				t.Errorf("devices: %+v, %v", ds, err)
			}
			f := hub.Judge(ds[0], hubNow.Add(4*time.Minute), hub.Rules{})
			if f.State != hub.StateWarning || len(f.Problems) != 1 || f.Problems[0] != hub.ProblemBacklogGrowing {
				t.Errorf("judge a: %+v", f)
			}
			if f := hub.Judge(ds[0], hubNow.Add(time.Hour), hub.Rules{}); f.State != hub.StateCritical || f.Problems[0] != hub.ProblemOffline {
				t.Errorf("judge a an hour later: %+v", f)
			}
			if f := hub.Judge(ds[0], hubNow.Add(30*time.Hour), hub.Rules{OfflineAfter: 48 * time.Hour}); !contains(f.Problems, hub.ProblemTrustStale) {
				t.Errorf("judge a 30 h later: %+v", f)
			}
			if f := hub.Judge(ds[1], hubNow, hub.Rules{}); f.Problems[0] != hub.ProblemNeverSeen {
				t.Errorf("judge b: %+v", f)
			}
		})
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestStorageLifecycle(t *testing.T) {
	ctx := context.Background()
	for _, be := range synctest.Backends {
		t.Run(be.Name, func(t *testing.T) {
			st := synctest.Open(t, be.New(t))
			a := synctest.NewDevice(t, st, "dev-a")
			apub := a.Key.Public().(ed25519.PublicKey)
			newPub, _, _ := ed25519.GenerateKey(rand.Reader)
			thirdPub, _, _ := ed25519.GenerateKey(rand.Reader)
			if _, err := st.Insert(ctx, rows("dev-a", synctest.Passes(epoch, 1, 5, ""))); err != nil {
				t.Fatal(err)
			}
			steps := []struct {
				name     string
				old, new ed25519.PublicKey
				want     error
			}{
				{"rotate", apub, newPub, nil},
				{"same rotation again", apub, newPub, nil},
				{"signed by the replaced key", apub, thirdPub, hub.ErrStaleKey},
			}
			for _, s := range steps {
				if err := st.RotateKey(ctx, "dev-a", s.old, s.new, hubNow); !errors.Is(err, s.want) {
					t.Errorf("%s: %v, want %v", s.name, err, s.want)
				}
			}
			if d, _ := st.Device(ctx, "dev-a"); !d.PubKey.Equal(newPub) || !d.KeyChanged.Equal(hubNow) {
				t.Errorf("after rotation: %+v", d)
			}
			if err := st.RevokeDevice(ctx, "nope", hubNow); !errors.Is(err, hub.ErrUnknownDevice) {
				t.Errorf("revoke unknown: %v", err)
			}
			if err := st.RevokeDevice(ctx, "dev-a", hubNow); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Insert(ctx, rows("dev-a", synctest.Passes(epoch, 6, 8, ""))); !errors.Is(err, hub.ErrRevoked) {
				t.Errorf("insert after revoke: %v, want ErrRevoked", err)
			}
			if err := st.RotateKey(ctx, "dev-a", newPub, thirdPub, hubNow); !errors.Is(err, hub.ErrRevoked) {
				t.Errorf("rotate after revoke: %v", err)
			}
			// A plain token cannot take the id; a re-enrollment token for
			// it binds a new key and lifts the revocation.
			tok, hash, _ := hub.NewToken()
			st.AddToken(ctx, hash, hubNow.Add(time.Hour))
			if err := st.Enroll(ctx, hub.TokenHash(tok), hub.Device{ID: "dev-a", PubKey: thirdPub, Created: hubNow}, hubNow); !errors.Is(err, hub.ErrDeviceExists) {
				t.Errorf("plain token on a taken id: %v", err)
			}
			re, rehash, _ := hub.NewToken()
			if err := st.AddTokenFor(ctx, rehash, hubNow.Add(time.Hour), "dev-a"); err != nil {
				t.Fatal(err)
			}
			if err := st.Enroll(ctx, hub.TokenHash(re), hub.Device{ID: "dev-b", PubKey: thirdPub, Created: hubNow}, hubNow); !errors.Is(err, hub.ErrBadToken) {
				t.Errorf("re-enrollment token for another id: %v", err)
			}
			if err := st.Enroll(ctx, hub.TokenHash(re), hub.Device{ID: "dev-a", PubKey: thirdPub, Created: hubNow}, hubNow); err != nil {
				t.Fatalf("re-enroll: %v", err)
			}
			d, _ := st.Device(ctx, "dev-a")
			if !d.PubKey.Equal(thirdPub) || !d.Revoked.IsZero() {
				t.Errorf("after re-enroll: %+v", d)
			}
			// The store recovered: a new epoch from seq 1; the old epoch's
			// passes stay, once.
			if _, err := st.Insert(ctx, rows("dev-a", synctest.Passes("ee01", 1, 4, ""))); err != nil {
				t.Fatal(err)
			}
			if n := synctest.Count(t, st, "dev-a"); n != 9 {
				t.Errorf("%d passes after the new epoch, want 5 + 4", n)
			}
			toks, err := st.Tokens(ctx)
			if err != nil || len(toks) != 2 {
				t.Fatalf("tokens: %+v, %v", toks, err)
			}
			for _, tk := range toks {
				if tk.For == "dev-a" && (tk.Used.IsZero() || tk.Device != "dev-a") {
					t.Errorf("re-enrollment token not marked spent: %+v", tk)
				}
			}
			if err := st.DeleteToken(ctx, hash); err != nil {
				t.Fatal(err)
			}
			if toks, _ := st.Tokens(ctx); len(toks) != 1 {
				t.Errorf("%d tokens after deleting the unspent one", len(toks))
			}
		})
	}
}

func TestStorageStatsAndRetention(t *testing.T) {
	ctx := context.Background()
	for _, be := range synctest.Backends {
		t.Run(be.Name, func(t *testing.T) {
			dsn := be.New(t)
			st := synctest.Open(t, dsn)
			synctest.NewDevice(t, st, "dev-a")
			if err := st.SaveHealth(ctx, hubNow, report("dev-a", hubNow, 0), time.Hour); err != nil {
				t.Fatal(err)
			}
			// 3 days of passes from yesterday on (PostgreSQL has day
			// partitions from yesterday by the wall clock), one every 20
			// minutes, a third of them refused.
			const n = 3 * 72
			ps := synctest.Passes(epoch, 1, n, "")
			day0 := time.Now().UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour)
			partitions := func() int { return -1 }
			if be.Name == "postgres" {
				partitions = func() int { return countPartitions(t, dsn) }
			}
			before := partitions()
			for i := range ps {
				ps[i].At = day0.Add(time.Duration(i) * 20 * time.Minute).UnixMilli()
				if i%3 == 0 {
					ps[i].Decision, ps[i].Reason = "reject", "expired"
				}
			}
			rs := rows("dev-a", ps)
			for i := range rs {
				rs[i].Decision, rs[i].Reason = ps[i].Decision, ps[i].Reason
			}
			for first := 0; first < n; first += 50 {
				if _, err := st.Insert(ctx, rs[first:min(first+50, n)]); err != nil {
					t.Fatal(err)
				}
			}
			// Resending changes no count.
			if _, err := st.Insert(ctx, rs[10:60]); err != nil {
				t.Fatal(err)
			}
			total := func() (all, expired int64, hours int) {
				stats, err := st.Stats(ctx, day0, day0.Add(96*time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				seen := map[time.Time]bool{}
				for _, s := range stats {
					all += s.N
					if s.Reason == "expired" {
						expired += s.N
					}
					seen[s.Hour] = true
					if s.Site != "gate-north" {
						t.Errorf("stat site %q", s.Site)
					}
				}
				return all, expired, len(seen)
			}
			if all, expired, hours := total(); all != n || expired != n/3 || hours != 72 {
				t.Errorf("stats: %d passes, %d expired over %d hours; want %d, %d, 72", all, expired, hours, n, n/3)
			}
			cut := day0.Add(48 * time.Hour)
			gone, err := st.Retain(ctx, cut)
			if err != nil {
				t.Fatal(err)
			}
			if gone != 2*72 || synctest.Count(t, st, "dev-a") != 72 {
				t.Errorf("retain removed %d, %d left; want 144 and 72", gone, synctest.Count(t, st, "dev-a"))
			}
			if after := partitions(); before >= 0 && after != before-2 {
				t.Errorf("%d day partitions before retention, %d after; want two dropped", before, after)
			}
			// The statistics lose the hours retention removed: they add up
			// to what is left, as the export gives it.
			if all, expired, hours := total(); all != 72 || expired != 72/3 || hours != 24 {
				t.Errorf("stats after retention: %d passes, %d expired over %d hours; want 72, 24, 24", all, expired, hours)
			}
			exported := 0
			if err := st.Export(ctx, hub.Query{Since: day0, Until: day0.Add(96 * time.Hour)}, func(hub.Row) error { exported++; return nil }); err != nil || exported != 72 {
				t.Errorf("export after retention: %d, %v; want 72", exported, err)
			}
			// The device resends passes the retention removed: taken as
			// duplicates, nothing stored again.
			res, err := st.Insert(ctx, rs[0:80])
			if err != nil || res.Inserted != 0 || res.AckedThrough != n {
				t.Errorf("resend after retention: %+v, %v", res, err)
			}
			if again, err := st.Retain(ctx, cut); err != nil || again != 0 {
				t.Errorf("second retain: %d, %v", again, err)
			}
		})
	}
}

// countPartitions counts the passes table's day partitions.
func countPartitions(t *testing.T, dsn string) int {
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_inherits WHERE inhparent = 'passes'::regclass
		AND inhrelid::regclass::text ~ 'passes_[0-9]{8}$'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
