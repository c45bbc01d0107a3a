// Package wire holds the sync protocol's messages and helpers, shared by the
// device end (sync/uplink) and the hub (sync/hub).
//
// A device pushes a contiguous batch of pass records with POST /v1/passes:
// the body is the JSON [Batch], gzip-compressed, and the request carries the
// device id ([HeaderDevice]) and a detached Ed25519 signature over the exact
// body bytes as sent ([HeaderSignature]). The hub checks the signature before
// it decompresses anything, inserts idempotently on (device, epoch, seq) and
// answers an [Ack]; a batch that would leave a gap gets 409 with a
// [Conflict] naming the hub's watermark. Errors carry an [Error] body.
//
// GET /v1/bundle serves the newest signed trust bundle with an ETag; the
// device sends If-None-Match and gets 304 when it already has it.
//
// POST /v1/health carries a [Health] report (plain JSON, signed the same
// way); POST /v1/rotate a [Rotate], signed by the current key and, in
// [HeaderNewSignature], by the new one. GET /v1/devices gives operators the
// fleet.
//
// # Caveats
//
// The signature covers the compressed bytes, not the JSON: both ends must sign
// and verify exactly what travels. Never set an Idempotency-Key header on a
// push: Go's HTTP client then re-sends the POST by itself on a broken
// connection, outside the caller's backoff. The hub is idempotent anyway.
package wire
