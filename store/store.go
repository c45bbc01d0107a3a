package store

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/chot-dev/chot/internal/atomicfile"
)

// Store is the device's bbolt file. Its methods are safe for concurrent use.
type Store struct {
	path string
	opts Options
	db   *bolt.DB
	log  *slog.Logger

	reqs       chan *appendReq
	quit       chan struct{}
	writerDone chan struct{}

	closeMu sync.RWMutex // held shared by every operation, exclusively by Close
	closed  bool

	metaMu sync.Mutex // serialises the read-check-write methods (Ack, Identity, …)

	mu sync.Mutex // guards st
	st state

	dev          deviceState // PATH.state, guarded by mu
	legacyBundle []byte      // a read-only Open of an older store: its bundle

	born   time.Time    // Open's time, with its monotonic reading
	busyAt atomic.Int64 // time since born (+1) the commit in progress began; 0: idle
}

// state mirrors what the file holds, so that the hot accessors need no
// transaction.
type state struct {
	epoch         string
	first, last   uint64 // first seq still held (last+1 when none), last assigned
	acked         uint64
	bundleVersion uint64
	knownTime     time.Time
	full          bool
	fullSince     time.Time
	refused       uint64
	commits       uint64 // append transactions since Open
	recovered     *Recovery
	check         OpenCheck
}

// OpenCheck says how Open checked the file.
type OpenCheck struct {
	// Full is set when Open ran bbolt's full consistency check (after an
	// unclean shutdown, or with Options.FullCheck); otherwise it checked the
	// meta pages, the store's invariants and the newest records only.
	Full bool `json:"full"`
	// Unclean is set when the last writer did not close the store.
	Unclean bool          `json:"unclean"`
	Took    time.Duration `json:"took_ns"`
}

// Recovery describes a corrupt file that Open moved aside.
type Recovery struct {
	MovedTo string    `json:"moved_to"`
	At      time.Time `json:"at"`
	Reason  string    `json:"reason"`
}

// errCorruptFile marks an Open failure that means the file itself is bad.
var errCorruptFile = errors.New("corrupt file")

// Open opens the store at path, creating it (and a new epoch) when missing.
// It runs the integrity check; a file that fails it is renamed to
// path.corrupt-TIME and replaced by a fresh one with a new epoch, and Status
// reports the recovery. With opts.ReadOnly nothing is created or moved and a
// corrupt file gives ErrCorrupt.
func Open(path string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	if opts.MaxSize > math.MaxInt {
		return nil, fmt.Errorf("store: open: MaxSize %d too large for this platform", opts.MaxSize)
	}
	s := &Store{path: path, opts: opts, log: opts.Logger, born: time.Now()}
	if opts.ReadOnly {
		db, err := openVerified(path, opts, checkQuick)
		if err != nil {
			if errors.Is(err, errCorruptFile) {
				return nil, fmt.Errorf("store: open %s: %w: %w", path, ErrCorrupt, err)
			}
			return nil, fmt.Errorf("store: open %s: %w", path, err)
		}
		s.db = db
		err = s.load()
		if err == nil {
			err = s.loadState()
		}
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("store: open %s: %w", path, err)
		}
		return s, nil
	}

	_, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)
	// The marker says a process had the store open: if it is there, the
	// last one did not close it (kill -9, power cut, crash), so the file
	// gets the full check. Otherwise the quick one (the last pages written
	// and the store's invariants) is enough at start.
	_, markErr := os.Stat(runningMarker(path))
	unclean := markErr == nil && !created
	depth := checkQuick
	if unclean || opts.FullCheck {
		depth = checkFull
	}
	started := time.Now()
	var rec *Recovery
	db, err := openVerified(path, opts, depth)
	if errors.Is(err, errCorruptFile) {
		now := opts.Now().UTC()
		rec = &Recovery{
			MovedTo: path + ".corrupt-" + now.Format("20060102T150405.000Z"),
			At:      now,
			Reason:  err.Error(),
		}
		if rerr := os.Rename(path, rec.MovedTo); rerr != nil {
			return nil, fmt.Errorf("store: open %s: moving corrupt file aside: %w (corruption: %w)", path, rerr, err)
		}
		s.log.Error("store: corrupt file moved aside; a new epoch begins",
			"path", path, "moved_to", rec.MovedTo, "reason", rec.Reason)
		created = true
		db, err = openVerified(path, opts, checkQuick)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s.db = db
	var ready bool // an initialised store: nothing to write
	err = db.View(func(tx *bolt.Tx) error { ready = !isEmptyFile(tx); return nil })
	if err == nil && (!ready || rec != nil) {
		var epoch string
		if epoch, err = newEpoch(); err == nil {
			err = db.Update(func(tx *bolt.Tx) error { return initSchema(tx, epoch, rec) })
		}
	}
	if err == nil && created {
		err = atomicfile.SyncDir(filepath.Dir(path))
	}
	if err == nil {
		err = s.load()
	}
	if err == nil {
		err = s.loadState()
	}
	if err == nil {
		err = os.WriteFile(runningMarker(path), []byte("chot store open\n"), 0o600)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s.st.check = OpenCheck{Full: depth != checkQuick, Unclean: unclean, Took: time.Since(started)}
	if unclean {
		s.log.Warn("store: not closed cleanly last time: full check done", "took", s.st.check.Took)
	}
	s.reqs = make(chan *appendReq, opts.MaxBatch)
	s.quit = make(chan struct{})
	s.writerDone = make(chan struct{})
	go s.writer()
	return s, nil
}

// openVerified opens the bbolt file and runs the integrity check. Errors that
// mean the file is bad wrap errCorruptFile.
func openVerified(path string, opts Options, depth int) (*bolt.DB, error) {
	for attempt := 0; ; attempt++ {
		before, statErr := os.Stat(path)
		db, err := openBolt(path, opts)
		if err != nil {
			return nil, err
		}
		// Compact swaps a new file in while holding the old one's lock: a
		// process that opened the old file and waited for its lock must
		// reopen the path.
		if statErr == nil {
			after, err := os.Stat(path)
			if err != nil || !os.SameFile(before, after) {
				db.Close()
				if attempt >= 3 {
					return nil, fmt.Errorf("file keeps being replaced while opening (%v)", err)
				}
				continue
			}
		}
		if err := verify(db, depth); err != nil {
			db.Close()
			return nil, err
		}
		return db, nil
	}
}

func openBolt(path string, opts Options) (db *bolt.DB, err error) {
	defer func() {
		// bbolt panics on some malformed files instead of returning an error.
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: bbolt panicked: %v", errCorruptFile, r)
		}
	}()
	timeout := opts.Timeout
	if timeout < 0 {
		timeout = 0
	}
	maxSize := 0
	if opts.MaxSize > 0 {
		maxSize = int(opts.MaxSize)
	}
	// Mapping the whole MaxSize at once (address space only: the file
	// grows as data is written) means bbolt never remaps, so a read
	// transaction, however long, never blocks an append. Not on 32-bit
	// platforms, where address space is short.
	initialMmap := 0
	if !opts.ReadOnly && strconv.IntSize == 64 {
		initialMmap = maxSize
	}
	db, err = bolt.Open(path, 0o600, &bolt.Options{
		Timeout:         timeout,
		MaxSize:         maxSize,
		ReadOnly:        opts.ReadOnly,
		InitialMmapSize: initialMmap,
	})
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, ErrLocked
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch), isFileTooSmall(err):
		return nil, fmt.Errorf("%w: %w", errCorruptFile, err)
	}
	return nil, err
}

