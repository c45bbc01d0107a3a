package console_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
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
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// generate fills a fresh PostgreSQL schema with devices devices (a tenth
// silent for an hour, a twentieth with stale trust data, the rest healthy;
// health history of 12 reports each) and passes passes spread over the last
// 30 days, their hourly statistics with them; all with generate_series in
// the server.
func generate(b *testing.B, devices, passes int) string {
	benchDB.once.Do(func() {
		dsn := synctest.Backends[1].New(b)
		st := synctest.Open(b, dsn) // creates the schema
		st.Close()
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			benchDB.err = err
			return
		}
		defer conn.Close(ctx)
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
			`ANALYZE`,
		}
		for _, s := range stmts {
			if _, err := conn.Exec(ctx, s); err != nil {
				benchDB.err = fmt.Errorf("%.60s…: %w", s, err)
				return
			}
		}
		benchDB.dsn, benchDB.took = dsn, time.Since(start)
	})
	if benchDB.err != nil {
		b.Fatal(benchDB.err)
	}
	return benchDB.dsn
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
	b.Logf("generated %d devices and %d passes in %s", devices, passes, benchDB.took.Round(time.Millisecond))
	st := synctest.Open(b, dsn)
	op, _ := hashes(b)
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
	for _, p := range []struct{ name, path, want string }{
		{"fleet", "/console/", `data-device="dev-`},
		{"fleet-filtered", "/console/?problem=offline", `data-state="critical"`},
		{"device", "/console/device/dev-00042", `id="history"`},
		{"passes-48h", "/console/passes", `svg`},
	} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				code, body, _ := c.do("GET", p.path, nil)
				if code != http.StatusOK || !strings.Contains(body, p.want) {
					b.Fatalf("%s: %d", p.path, code)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/page")
		})
	}
}
