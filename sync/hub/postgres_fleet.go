package hub

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chot-dev/chot/sync/wire"
)

// pgLock is the advisory lock that serialises schema and partition changes
// between hub instances.
const pgLock = 726354

// partitionsAhead is how many days of partitions exist ahead of today.
const partitionsAhead = 7

const dayMS = 24 * 3_600_000

// pgPartitionsAt makes, on a partitioned passes table, the DEFAULT partition
// and one partition per day from yesterday to partitionsAhead days after
// now, skipping days that end before floor (retention removed them). A day
// whose rows already sit in the DEFAULT partition is left there. The caller
// holds pgLock.
func pgPartitionsAt(ctx context.Context, conn *pgx.Conn, now, floor time.Time) error {
	var kind string
	if err := conn.QueryRow(ctx, `SELECT relkind::text FROM pg_class WHERE oid = 'passes'::regclass`).Scan(&kind); err != nil {
		return err
	}
	if kind != "p" {
		return nil
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS passes_default PARTITION OF passes DEFAULT`); err != nil {
		return err
	}
	today := now.UnixMilli() - now.UnixMilli()%dayMS
	for d := -1; d <= partitionsAhead; d++ {
		from := today + int64(d)*dayMS
		if from+dayMS <= floor.UnixMilli() {
			continue
		}
		name := "passes_" + time.UnixMilli(from).UTC().Format("20060102")
		_, err := conn.Exec(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s PARTITION OF passes FOR VALUES FROM (%d) TO (%d)`, name, from, from+dayMS))
		if err != nil && !strings.Contains(err.Error(), "would be violated") {
			return fmt.Errorf("partition %s: %w", name, err)
		}
	}
	return nil
}

// withLock runs fn on one connection holding pgLock.
func (p *Postgres) withLock(ctx context.Context, fn func(conn *pgx.Conn) error) error {
	conn, err := p.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, pgLock); err != nil {
		return err
	}
	err = fn(conn.Conn())
	if _, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, pgLock); err == nil {
		err = uerr
	}
	return err
}

// RevokeDevice implements Fleet.
func (p *Postgres) RevokeDevice(ctx context.Context, id string, at time.Time) error {
	tag, err := p.pool.Exec(ctx, `UPDATE devices SET revoked_ms = CASE WHEN revoked_ms = 0 THEN $1 ELSE revoked_ms END WHERE id = $2`, at.UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("hub: postgres: revoke: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("%w: %s", ErrUnknownDevice, id)
	}
	return nil
}

// RotateKey implements Fleet.
func (p *Postgres) RotateKey(ctx context.Context, id string, old, new ed25519.PublicKey, at time.Time) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		var key []byte
		var revoked int64
		err := tx.QueryRow(ctx, `SELECT pubkey, revoked_ms FROM devices WHERE id = $1 FOR UPDATE`, id).Scan(&key, &revoked)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: %s", ErrUnknownDevice, id)
		}
		if err != nil {
			return fmt.Errorf("hub: postgres: rotate: %w", err)
		}
		return rotateStep(key, revoked, id, old, new, func() error {
			_, err := tx.Exec(ctx, `UPDATE devices SET pubkey = $1, key_changed_ms = $2 WHERE id = $3`, []byte(new), at.UnixMilli(), id)
			return err
		})
	})
}

// AddTokenFor implements Fleet.
func (p *Postgres) AddTokenFor(ctx context.Context, hash []byte, expires time.Time, device string) error {
	if _, err := p.pool.Exec(ctx, `INSERT INTO tokens (hash, expires_ms, for_device) VALUES ($1, $2, $3)`, hash, expires.UnixMilli(), device); err != nil {
		return fmt.Errorf("hub: postgres: add token: %w", err)
	}
	return nil
}

