package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"github.com/chot-dev/chot/internal/atomicfile"
)

// compactTxSize is how many bytes Compact copies per transaction.
const compactTxSize = 64 << 20

// Check runs the integrity check on the file at path without changing it:
// bbolt's consistency check, then the store's own (buckets, epoch,
// contiguous sequence numbers, watermark, every record decodes). It takes a
// shared lock, so it fails with ErrLocked while the daemon has the file open.
// A failed check wraps ErrCorrupt.
func Check(path string, opts Options) error {
	opts = opts.withDefaults()
	opts.ReadOnly = true
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("store: check: %w", err)
	}
	db, err := openBolt(path, opts)
	if err == nil {
		err = verify(db, checkDeep)
		db.Close()
	}
	if errors.Is(err, errCorruptFile) {
		return fmt.Errorf("store: check %s: %w: %w", path, ErrCorrupt, err)
	}
	if err != nil {
		return fmt.Errorf("store: check %s: %w", path, err)
	}
	return nil
}

// Compact rewrites the file at path without its free pages and swaps the copy
// in: checked, written to path.compact, fsynced, renamed over path, directory
// fsynced. It holds the file's exclusive lock throughout, so it fails with
// ErrLocked while the daemon runs (stop it first); a daemon started meanwhile
// waits and then opens the new file. It refuses a file that fails Check. It
// returns the file sizes before and after.
func Compact(path string, opts Options) (before, after int64, err error) {
	opts = opts.withDefaults()
	opts.ReadOnly = false
	fi, err := os.Stat(path)
	if err != nil {
		return 0, 0, fmt.Errorf("store: compact: %w", err)
	}
	before = fi.Size()
	src, err := openBolt(path, opts)
	if err != nil {
		return 0, 0, fmt.Errorf("store: compact %s: %w", path, err)
	}
	defer src.Close() // releases the lock only after the swap
	if err := verify(src, checkDeep); err != nil {
		return 0, 0, fmt.Errorf("store: compact %s: %w: %w", path, ErrCorrupt, err)
	}
	tmp := path + ".compact"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return 0, 0, fmt.Errorf("store: compact: %w", err)
	}
	if err := compactInto(tmp, src); err != nil {
		os.Remove(tmp)
		return 0, 0, fmt.Errorf("store: compact %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return 0, 0, fmt.Errorf("store: compact: %w", err)
	}
	if err := atomicfile.SyncDir(filepath.Dir(path)); err != nil {
		return 0, 0, fmt.Errorf("store: compact: %w", err)
	}
	if fi, err := os.Stat(path); err == nil {
		after = fi.Size()
	}
	return before, after, nil
}

// compactInto copies src into a new file at dst, checks it and fsyncs it.
func compactInto(dst string, src *bolt.DB) error {
	db, err := bolt.Open(dst, 0o600, nil)
	if err != nil {
		return err
	}
	if err := bolt.Compact(db, src, compactTxSize); err != nil {
		db.Close()
		return err
	}
	if err := verify(db, checkDeep); err != nil {
		db.Close()
		return fmt.Errorf("compacted copy: %w", err)
	}
	if err := db.Close(); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
