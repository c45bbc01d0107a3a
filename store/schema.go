package store

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/chot-dev/chot/record"
)

// The file's layout. passes: big-endian uint64 seq → JSON record.Pass, written
// append-only with FillPercent 1.0. meta: everything else.
var (
	bucketPasses = []byte("passes")
	bucketMeta   = []byte("meta")

	keySchema        = []byte("schema")         // uint64, schemaVersion
	keyEpoch         = []byte("epoch")          // 32 hex chars
	keyLastSeq       = []byte("last_seq")       // uint64, last assigned seq
	keyAcked         = []byte("acked_through")  // uint64, sync watermark
	keyKnownTime     = []byte("known_time")     // int64 Unix nanoseconds
	keyBundle        = []byte("bundle")         // raw signed trust bundle
	keyBundleVersion = []byte("bundle_version") // uint64
	keyIdentity      = []byte("identity")       // 32-byte Ed25519 seed
	keyRecovered     = []byte("recovered")      // JSON Recovery
)

const schemaVersion = 1

func seqKey(seq uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, seq)
	return k
}

func getU64(b *bolt.Bucket, key []byte) uint64 {
	v := b.Get(key)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func putU64(b *bolt.Bucket, key []byte, v uint64) error {
	return b.Put(key, seqKey(v))
}

func decodePass(k, v []byte) (p record.Pass, err error) {
	if len(k) != 8 {
		return p, fmt.Errorf("key %x: not 8 bytes", k)
	}
	if err := json.Unmarshal(v, &p); err != nil {
		return p, fmt.Errorf("record %d: %w", binary.BigEndian.Uint64(k), err)
	}
	if seq := binary.BigEndian.Uint64(k); p.Seq != seq {
		return p, fmt.Errorf("record under key %d has seq %d", seq, p.Seq)
	}
	return p, nil
}

// initSchema creates the buckets and a new epoch in an empty file, and records
// rec (the corrupt file this one replaces) when it is non-nil.
func initSchema(tx *bolt.Tx, epoch string, rec *Recovery) error {
	if _, err := tx.CreateBucketIfNotExists(bucketPasses); err != nil {
		return err
	}
	m, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	if m.Get(keyEpoch) == nil {
		if err := m.Put(keyEpoch, []byte(epoch)); err != nil {
			return err
		}
		if err := putU64(m, keySchema, schemaVersion); err != nil {
			return err
		}
	}
	if rec != nil {
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if err := m.Put(keyRecovered, b); err != nil {
			return err
		}
	}
	return nil
}

// isEmptyFile reports whether tx holds no bucket at all: a file bbolt just
// created, or one whose first initialisation never committed.
func isEmptyFile(tx *bolt.Tx) bool {
	empty := true
	_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
	return empty
}

// checkSchema verifies the store's own invariants on top of bbolt's check:
// both buckets, a valid epoch, contiguous 8-byte keys ending at last_seq, and
// the watermark not past it. deep also decodes every record.
func checkSchema(tx *bolt.Tx, deep bool) error {
	p, last, acked, err := checkHeader(tx)
	if err != nil {
		return err
	}
	var first, prev uint64
	c := p.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 {
			return fmt.Errorf("key %x: not 8 bytes", k)
		}
		seq := binary.BigEndian.Uint64(k)
		if prev != 0 && seq != prev+1 {
			return fmt.Errorf("gap: seq %d follows %d", seq, prev)
		}
		if seq == 0 || seq > last {
			return fmt.Errorf("seq %d outside 1..last_seq %d", seq, last)
		}
		if deep {
			if _, err := decodePass(k, v); err != nil {
				return err
			}
		}
		if first == 0 {
			first = seq
		}
		prev = seq
	}
	if first == 0 {
		first = last + 1
	}
	if first > acked+1 {
		return fmt.Errorf("unacknowledged records missing: log starts at %d, acked_through %d", first, acked)
	}
	if prev != 0 && prev != last {
		return fmt.Errorf("last record %d, last_seq %d", prev, last)
	}
	return nil
}

// checkHeader is what both checks test first: both buckets, the schema
// version, a valid epoch, and the watermark not past last_seq. It returns
// the passes bucket and the two counters.
func checkHeader(tx *bolt.Tx) (p *bolt.Bucket, last, acked uint64, err error) {
	m, p := tx.Bucket(bucketMeta), tx.Bucket(bucketPasses)
	if m == nil || p == nil {
		return nil, 0, 0, fmt.Errorf("missing bucket (meta %t, passes %t)", m != nil, p != nil)
	}
	if v := getU64(m, keySchema); v != schemaVersion {
		return nil, 0, 0, fmt.Errorf("schema version %d, want %d", v, schemaVersion)
	}
	if e := m.Get(keyEpoch); len(e) != 32 || !isHex(e) {
		return nil, 0, 0, fmt.Errorf("bad epoch %q", e)
	}
	last, acked = getU64(m, keyLastSeq), getU64(m, keyAcked)
	if acked > last {
		return nil, 0, 0, fmt.Errorf("acked_through %d > last_seq %d", acked, last)
	}
	return p, last, acked, nil
}

func isHex(b []byte) bool {
	_, err := hex.DecodeString(string(b))
	return err == nil
}

// quickRecords is how many of the newest records the quick check reads.
const quickRecords = 1024

// checkTail is the quick form of checkSchema, for every start: the buckets,
// the epoch and the counters, the first record, and the newest quickRecords
// records (the last pages written) contiguous, decoding and ending at
// last_seq. It reads a few pages, whatever the file's size.
func checkTail(tx *bolt.Tx) error {
	p, last, acked, err := checkHeader(tx)
	if err != nil {
		return err
	}
	c := p.Cursor()
	k, v := c.First()
	if k == nil {
		return nil
	}
	if _, err := decodePass(k, v); err != nil {
		return err
	}
	if first := binary.BigEndian.Uint64(k); first == 0 || first > acked+1 {
		return fmt.Errorf("unacknowledged records missing: log starts at %d, acked_through %d", first, acked)
	}
	var next uint64
	n := 0
	for k, v := c.Last(); k != nil && n < quickRecords; k, v = c.Prev() {
		pass, err := decodePass(k, v)
		if err != nil {
			return err
		}
		if n == 0 && pass.Seq != last {
			return fmt.Errorf("last record %d, last_seq %d", pass.Seq, last)
		}
		if n > 0 && pass.Seq+1 != next {
			return fmt.Errorf("gap: seq %d follows %d", next, pass.Seq)
		}
		next = pass.Seq
		n++
	}
	return nil
}
