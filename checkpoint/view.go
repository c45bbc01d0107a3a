package checkpoint

import (
	"time"
)

// Event is one decision or gate event, as the status page shows it live. It
// carries no names or birth dates, ever: only what the pass log keeps.
type Event struct {
	Seq      uint64    `json:"seq"`
	At       time.Time `json:"at"`
	Clock    string    `json:"clock"`    // synced | estimated | untrusted
	Decision string    `json:"decision"` // accept | reject | manual | event
	Reason   string    `json:"reason"`
	Class    string    `json:"class"` // the sound class: accept, unreadable, invalid, time, revoked, policy, fault
	Rule     string    `json:"rule,omitempty"`
	Format   string    `json:"format,omitempty"`
	Type     string    `json:"type,omitempty"`
	Issuer   string    `json:"issuer,omitempty"`
	Kid      string    `json:"kid,omitempty"`
	Gate     string    `json:"gate"`
	// LatencyUS is frame-in to decision, including the durable write.
	LatencyUS int64 `json:"latency_us"`
	// Unverified: the credential's signature was not verified, so its
	// issuer and kid are only what the code claims (record.Pass.Unverified).
	Unverified bool `json:"unverified,omitempty"`
}

// ClockState is what the checkpoint believes about time.
type ClockState struct {
	State     string    `json:"state"` // synced | estimated | untrusted
	Now       time.Time `json:"now"`
	LastKnown time.Time `json:"last_known"`
	LastSync  time.Time `json:"last_sync,omitzero"`
	Detail    string    `json:"detail,omitempty"`
	// WallOffsetMS is how far the board's own wall clock is from Now, in
	// milliseconds (positive: ahead), whatever the state: a board clock that
	// is wrong shows here even while the time comes from the hub.
	WallOffsetMS int64 `json:"wall_offset_ms"`
}

// TrustState is the freshness of the installed trust data.
type TrustState struct {
	Installed  bool      `json:"installed"`
	Version    uint64    `json:"version"`
	IssuedAt   time.Time `json:"issued_at,omitzero"`
	StaleAfter time.Time `json:"stale_after,omitzero"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	Stale      bool      `json:"stale"`   // past stale_after: warn
	Expired    bool      `json:"expired"` // past expires_at: nothing is accepted
	Keys       int       `json:"keys"`
}

// PolicyView is the site policy in force, as the status page shows it.
type PolicyView struct {
	Mode string `json:"mode"`
	// InForce is false when there is no policy for the mode, or it has a
	// setting this software does not know: every pass is then refused.
	InForce bool `json:"in_force"`
	// SignerValidity is verify.SignerSigningTime or verify.SignerStrict.
	SignerValidity string `json:"signer_validity,omitempty"`
	// IssuerBinding is verify.BindingRefuse or verify.BindingWarn.
	IssuerBinding string `json:"issuer_binding,omitempty"`
}

// Counters count decisions since start.
type Counters struct {
	Accepted uint64            `json:"accepted"`
	Rejected uint64            `json:"rejected"`
	Manual   uint64            `json:"manual"`
	ByReason map[string]uint64 `json:"by_reason"`
}

// Snapshot is the checkpoint's state for the status page and /status.json.
type Snapshot struct {
	Site       string     `json:"site"`
	Device     string     `json:"device"`
	Mode       string     `json:"mode"`
	Configured bool       `json:"configured"`
	Problems   []string   `json:"problems,omitempty"` // config errors when unconfigured
	Gate       string     `json:"gate"`               // closed | open | fault
	LED        string     `json:"led"`                // ready-online | ready-offline | warning | fault | unconfigured
	Clock      ClockState `json:"clock"`
	Trust      TrustState `json:"trust"`
	Policy     PolicyView `json:"policy"`
	Counters   Counters   `json:"counters"`
	Recent     []Event    `json:"recent"` // newest first
	Warnings   []string   `json:"warnings,omitempty"`
}
