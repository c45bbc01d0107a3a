package store

import "errors"

var (
	// ErrFull is returned by Append when the pass does not fit within
	// Options.MaxSize even after pruning acknowledged records. The pass got no
	// sequence number and is not in the log; Status().Full is set until an
	// append succeeds again.
	ErrFull = errors.New("store: full")

	// ErrClosed is returned by every method called after Close.
	ErrClosed = errors.New("store: closed")

	// ErrReadOnly is returned by methods that write when the store was opened
	// with Options.ReadOnly.
	ErrReadOnly = errors.New("store: read-only")

	// ErrLocked is returned by Open, Check and Compact when another process
	// (usually the running daemon) holds the file's lock past Options.Timeout.
	ErrLocked = errors.New("store: database is locked by another process")

	// ErrCorrupt is returned by Check, and by Open with Options.ReadOnly, when
	// the file fails the integrity check. A writable Open does not return it:
	// it moves the file aside and starts a new epoch instead.
	ErrCorrupt = errors.New("store: corrupt")

	// ErrAckBeyondLast is returned by Ack for a sequence number that was never
	// assigned.
	ErrAckBeyondLast = errors.New("store: ack beyond last sequence")

	// ErrBundleRollback is returned by SetBundle when the version is not
	// higher than the installed bundle's.
	ErrBundleRollback = errors.New("store: bundle version not newer than installed")
)
