package hub

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

const postgresSchema = `
CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO meta (key, value) VALUES ('schema_version', '1') ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS devices (
	id text PRIMARY KEY,
	pubkey bytea NOT NULL,
	created_ms bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
	hash bytea PRIMARY KEY,
	expires_ms bigint NOT NULL,
	used_ms bigint,
	device text
);
CREATE TABLE IF NOT EXISTS watermarks (
	device text NOT NULL,
	epoch text NOT NULL,
	acked_through bigint NOT NULL,
	PRIMARY KEY (device, epoch)
);
CREATE TABLE IF NOT EXISTS passes (
	device text NOT NULL,
	epoch text NOT NULL,
	seq bigint NOT NULL,
	at_ms bigint NOT NULL,
	received_ms bigint NOT NULL,
	digest bytea NOT NULL,
	body text NOT NULL,
	PRIMARY KEY (device, epoch, seq, at_ms)
) PARTITION BY RANGE (at_ms);
CREATE INDEX IF NOT EXISTS passes_at ON passes (at_ms);
ALTER TABLE devices ADD COLUMN IF NOT EXISTS revoked_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN IF NOT EXISTS key_changed_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN IF NOT EXISTS site text NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN IF NOT EXISTS last_seen_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN IF NOT EXISTS health text NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN IF NOT EXISTS health_at_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN IF NOT EXISTS prev_backlog bigint NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN IF NOT EXISTS for_device text NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN IF NOT EXISTS h_software text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS h_bundle bigint NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS h_stale_ms bigint NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS h_expires_ms bigint NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS h_clock text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS h_led text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS h_gate text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS h_camera text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS h_fps double precision NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS h_backlog bigint NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS h_free bigint NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS health (
	device text NOT NULL,
	received_ms bigint NOT NULL,
	body text NOT NULL
);
CREATE INDEX IF NOT EXISTS health_device ON health (device, received_ms);
CREATE TABLE IF NOT EXISTS pass_hourly (
	hour_ms bigint NOT NULL,
	device text NOT NULL,
	decision text NOT NULL,
	reason text NOT NULL,
	n bigint NOT NULL,
	PRIMARY KEY (hour_ms, device, decision, reason)
);
CREATE INDEX IF NOT EXISTS pass_hourly_device ON pass_hourly (device);
CREATE TABLE IF NOT EXISTS pass_site_hourly (
	hour_ms bigint NOT NULL,
	site text NOT NULL,
	decision text NOT NULL,
	reason text NOT NULL,
	n bigint NOT NULL,
	PRIMARY KEY (hour_ms, site, decision, reason)
);
DO $$
BEGIN
	IF (SELECT value::int FROM meta WHERE key = 'schema_version') < 3 THEN
		TRUNCATE pass_hourly, pass_site_hourly;
		INSERT INTO pass_hourly (hour_ms, device, decision, reason, n)
			SELECT CASE WHEN at_ms < 0 THEN 0 ELSE at_ms - at_ms % 3600000 END, device,
				coalesce(b->>'decision', ''), coalesce(b->>'reason', ''), count(*)
			FROM (SELECT device, at_ms, body::jsonb AS b FROM passes) AS p
			GROUP BY 1, 2, 3, 4;
		INSERT INTO pass_site_hourly (hour_ms, site, decision, reason, n)
			SELECT s.hour_ms, coalesce(d.site, ''), s.decision, s.reason, sum(s.n)
			FROM pass_hourly s LEFT JOIN devices d ON d.id = s.device
			GROUP BY 1, 2, 3, 4;
	END IF;
END
$$;
UPDATE meta SET value = '3' WHERE key = 'schema_version';
`

// Schema version 3 added pass_site_hourly, the site
// rollup the console's chart reads: opening an older database rebuilds
// pass_hourly and pass_site_hourly from the passes it holds, in the schema
// script's transaction (ingest on other instances waits for it).