// isFileTooSmall matches bbolt's unexported error for a file shorter than
// its two meta pages.
func isFileTooSmall(err error) bool {
	return strings.Contains(err.Error(), "file size too small")
}

// Check depths.
const (
	checkQuick = iota // checkTail: every start after a clean shutdown
	checkFull         // bbolt's tx.Check and checkSchema: after an unclean shutdown
	checkDeep         // checkFull and every record decodes: Check, Compact
)

// verify runs the check of the given depth; a failure wraps errCorruptFile.
// An empty file (no bucket yet) passes.
func verify(db *bolt.DB, depth int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: check panicked: %v", errCorruptFile, r)
		}
	}()
	return db.View(func(tx *bolt.Tx) error {
		if depth == checkQuick {
			if isEmptyFile(tx) {
				return nil
			}
			if err := checkTail(tx); err != nil {
				return fmt.Errorf("%w: %w", errCorruptFile, err)
			}
			return nil
		}
		var errs []error
		for e := range tx.Check() {
			if len(errs) < 5 {
				errs = append(errs, e)
			}
		}
		if len(errs) > 0 {
			return fmt.Errorf("%w: bbolt check: %w", errCorruptFile, errors.Join(errs...))
		}
		if isEmptyFile(tx) {
			return nil
		}
		if err := checkSchema(tx, depth == checkDeep); err != nil {
			return fmt.Errorf("%w: %w", errCorruptFile, err)
		}
		return nil
	})
}

// load fills s.st from the file.
func (s *Store) load() error {
	return s.db.View(func(tx *bolt.Tx) error {
		m, p := tx.Bucket(bucketMeta), tx.Bucket(bucketPasses)
		if m == nil || p == nil {
			return fmt.Errorf("%w: not initialised", ErrCorrupt)
		}
		st := state{
			epoch:         string(m.Get(keyEpoch)),
			last:          getU64(m, keyLastSeq),
			acked:         getU64(m, keyAcked),
			bundleVersion: getU64(m, keyBundleVersion),
		}
		if v := m.Get(keyKnownTime); len(v) == 8 {
			st.knownTime = time.Unix(0, int64(binary.BigEndian.Uint64(v)))
		}
		st.first = st.last + 1
		if k, _ := p.Cursor().First(); k != nil {
			st.first = binary.BigEndian.Uint64(k)
		}
		if v := m.Get(keyRecovered); v != nil {
			st.recovered = new(Recovery)
			if err := json.Unmarshal(v, st.recovered); err != nil {
				return fmt.Errorf("recovery note: %w", err)
			}
		}
		s.mu.Lock()
		s.st = st
		s.mu.Unlock()
		return nil
	})
}

// enter takes the shared close lock for one operation.
func (s *Store) enter() error {
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return ErrClosed
	}
	return nil
}

func (s *Store) leave() { s.closeMu.RUnlock() }

// enterWrite is enter for methods that write.
func (s *Store) enterWrite() error {
	if s.opts.ReadOnly {
		return ErrReadOnly
	}
	return s.enter()
}

// Close waits for in-flight operations, commits the appends already queued,
// and closes the file. Later calls return ErrClosed.
func (s *Store) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return ErrClosed
	}
	s.closed = true
	s.closeMu.Unlock()
	if s.quit != nil {
		close(s.quit)
		<-s.writerDone
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	if !s.opts.ReadOnly {
		if err := os.Remove(runningMarker(s.path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("store: close: %w", err)
		}
	}
	return nil
}

// runningMarker is the file that exists while a writer has the store open.
func runningMarker(path string) string { return path + ".open" }

// Path returns the file's path.
func (s *Store) Path() string { return s.path }

func newEpoch() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("epoch: %w", err)
	}
	return hex.EncodeToString(b), nil
}
