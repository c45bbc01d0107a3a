package hub

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chot-dev/chot/sync/wire"
)

// deviceColumns are the devices columns scanDevice reads, in order: the
// identity, then the latest report's fleet summary (kept in columns so that
// listing thousands of devices parses no JSON).
const deviceColumns = `id, pubkey, created_ms, revoked_ms, key_changed_ms, site, last_seen_ms, prev_backlog, health_at_ms,
	h_software, h_bundle, h_stale_ms, h_expires_ms, h_clock, h_led, h_gate, h_camera, h_fps, h_backlog, h_free`

// summaryColumns are the h_ columns, in the order summaryArgs gives them.
var summaryColumns = []string{"h_software", "h_bundle", "h_stale_ms", "h_expires_ms", "h_clock", "h_led", "h_gate", "h_camera", "h_fps", "h_backlog", "h_free"}

// summaryArgs are the values of summaryColumns for h.
func summaryArgs(h wire.Health) []any {
	return []any{h.Software, int64(h.Bundle), msOf(h.BundleStaleAfter), msOf(h.BundleExpiresAt), h.Clock, h.LED, h.Gate, h.Camera,
		h.CameraFPS, int64(h.Backlog), int64(min(h.FreeDisk, 1<<62))}
}

func msOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// rowScanner is *sql.Row, *sql.Rows and pgx.Row.
type rowScanner interface{ Scan(dest ...any) error }

// scanDevice reads deviceColumns, then extra.
func scanDevice(r rowScanner, extra ...any) (Device, error) {
	var d Device
	var key []byte
	var created, revoked, changed, seen, prev, healthAt int64
	var h wire.Health
	var bundle, stale, expires, backlog, free int64
	dest := append([]any{&d.ID, &key, &created, &revoked, &changed, &d.Site, &seen, &prev, &healthAt,
		&h.Software, &bundle, &stale, &expires, &h.Clock, &h.LED, &h.Gate, &h.Camera, &h.CameraFPS, &backlog, &free}, extra...)
	if err := r.Scan(dest...); err != nil {
		return Device{}, err
	}
	d.PubKey = ed25519.PublicKey(key)
	d.Created, d.Revoked, d.KeyChanged, d.LastSeen = time.UnixMilli(created).UTC(), msTime(revoked), msTime(changed), msTime(seen)
	d.PrevBacklog = uint64(prev)
	if healthAt != 0 {
		h.Device, h.At, h.Site = d.ID, msTime(healthAt), d.Site
		h.Bundle, h.BundleStaleAfter, h.BundleExpiresAt = uint64(bundle), msTime(stale), msTime(expires)
		h.Backlog, h.FreeDisk = uint64(backlog), uint64(free)
		d.Health = &h
	}
	return d, nil
}

// setSummary is the SET list of SaveHealth's update, placeholders from ph.
func setSummary(ph func(int) string, first int) string {
	var b strings.Builder
	for i, c := range summaryColumns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c + " = " + ph(first+i))
	}
	return b.String()
}

// write runs fn in a write transaction.
func (s *SQLite) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("hub: sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("hub: sqlite: commit: %w", err)
	}
	return nil
}

// RevokeDevice implements Fleet.
func (s *SQLite) RevokeDevice(ctx context.Context, id string, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE devices SET revoked_ms = CASE WHEN revoked_ms = 0 THEN ? ELSE revoked_ms END WHERE id = ?`, at.UnixMilli(), id)
		if err != nil {
			return fmt.Errorf("hub: sqlite: revoke: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("%w: %s", ErrUnknownDevice, id)
		}
		return nil
	})
}

// RotateKey implements Fleet.
func (s *SQLite) RotateKey(ctx context.Context, id string, old, new ed25519.PublicKey, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var key []byte
		var revoked int64
		err := tx.QueryRowContext(ctx, `SELECT pubkey, revoked_ms FROM devices WHERE id = ?`, id).Scan(&key, &revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %s", ErrUnknownDevice, id)
		}
		if err != nil {
			return fmt.Errorf("hub: sqlite: rotate: %w", err)
		}
		return rotateStep(key, revoked, id, old, new, func() error {
			_, err := tx.ExecContext(ctx, `UPDATE devices SET pubkey = ?, key_changed_ms = ? WHERE id = ?`, []byte(new), at.UnixMilli(), id)
			return err
		})
	})
}

// rotateStep decides a rotation given the stored key: a no-op when new is
// already the key, ErrStaleKey when old is not, update otherwise.
func rotateStep(stored []byte, revoked int64, id string, old, new ed25519.PublicKey, update func() error) error {
	switch {
	case revoked != 0:
		return fmt.Errorf("%w: %s", ErrRevoked, id)
	case new.Equal(ed25519.PublicKey(stored)):
		return nil
	case !old.Equal(ed25519.PublicKey(stored)):
		return fmt.Errorf("%w: %s", ErrStaleKey, id)
	}
	if err := update(); err != nil {
		return fmt.Errorf("hub: rotate %s: %w", id, err)
	}
	return nil
}

// AddTokenFor implements Fleet.
func (s *SQLite) AddTokenFor(ctx context.Context, hash []byte, expires time.Time, device string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO tokens (hash, expires_ms, for_device) VALUES (?, ?, ?)`, hash, expires.UnixMilli(), device); err != nil {
			return fmt.Errorf("hub: sqlite: add token: %w", err)
		}
		return nil
	})
}