// Tokens implements Fleet.
func (p *Postgres) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := p.pool.Query(ctx, `SELECT hash, expires_ms, coalesce(used_ms, 0), coalesce(device, ''), for_device FROM tokens ORDER BY expires_ms DESC`)
	if err != nil {
		return nil, fmt.Errorf("hub: postgres: tokens: %w", err)
	}
	var out []Token
	var t Token
	var exp, used int64
	_, err = pgx.ForEachRow(rows, []any{&t.Hash, &exp, &used, &t.Device, &t.For}, func() error {
		out = append(out, Token{Hash: append([]byte(nil), t.Hash...), Expires: msTime(exp), Used: msTime(used), Device: t.Device, For: t.For})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hub: postgres: tokens: %w", err)
	}
	return out, nil
}

// DeleteToken implements Fleet.
func (p *Postgres) DeleteToken(ctx context.Context, hash []byte) error {
	_, err := p.pool.Exec(ctx, `DELETE FROM tokens WHERE hash = $1 AND used_ms IS NULL`, hash)
	return err
}

// SaveHealth implements Fleet.
func (p *Postgres) SaveHealth(ctx context.Context, received time.Time, h wire.Health, keep time.Duration) error {
	body, err := wire.EncodeHealth(h)
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		// The device row locked first: a batch of this device (which
		// reads the site FOR SHARE) waits for the site change or is
		// counted before it.
		var oldSite string
		err := tx.QueryRow(ctx, `SELECT site FROM devices WHERE id = $1 FOR UPDATE`, h.Device).Scan(&oldSite)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: %s", ErrUnknownDevice, h.Device)
		}
		if err != nil {
			return fmt.Errorf("hub: postgres: health: %w", err)
		}
		args := append([]any{string(body), h.At.UnixMilli(), received.UnixMilli(), h.Site, h.Device}, summaryArgs(h)...)
		tag, err := tx.Exec(ctx, `UPDATE devices SET prev_backlog = h_backlog,
				health = $1, health_at_ms = $2, last_seen_ms = $3, site = $4, `+setSummary(func(n int) string { return "$" + strconv.Itoa(n) }, 6)+`
			WHERE id = $5 AND health_at_ms <= $2`, args...)
		if err != nil {
			return fmt.Errorf("hub: postgres: health: %w", err)
		}
		if tag.RowsAffected() == 1 && h.Site != oldSite {
			if err := pgMoveSite(ctx, tx, h.Device, oldSite, h.Site); err != nil {
				return fmt.Errorf("hub: postgres: health: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO health (device, received_ms, body) VALUES ($1, $2, $3)`, h.Device, received.UnixMilli(), string(body)); err != nil {
			return fmt.Errorf("hub: postgres: health: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM health WHERE device = $1 AND received_ms < $2`, h.Device, received.Add(-keep).UnixMilli()); err != nil {
			return fmt.Errorf("hub: postgres: health: %w", err)
		}
		return nil
	})
}

// pgMoveSite moves the device's statistics in the site rollup from the
// site from to the site to (the chart counts a device's passes under its
// current site), in the caller's transaction, which holds the device row.
// One upsert in key order (site, hour, decision, reason; bytewise, as Go
// sorts ingest's cells), so it never deadlocks with a batch of either
// site; the cells it empties go.
func pgMoveSite(ctx context.Context, tx pgx.Tx, device, from, to string) error {
	_, err := tx.Exec(ctx, `INSERT INTO pass_site_hourly (hour_ms, site, decision, reason, n)
		SELECT h.hour_ms, s.site, h.decision, h.reason, h.n * s.sign
		FROM pass_hourly h, (VALUES ($2::text, -1), ($3::text, 1)) AS s(site, sign)
		WHERE h.device = $1
		ORDER BY s.site COLLATE "C", h.hour_ms, h.decision COLLATE "C", h.reason COLLATE "C"
		ON CONFLICT (hour_ms, site, decision, reason) DO UPDATE SET n = pass_site_hourly.n + excluded.n`, device, from, to)
	if err != nil {
		return fmt.Errorf("site rollup: %w", err)
	}
	_, err = tx.Exec(ctx, `DELETE FROM pass_site_hourly t USING pass_hourly h
		WHERE h.device = $1 AND t.site = $2 AND t.hour_ms = h.hour_ms AND t.decision = h.decision AND t.reason = h.reason AND t.n <= 0`, device, from)
	if err != nil {
		return fmt.Errorf("site rollup: %w", err)
	}
	return nil
}

