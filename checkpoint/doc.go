// Package checkpoint is the decision loop of a checkpoint: scanned text →
// verify → decide → durable log → gate and sound.
//
// It owns anti-passback (keyed on the certificate's subject hash, not the QR
// bytes), the gate state machine (a relay pulse on accept, only after the pass
// is durable; fail-secure on any fault, shutdown or crash), trusted time on a
// board without a real-time clock, and trust data freshness.
//
// It declares the small interfaces it consumes — [Gate], [Indicator], [Log],
// [Clock] — and cmd/chotd wires hw and store into them. It publishes what a
// local admin sees as read-only values: [Snapshot] and a stream of [Event]s.
package checkpoint
