package hub_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/internal/synctest"
)

// cell is one statistics cell: the rollup's key.
type cell struct {
	hour                   int64
	site, decision, reason string
}

// pgCells reads query's rows (hour, site, decision, reason, n) into cells;
// a cell listed twice or with a count below 1 fails t.
func pgCells(t *testing.T, conn *pgx.Conn, query string) map[cell]int64 {
	t.Helper()
	rows, err := conn.Query(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	out := map[cell]int64{}
	var c cell
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&c.hour, &c.site, &c.decision, &c.reason, &n}, func() error {
		if _, dup := out[c]; dup || n < 1 {
			return fmt.Errorf("cell %+v: count %d (listed before: %v)", c, n, dup)
		}
		out[c] = n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// groupByPasses is the rollup computed from scratch: the stored passes
// grouped by hour, the device's current site, decision and reason.
const groupByPasses = `SELECT CASE WHEN p.at_ms < 0 THEN 0 ELSE p.at_ms - p.at_ms % 3600000 END, coalesce(d.site, ''),
		p.body::jsonb->>'decision', p.body::jsonb->>'reason', count(*)
	FROM passes p LEFT JOIN devices d ON d.id = p.device GROUP BY 1, 2, 3, 4`

// statsCells reads st.Stats over [since, until) into cells.
func statsCells(t *testing.T, st hub.Storage, since, until time.Time) map[cell]int64 {
	t.Helper()
	stats, err := st.Stats(context.Background(), since, until)
	if err != nil {
		t.Fatal(err)
	}
	out := map[cell]int64{}
	for _, s := range stats {
		out[cell{s.Hour.UnixMilli(), s.Site, s.Decision, s.Reason}] += s.N
	}
	return out
}

// exportCells groups st's export over [since, until) like the chart.
func exportCells(t *testing.T, st hub.Storage, since, until time.Time) map[cell]int64 {
	t.Helper()
	ds, err := st.Devices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	site := map[string]string{}
	for _, d := range ds {
		site[d.ID] = d.Site
	}
	out := map[cell]int64{}
	err = st.Export(context.Background(), hub.Query{Since: since, Until: until}, func(r hub.Row) error {
		var p struct{ Decision, Reason string }
		if err := json.Unmarshal(r.Body, &p); err != nil {
			return err
		}
		out[cell{r.At - r.At%3_600_000, site[r.Device], p.Decision, p.Reason}]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sumCells(m map[cell]int64) (n int64) {
	for _, v := range m {
		n += v
	}
	return n
}

func diffCells(t *testing.T, what string, got, want map[cell]int64) {
	t.Helper()
	if maps.Equal(got, want) {
		return
	}
	keys := slices.Collect(maps.Keys(want))
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	shown := 0
	for _, k := range keys {
		if got[k] != want[k] && shown < 10 {
			t.Errorf("%s: cell %+v: %d, want %d", what, k, got[k], want[k])
			shown++
		}
	}
	t.Errorf("%s: %d cells holding %d passes, want %d cells holding %d", what, len(got), sumCells(got), len(want), sumCells(want))
}

// TestSiteRollupConcurrent ingests on two hub instances sharing one
// PostgreSQL: every batch is sent to both at once (a resend racing the
// original), overlapping resends follow, and devices report their site
// before, during and after their passes (one moves to another site midway,
// one never reports), while retention runs over and over. The site rollup
// must equal a GROUP BY over the stored passes, as must the rollup a
// schema-2 database is migrated to, and the rollup after a retention whose
// cut is not on an hour.
func TestSiteRollupConcurrent(t *testing.T) {
	ctx := context.Background()
	dsn := synctest.Backends[1].New(t)
	inst := []hub.Storage{synctest.Open(t, dsn), synctest.Open(t, dsn)}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	const devices, batches, size = 6, 12, 50
	base := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	// sites[i] is device i's site before its first batch, after batch 3
	// and after batch 8 ("" = no report then).
	sites := [devices][3]string{
		{"north", "", ""},      // reports first
		{"", "south", ""},      // reports after some passes
		{"north", "", "south"}, // moves midway
		{"", "", "north"},      // reports late
		{"south", "south", ""}, // reports twice, same site
		{"", "", ""},           // never reports: site ""
	}
	reportAfter := map[int]int{0: 0, 3: 1, 8: 2} // batch → index in sites
	reasons := []struct{ decision, reason string }{{"accept", "ok"}, {"accept", "ok"}, {"reject", "expired"}, {"reject", "no_policy"}, {"reject", "revoked"}}
	var reportAt sync.Mutex
	at := hubNow
	saveSite := func(st hub.Storage, dev, site string) error {
		reportAt.Lock()
		at = at.Add(time.Second)
		h := report(dev, at, 0)
		reportAt.Unlock()
		h.Site = site
		return st.SaveHealth(ctx, h.At, h, time.Hour)
	}
	all := make([][]hub.Row, devices)
	for i := range devices {
		id := fmt.Sprintf("dev-%d", i)
		synctest.NewDevice(t, inst[0], id)
		ps := synctest.Passes(epoch, 1, batches*size, "")
		for k := range ps {
			// Spread over 10 hours, reasons rotating, each device its own
			// phase.
			ps[k].At = base.Add(time.Duration(k*(i+7)) * 97 * time.Second).UnixMilli()
			r := reasons[(k+i)%len(reasons)]
			ps[k].Decision, ps[k].Reason = r.decision, r.reason
		}
		all[i] = rows(id, ps)
		for k := range all[i] {
			all[i][k].Decision, all[i][k].Reason = ps[k].Decision, ps[k].Reason
		}
	}

	// Retention at base + 1 h runs over and over while the devices send:
	// it deletes passes and cells as they come, and a batch may store
	// passes older than the cut between its two steps (they wait, without
	// counts, for the next run).
	cut := base.Add(time.Hour)
	var wg sync.WaitGroup
	errs := make(chan error, devices*batches*4+1)
	stop := make(chan struct{})
	var retained sync.WaitGroup
	retained.Go(func() {
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := inst[k%2].Retain(ctx, cut); err != nil {
				errs <- fmt.Errorf("retain: %w", err)
				return
			}
		}
	})
	for i := range devices {
		wg.Go(func() {
			id, rs := fmt.Sprintf("dev-%d", i), all[i]
			for b := range batches {
				var step sync.WaitGroup
				if j, ok := reportAfter[b]; ok && sites[i][j] != "" {
					// The site report races this batch on the other
					// instance.
					step.Go(func() {
						if err := saveSite(inst[(b+1)%2], id, sites[i][j]); err != nil {
							errs <- fmt.Errorf("%s: health: %w", id, err)
						}
					})
				}
				batch := rs[b*size : (b+1)*size]
				for _, st := range inst {
					step.Go(func() {
						if _, err := st.Insert(ctx, batch); err != nil {
							errs <- fmt.Errorf("%s batch %d: %w", id, b, err)
						}
					})
				}
				step.Wait()
				if b > 0 {
					// A resend overlapping the last two batches.
					if res, err := inst[b%2].Insert(ctx, rs[(b-1)*size+size/2:(b+1)*size]); err != nil || res.Inserted != 0 {
						errs <- fmt.Errorf("%s resend %d: %+v, %v", id, b, res, err)
					}
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	retained.Wait()
	// The run after the last batch takes what the runs during left.
	if _, err := inst[0].Retain(ctx, cut); err != nil {
		t.Fatal(err)
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}

	kept := 0
	for _, rs := range all {
		for _, r := range rs {
			if r.At >= cut.UnixMilli() {
				kept++
			}
		}
	}
	want := pgCells(t, conn, groupByPasses)
	if n := sumCells(want); n != int64(kept) || kept == devices*batches*size {
		t.Fatalf("passes stored: %d, want %d of %d (those from %s on)", n, kept, devices*batches*size, cut)
	}
	const rollup = `SELECT hour_ms, site, decision, reason, n FROM pass_site_hourly`
	diffCells(t, "site rollup", pgCells(t, conn, rollup), want)
	wantDevice := pgCells(t, conn, `SELECT CASE WHEN at_ms < 0 THEN 0 ELSE at_ms - at_ms % 3600000 END, device,
		body::jsonb->>'decision', body::jsonb->>'reason', count(*) FROM passes GROUP BY 1, 2, 3, 4`)
	diffCells(t, "device rollup", pgCells(t, conn, `SELECT hour_ms, device, decision, reason, n FROM pass_hourly`), wantDevice)
	since, until := base, base.Add(240*time.Hour)
	diffCells(t, "Stats", statsCells(t, inst[1], since, until), want)
	diffCells(t, "export", exportCells(t, inst[0], since, until), want)
	got := statsCells(t, inst[0], since, until)
	if north, none := got[cell{cut.UnixMilli(), "north", "accept", "ok"}], got[cell{cut.UnixMilli(), "", "accept", "ok"}]; north == 0 || none == 0 {
		t.Errorf("first hour kept: north accepted %d, the unreported device accepted %d; want both > 0", north, none)
	}
	if old := got[cell{base.UnixMilli(), "north", "accept", "ok"}]; old != 0 {
		t.Errorf("the hour before the cut still counts %d", old)
	}

	// A hub of schema version 2 (its site rollup missing, its device
	// rollup off) is migrated on open: both rebuilt from the passes.
	for _, q := range []string{`UPDATE meta SET value = '2' WHERE key = 'schema_version'`, `TRUNCATE pass_site_hourly`,
		`DELETE FROM pass_hourly WHERE device = 'dev-1'`, `UPDATE pass_hourly SET n = n + 5 WHERE device = 'dev-2'`} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	migrated := synctest.Open(t, dsn)
	var version string
	if err := conn.QueryRow(ctx, `SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&version); err != nil || version != "3" {
		t.Errorf("schema version after migration: %q, %v", version, err)
	}
	diffCells(t, "migrated site rollup", pgCells(t, conn, rollup), want)
	diffCells(t, "migrated device rollup", pgCells(t, conn, `SELECT hour_ms, device, decision, reason, n FROM pass_hourly`), wantDevice)

	// Retention at 3 h 20 min cuts at 3 h: the statistics keep adding up to
	// the export.
	if _, err := migrated.Retain(ctx, base.Add(3*time.Hour+20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	left := pgCells(t, conn, groupByPasses)
	if n := sumCells(left); n == 0 || n >= int64(kept) {
		t.Fatalf("retention left %d of %d passes", n, kept)
	}
	diffCells(t, "site rollup after retention", pgCells(t, conn, rollup), left)
	diffCells(t, "Stats after retention", statsCells(t, migrated, since, until), exportCells(t, migrated, since, until))
}
