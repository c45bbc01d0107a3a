// Package record defines the pass record: what the checkpoint logs for each
// decision, what the store keeps and what the sync protocol carries to the hub.
//
// It keeps the decision and what is needed to audit and deduplicate it, never
// names or birth dates: the subject is a keyed hash of the certificate's unique
// id (see [SubjectHash]). It is a leaf package so that checkpoint, store and
// sync/wire share one definition without importing each other.
package record

import (
	"crypto/hmac"
	"crypto/sha256"
)

// Clock states of a pass's timestamp.
const (
	ClockSynced    = "synced"    // the wall clock was set from the hub or a trusted source
	ClockEstimated = "estimated" // derived from the last known good time plus uptime
	ClockUntrusted = "untrusted" // no trustworthy time: a board without RTC that never synced
)

// Gate outcomes.
const (
	GateOpened    = "opened"     // the relay was pulsed
	GateNotOpened = "not_opened" // refused, or a fault kept it closed
	GatePassed    = "passed"     // opened and the door sensor saw the person pass
	GateManual    = "manual"     // opened by the manual button or the status page
)

// Pass is one decision, as logged. Field names are the JSON contract of the
// sync protocol: never rename one.
type Pass struct {
	// Seq is the per-device, gap-free sequence number within Epoch. The store
	// assigns it.
	Seq uint64 `json:"seq"`
	// Epoch is the store's random epoch (hex); a new store file starts a new one.
	Epoch string `json:"epoch"`
	// At is the wall time in Unix milliseconds.
	At       int64  `json:"at"`
	UptimeMS int64  `json:"uptime_ms"`
	BootID   string `json:"boot_id"`
	Clock    string `json:"clock"`
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
	Rule     string `json:"rule,omitempty"`
	Format   string `json:"format,omitempty"`
	Type     string `json:"type,omitempty"`
	Issuer   string `json:"issuer,omitempty"`
	// Kid is the signer's key id, base64 (std, padded) of its raw bytes.
	Kid string `json:"kid,omitempty"`
	// Subject is SubjectHash of the certificate's unique id, hex.
	Subject   string `json:"subject,omitempty"`
	LatencyUS int64  `json:"latency_us"`
	Gate      string `json:"gate"`
	// Mode is the site policy mode in force (travel, venue, …).
	Mode string `json:"mode,omitempty"`
	// Unverified marks a pass whose credential's signature was not verified
	// (a forgery, an unknown key, an unreadable code): its Issuer, Kid, Type
	// and Subject come from whoever made the code. They are bounded by
	// Untrusted, never trusted.
	Unverified bool `json:"unverified,omitempty"`
}

// SubjectLen is the length in bytes of a subject hash.
const SubjectLen = 16

// SubjectHash is HMAC-SHA256 of a certificate's unique id under the
// deployment key, truncated to 16 bytes: enough for anti-passback and
// deduplication, useless for identifying a person without the key.
func SubjectHash(key []byte, id string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	return m.Sum(nil)[:SubjectLen]
}
