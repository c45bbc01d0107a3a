package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bundle returns the installed signed trust bundle, or nil (and no error)
// when none is installed.
func (s *Store) Bundle() ([]byte, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyBundle); v != nil {
			out = append([]byte{}, v...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: bundle: %w", err)
	}
	return out, nil
}

// SetBundle installs b, already verified by the caller, as the trust bundle
// with the given version, in one transaction. A version not higher than the
// installed one returns ErrBundleRollback (the first bundle may have any
// version).
func (s *Store) SetBundle(b []byte, version uint64) error {
	if err := s.enterWrite(); err != nil {
		return err
	}
	defer s.leave()
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	err := s.db.Update(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if m.Get(keyBundle) != nil {
			if cur := getU64(m, keyBundleVersion); version <= cur {
				return fmt.Errorf("%w: %d <= %d", ErrBundleRollback, version, cur)
			}
		}
		if err := m.Put(keyBundle, b); err != nil {
			return err
		}
		return putU64(m, keyBundleVersion, version)
	})
	if err != nil {
		return fmt.Errorf("store: set bundle: %w", err)
	}
	s.mu.Lock()
	s.st.bundleVersion = version
	s.mu.Unlock()
	return nil
}

// BundleVersion returns the installed bundle's version, 0 when none.
func (s *Store) BundleVersion() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.bundleVersion
}

// Identity returns the device's Ed25519 key, generating and persisting it on
// the first call. It survives restarts and compaction, not a corrupt file
// moved aside (the device then re-enrols).
func (s *Store) Identity() (ed25519.PrivateKey, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	var seed []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyIdentity); v != nil {
			seed = append([]byte{}, v...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: identity: %w", err)
	}
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
	err = s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyIdentity, seed)
	})
	if err != nil {
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
	v := make([]byte, 8)
	binary.BigEndian.PutUint64(v, uint64(t.UnixNano()))
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyKnownTime, v)
	})
	if err != nil {
		return fmt.Errorf("store: set known time: %w", err)
	}
	s.mu.Lock()
	s.st.knownTime = time.Unix(0, t.UnixNano())
	s.mu.Unlock()
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
	err = s.db.Update(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if t.IsZero() {
			return m.Delete(keyKnownTime)
		}
		v := make([]byte, 8)
		binary.BigEndian.PutUint64(v, uint64(t.UnixNano()))
		return m.Put(keyKnownTime, v)
	})
	if err != nil {
		return old, fmt.Errorf("store: reset known time: %w", err)
	}
	s.mu.Lock()
	s.st.knownTime = time.Time{}
	if !t.IsZero() {
		s.st.knownTime = time.Unix(0, t.UnixNano())
	}
	s.mu.Unlock()
	return old, nil
}
