package hub

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/chot-dev/chot/sync/wire"
)

// Fleet is the part of Storage behind device lifecycle, health and the
// console. Everything lives in the database: any number of hub processes
// share it and none keeps a copy that could outlive a change.
type Fleet interface {
	// RevokeDevice marks the device revoked at at (ErrUnknownDevice if
	// none). Revoking twice keeps the first time.
	RevokeDevice(ctx context.Context, id string, at time.Time) error
	// RotateKey replaces the device's key old by new, only while old is
	// still its key (ErrStaleKey otherwise; ErrRevoked if revoked). The
	// same rotation again is a no-op.
	RotateKey(ctx context.Context, id string, old, new ed25519.PublicKey, at time.Time) error
	// AddTokenFor stores a token that re-enrolls device: spending it binds
	// the device id to a new key and lifts a revocation (a replacement box,
	// or a device that lost its key).
	AddTokenFor(ctx context.Context, hash []byte, expires time.Time, device string) error
	// Tokens lists the enrollment tokens, newest expiry first.
	Tokens(ctx context.Context) ([]Token, error)
	// DeleteToken removes an unspent token by its hash.
	DeleteToken(ctx context.Context, hash []byte) error
	// SaveHealth stores a device's report received at received: it joins
	// the history (reports older than keep are dropped) and becomes the
	// latest unless a report with a later At is already stored.
	SaveHealth(ctx context.Context, received time.Time, h wire.Health, keep time.Duration) error
	// Devices lists every device with its latest health, by id.
	Devices(ctx context.Context) ([]Device, error)
	// HealthHistory returns up to limit of the device's reports, newest
	// first.
	HealthHistory(ctx context.Context, id string, limit int) ([]HealthRow, error)
	// Stats returns the pass counts per hour, site, decision and reason for
	// pass times in [since, until), ordered by hour, site, decision,
	// reason; since counts from the start of its hour. A device's passes
	// count under its current site. They count the stored passes: for the
	// same whole hours they add up to what Export gives.
	Stats(ctx context.Context, since, until time.Time) ([]Stat, error)
	// Retain deletes the passes whose pass time is before before, taken
	// down to the start of its hour, and the statistics of those hours,
	// and returns how many passes went (PostgreSQL drops whole day
	// partitions and counts their rows; SQLite deletes in batches).
	// Watermarks stay.
	Retain(ctx context.Context, before time.Time) (int64, error)
}

// Token is an enrollment token as stored (its hash, never the token).
type Token struct {
	Hash    []byte
	Expires time.Time
	Used    time.Time // zero while unspent
	Device  string    // the device that spent it
	For     string    // a re-enrollment token's device; "" for a new one
}

// HealthRow is one stored health report.
type HealthRow struct {
	Received time.Time
	Report   wire.Health
}

// Stat is one cell of the pass statistics.
type Stat struct {
	Hour     time.Time
	Site     string
	Decision string
	Reason   string
	N        int64
}

// hourKey is a pass's statistics cell.
type hourKey struct {
	hour             int64
	decision, reason string
}

// hourly groups rows into statistics cells (Unix ms of the hour).
func hourly(rows []Row) map[hourKey]int64 {
	m := map[hourKey]int64{}
	for _, r := range rows {
		h := r.At - r.At%3_600_000
		if r.At < 0 {
			h = 0
		}
		m[hourKey{h, r.Decision, r.Reason}]++
	}
	return m
}

// sortedCells returns the keys of cells ordered by hour, decision, reason.
func sortedCells(cells map[hourKey]int64) []hourKey {
	keys := make([]hourKey, 0, len(cells))
	for k := range cells {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b hourKey) int {
		return cmp.Or(cmp.Compare(a.hour, b.hour), strings.Compare(a.decision, b.decision), strings.Compare(a.reason, b.reason))
	})
	return keys
}

// parseHealth decodes a stored report; a broken one reads as nil.
func parseHealth(body []byte) *wire.Health {
	if len(body) == 0 {
		return nil
	}
	var h wire.Health
	if json.Unmarshal(body, &h) != nil {
		return nil
	}
	return &h
}

func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// retainCut is the cut Retain applies: before, down to the start of its
// hour, so that the hourly statistics lose whole hours with their passes
// (a pass stays at most an hour longer than the configured age).
func retainCut(before time.Time) time.Time {
	ms := before.UnixMilli()
	if ms <= 0 {
		return time.UnixMilli(0)
	}
	return time.UnixMilli(ms - ms%3_600_000)
}

// retainBatch is how many passes one retention statement deletes.
const retainBatch = 5000
