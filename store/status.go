package store

import (
	"os"
	"time"
)

// Status is a snapshot of the store for the status page and `chot db inspect`.
type Status struct {
	Path  string `json:"path"`
	Epoch string `json:"epoch"`
	// Records is how many passes the file holds: FirstSeq..LastSeq.
	Records      uint64 `json:"records"`
	FirstSeq     uint64 `json:"first_seq"`
	LastSeq      uint64 `json:"last_seq"`
	AckedThrough uint64 `json:"acked_through"`
	// Pending is how many passes wait for the hub: LastSeq - AckedThrough.
	Pending uint64 `json:"pending"`
	// Size is the file's size in bytes; it never shrinks (see Compact).
	Size          int64         `json:"size"`
	MaxSize       int64         `json:"max_size"`
	Retention     time.Duration `json:"retention_ns"`
	BundleVersion uint64        `json:"bundle_version"`
	KnownTime     time.Time     `json:"known_time"`
	ReadOnly      bool          `json:"read_only,omitempty"`
	// Full is set while appends are refused with ErrFull; FullSince is when
	// that began and Refused counts the passes refused since Open. The log
	// has no gap: a refused pass got no sequence number.
	Full      bool      `json:"full"`
	FullSince time.Time `json:"full_since"`
	Refused   uint64    `json:"refused"`
	// Commits counts the append transactions since Open: passes appended
	// per commit shows group commit at work.
	Commits uint64 `json:"commits"`
	// Recovered is set when this file replaced a corrupt one (kept across
	// restarts for the life of this epoch).
	Recovered *Recovery `json:"recovered,omitempty"`
	// Check is how Open checked the file.
	Check OpenCheck `json:"check"`
}

// Status returns a snapshot. It works after Close too (Size is then read from
// the file system).
func (s *Store) Status() Status {
	s.mu.Lock()
	st := s.st
	s.mu.Unlock()
	out := Status{
		Path:          s.path,
		Epoch:         st.epoch,
		FirstSeq:      st.first,
		LastSeq:       st.last,
		AckedThrough:  st.acked,
		Pending:       st.last - st.acked,
		MaxSize:       s.opts.MaxSize,
		Retention:     s.opts.Retention,
		BundleVersion: st.bundleVersion,
		KnownTime:     st.knownTime,
		ReadOnly:      s.opts.ReadOnly,
		Full:          st.full,
		FullSince:     st.fullSince,
		Refused:       st.refused,
		Commits:       st.commits,
		Check:         st.check,
	}
	if st.last >= st.first {
		out.Records = st.last - st.first + 1
	}
	if st.recovered != nil {
		r := *st.recovered
		out.Recovered = &r
	}
	if fi, err := os.Stat(s.path); err == nil {
		out.Size = fi.Size()
	}
	return out
}
