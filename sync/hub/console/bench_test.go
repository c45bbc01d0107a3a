package console_test

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/hub/console"
	"github.com/chot-dev/chot/sync/internal/synctest"
)

// benchDB is the generated database, made once per process.
var benchDB struct {
	once sync.Once
	dsn  string
	err  error
	took time.Duration
	// migrated is how long opening the generated version-2 database took
	// (the migration that builds the site rollup).
	migrated time.Duration
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// benchDSNEnv names a PostgreSQL URL (its search_path a schema of its own)
// that keeps the generated database between runs: generated into when
// empty, reused as it is when it holds the devices already.
const benchDSNEnv = "CHOT_BENCH_DSN"

// generate fills a fresh PostgreSQL schema with devices devices (a tenth
// silent for an hour, a twentieth with stale trust data, the rest healthy;
// health history of 12 reports each) and passes passes spread over the last
// 30 days, their hourly statistics with them; all with generate_series in
// the server.
func generate(b *testing.B, devices, passes int) string {
	benchDB.once.Do(func() {
		dsn := os.Getenv(benchDSNEnv)
		if dsn == "" {
			dsn = synctest.Backends[1].New(b)
		}
		opening := time.Now()
		st := synctest.Open(b, dsn) // creates the schema, or migrates a kept one
		st.Close()
		opened := time.Since(opening)
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			benchDB.err = err
			return
		}
		defer conn.Close(ctx)
		var have int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM devices`).Scan(&have); err != nil {
			benchDB.err = err
			return
		}
		if have > 0 {
			b.Logf("reusing the database at %s (%d devices)", benchDSNEnv, have)
			benchDB.dsn, benchDB.migrated = dsn, opened
			return
		}
		now := t0.UnixMilli()
		start := time.Now()
		stmts := []string{
			fmt.Sprintf(`INSERT INTO devices (id, pubkey, created_ms, site, last_seen_ms, health, health_at_ms, prev_backlog)
			SELECT 'dev-' || lpad(i::text, 5, '0'), decode(md5(i::text) || md5(i::text), 'hex'), %[1]d - 86400000,
				'site-' || (i %% 200), %[1]d - CASE WHEN i %% 10 = 0 THEN 3600000 ELSE 30000 END,
				json_build_object('device', 'dev-' || lpad(i::text, 5, '0'), 'at', to_char(to_timestamp(%[1]d / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
					'clock', 'synced', 'site', 'site-' || (i %% 200), 'software', 'chotd 1.4.0', 'bundle', 12,
					'bundle_stale_after', CASE WHEN i %% 20 = 0 THEN '2026-11-24T00:00:00Z' ELSE '2026-11-30T00:00:00Z' END,
					'bundle_expires_at', '2026-12-31T00:00:00Z', 'led', 'ready-online', 'gate', 'closed', 'camera', 'ok',
					'camera_fps', 14.8, 'backlog', i %% 7, 'free_disk', 6442450944, 'last_seq', 2000,
					'counts', json_build_object('ok', 40, 'expired', 3))::text, %[1]d, 0
			FROM generate_series(1, %[2]d) AS i`, now, devices),
			`UPDATE devices SET h_software = 'chotd 1.4.0', h_bundle = 12, h_clock = 'synced', h_led = 'ready-online', h_gate = 'closed',
				h_camera = 'ok', h_fps = 14.8, h_backlog = (health::jsonb->>'backlog')::bigint, h_free = 6442450944, h_expires_ms = 1798675200000,
				h_stale_ms = CASE WHEN health LIKE '%2026-11-24T00%' THEN 1795478400000 ELSE 1795996800000 END`,
			fmt.Sprintf(`INSERT INTO health (device, received_ms, body)
			SELECT d.id, %[1]d - k * 60000, d.health FROM devices d, generate_series(0, 11) AS k`, now),
			fmt.Sprintf(`INSERT INTO passes (device, epoch, seq, at_ms, received_ms, digest, body)
			SELECT 'dev-' || lpad((1 + i %% %[2]d)::text, 5, '0'), '0123456789abcdef0123456789abcdef', 1 + i / %[2]d,
				%[1]d - (%[3]d - i)::bigint * (2592000000 / %[3]d), %[1]d, '\x00'::bytea,
				'{"decision":"accept","reason":"ok"}'
			FROM generate_series(0, %[3]d - 1) AS i`, now, devices, passes),
			`INSERT INTO pass_hourly (hour_ms, device, decision, reason, n)
			SELECT at_ms - at_ms % 3600000, device, 'accept', 'ok', count(*) FROM passes GROUP BY 1, 2`,
			`INSERT INTO watermarks (device, epoch, acked_through) SELECT device, epoch, max(seq) FROM passes GROUP BY 1, 2`,
			// Left as a hub of schema version 2 (no site rollup): the
			// next open migrates it, timed below.
			`DROP TABLE IF EXISTS pass_site_hourly`,
			`UPDATE meta SET value = '2' WHERE key = 'schema_version'`,
			`ANALYZE`,
		}
		for _, s := range stmts {
			if _, err := conn.Exec(ctx, s); err != nil {
				benchDB.err = fmt.Errorf("%.60s…: %w", s, err)
				return
			}
		}
		benchDB.took = time.Since(start)
		start = time.Now()
		st = synctest.Open(b, dsn)
		st.Close()
		benchDB.migrated = time.Since(start)
		if _, err := conn.Exec(ctx, `ANALYZE`); err != nil {
			benchDB.err = err
			return
		}
		benchDB.dsn = dsn
	})
	if benchDB.err != nil {
		b.Fatal(benchDB.err)
	}
	return benchDB.dsn
}

// joinStats answers Stats as the hub did before the site rollup (schema
// version 2): the per-device hourly cells of the window joined to the
// devices' sites and grouped. It is the peer the passes page is measured
// against in the same run.
type joinStats struct {
	hub.Storage
	conn *pgx.Conn
	mu   sync.Mutex
}

func (j *joinStats) Stats(ctx context.Context, since, until time.Time) ([]hub.Stat, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	rows, err := j.conn.Query(ctx, `SELECT s.hour_ms, coalesce(d.site, ''), s.decision, s.reason, sum(s.n)
		FROM pass_hourly s LEFT JOIN devices d ON d.id = s.device
		WHERE s.hour_ms >= $1 AND s.hour_ms < $2
		GROUP BY s.hour_ms, coalesce(d.site, ''), s.decision, s.reason`, since.UnixMilli()-since.UnixMilli()%3_600_000, until.UnixMilli())
	if err != nil {
		return nil, err
	}
	var out []hub.Stat
	var st hub.Stat
	var h int64
	_, err = pgx.ForEachRow(rows, []any{&h, &st.Site, &st.Decision, &st.Reason, &st.N}, func() error {
		st.Hour = time.UnixMilli(h).UTC()
		out = append(out, st)
		return nil
	})
	slices.SortFunc(out, func(a, b hub.Stat) int {
		return cmp.Or(a.Hour.Compare(b.Hour), strings.Compare(a.Site, b.Site), strings.Compare(a.Decision, b.Decision), strings.Compare(a.Reason, b.Reason))
	})
	return out, err
}

// BenchmarkConsolePages measures the console's pages over loopback HTTP,
// logged in, on a generated PostgreSQL database of CHOT_BENCH_DEVICES
// devices (default 5,000) and CHOT_BENCH_PASSES passes (default 10 million);
// one op is one page, rendered and read whole.
//
//	CHOT_TEST_POSTGRES=postgres://… go test -run '^$' -bench ConsolePages -benchtime 20x ./sync/hub/console/
func BenchmarkConsolePages(b *testing.B) {
	devices, passes := envInt("CHOT_BENCH_DEVICES", 5000), envInt("CHOT_BENCH_PASSES", 10_000_000)
	dsn := generate(b, devices, passes)
	b.Logf("generated %d devices and %d passes in %s, migrated in %s", devices, passes, benchDB.took.Round(time.Millisecond), benchDB.migrated.Round(time.Millisecond))
	st := synctest.Open(b, dsn)
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close(context.Background()) })
	op, _ := hashes(b)
	serve := func(st hub.Storage) *client {
		con, err := console.New(console.Config{Storage: st, Bundles: &hub.Bundles{Dir: b.TempDir()}, Now: func() time.Time { return t0 },
			Users:  []console.User{{Name: "ops", Role: console.RoleOperator, PasswordHash: op}},
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(con.Handler())
		b.Cleanup(srv.Close)
		c := newClient(b, srv.URL)
		if code, _ := c.login("ops", operatorPW); code != http.StatusSeeOther {
			b.Fatalf("login: %d", code)
		}
		return c
	}
	c, cj := serve(st), serve(&joinStats{Storage: st, conn: conn})
	// The chart from the rollup and from the join: the same page.
	_, rolled, _ := c.do("GET", "/console/passes?hours=168", nil)
	_, joined, _ := cj.do("GET", "/console/passes?hours=168", nil)
	content := func(page string) string { _, after, _ := strings.Cut(page, `<section class="card">`); return after }
	if content(rolled) != content(joined) || !strings.Contains(rolled, "<svg") {
		b.Fatalf("the passes page from the site rollup differs from the join's (%d and %d bytes)", len(rolled), len(joined))
	}
	for _, p := range []struct {
		name, path, want string
		c                *client
	}{
		{"fleet", "/console/", `data-device="dev-`, c},
		{"fleet-filtered", "/console/?problem=offline", `data-state="critical"`, c},
		{"device", "/console/device/dev-00042", `id="history"`, c},
		{"passes-48h", "/console/passes", `svg`, c},
		{"passes-48h-join", "/console/passes", `svg`, cj},
		{"passes-168h", "/console/passes?hours=168", `svg`, c},
		{"passes-168h-join", "/console/passes?hours=168", `svg`, cj},
	} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				code, body, _ := p.c.do("GET", p.path, nil)
				if code != http.StatusOK || !strings.Contains(body, p.want) {
					b.Fatalf("%s: %d", p.path, code)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/page")
		})
	}
}
