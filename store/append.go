package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/chot-dev/chot/record"
)

type appendReq struct {
	ctx context.Context
	p   record.Pass
	res chan appendRes
}

type appendRes struct {
	p   record.Pass
	err error
}

// Append logs p and returns it with Seq and Epoch set (whatever p held
// there), once the transaction holding it is fsynced. Concurrent calls are
// committed together by one writer goroutine. It returns ErrFull (and logs
// nothing) when the pass does not fit within MaxSize. If ctx ends before the
// pass's transaction begins, the pass is not logged and ctx's error is
// returned; after that, Append waits for the commit whatever ctx does. An
// error other than ErrFull or ctx's means the transaction failed: treat the
// pass as not logged (a failed fsync is an I/O fault the daemon should
// report, not retry around).
func (s *Store) Append(ctx context.Context, p record.Pass) (record.Pass, error) {
	if err := s.enterWrite(); err != nil {
		return record.Pass{}, err
	}
	r := &appendReq{ctx: ctx, p: p, res: make(chan appendRes, 1)}
	select {
	case s.reqs <- r:
	case <-ctx.Done():
		s.leave()
		return record.Pass{}, fmt.Errorf("store: append: %w", ctx.Err())
	}
	s.leave()
	res := <-r.res
	return res.p, res.err
}

// writer is the one goroutine that commits appends. Close stops it only after
// every request queued before Close has been answered.
func (s *Store) writer() {
	defer close(s.writerDone)
	batch := make([]*appendReq, 0, s.opts.MaxBatch)
	for {
		select {
		case r := <-s.reqs:
			s.commit(s.fill(append(batch[:0], r)))
		case <-s.quit:
			for {
				select {
				case r := <-s.reqs:
					s.commit(s.fill(append(batch[:0], r)))
				default:
					return
				}
			}
		}
	}
}

// fill adds whatever is already queued, up to MaxBatch, without waiting.
func (s *Store) fill(batch []*appendReq) []*appendReq {
	for len(batch) < s.opts.MaxBatch {
		select {
		case r := <-s.reqs:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// commit writes batch in one transaction and answers every request.
func (s *Store) commit(batch []*appendReq) {
	live := batch[:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.res <- appendRes{err: fmt.Errorf("store: append: %w", err)}
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	err := s.put(live)
	if isFull(err) && s.pruneForSpace() > 0 {
		err = s.put(live)
	}
	if isFull(err) && len(live) > 1 {
		// Part of the batch may still fit: commit what does, in order.
		for i, r := range live {
			if err := s.put(live[i : i+1]); isFull(err) {
				s.refuse(live[i:])
				return
			} else if err != nil {
				r.res <- appendRes{err: fmt.Errorf("store: append: %w", err)}
			}
		}
		return
	}
	if isFull(err) {
		s.refuse(live)
		return
	}
	if err != nil {
		for _, r := range live {
			r.res <- appendRes{err: fmt.Errorf("store: append: %w", err)}
		}
	}
}

func isFull(err error) bool { return errors.Is(err, berrors.ErrMaxSizeReached) }

// put commits reqs in one transaction and, on success, answers them.
func (s *Store) put(reqs []*appendReq) error {
	s.busyAt.Store(int64(time.Since(s.born)) + 1)
	s.mu.Lock()
	epoch := s.st.epoch
	s.mu.Unlock()
	out := make([]record.Pass, len(reqs))
	var last uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, m := tx.Bucket(bucketPasses), tx.Bucket(bucketMeta)
		b.FillPercent = 1.0 // append-only: full pages
		last = getU64(m, keyLastSeq)
		for i, r := range reqs {
			last++
			p := r.p
			p.Seq, p.Epoch = last, epoch
			v, err := json.Marshal(p)
			if err != nil {
				return err
			}
			if err := b.Put(seqKey(last), v); err != nil {
				return err
			}
			out[i] = p
		}
		return putU64(m, keyLastSeq, last)
	})
	// Not busy any more before anyone is answered: a caller that reads Busy
	// after its Append returned must not see this commit as still running.
	s.busyAt.Store(0)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.st.last = last
	s.st.commits++
	if s.st.full {
		s.log.Info("store: no longer full", "refused", s.st.refused)
	}
	s.st.full = false
	s.mu.Unlock()
	for i, r := range reqs {
		r.res <- appendRes{p: out[i]}
	}
	return nil
}

// Busy returns how long the append transaction in progress has been running
// (waiting for bbolt's write lock, writing, fsyncing), 0 when none is: the
// watchdog's test of the store. An fsync that never returns shows here.
func (s *Store) Busy() time.Duration {
	at := s.busyAt.Load()
	if at == 0 {
		return 0
	}
	return time.Since(s.born) - time.Duration(at-1)
}

// refuse answers reqs with ErrFull and records the state.
func (s *Store) refuse(reqs []*appendReq) {
	s.mu.Lock()
	if !s.st.full {
		s.st.full = true
		s.st.fullSince = s.opts.Now()
		s.log.Warn("store: full, refusing passes", "max_size", s.opts.MaxSize,
			"last_seq", s.st.last, "acked_through", s.st.acked)
	}
	s.st.refused += uint64(len(reqs))
	s.mu.Unlock()
	for _, r := range reqs {
		r.res <- appendRes{err: fmt.Errorf("store: append: %w", ErrFull)}
	}
}