// Postgres is the scale-out storage. Batches insert as arrays through
// unnest with ON CONFLICT DO NOTHING; the (device, epoch) watermark row is
// locked for the transaction, so concurrent batches of one device serialise
// and different devices do not. The device row is read FOR SHARE in the
// same transaction, so a revocation committed on any hub instance refuses
// the next batch.
//
// A new database partitions passes by day of pass time (a DEFAULT partition
// takes times outside the partitions made so far); retention drops whole
// partitions. A database made before partitioning keeps its plain table and
// gets batched deletes.
type Postgres struct {
	pool *pgxpool.Pool
}

var _ Storage = (*Postgres)(nil)

// OpenPostgres connects to url (postgres://…; unknown URL parameters such as
// search_path become session settings) and creates the schema. The pool
// holds up to 16 connections unless the URL sets pool_max_conns.
func OpenPostgres(ctx context.Context, url string) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("hub: postgres: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("hub: postgres: %w", err)
	}
	if err := pgSchema(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("hub: postgres: schema: %w", err)
	}
	return &Postgres{pool: pool}, nil
}

// pgSchema creates the tables under an advisory lock, so that hubs starting
// together do not race on CREATE TABLE.
func pgSchema(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(726354)`); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, postgresSchema)
	if err == nil {
		err = pgPartitionsAt(ctx, conn.Conn(), time.Now(), time.Time{})
	}
	if _, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(726354)`); err == nil {
		err = uerr
	}
	return err
}

// Close closes the pool.
func (p *Postgres) Close() error { p.pool.Close(); return nil }

// Ping checks the server answers.
func (p *Postgres) Ping(ctx context.Context) error { return p.pool.Ping(ctx) }

