package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/chot-dev/chot/internal/atomicfile"
)

// The device state that must outlive the pass log: the last known good time,
// the trust bundle's rollback counter and the device key live in PATH.state
// (JSON), the installed bundle in PATH.bundle. Both are written atomically
// (temporary file, fsync, rename, directory fsync) and neither is touched
// when a corrupt log is moved aside: a new epoch keeps the device's identity,
// its clock and its protection against an older bundle.
//
// Stores written before this file existed kept these in the bbolt meta
// bucket; Open moves them over once.
type deviceState struct {
	Version       int    `json:"version"`
	KnownTimeNS   int64  `json:"known_time_ns,omitempty"`
	BundleVersion uint64 `json:"bundle_version,omitempty"`
	// BundleSHA256 is the hash of PATH.bundle as installed.
	BundleSHA256 []byte `json:"bundle_sha256,omitempty"`
	// Identity is the device's Ed25519 seed.
	Identity []byte `json:"identity,omitempty"`
}

const stateVersion = 1

func statePath(path string) string  { return path + ".state" }
func bundlePath(path string) string { return path + ".bundle" }

// readState reads PATH.state; ok is false when there is none.
func readState(path string) (st deviceState, ok bool, err error) {
	b, err := os.ReadFile(statePath(path))
	if errors.Is(err, fs.ErrNotExist) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("state: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, false, fmt.Errorf("state %s: %w", statePath(path), err)
	}
	if st.Version != stateVersion {
		return st, false, fmt.Errorf("state %s: version %d, want %d", statePath(path), st.Version, stateVersion)
	}
	return st, true, nil
}

func writeState(path string, st deviceState) error {
	st.Version = stateVersion
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if err := atomicfile.Write(statePath(path), b, 0o600); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}

// legacyState reads what older stores kept in the meta bucket.
func legacyState(db *bolt.DB) (st deviceState, bundle []byte, err error) {
	err = db.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if m == nil {
			return nil
		}
		if v := m.Get(keyKnownTime); len(v) == 8 {
			st.KnownTimeNS = int64(binary.BigEndian.Uint64(v))
		}
		st.BundleVersion = getU64(m, keyBundleVersion)
		if v := m.Get(keyIdentity); v != nil {
			st.Identity = bytes.Clone(v)
		}
		if v := m.Get(keyBundle); v != nil {
			bundle = bytes.Clone(v)
		}
		return nil
	})
	return st, bundle, err
}

// loadState reads the device state, moving it out of an older store's meta
// bucket on the first writable Open. A state file that cannot be read is
// logged and rebuilt from what the meta bucket still has.
func (s *Store) loadState() error {
	st, ok, err := readState(s.path)
	if err != nil {
		s.log.Error("store: device state unreadable; rebuilding it from the log file", "err", err)
	}
	if !ok {
		var bundle []byte
		if st, bundle, err = legacyState(s.db); err != nil {
			return err
		}
		if !s.opts.ReadOnly {
			if bundle != nil {
				if err := atomicfile.Write(bundlePath(s.path), bundle, 0o600); err != nil {
					return fmt.Errorf("state: bundle: %w", err)
				}
				st.BundleSHA256 = sha(bundle)
			}
			if err := writeState(s.path, st); err != nil {
				return err
			}
		} else {
			s.legacyBundle = bundle
		}
	}
	s.setState(st)
	return nil
}

// saveState applies change to the device state and writes it durably; the
// in-memory copy changes only once the file did.
func (s *Store) saveState(change func(*deviceState)) error {
	s.mu.Lock()
	st := s.dev
	s.mu.Unlock()
	st.Identity = bytes.Clone(st.Identity)
	change(&st)
	if err := writeState(s.path, st); err != nil {
		return err
	}
	s.setState(st)
	return nil
}

// setState makes st the device state in memory, with the status fields it
// feeds.
func (s *Store) setState(st deviceState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dev = st
	s.st.bundleVersion = st.BundleVersion
	s.st.knownTime = time.Time{}
	if st.KnownTimeNS != 0 {
		s.st.knownTime = time.Unix(0, st.KnownTimeNS)
	}
}
