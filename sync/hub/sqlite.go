package hub

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

const sqliteSchema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '1');
CREATE TABLE IF NOT EXISTS devices (
	id TEXT PRIMARY KEY,
	pubkey BLOB NOT NULL,
	created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
	hash BLOB PRIMARY KEY,
	expires_ms INTEGER NOT NULL,
	used_ms INTEGER,
	device TEXT
);
CREATE TABLE IF NOT EXISTS watermarks (
	device TEXT NOT NULL,
	epoch TEXT NOT NULL,
	acked_through INTEGER NOT NULL,
	PRIMARY KEY (device, epoch)
);
CREATE TABLE IF NOT EXISTS passes (
	device TEXT NOT NULL,
	epoch TEXT NOT NULL,
	seq INTEGER NOT NULL,
	at_ms INTEGER NOT NULL,
	received_ms INTEGER NOT NULL,
	digest BLOB NOT NULL,
	body TEXT NOT NULL,
	PRIMARY KEY (device, epoch, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS passes_at ON passes (at_ms);
CREATE TABLE IF NOT EXISTS health (
	device TEXT NOT NULL,
	received_ms INTEGER NOT NULL,
	body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS health_device ON health (device, received_ms);
CREATE TABLE IF NOT EXISTS pass_hourly (
	hour_ms INTEGER NOT NULL,
	device TEXT NOT NULL,
	decision TEXT NOT NULL,
	reason TEXT NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (hour_ms, device, decision, reason)
) WITHOUT ROWID;
`

// sqliteColumns are the columns added after schema version 1.
var sqliteColumns = []struct{ table, column, decl string }{
	{"devices", "revoked_ms", "INTEGER NOT NULL DEFAULT 0"},
	{"devices", "key_changed_ms", "INTEGER NOT NULL DEFAULT 0"},
	{"devices", "site", "TEXT NOT NULL DEFAULT ''"},
	{"devices", "last_seen_ms", "INTEGER NOT NULL DEFAULT 0"},
	{"devices", "health", "TEXT NOT NULL DEFAULT ''"},
	{"devices", "health_at_ms", "INTEGER NOT NULL DEFAULT 0"},
	{"devices", "prev_backlog", "INTEGER NOT NULL DEFAULT 0"},
	{"tokens", "for_device", "TEXT NOT NULL DEFAULT ''"},
	{"devices", "h_software", "TEXT NOT NULL DEFAULT ''"},
	{"devices", "h_bundle", "INTEGER NOT NULL DEFAULT 0"},
	{"devices", "h_stale_ms", "INTEGER NOT NULL DEFAULT 0"},
	{"devices", "h_expires_ms", "INTEGER NOT NULL DEFAULT 0"},
	{"devices", "h_clock", "TEXT NOT NULL DEFAULT ''"},
	{"devices", "h_led", "TEXT NOT NULL DEFAULT ''"},
	{"devices", "h_gate", "TEXT NOT NULL DEFAULT ''"},
	{"devices", "h_camera", "TEXT NOT NULL DEFAULT ''"},
	{"devices", "h_fps", "REAL NOT NULL DEFAULT 0"},
	{"devices", "h_backlog", "INTEGER NOT NULL DEFAULT 0"},
	{"devices", "h_free", "INTEGER NOT NULL DEFAULT 0"},
}

// sqliteMigrate adds the missing columns (SQLite has no ADD COLUMN IF NOT
// EXISTS).
func sqliteMigrate(ctx context.Context, db *sql.DB) error {
	for _, c := range sqliteColumns {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, c.table, c.column).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			if _, err := db.ExecContext(ctx, `ALTER TABLE `+c.table+` ADD COLUMN `+c.column+` `+c.decl); err != nil {
				return err
			}
		}
	}
	_, err := db.ExecContext(ctx, `UPDATE meta SET value = '2' WHERE key = 'schema_version'`)
	return err
}

// SQLite is the embedded storage: one file in WAL mode, one writer
// connection, a small pool of readers.
type SQLite struct {
	w, r *sql.DB
	wmu  sync.Mutex // one write transaction at a time
}

var _ Storage = (*SQLite)(nil)

// OpenSQLite opens (creating) the database file at path.
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(ON)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("hub: sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	if _, err := w.ExecContext(ctx, sqliteSchema); err != nil {
		w.Close()
		return nil, fmt.Errorf("hub: sqlite %s: schema: %w", path, err)
	}
	if err := sqliteMigrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("hub: sqlite %s: migrate: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("hub: sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	return &SQLite{w: w, r: r}, nil
}

// Close closes both pools.
func (s *SQLite) Close() error { return errors.Join(s.r.Close(), s.w.Close()) }

// Ping checks the file answers.
func (s *SQLite) Ping(ctx context.Context) error { return s.r.PingContext(ctx) }

// Insert implements Storage.
func (s *SQLite) Insert(ctx context.Context, rows []Row) (res InsertResult, err error) {
	if err := checkRows(rows); err != nil {
		return res, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("hub: sqlite: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	dev, epoch := rows[0].Device, rows[0].Epoch
	var revoked int64
	err = tx.QueryRowContext(ctx, `SELECT revoked_ms FROM devices WHERE id = ?`, dev).Scan(&revoked)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return res, fmt.Errorf("hub: sqlite: device: %w", err)
	}
	if revoked != 0 {
		return res, fmt.Errorf("%w: %s", ErrRevoked, dev)
	}
	var acked uint64
	err = tx.QueryRowContext(ctx, `SELECT acked_through FROM watermarks WHERE device = ? AND epoch = ?`, dev, epoch).Scan(&acked)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return res, fmt.Errorf("hub: sqlite: watermark: %w", err)
	}
	res.AckedThrough = acked
	first := rows[0].Seq
	if first > acked+1 {
		return res, ErrGap
	}
	if end := overlapEnd(rows, acked); end >= first {
		stored, err := tx.QueryContext(ctx, `SELECT seq, digest FROM passes WHERE device = ? AND epoch = ? AND seq BETWEEN ? AND ?`, dev, epoch, int64(first), int64(end))
		if err != nil {
			return res, fmt.Errorf("hub: sqlite: overlap: %w", err)
		}
		for stored.Next() {
			var seq int64
			var dg []byte
			if err := stored.Scan(&seq, &dg); err != nil {
				stored.Close()
				return res, fmt.Errorf("hub: sqlite: overlap: %w", err)
			}
			if !bytes.Equal(dg, rows[uint64(seq)-first].Digest) {
				stored.Close()
				return res, fmt.Errorf("%w: seq %d", ErrReplay, seq)
			}
		}
		if err := stored.Err(); err != nil {
			return res, fmt.Errorf("hub: sqlite: overlap: %w", err)
		}
		stored.Close()
		// Fewer than the overlap: retention deleted the rest; they were
		// stored once all the same.
		res.Duplicates = int(end - first + 1)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO passes (device, epoch, seq, at_ms, received_ms, digest, body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return res, fmt.Errorf("hub: sqlite: prepare: %w", err)
	}
	defer stmt.Close()
	for _, r := range rows[res.Duplicates:] {
		if _, err := stmt.ExecContext(ctx, r.Device, r.Epoch, int64(r.Seq), r.At, r.Received.UnixMilli(), r.Digest, string(r.Body)); err != nil {
			return res, fmt.Errorf("hub: sqlite: insert seq %d: %w", r.Seq, err)
		}
		res.Inserted++
	}
	for k, n := range hourly(rows[res.Duplicates:]) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO pass_hourly (hour_ms, device, decision, reason, n) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET n = n + excluded.n`, k.hour, dev, k.decision, k.reason, n); err != nil {
			return res, fmt.Errorf("hub: sqlite: statistics: %w", err)
		}
	}
	last := rows[len(rows)-1].Seq
	if last > acked {
		if _, err := tx.ExecContext(ctx, `INSERT INTO watermarks (device, epoch, acked_through) VALUES (?, ?, ?)
			ON CONFLICT (device, epoch) DO UPDATE SET acked_through = excluded.acked_through`, dev, epoch, int64(last)); err != nil {
			return res, fmt.Errorf("hub: sqlite: watermark: %w", err)
		}
		acked = last
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("hub: sqlite: commit: %w", err)
	}
	res.AckedThrough = acked
	return res, nil
}