// Devices implements Fleet.
func (p *Postgres) Devices(ctx context.Context) ([]Device, error) {
	rows, err := p.pool.Query(ctx, `SELECT `+deviceColumns+` FROM devices ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("hub: postgres: devices: %w", err)
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("hub: postgres: devices: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// HealthHistory implements Fleet.
func (p *Postgres) HealthHistory(ctx context.Context, id string, limit int) ([]HealthRow, error) {
	rows, err := p.pool.Query(ctx, `SELECT received_ms, body FROM health WHERE device = $1 ORDER BY received_ms DESC LIMIT $2`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("hub: postgres: health history: %w", err)
	}
	var out []HealthRow
	var ms int64
	var body string
	_, err = pgx.ForEachRow(rows, []any{&ms, &body}, func() error {
		if h := parseHealth([]byte(body)); h != nil {
			out = append(out, HealthRow{Received: msTime(ms), Report: *h})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hub: postgres: health history: %w", err)
	}
	return out, nil
}

// Stats implements Fleet.
func (p *Postgres) Stats(ctx context.Context, since, until time.Time) ([]Stat, error) {
	rows, err := p.pool.Query(ctx, `SELECT hour_ms, site, decision, reason, n FROM pass_site_hourly
		WHERE hour_ms >= $1 AND hour_ms < $2 AND n > 0`, since.UnixMilli()-since.UnixMilli()%3_600_000, until.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("hub: postgres: stats: %w", err)
	}
	var out []Stat
	var st Stat
	var h int64
	_, err = pgx.ForEachRow(rows, []any{&h, &st.Site, &st.Decision, &st.Reason, &st.N}, func() error {
		st.Hour = time.UnixMilli(h).UTC()
		out = append(out, st)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hub: postgres: stats: %w", err)
	}
	sortStats(out)
	return out, nil
}

// Retain implements Fleet: it drops the day partitions wholly before
// before, deletes the rest in batches (the DEFAULT partition, the day
// before's part, or an unpartitioned table from schema version 1), and makes
// the partitions of the days ahead of the wall clock.
func (p *Postgres) Retain(ctx context.Context, before time.Time) (int64, error) {
	before = retainCut(before)
	var total int64
	err := p.withLock(ctx, func(conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent = 'passes'::regclass AND c.relname ~ '^passes_[0-9]{8}$'`)
		if err != nil {
			return err
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, name := range names {
			day, err := time.Parse("20060102", strings.TrimPrefix(name, "passes_"))
			if err != nil || day.UnixMilli()+dayMS > before.UnixMilli() {
				continue
			}
			var n int64
			if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+name).Scan(&n); err != nil {
				return err
			}
			if _, err := conn.Exec(ctx, `DROP TABLE `+name); err != nil {
				return err
			}
			total += n
		}
		return pgPartitionsAt(ctx, conn, time.Now(), before)
	})
	if err != nil {
		return total, fmt.Errorf("hub: postgres: retain: %w", err)
	}
	for {
		tag, err := p.pool.Exec(ctx, `DELETE FROM passes WHERE (device, epoch, seq, at_ms) IN
			(SELECT device, epoch, seq, at_ms FROM passes WHERE at_ms < $1 LIMIT $2)`, before.UnixMilli(), retainBatch)
		if err != nil {
			return total, fmt.Errorf("hub: postgres: retain: %w", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < retainBatch {
			break
		}
	}
	// The statistics of the hours now gone, in one transaction that first
	// waits for the ingests and site moves under way (their statements hold
	// ROW EXCLUSIVE on the tables they write until they commit) and holds
	// back new ones; the chart's reads go on. A site move thus reads
	// pass_hourly before or after the delete, never while it runs.
	err = pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE pass_hourly, pass_site_hourly IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM pass_site_hourly WHERE hour_ms < $1`, before.UnixMilli()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM pass_hourly WHERE hour_ms < $1`, before.UnixMilli())
		return err
	})
	if err != nil {
		return total, fmt.Errorf("hub: postgres: retain statistics: %w", err)
	}
	return total, nil
}
