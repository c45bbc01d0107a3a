package store

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestOpenTimeBigFile measures Open on a big store: the quick check after a
// clean shutdown against the full one after an unclean shutdown. It runs only
// with CHOT_BIG_STORE=PATH (the file is built there once, to
// CHOT_BIG_STORE_MB megabytes, default 1024):
//
//	CHOT_BIG_STORE=/var/tmp/big.db go test -run TestOpenTimeBigFile -v ./store/
func TestOpenTimeBigFile(t *testing.T) {
	path := os.Getenv("CHOT_BIG_STORE")
	if path == "" {
		t.Skip("set CHOT_BIG_STORE=PATH to measure Open on a big file")
	}
	want := int64(1024)
	if v := os.Getenv("CHOT_BIG_STORE_MB"); v != "" {
		if err := json.Unmarshal([]byte(v), &want); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() < want<<20*9/10 {
		buildBig(t, path, want<<20)
	}
	fi, _ := os.Stat(path)
	for _, c := range []struct {
		name string
		opts Options
	}{{"quick (clean shutdown)", Options{MaxSize: -1}}, {"full (unclean shutdown)", Options{MaxSize: -1, FullCheck: true}}} {
		start := time.Now()
		s, err := Open(path, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		st := s.Status()
		s.Close()
		t.Logf("%s: Open of %d MiB, %d records: %s (full=%v)", c.name, fi.Size()>>20, st.Records, took.Round(time.Millisecond), st.Check.Full)
	}
}

// buildBig fills a store at path with realistic passes up to size bytes,
// in large unsynced transactions (only the measurement matters).
func buildBig(t *testing.T, path string, size int64) {
	t.Helper()
	os.Remove(path)
	s, err := Open(path, Options{MaxSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	s.db.NoSync = true
	seq := uint64(0)
	for {
		err := s.db.Update(func(tx *bolt.Tx) error {
			b, m := tx.Bucket(bucketPasses), tx.Bucket(bucketMeta)
			b.FillPercent = 1.0
			for range 100000 {
				seq++
				p := testPass(int(seq), testT0)
				p.Seq, p.Epoch = seq, s.Epoch()
				v, _ := json.Marshal(p)
				if err := b.Put(seqKey(seq), v); err != nil {
					return err
				}
			}
			return putU64(m, keyLastSeq, seq)
		})
		if err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(path); fi.Size() >= size {
			break
		}
	}
	s.db.NoSync = false
	if err := s.db.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