// AckedThrough implements Storage.
func (s *SQLite) AckedThrough(ctx context.Context, device, epoch string) (uint64, error) {
	var acked int64
	err := s.r.QueryRowContext(ctx, `SELECT acked_through FROM watermarks WHERE device = ? AND epoch = ?`, device, epoch).Scan(&acked)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("hub: sqlite: watermark: %w", err)
	}
	return uint64(acked), nil
}

// AddDevice implements Storage.
func (s *SQLite) AddDevice(ctx context.Context, d Device) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("hub: sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	if err := sqliteAddDevice(ctx, tx, d); err != nil {
		return err
	}
	return tx.Commit()
}

func sqliteAddDevice(ctx context.Context, tx *sql.Tx, d Device) error {
	var key []byte
	err := tx.QueryRowContext(ctx, `SELECT pubkey FROM devices WHERE id = ?`, d.ID).Scan(&key)
	switch {
	case err == nil:
		if !bytes.Equal(key, d.PubKey) {
			return fmt.Errorf("%w: %s", ErrDeviceExists, d.ID)
		}
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("hub: sqlite: device: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO devices (id, pubkey, created_ms) VALUES (?, ?, ?)`, d.ID, []byte(d.PubKey), d.Created.UnixMilli()); err != nil {
		return fmt.Errorf("hub: sqlite: add device: %w", err)
	}
	return nil
}

// Device implements Storage.
func (s *SQLite) Device(ctx context.Context, id string) (Device, error) {
	var health string
	d, err := scanDevice(s.r.QueryRowContext(ctx, `SELECT `+deviceColumns+`, health FROM devices WHERE id = ?`, id), &health)
	if errors.Is(err, sql.ErrNoRows) {
		return Device{}, fmt.Errorf("%w: %s", ErrUnknownDevice, id)
	}
	if err != nil {
		return Device{}, fmt.Errorf("hub: sqlite: device: %w", err)
	}
	if full := parseHealth([]byte(health)); full != nil {
		d.Health = full
	}
	return d, nil
}

// AddToken implements Storage.
func (s *SQLite) AddToken(ctx context.Context, hash []byte, expires time.Time) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if _, err := s.w.ExecContext(ctx, `INSERT INTO tokens (hash, expires_ms) VALUES (?, ?)`, hash, expires.UnixMilli()); err != nil {
		return fmt.Errorf("hub: sqlite: add token: %w", err)
	}
	return nil
}

