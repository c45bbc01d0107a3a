package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/chot-dev/chot/record"
)

// pruneChunk bounds how many records one pruning transaction deletes.
const pruneChunk = 10000

// Epoch returns the store's epoch: 16 random bytes in hex, new for each file.
func (s *Store) Epoch() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.epoch
}

// LastSeq returns the last assigned sequence number (0 before the first pass).
func (s *Store) LastSeq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.last
}

// AckedThrough returns the sync watermark: every pass up to it is at the hub.
func (s *Store) AckedThrough() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.acked
}

// Pending returns up to max passes after the watermark, in sequence order.
func (s *Store) Pending(max int) ([]record.Pass, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	var out []record.Pass
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		out, err = readFrom(tx, getU64(tx.Bucket(bucketMeta), keyAcked)+1, max)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: pending: %w", err)
	}
	return out, nil
}

// Passes returns up to max passes with seq >= fromSeq, in order, read in one
// short transaction: what an export reads chunk by chunk, so that a slow
// reader never holds a transaction open (a long read transaction blocks the
// remap an append needs when the file grows).
func (s *Store) Passes(fromSeq uint64, max int) ([]record.Pass, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	var out []record.Pass
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		out, err = readFrom(tx, fromSeq, max)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: passes: %w", err)
	}
	return out, nil
}

// Ack moves the watermark to through. A value at or below the watermark is a
// no-op; one beyond LastSeq returns ErrAckBeyondLast.
func (s *Store) Ack(through uint64) error {
	if err := s.enterWrite(); err != nil {
		return err
	}
	defer s.leave()
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	if through <= s.AckedThrough() {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if last := getU64(m, keyLastSeq); through > last {
			return fmt.Errorf("%w: %d > %d", ErrAckBeyondLast, through, last)
		}
		return putU64(m, keyAcked, through)
	})
	if err != nil {
		return fmt.Errorf("store: ack: %w", err)
	}
	s.mu.Lock()
	s.st.acked = max(s.st.acked, through)
	s.mu.Unlock()
	return nil
}

// Range calls fn for every pass held with seq >= fromSeq, in order, inside one
// read transaction (fn must not call Close). An error from fn stops the walk
// and is returned as is.
func (s *Store) Range(fromSeq uint64, fn func(record.Pass) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	var fnErr error
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketPasses).Cursor()
		for k, v := c.Seek(seqKey(fromSeq)); k != nil; k, v = c.Next() {
			p, err := decodePass(k, v)
			if err != nil {
				return err
			}
			if fnErr = fn(p); fnErr != nil {
				return fnErr
			}
		}
		return nil
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("store: range: %w", err)
	}
	return nil
}

// Prune deletes acknowledged passes whose At is older than now minus
// Options.Retention, oldest first, stopping at the first one that is too
// young or unacknowledged (so the log stays one contiguous run). It never
// deletes an unacknowledged pass. It returns how many it deleted.
func (s *Store) Prune(now time.Time) (int, error) {
	if err := s.enterWrite(); err != nil {
		return 0, err
	}
	defer s.leave()
	if s.opts.Retention < 0 {
		return 0, nil
	}
	cutoff := now.Add(-s.opts.Retention).UnixMilli()
	total := 0
	for {
		n, more, err := s.pruneOnce(cutoff, true)
		total += n
		if err != nil {
			return total, fmt.Errorf("store: prune: %w", err)
		}
		if !more {
			return total, nil
		}
	}
}

// pruneForSpace deletes acknowledged passes whatever their age, for the
// writer when the file is full. It returns how many went.
func (s *Store) pruneForSpace() int {
	total := 0
	for {
		n, more, err := s.pruneOnce(0, false)
		total += n
		if err != nil || !more {
			if total > 0 {
				s.log.Warn("store: full, pruned acknowledged passes early", "count", total, "err", err)
			}
			return total
		}
	}
}

// pruneOnce deletes up to pruneChunk passes from the start of the log that
// are acknowledged and, when byAge, older than cutoff (Unix ms). more reports
// that the chunk was full and another call may delete more.
func (s *Store) pruneOnce(cutoff int64, byAge bool) (n int, more bool, err error) {
	var lastDeleted uint64
	err = s.db.Update(func(tx *bolt.Tx) error {
		acked := getU64(tx.Bucket(bucketMeta), keyAcked)
		b := tx.Bucket(bucketPasses)
		var keys [][]byte
		c := b.Cursor()
		for k, v := c.First(); k != nil && len(keys) < pruneChunk; k, v = c.Next() {
			if binary.BigEndian.Uint64(k) > acked {
				break
			}
			if byAge {
				var at struct {
					At int64 `json:"at"`
				}
				if err := json.Unmarshal(v, &at); err != nil {
					return fmt.Errorf("record %d: %w", binary.BigEndian.Uint64(k), err)
				}
				if at.At >= cutoff {
					break
				}
			}
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		if len(keys) > 0 {
			lastDeleted = binary.BigEndian.Uint64(keys[len(keys)-1])
		}
		n, more = len(keys), len(keys) == pruneChunk
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	if n > 0 {
		s.mu.Lock()
		s.st.first = max(s.st.first, lastDeleted+1)
		s.mu.Unlock()
	}
	return n, more, nil
}

// readFrom decodes up to max passes with seq >= from, in order, in tx.
func readFrom(tx *bolt.Tx, from uint64, max int) ([]record.Pass, error) {
	var out []record.Pass
	c := tx.Bucket(bucketPasses).Cursor()
	for k, v := c.Seek(seqKey(from)); k != nil && len(out) < max; k, v = c.Next() {
		p, err := decodePass(k, v)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