// Tokens implements Fleet.
func (s *SQLite) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT hash, expires_ms, coalesce(used_ms, 0), coalesce(device, ''), for_device FROM tokens ORDER BY expires_ms DESC`)
	if err != nil {
		return nil, fmt.Errorf("hub: sqlite: tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var exp, used int64
		if err := rows.Scan(&t.Hash, &exp, &used, &t.Device, &t.For); err != nil {
			return nil, fmt.Errorf("hub: sqlite: tokens: %w", err)
		}
		t.Expires, t.Used = msTime(exp), msTime(used)
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteToken implements Fleet.
func (s *SQLite) DeleteToken(ctx context.Context, hash []byte) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE hash = ? AND used_ms IS NULL`, hash)
		return err
	})
}

// SaveHealth implements Fleet.
func (s *SQLite) SaveHealth(ctx context.Context, received time.Time, h wire.Health, keep time.Duration) error {
	body, err := wire.EncodeHealth(h)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		args := append([]any{string(body), h.At.UnixMilli(), received.UnixMilli(), h.Site}, summaryArgs(h)...)
		res, err := tx.ExecContext(ctx, `UPDATE devices SET prev_backlog = h_backlog,
			health = ?, health_at_ms = ?, last_seen_ms = ?, site = ?, `+setSummary(func(int) string { return "?" }, 0)+`
			WHERE id = ? AND health_at_ms <= ?`, append(args, h.Device, h.At.UnixMilli())...)
		if err != nil {
			return fmt.Errorf("hub: sqlite: health: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM devices WHERE id = ?`, h.Device).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: %s", ErrUnknownDevice, h.Device)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO health (device, received_ms, body) VALUES (?, ?, ?)`, h.Device, received.UnixMilli(), string(body)); err != nil {
			return fmt.Errorf("hub: sqlite: health: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM health WHERE device = ? AND received_ms < ?`, h.Device, received.Add(-keep).UnixMilli()); err != nil {
			return fmt.Errorf("hub: sqlite: health: %w", err)
		}
		return nil
	})
}

// Devices implements Fleet.
func (s *SQLite) Devices(ctx context.Context) ([]Device, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+deviceColumns+` FROM devices ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("hub: sqlite: devices: %w", err)
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("hub: sqlite: devices: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// HealthHistory implements Fleet.
func (s *SQLite) HealthHistory(ctx context.Context, id string, limit int) ([]HealthRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT received_ms, body FROM health WHERE device = ? ORDER BY received_ms DESC LIMIT ?`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("hub: sqlite: health history: %w", err)
	}
	defer rows.Close()
	var out []HealthRow
	for rows.Next() {
		var ms int64
		var body string
		if err := rows.Scan(&ms, &body); err != nil {
			return nil, fmt.Errorf("hub: sqlite: health history: %w", err)
		}
		if h := parseHealth([]byte(body)); h != nil {
			out = append(out, HealthRow{Received: msTime(ms), Report: *h})
		}
	}
	return out, rows.Err()
}

// statsSQL is SQLite's statistics query: the per-device cells joined to
// the devices' current sites (PostgreSQL reads its site rollup instead).
const statsSQL = `SELECT s.hour_ms, coalesce(d.site, ''), s.decision, s.reason, sum(s.n)
	FROM pass_hourly s LEFT JOIN devices d ON d.id = s.device
	WHERE s.hour_ms >= ? AND s.hour_ms < ?
	GROUP BY s.hour_ms, coalesce(d.site, ''), s.decision, s.reason`

// sortStats orders stats by hour, site, decision, reason (in Go: an ORDER
// BY made PostgreSQL sort the joined rows on disk before grouping).
func sortStats(st []Stat) {
	slices.SortFunc(st, func(a, b Stat) int {
		if c := a.Hour.Compare(b.Hour); c != 0 {
			return c
		}
		return cmp.Or(strings.Compare(a.Site, b.Site), strings.Compare(a.Decision, b.Decision), strings.Compare(a.Reason, b.Reason))
	})
}

// Stats implements Fleet.
func (s *SQLite) Stats(ctx context.Context, since, until time.Time) ([]Stat, error) {
	rows, err := s.r.QueryContext(ctx, statsSQL, since.UnixMilli()-since.UnixMilli()%3_600_000, until.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("hub: sqlite: stats: %w", err)
	}
	defer rows.Close()
	var out []Stat
	for rows.Next() {
		var st Stat
		var h int64
		if err := rows.Scan(&h, &st.Site, &st.Decision, &st.Reason, &st.N); err != nil {
			return nil, fmt.Errorf("hub: sqlite: stats: %w", err)
		}
		st.Hour = time.UnixMilli(h).UTC()
		out = append(out, st)
	}
	sortStats(out)
	return out, rows.Err()
}

// Retain implements Fleet: batched deletes, so that the writer lock is
// never held for long.
func (s *SQLite) Retain(ctx context.Context, before time.Time) (int64, error) {
	before = retainCut(before)
	var total int64
	for {
		var n int64
		err := s.write(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM passes WHERE (device, epoch, seq) IN (SELECT device, epoch, seq FROM passes WHERE at_ms < ? LIMIT ?)`, before.UnixMilli(), retainBatch)
			if err != nil {
				return fmt.Errorf("hub: sqlite: retain: %w", err)
			}
			n, err = res.RowsAffected()
			return err
		})
		total += n
		if err != nil {
			return total, err
		}
		if n < retainBatch {
			break
		}
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM pass_hourly WHERE hour_ms < ?`, before.UnixMilli()); err != nil {
			return fmt.Errorf("hub: sqlite: retain statistics: %w", err)
		}
		return nil
	})
	return total, err
}
