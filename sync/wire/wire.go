package wire

import (
	"time"

	"github.com/chot-dev/chot/record"
)

// Endpoints.
const (
	PathPasses = "/v1/passes" // POST a Batch (device); GET an export (operator)
	PathBundle = "/v1/bundle" // GET the newest signed trust bundle
	PathEnroll = "/v1/enroll" // POST an Enroll
)

// Headers.
const (
	// HeaderDevice names the device whose key signed the body.
	HeaderDevice = "Chot-Device"
	// HeaderSignature is base64 (std, padded) of the Ed25519 signature over
	// the exact request body bytes.
	HeaderSignature = "Chot-Signature"
	// ContentType of a batch body (before Content-Encoding).
	ContentType = "application/json"
	// ContentEncoding of a batch body.
	ContentEncoding = "gzip"
)

// Limits both ends agree on.
const (
	// MaxBatchPasses is the most passes one batch may carry.
	MaxBatchPasses = 5000
	// MaxBodyBytes caps a compressed request body.
	MaxBodyBytes = 8 << 20
	// MaxDecodedBytes caps a decompressed batch (the gzip bomb cap).
	MaxDecodedBytes = 32 << 20
)

// Batch is a contiguous run of one device's passes within one epoch:
// Passes[i].Seq == FirstSeq+i and LastSeq == FirstSeq+len(Passes)-1.
type Batch struct {
	Device   string        `json:"device"`
	Epoch    string        `json:"epoch"`
	FirstSeq uint64        `json:"first_seq"`
	LastSeq  uint64        `json:"last_seq"`
	Passes   []record.Pass `json:"passes"`
}

// Ack answers an accepted batch. AckedThrough is the highest seq such that
// the hub holds every pass 1..AckedThrough of the batch's (device, epoch).
// ServerTime is the hub's clock when it answered (RFC 3339 in JSON).
type Ack struct {
	AckedThrough uint64    `json:"acked_through"`
	ServerTime   time.Time `json:"server_time"`
}

// Conflict is the 409 body: the batch started past the hub's watermark (a
// gap). The device resumes from AckedThrough+1.
type Conflict struct {
	Error        string    `json:"error"`
	AckedThrough uint64    `json:"acked_through"`
	ServerTime   time.Time `json:"server_time"`
}

// Error is the body of every other non-2xx answer.
type Error struct {
	// Code is a stable, machine-readable reason (the Code* constants).
	Code string `json:"code"`
	// Error is a human-readable message.
	Error string `json:"error"`
}

// Error codes.
const (
	CodeBadRequest    = "bad_request"    // malformed body or headers
	CodeBadBatch      = "bad_batch"      // not contiguous, seq/epoch mismatch
	CodeTooLarge      = "too_large"      // body, decoded body or pass count over a cap
	CodeUnknownDevice = "unknown_device" // not enrolled
	CodeBadSignature  = "bad_signature"  // signature does not verify
	CodeForbidden     = "forbidden"      // the batch names another device
	CodeReplay        = "replay"         // a stored seq with different content
	CodeBadToken      = "bad_token"      // enrollment or operator token refused
	CodeExists        = "exists"         // device already enrolled with another key
	CodeGap           = "gap"            // 409: first_seq past the watermark
	CodeUnavailable   = "unavailable"    // storage down, overloaded
	CodeInternal      = "internal"
)

// Enroll is the body of POST /v1/enroll. The request is signed like a batch
// (HeaderDevice, HeaderSignature) by the key being enrolled, proving the
// device holds it.
type Enroll struct {
	Device string `json:"device"`
	// PubKey is base64 (std, padded) of the 32-byte Ed25519 public key.
	PubKey string `json:"pubkey"`
	// Token is a one-time enrollment token an operator created.
	Token string `json:"token"`
}
