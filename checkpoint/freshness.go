package checkpoint

import "time"

// Freshness is the trust data's own account of its age: a bundle's version,
// key count and times.
type Freshness struct {
	Version                         uint64
	IssuedAt, StaleAfter, ExpiresAt time.Time
	Keys                            int
}

// TrustStateAt is the freshness rule: installed data is stale from
// StaleAfter on (a warning: it is still used) and expired from ExpiresAt on
// (nothing is accepted), both judged at now, the checkpoint's trusted time.
// A zero time is no limit (trust data without an expiry, like loose keys).
func TrustStateAt(f Freshness, now time.Time) TrustState {
	return TrustState{
		Installed: true, Version: f.Version, IssuedAt: f.IssuedAt, StaleAfter: f.StaleAfter, ExpiresAt: f.ExpiresAt,
		Stale: !f.StaleAfter.IsZero() && !now.Before(f.StaleAfter), Expired: !f.ExpiresAt.IsZero() && !now.Before(f.ExpiresAt),
		Keys: f.Keys,
	}
}