// Insert implements Storage.
func (p *Postgres) Insert(ctx context.Context, rows []Row) (res InsertResult, err error) {
	if err := checkRows(rows); err != nil {
		return res, err
	}
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return res, fmt.Errorf("hub: postgres: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	dev, epoch := rows[0].Device, rows[0].Epoch
	var acked, revoked int64
	var site string
	// Creates the watermark row if missing and locks it either way; reads
	// the device's revocation and site under a share lock (a concurrent
	// revoke or site change waits for this batch, or this batch sees it).
	err = tx.QueryRow(ctx, `WITH dev AS (SELECT revoked_ms, site FROM devices WHERE id = $1 FOR SHARE)
		INSERT INTO watermarks (device, epoch, acked_through) VALUES ($1, $2, 0)
		ON CONFLICT (device, epoch) DO UPDATE SET acked_through = watermarks.acked_through
		RETURNING acked_through, coalesce((SELECT revoked_ms FROM dev), 0), coalesce((SELECT site FROM dev), '')`, dev, epoch).Scan(&acked, &revoked, &site)
	if err != nil {
		return res, fmt.Errorf("hub: postgres: watermark: %w", err)
	}
	if revoked != 0 {
		return res, fmt.Errorf("%w: %s", ErrRevoked, dev)
	}
	res.AckedThrough = uint64(acked)
	first := rows[0].Seq
	if first > uint64(acked)+1 {
		return res, ErrGap
	}
	if end := overlapEnd(rows, uint64(acked)); end >= first {
		stored, err := tx.Query(ctx, `SELECT seq, digest FROM passes WHERE device = $1 AND epoch = $2 AND seq BETWEEN $3 AND $4`, dev, epoch, int64(first), int64(end))
		if err != nil {
			return res, fmt.Errorf("hub: postgres: overlap: %w", err)
		}
		var seq int64
		var dg []byte
		_, err = pgx.ForEachRow(stored, []any{&seq, &dg}, func() error {
			if !bytes.Equal(dg, rows[uint64(seq)-first].Digest) {
				return fmt.Errorf("%w: seq %d", ErrReplay, seq)
			}
			return nil
		})
		if err != nil {
			if errors.Is(err, ErrReplay) {
				return res, err
			}
			return res, fmt.Errorf("hub: postgres: overlap: %w", err)
		}
		// Fewer than the overlap: retention deleted the rest; they were
		// stored once all the same.
		res.Duplicates = int(end - first + 1)
	}
	fresh := rows[res.Duplicates:]
	if len(fresh) > 0 {
		seqs := make([]int64, len(fresh))
		ats := make([]int64, len(fresh))
		digests := make([][]byte, len(fresh))
		bodies := make([]string, len(fresh))
		for i, r := range fresh {
			seqs[i], ats[i], digests[i], bodies[i] = int64(r.Seq), r.At, r.Digest, string(r.Body)
		}
		// The cells in key order: every transaction upserts the shared
		// site rollup rows in the same order, so two batches of one site
		// never deadlock.
		cells := hourly(fresh)
		hours, counts := make([]int64, 0, len(cells)), make([]int64, 0, len(cells))
		decisions, reasons := make([]string, 0, len(cells)), make([]string, 0, len(cells))
		for _, k := range sortedCells(cells) {
			hours, decisions, reasons, counts = append(hours, k.hour), append(decisions, k.decision), append(reasons, k.reason), append(counts, cells[k])
		}
		// One round trip: insert the new passes, count them in the device's
		// and the site's statistics and move the watermark. The counts are
		// of fresh (the rows above the locked watermark), and the
		// statement's count of the rows the insert really added must equal
		// len(fresh), or the whole transaction rolls back: a pass is
		// counted exactly when it is stored.
		var inserted int64
		err := tx.QueryRow(ctx, `WITH ins AS (
				INSERT INTO passes (device, epoch, seq, at_ms, received_ms, digest, body)
				SELECT $1, $2, t.seq, t.at_ms, $3, t.digest, t.body
				FROM unnest($4::bigint[], $5::bigint[], $6::bytea[], $7::text[]) AS t(seq, at_ms, digest, body)
				ON CONFLICT DO NOTHING
				RETURNING 1),
			st AS (
				INSERT INTO pass_hourly (hour_ms, device, decision, reason, n)
				SELECT c.hour_ms, $1, c.decision, c.reason, c.n
				FROM unnest($9::bigint[], $10::text[], $11::text[], $12::bigint[]) AS c(hour_ms, decision, reason, n)
				ON CONFLICT (hour_ms, device, decision, reason) DO UPDATE SET n = pass_hourly.n + excluded.n
				RETURNING 1),
			ss AS (
				INSERT INTO pass_site_hourly (hour_ms, site, decision, reason, n)
				SELECT c.hour_ms, $13, c.decision, c.reason, c.n
				FROM unnest($9::bigint[], $10::text[], $11::text[], $12::bigint[]) AS c(hour_ms, decision, reason, n)
				ON CONFLICT (hour_ms, site, decision, reason) DO UPDATE SET n = pass_site_hourly.n + excluded.n
				RETURNING 1)
			UPDATE watermarks SET acked_through = $8 WHERE device = $1 AND epoch = $2
			RETURNING (SELECT count(*) FROM ins)`,
			dev, epoch, fresh[0].Received.UnixMilli(), seqs, ats, digests, bodies, int64(rows[len(rows)-1].Seq),
			hours, decisions, reasons, counts, site).Scan(&inserted)
		if err != nil {
			return res, fmt.Errorf("hub: postgres: insert: %w", err)
		}
		res.Inserted = int(inserted)
		if res.Inserted != len(fresh) {
			return res, fmt.Errorf("hub: postgres: inserted %d of %d new passes above watermark %d", res.Inserted, len(fresh), acked)
		}
		acked = int64(rows[len(rows)-1].Seq)
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("hub: postgres: commit: %w", err)
	}
	res.AckedThrough = uint64(acked)
	return res, nil
}

// AckedThrough implements Storage.
func (p *Postgres) AckedThrough(ctx context.Context, device, epoch string) (uint64, error) {
	var acked int64
	err := p.pool.QueryRow(ctx, `SELECT acked_through FROM watermarks WHERE device = $1 AND epoch = $2`, device, epoch).Scan(&acked)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("hub: postgres: watermark: %w", err)
	}
	return uint64(acked), nil
}

