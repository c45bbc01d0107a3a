package hub

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/sync/wire"
)

// Rules say when a device needs an operator. Zero values are the documented
// defaults.
type Rules struct {
	// OfflineAfter: no health report for this long. 0 means 10 minutes.
	OfflineAfter time.Duration
	// BacklogGrowing: a backlog at least this big that grew since the
	// report before. 0 means 100 passes.
	BacklogGrowing uint64
	// LowDisk: free space under this. 0 means 256 MiB.
	LowDisk uint64
}

func (r Rules) withDefaults() Rules {
	if r.OfflineAfter <= 0 {
		r.OfflineAfter = 10 * time.Minute
	}
	if r.BacklogGrowing == 0 {
		r.BacklogGrowing = 100
	}
	if r.LowDisk == 0 {
		r.LowDisk = 256 << 20
	}
	return r
}

// Problems, in the order an operator should act on them. They are stable
// codes (the console translates them).
const (
	ProblemOffline        = "offline"
	ProblemTrustExpired   = "trust_expired"
	ProblemNoTrust        = "no_trust"
	ProblemGateFault      = "gate_fault"
	ProblemCameraFault    = "camera_fault"
	ProblemTrustStale     = "trust_stale"
	ProblemClockUntrusted = "clock_untrusted"
	ProblemBacklogGrowing = "backlog_growing"
	ProblemLowDisk        = "low_disk"
	ProblemNeverSeen      = "never_seen"
)

// critical problems stop the checkpoint or hide it.
var critical = map[string]bool{ProblemOffline: true, ProblemTrustExpired: true, ProblemNoTrust: true,
	ProblemGateFault: true, ProblemCameraFault: true}

// Device states of the fleet view, worst first.
const (
	StateCritical = "critical"
	StateWarning  = "warning"
	StateOK       = "ok"
	StateRevoked  = "revoked"
)

// FleetDevice is one device as the fleet view (console, GET /v1/devices)
// shows it.
type FleetDevice struct {
	ID         string    `json:"id"`
	Site       string    `json:"site"`
	State      string    `json:"state"`
	Problems   []string  `json:"problems"`
	LastSeen   time.Time `json:"last_seen,omitzero"`
	Created    time.Time `json:"created"`
	Revoked    time.Time `json:"revoked,omitzero"`
	KeyChanged time.Time `json:"key_changed,omitzero"`
	// KeyID is the first 8 bytes of SHA-256 of the public key, hex.
	KeyID string `json:"key_id"`
	// Health is the latest report (nil before the first).
	Health *wire.Health `json:"health,omitempty"`
}

// Judge turns a stored device into its fleet view at now.
func Judge(d Device, now time.Time, r Rules) FleetDevice {
	r = r.withDefaults()
	kid := sha256.Sum256(d.PubKey)
	f := FleetDevice{ID: d.ID, Site: d.Site, LastSeen: d.LastSeen, Created: d.Created, Revoked: d.Revoked,
		KeyChanged: d.KeyChanged, KeyID: hex.EncodeToString(kid[:8]), Health: d.Health, Problems: []string{}}
	if !d.Revoked.IsZero() {
		f.State = StateRevoked
		return f
	}
	h := d.Health
	if h == nil {
		f.Problems = append(f.Problems, ProblemNeverSeen)
	} else {
		if now.Sub(d.LastSeen) > r.OfflineAfter {
			f.Problems = append(f.Problems, ProblemOffline)
		}
		switch {
		case h.Bundle == 0:
			f.Problems = append(f.Problems, ProblemNoTrust)
		case !h.BundleExpiresAt.IsZero() && !now.Before(h.BundleExpiresAt):
			f.Problems = append(f.Problems, ProblemTrustExpired)
		}
		if h.Gate == wire.StateFault {
			f.Problems = append(f.Problems, ProblemGateFault)
		}
		if h.Camera == wire.StateFault {
			f.Problems = append(f.Problems, ProblemCameraFault)
		}
		if h.Bundle != 0 && !h.BundleStaleAfter.IsZero() && !now.Before(h.BundleStaleAfter) && now.Before(h.BundleExpiresAt) {
			f.Problems = append(f.Problems, ProblemTrustStale)
		}
		if h.Clock == record.ClockUntrusted {
			f.Problems = append(f.Problems, ProblemClockUntrusted)
		}
		if h.Backlog >= r.BacklogGrowing && h.Backlog > d.PrevBacklog {
			f.Problems = append(f.Problems, ProblemBacklogGrowing)
		}
		if h.FreeDisk < r.LowDisk {
			f.Problems = append(f.Problems, ProblemLowDisk)
		}
	}
	f.State = StateOK
	for _, p := range f.Problems {
		if critical[p] {
			f.State = StateCritical
			break
		}
		f.State = StateWarning
	}
	return f
}

var stateRank = map[string]int{StateCritical: 0, StateWarning: 1, StateOK: 2, StateRevoked: 3}

// SortFleet orders devices needing action first (critical, then warning,
// by how many problems), then by site and id.
func SortFleet(fs []FleetDevice) {
	slices.SortStableFunc(fs, func(a, b FleetDevice) int {
		if d := stateRank[a.State] - stateRank[b.State]; d != 0 {
			return d
		}
		if d := len(b.Problems) - len(a.Problems); d != 0 {
			return d
		}
		if a.Site != b.Site {
			if a.Site < b.Site {
				return -1
			}
			return 1
		}
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
}
