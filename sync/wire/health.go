package wire

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// More endpoints.
const (
	// PathHealth takes a signed Health report (POST, device).
	PathHealth = "/v1/health"
	// PathRotate takes a signed Rotate (POST, device).
	PathRotate = "/v1/rotate"
	// PathDevices gives the fleet as JSON (GET, operator token).
	PathDevices = "/v1/devices"
)

// HeaderNewSignature carries, on a key rotation, the signature of the body
// by the new key (proof that the device holds it).
const HeaderNewSignature = "Chot-New-Signature"

// MaxHealthBytes caps a Health report's body.
const MaxHealthBytes = 16 << 10

// Limits of a Health report's fields.
const (
	maxHealthString = 128
	maxHealthCounts = 64
)

// Device states a Health report names. Other values are kept as sent.
const (
	StateOK    = "ok"
	StateFault = "fault"
)

// Health is a device's periodic report (POST /v1/health, JSON, signed like a
// batch with HeaderDevice and HeaderSignature over the exact body). It carries
// no pass content: states, versions and counts only.
type Health struct {
	Device string `json:"device"`
	// At is the device's wall clock when it sent the report; Clock says how
	// far to trust it (record.Clock*).
	At    time.Time `json:"at"`
	Clock string    `json:"clock"`
	// Site is the device's configured site.
	Site string `json:"site,omitempty"`
	// Software is the chotd version.
	Software string `json:"software"`
	// Bundle is the installed trust bundle's version (0: none), with its
	// stale and expiry times, so that the hub judges them by its own clock.
	Bundle           uint64    `json:"bundle"`
	BundleStaleAfter time.Time `json:"bundle_stale_after,omitzero"`
	BundleExpiresAt  time.Time `json:"bundle_expires_at,omitzero"`
	// LED is the status LED's state (ready-online, ready-offline, warning,
	// fault, unconfigured).
	LED string `json:"led"`
	// Gate is the gate's state: closed, open or fault.
	Gate string `json:"gate"`
	// Camera is ok or fault; CameraFPS the frames per second it delivers.
	Camera    string  `json:"camera"`
	CameraFPS float64 `json:"camera_fps"`
	// Backlog is how many passes wait for the hub's acknowledgement.
	Backlog uint64 `json:"backlog"`
	// FreeDisk is the free space on the data partition, bytes.
	FreeDisk uint64 `json:"free_disk"`
	// Epoch and LastSeq are the store's.
	Epoch   string `json:"epoch,omitempty"`
	LastSeq uint64 `json:"last_seq"`
	// Counts are decisions by reason since the previous report the hub
	// acknowledged.
	Counts map[string]uint64 `json:"counts,omitempty"`
}

// EncodeHealth returns the JSON of h: the exact bytes to sign and send.
func EncodeHealth(h Health) ([]byte, error) {
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("wire: encode health: %w", err)
	}
	return b, nil
}

// DecodeHealth decodes and validates a Health body.
func DecodeHealth(body []byte) (Health, error) {
	if len(body) > MaxHealthBytes {
		return Health{}, fmt.Errorf("%w: health report of %d bytes", ErrTooLarge, len(body))
	}
	var h Health
	if err := json.Unmarshal(body, &h); err != nil {
		return Health{}, fmt.Errorf("%w: health: %w", ErrBadBatch, err)
	}
	return h, h.Validate()
}

// Validate checks h's shape. Errors wrap ErrBadBatch.
func (h Health) Validate() error {
	switch {
	case !ValidDevice(h.Device):
		return fmt.Errorf("%w: health: device %q", ErrBadBatch, h.Device)
	case h.At.IsZero():
		return fmt.Errorf("%w: health: no time", ErrBadBatch)
	case h.Epoch != "" && !epochRE.MatchString(h.Epoch):
		return fmt.Errorf("%w: health: epoch %q", ErrBadBatch, h.Epoch)
	case math.IsNaN(h.CameraFPS) || h.CameraFPS < 0 || h.CameraFPS > 1000:
		return fmt.Errorf("%w: health: camera_fps %v", ErrBadBatch, h.CameraFPS)
	case len(h.Counts) > maxHealthCounts:
		return fmt.Errorf("%w: health: %d reasons, at most %d", ErrBadBatch, len(h.Counts), maxHealthCounts)
	}
	for name, s := range map[string]string{"clock": h.Clock, "site": h.Site, "software": h.Software, "led": h.LED, "gate": h.Gate, "camera": h.Camera} {
		if len(s) > maxHealthString {
			return fmt.Errorf("%w: health: %s longer than %d bytes", ErrBadBatch, name, maxHealthString)
		}
	}
	for k := range h.Counts {
		if k == "" || len(k) > maxHealthString {
			return fmt.Errorf("%w: health: reason %q", ErrBadBatch, k)
		}
	}
	return nil
}

// Rotate is the body of POST /v1/rotate: the device replaces its key. The
// request is signed by the current key (HeaderSignature) and by the new one
// (HeaderNewSignature).
type Rotate struct {
	Device string `json:"device"`
	// PubKey is the new key, base64 (std, padded).
	PubKey string `json:"pubkey"`
	// At is the device's wall clock, so that two rotations differ.
	At time.Time `json:"at"`
}

// More error codes.
const (
	CodeRevoked = "revoked" // the device was revoked by an operator
	CodeStale   = "stale"   // a rotation signed by a key that is no longer current
)
