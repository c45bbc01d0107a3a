// Package store is the device's durable state: in one bbolt file the pass log
// with gap-free sequence numbers and the sync outbox watermark; beside it, in
// PATH.state and PATH.bundle (small files written atomically, out of reach of
// a corrupt log), the installed trust bundle and its rollback counter, the
// device's Ed25519 identity and the last known good time.
//
// # Pass log
//
// [Store.Append] assigns each pass the next sequence number (1-based, no
// gaps) within the store's random epoch and returns only after the
// transaction that holds it has been fsynced. All appends go through one
// writer goroutine that drains a channel: whatever queued while the previous
// transaction was syncing is committed together (group commit), so a burst
// pays one fsync per batch, and a lone writer pays no artificial delay (bbolt's
// db.Batch would add MaxBatchDelay to each call).
//
// The sync uplink reads [Store.Pending] (records after the watermark) and
// moves the watermark with [Store.Ack]; it only moves forward. [Store.Prune]
// removes acknowledged records older than [Options.Retention], oldest first,
// and never an unacknowledged one.
//
// # When the file is full
//
// bbolt grows the file up to [Options.MaxSize] (1 GiB by default). When a
// pass does not fit, Append returns [ErrFull] and assigns no sequence number:
// the pass is refused, never silently dropped, and the log stays gap-free.
// [Status] reports Full and counts the refusals. Space comes back when
// acknowledged records are pruned: before refusing, the writer prunes
// acknowledged records (whatever their age) and retries once, since the hub
// already holds them. If nothing is acknowledged, the store stays full until
// the uplink catches up; the caller decides what a refused log means for the
// gate (the checkpoint keeps it closed).
//
// # Integrity
//
// After a clean shutdown [Open] checks quickly: bbolt validates the meta
// pages, and the store checks its own invariants (buckets, epoch, counters,
// the first record, the newest 1024 records contiguous and ending at
// last_seq). After an unclean one (PATH.open, created at Open and removed at
// Close, is still there: kill -9, a crash, a power cut) or with
// [Options.FullCheck] it runs bbolt's full consistency check (tx.Check) too.
// A file that fails is renamed to PATH.corrupt-TIME, a fresh file with a new
// epoch takes its place, and [Store.Status] says what was moved aside and
// why, also after later restarts. The hub sees the new epoch and starts a new
// sequence for the device. The device state files are kept.
// [Check] runs the same checks read-only for `chot db check`; [Compact]
// rewrites the file for `chot db compact`.
//
// # Caveats
//
//   - bbolt's README warns that power loss during a brand-new file's first
//     initialisation can leave it unusable. Create the database at
//     provisioning (`chot db init PATH` in the image's first boot), not on the
//     first scan in the field. A file lost that way is moved aside and
//     replaced by the next Open anyway.
//   - The quick check does not read old pages: damage there shows at the
//     next unclean start, in `chot db check`, or when the page is read.
//   - Writable stores map MaxSize at once (address space, not memory; not on
//     32-bit platforms), so bbolt never remaps and a long read transaction
//     never blocks an append.
//   - The file never shrinks: pruned pages are reused, not returned to the
//     file system. Run [Compact] (`chot db compact`) offline, with the daemon
//     stopped, to get the space back.
//   - Set MaxSize on every platform. On 32-bit ARM bbolt's memory map is capped
//     near 2 GiB and bbolt v1.5.0 panics there instead of returning an error;
//     with MaxSize it returns ErrMaxSizeReached, which Append maps to [ErrFull].
//   - The full check reads the whole file: see the figures in the hardening
//     notes for a 1 GiB file. Pruning keeps the file small in practice.
//   - A kill -9 cannot show a missing fsync (the page cache survives it); the
//     store's kill tests prove atomicity and ordering, not the disk's honesty.
//     Use storage that honours fsync (not every SD card does).
//   - Byte slices from a bbolt transaction die with it; every accessor here
//     returns copies.
package store
