// Package hub is the hub end of the sync protocol: device enrollment and
// authentication, idempotent ingest of signed batches, trust bundle
// publishing, an operator export, metrics.
//
// Every pass is stored once per (device, epoch, seq). The hub keeps, per
// (device, epoch), a watermark acked_through: every seq 1..acked_through is
// stored and none above it, because a batch that would leave a gap is
// refused with 409. A resent pass must be byte-for-byte the same record
// (compared by SHA-256 of its canonical JSON); a different one is a replay or
// a forgery and its whole batch is refused.
//
// Endpoints ([Server.Handler]):
//
//	POST /v1/passes  signed batch → 200 Ack, 409 Conflict (gap), 401 unknown
//	                 device or bad signature, 403 batch names another device,
//	                 422 replay (a stored seq with other content), 400/413
//	                 malformed or too large, 429/503 with Retry-After
//	POST /v1/enroll  signed Enroll with a one-time token → 200, 403, 409
//	GET  /v1/bundle  newest bundle with ETag; If-None-Match → 304; 404 none
//	GET  /v1/passes  operator export (Bearer token): ?device= &since= &until=
//	                 (RFC 3339, on the pass time) &limit= &format=jsonl|csv
//	POST /v1/health  signed wire.Health → 200 Ack (server_time); 401 unknown,
//	                 revoked or bad signature; 403 names another device
//	POST /v1/rotate  wire.Rotate signed by the current key and the new one
//	                 → 200; 409 signed by a key no longer current
//	GET  /v1/devices operator fleet view (FleetDevice, needing action first)
//	GET  /metrics    Prometheus
//	GET  /healthz    storage reachable
//
// Storage sits behind [Storage] with two implementations: embedded SQLite
// (modernc.org/sqlite, WAL, one writer; the default) and PostgreSQL (pgx,
// arrays through unnest with ON CONFLICT DO NOTHING) for scale-out.
//
// # Caveats
//
// The signature is checked over the compressed body before anything is
// decompressed; decompression is capped (wire.MaxDecodedBytes). A device id
// is bound to one key: re-enrolling with another key is refused unless the
// token was made for that device (chot-hub token create --device), which
// binds the new key and lifts a revocation. Tokens are stored hashed; the
// operator token is compared in constant time.
//
// No hub process keeps state of its own: device keys and revocations are
// read from the database for every request (a revocation is also checked
// inside the insert's transaction), so any number of instances can share
// one PostgreSQL database and a revocation holds on all of them at once.
//
// # Statistics
//
// Pass statistics are counted at ingest, in the insert's transaction and
// only for the passes it stores (a resent batch counts nothing), per hour,
// device, decision and reason (pass_hourly). PostgreSQL also keeps them per
// hour, site, decision and reason (pass_site_hourly), the rollup the
// console's chart reads: counts are added with upserts (n = n + new), never
// read and written back, so instances ingesting at once stay right. A
// device counts under its current site: a health report that changes the
// site moves the device's cells to the new site in its own transaction. A
// database of schema version 2 or older gets both tables rebuilt from its
// passes when a version-3 hub opens it.
//
// Retention cuts on a whole hour and deletes the statistics of the hours
// it removed: the chart shows what is still stored, and for the same
// window its bars add up to what the export gives.
package hub