// Enroll implements Storage.
func (s *SQLite) Enroll(ctx context.Context, tokenHash []byte, d Device, now time.Time) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("hub: sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	var forDevice string
	err = tx.QueryRowContext(ctx, `UPDATE tokens SET used_ms = ?, device = ? WHERE hash = ? AND used_ms IS NULL AND expires_ms > ?
		AND (for_device = '' OR for_device = ?) RETURNING for_device`,
		now.UnixMilli(), d.ID, tokenHash, now.UnixMilli(), d.ID).Scan(&forDevice)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrBadToken
	}
	if err != nil {
		return fmt.Errorf("hub: sqlite: token: %w", err)
	}
	if forDevice != "" { // re-enrollment: a new key, the revocation lifted
		if _, err := tx.ExecContext(ctx, `INSERT INTO devices (id, pubkey, created_ms, key_changed_ms) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET pubkey = excluded.pubkey, revoked_ms = 0, key_changed_ms = excluded.key_changed_ms`,
			d.ID, []byte(d.PubKey), now.UnixMilli(), now.UnixMilli()); err != nil {
			return fmt.Errorf("hub: sqlite: re-enroll: %w", err)
		}
	} else if err := sqliteAddDevice(ctx, tx, d); err != nil {
		return err
	}
	return tx.Commit()
}

// Export implements Storage.
func (s *SQLite) Export(ctx context.Context, q Query, fn func(Row) error) error {
	sqlText, args := exportSQL(q, nil)
	rows, err := s.r.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return fmt.Errorf("hub: sqlite: export: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Row
		var seq, rec int64
		var body string
		if err := rows.Scan(&r.Device, &r.Epoch, &seq, &r.At, &rec, &r.Digest, &body); err != nil {
			return fmt.Errorf("hub: sqlite: export: %w", err)
		}
		r.Seq, r.Received, r.Body = uint64(seq), time.UnixMilli(rec).UTC(), []byte(body)
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// exportSQL builds the export query; ph returns the n-th placeholder
// (nil: "?" for all).
func exportSQL(q Query, ph func(n int) string) (string, []any) {
	if ph == nil {
		ph = func(int) string { return "?" }
	}
	text := `SELECT device, epoch, seq, at_ms, received_ms, digest, body FROM passes WHERE true`
	var args []any
	if q.Device != "" {
		args = append(args, q.Device)
		text += ` AND device = ` + ph(len(args))
	}
	if !q.Since.IsZero() {
		args = append(args, q.Since.UnixMilli())
		text += ` AND at_ms >= ` + ph(len(args))
	}
	if !q.Until.IsZero() {
		args = append(args, q.Until.UnixMilli())
		text += ` AND at_ms < ` + ph(len(args))
	}
	if q.Newest {
		text += ` ORDER BY at_ms DESC, device DESC, epoch DESC, seq DESC`
	} else {
		text += ` ORDER BY at_ms, device, epoch, seq`
	}
	if q.Limit > 0 {
		text += fmt.Sprintf(` LIMIT %d`, q.Limit)
	}
	return text, args
}