// AddDevice implements Storage.
func (p *Postgres) AddDevice(ctx context.Context, d Device) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error { return pgAddDevice(ctx, tx, d) })
}

func pgAddDevice(ctx context.Context, tx pgx.Tx, d Device) error {
	var key []byte
	err := tx.QueryRow(ctx, `INSERT INTO devices (id, pubkey, created_ms) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET id = excluded.id RETURNING pubkey`, d.ID, []byte(d.PubKey), d.Created.UnixMilli()).Scan(&key)
	if err != nil {
		return fmt.Errorf("hub: postgres: add device: %w", err)
	}
	if !bytes.Equal(key, d.PubKey) {
		return fmt.Errorf("%w: %s", ErrDeviceExists, d.ID)
	}
	return nil
}

// Device implements Storage.
func (p *Postgres) Device(ctx context.Context, id string) (Device, error) {
	var health string
	d, err := scanDevice(p.pool.QueryRow(ctx, `SELECT `+deviceColumns+`, health FROM devices WHERE id = $1`, id), &health)
	if errors.Is(err, pgx.ErrNoRows) {
		return Device{}, fmt.Errorf("%w: %s", ErrUnknownDevice, id)
	}
	if err != nil {
		return Device{}, fmt.Errorf("hub: postgres: device: %w", err)
	}
	if full := parseHealth([]byte(health)); full != nil {
		d.Health = full
	}
	return d, nil
}

// AddToken implements Storage.
func (p *Postgres) AddToken(ctx context.Context, hash []byte, expires time.Time) error {
	if _, err := p.pool.Exec(ctx, `INSERT INTO tokens (hash, expires_ms) VALUES ($1, $2)`, hash, expires.UnixMilli()); err != nil {
		return fmt.Errorf("hub: postgres: add token: %w", err)
	}
	return nil
}

// Enroll implements Storage.
func (p *Postgres) Enroll(ctx context.Context, tokenHash []byte, d Device, now time.Time) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		var forDevice string
		err := tx.QueryRow(ctx, `UPDATE tokens SET used_ms = $1, device = $2 WHERE hash = $3 AND used_ms IS NULL AND expires_ms > $1
			AND (for_device = '' OR for_device = $2) RETURNING for_device`,
			now.UnixMilli(), d.ID, tokenHash).Scan(&forDevice)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrBadToken
		}
		if err != nil {
			return fmt.Errorf("hub: postgres: token: %w", err)
		}
		if forDevice == "" {
			return pgAddDevice(ctx, tx, d)
		}
		// Re-enrollment: a new key, the revocation lifted.
		if _, err := tx.Exec(ctx, `INSERT INTO devices (id, pubkey, created_ms, key_changed_ms) VALUES ($1, $2, $3, $3)
			ON CONFLICT (id) DO UPDATE SET pubkey = excluded.pubkey, revoked_ms = 0, key_changed_ms = excluded.key_changed_ms`,
			d.ID, []byte(d.PubKey), now.UnixMilli()); err != nil {
			return fmt.Errorf("hub: postgres: re-enroll: %w", err)
		}
		return nil
	})
}

// Export implements Storage.
func (p *Postgres) Export(ctx context.Context, q Query, fn func(Row) error) error {
	text, args := exportSQL(q, func(n int) string { return "$" + strconv.Itoa(n) })
	rows, err := p.pool.Query(ctx, text, args...)
	if err != nil {
		return fmt.Errorf("hub: postgres: export: %w", err)
	}
	var r Row
	var seq, rec int64
	var body string
	_, err = pgx.ForEachRow(rows, []any{&r.Device, &r.Epoch, &seq, &r.At, &rec, &r.Digest, &body}, func() error {
		out := r
		out.Seq, out.Received, out.Body = uint64(seq), time.UnixMilli(rec).UTC(), []byte(body)
		out.Digest = append([]byte(nil), r.Digest...)
		return fn(out)
	})
	if err != nil {
		return fmt.Errorf("hub: postgres: export: %w", err)
	}
	return nil
}
