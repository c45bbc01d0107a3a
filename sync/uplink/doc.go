// Package uplink is the device end of the sync protocol: it pushes the
// store's outbox to the hub in signed, contiguous batches and pulls the
// newest trust bundle.
//
// The local watermark (the store's acknowledged sequence) only moves forward,
// and only on the hub's acked_through. A 409 names the hub's watermark; when
// it is behind the device's (a hub restored from a backup), the uplink sends
// again from the hub's position if the outbox can read acknowledged passes
// ([Replayer]), without moving its own watermark back.
//
// Failures (timeouts, resets, 5xx) are retried with capped exponential
// backoff and full jitter ([Backoff]); 429 and 503 honour Retry-After; after
// a failure streak ends, a random delay spreads the devices' reconnections.
//
// The daemon calls [Uplink.Notify] after each append, the status page
// [Uplink.SyncNow] and [Uplink.Status]; [Enroll] registers the device with an
// operator's one-time token and [Rotate] replaces its key. With
// Config.Health set, Run also sends a signed health report every
// HealthEvery ([Uplink.SendHealth]).
//
// # Caveats
//
// Never add an Idempotency-Key header: Go's client would then re-send a
// POST on its own when a connection breaks. The hub dedupes on
// (device, epoch, seq) whatever happens.
package uplink
