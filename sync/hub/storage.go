package hub

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chot-dev/chot/sync/wire"
)

// Sentinel errors of Storage.
var (
	// ErrGap means a batch starts past the watermark; InsertResult carries
	// the watermark.
	ErrGap = errors.New("hub: gap before batch")
	// ErrReplay means a stored seq was sent again with different content.
	ErrReplay = errors.New("hub: stored pass differs (replay or forgery)")
	// ErrUnknownDevice means no such device is enrolled.
	ErrUnknownDevice = errors.New("hub: unknown device")
	// ErrDeviceExists means the device id is enrolled with another key.
	ErrDeviceExists = errors.New("hub: device enrolled with another key")
	// ErrBadToken means an enrollment token is unknown, used or expired.
	ErrBadToken = errors.New("hub: bad enrollment token")
	// ErrRevoked means an operator revoked the device: nothing it signs is
	// taken.
	ErrRevoked = errors.New("hub: device revoked")
	// ErrStaleKey means a rotation was signed by a key that is no longer the
	// device's.
	ErrStaleKey = errors.New("hub: not the device's current key")
)

// Device is an enrolled device.
type Device struct {
	ID      string
	PubKey  ed25519.PublicKey
	Created time.Time
	// Revoked is when an operator revoked the device; zero while active.
	Revoked time.Time
	// KeyChanged is when the key was last rotated or replaced by a
	// re-enrollment; zero if never.
	KeyChanged time.Time
	// Site is the site its latest health report named.
	Site string
	// LastSeen is when the hub received its newest health report.
	LastSeen time.Time
	// Health is that report (nil before the first); PrevBacklog is the
	// backlog of the report before it. Storage.Device gives the whole
	// report; Fleet.Devices its fleet summary (no counts, epoch or seq).
	Health      *wire.Health
	PrevBacklog uint64
}

// Row is one stored pass.
type Row struct {
	Device   string
	Epoch    string
	Seq      uint64
	At       int64     // the pass's wall time, Unix ms
	Received time.Time // when the hub stored it
	Digest   []byte    // SHA-256 of Body
	Body     []byte    // the pass's canonical JSON
	// Decision and Reason feed the hourly statistics (not stored apart).
	Decision, Reason string
}

// InsertResult is what Insert did.
type InsertResult struct {
	Inserted   int
	Duplicates int
	// AckedThrough is the (device, epoch) watermark after the insert, or
	// the unchanged one with ErrGap.
	AckedThrough uint64
}

// Query selects passes to export. Zero fields do not filter.
type Query struct {
	Device string
	Since  time.Time // pass time ≥ Since
	Until  time.Time // pass time < Until
	Limit  int
	// Newest orders by pass time descending (the newest first).
	Newest bool
}

// Storage is the hub's database. Implementations are safe for concurrent
// use.
type Storage interface {
	// Insert stores rows (one device, one epoch, contiguous seqs, in order)
	// idempotently and counts the new ones in the hourly statistics. It
	// refuses with ErrGap when rows[0].Seq is past the watermark + 1, with
	// ErrReplay when a stored seq's digest differs and with ErrRevoked when
	// the device is revoked (checked in the same transaction); either way
	// nothing is stored.
	Insert(ctx context.Context, rows []Row) (InsertResult, error)
	// AckedThrough returns the watermark of (device, epoch), 0 if none.
	AckedThrough(ctx context.Context, device, epoch string) (uint64, error)
	// AddDevice enrolls a device; the same id and key again is a no-op,
	// another key gives ErrDeviceExists.
	AddDevice(ctx context.Context, d Device) error
	// Device returns an enrolled device or ErrUnknownDevice.
	Device(ctx context.Context, id string) (Device, error)
	// AddToken stores an enrollment token's hash.
	AddToken(ctx context.Context, hash []byte, expires time.Time) error
	// Enroll spends the token (ErrBadToken if unknown, spent or expired at
	// now) and adds the device, in one transaction.
	Enroll(ctx context.Context, tokenHash []byte, d Device, now time.Time) error
	// Export calls fn for each selected row, ordered by pass time.
	Export(ctx context.Context, q Query, fn func(Row) error) error
	// Fleet is the device lifecycle, health and statistics side.
	Fleet
	// Ping checks the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// OpenStorage opens PostgreSQL for a postgres:// or postgresql:// URL, else
// SQLite at the path (an optional "sqlite:" prefix is dropped).
func OpenStorage(ctx context.Context, dsn string) (Storage, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return OpenPostgres(ctx, dsn)
	case dsn == "":
		return nil, errors.New("hub: storage: empty")
	default:
		return OpenSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	}
}

// checkRows checks Insert's precondition.
func checkRows(rows []Row) error {
	if len(rows) == 0 {
		return errors.New("hub: insert: no rows")
	}
	for i, r := range rows {
		if r.Device != rows[0].Device || r.Epoch != rows[0].Epoch || r.Seq != rows[0].Seq+uint64(i) {
			return fmt.Errorf("hub: insert: rows[%d] out of order", i)
		}
	}
	return nil
}

// overlapEnd is the last seq of rows that must already be stored.
func overlapEnd(rows []Row, acked uint64) uint64 {
	return min(rows[len(rows)-1].Seq, acked)
}
