package store

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/chot-dev/chot/internal/atomicfile"
)

func sha(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

// Bundle returns the installed signed trust bundle, or nil (and no error)
// when none is installed. It lives in PATH.bundle, beside the log: a corrupt
// log moved aside does not take it along.
func (s *Store) Bundle() ([]byte, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if s.legacyBundle != nil {
		return bytes.Clone(s.legacyBundle), nil
	}
	b, err := os.ReadFile(bundlePath(s.path))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: bundle: %w", err)
	}
	return b, nil
}

// SetBundle installs b, already verified by the caller, as the trust bundle
// with the given version: the bundle file first, then the rollback counter,
// each written atomically. A version lower than the counter returns
// ErrBundleRollback, and so does an equal one while a bundle is installed
// (the first bundle may have any version; after the bundle file was lost,
// the same version may be installed again, never an older one).
func (s *Store) SetBundle(b []byte, version uint64) error {
	if err := s.enterWrite(); err != nil {
		return err
	}
	defer s.leave()
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	s.mu.Lock()
	cur, have := s.dev.BundleVersion, s.dev.BundleSHA256 != nil
	s.mu.Unlock()
	if _, err := os.Stat(bundlePath(s.path)); err != nil {
		have = false
	}
	if version < cur || (have && version == cur) {
		return fmt.Errorf("store: set bundle: %w: %d <= %d", ErrBundleRollback, version, cur)
	}
	if err := atomicfile.Write(bundlePath(s.path), b, 0o600); err != nil {
		return fmt.Errorf("store: set bundle: %w", err)
	}
	err := s.saveState(func(st *deviceState) { st.BundleVersion, st.BundleSHA256 = version, sha(b) })
	if err != nil {
		return fmt.Errorf("store: set bundle: %w", err)
	}
	return nil
}

// BundleVersion returns the rollback counter: the version of the newest
// bundle ever installed, 0 when none.
func (s *Store) BundleVersion() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.bundleVersion
}

// Identity returns the device's Ed25519 key, generating and persisting it on
// the first call. It lives in PATH.state: it survives restarts, compaction
// and a corrupt log moved aside.
func (s *Store) Identity() (ed25519.PrivateKey, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	s.mu.Lock()
	seed := bytes.Clone(s.dev.Identity)
	s.mu.Unlock()
	if seed != nil {
		if len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("store: identity: %w: seed of %d bytes", ErrCorrupt, len(seed))
		}
		return ed25519.NewKeyFromSeed(seed), nil
	}
	if s.opts.ReadOnly {
		return nil, fmt.Errorf("store: identity: none yet: %w", ErrReadOnly)
	}
	seed = make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("store: identity: %w", err)
	}
	if err := s.saveState(func(st *deviceState) { st.Identity = seed }); err != nil {
		return nil, fmt.Errorf("store: identity: %w", err)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// KnownTime returns the last known good wall time, zero when never set.
func (s *Store) KnownTime() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.knownTime
}

// SetKnownTime records t as the last known good time if it is later than the
// stored one; an earlier or equal t is a no-op. A board without a real-time
// clock never boots into a time before it.
func (s *Store) SetKnownTime(t time.Time) error {
	if err := s.enterWrite(); err != nil {
		return err
	}
	defer s.leave()
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	if !t.After(s.KnownTime()) {
		return nil
	}
	if err := s.saveState(func(st *deviceState) { st.KnownTimeNS = t.UnixNano() }); err != nil {
		return fmt.Errorf("store: set known time: %w", err)
	}
	return nil
}

// ResetKnownTime sets the last known good time to t, lower or higher than
// the stored one (zero forgets it), and returns the value it replaced. It is
// the technician's way out when a wrong time was learnt (`chotd
// -reset-clock`); the daemon itself only ever raises the time.
func (s *Store) ResetKnownTime(t time.Time) (old time.Time, err error) {
	if err := s.enterWrite(); err != nil {
		return time.Time{}, err
	}
	defer s.leave()
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	old = s.KnownTime()
	err = s.saveState(func(st *deviceState) {
		st.KnownTimeNS = 0
		if !t.IsZero() {
			st.KnownTimeNS = t.UnixNano()
		}
	})
	if err != nil {
		return old, fmt.Errorf("store: reset known time: %w", err)
	}
	return old, nil
}
