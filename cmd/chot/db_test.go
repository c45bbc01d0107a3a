package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/store"
)

// runDB runs `chot db ARGS...` in-process.
func runDB(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), &env{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		args: append([]string{"db"}, args...), now: time.Now,
	})
	return code, out.String(), errb.String()
}

// makeDB writes a store with n passes, the first acked ones acknowledged.
func makeDB(t *testing.T, n int, acked uint64) (path, epoch string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "chot.db")
	s, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range n {
		p := record.Pass{At: int64(1_790_000_000_000 + i), Clock: record.ClockSynced, Decision: "accept",
			Reason: "ok", Format: "dcc", Issuer: "AT", Kid: "a2lk", Gate: record.GateOpened, LatencyUS: int64(i)}
		if _, err := s.Append(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Ack(acked); err != nil {
		t.Fatal(err)
	}
	return path, s.Epoch()
}

func TestDBInspect(t *testing.T) {
	path, epoch := makeDB(t, 3, 1)
	code, out, errs := runDB(t, "inspect", path)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"epoch:          " + epoch, "records:        3 (seq 1..3)", "acked through:  1", "pending:        2"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = runDB(t, "inspect", "--json", path)
	var st store.Status
	if code != exitOK || json.Unmarshal([]byte(out), &st) != nil {
		t.Fatalf("exit %d, output %q: %s", code, out, errs)
	}
	if st.LastSeq != 3 || st.AckedThrough != 1 || st.Epoch != epoch {
		t.Fatalf("status %+v", st)
	}
}

func TestDBExport(t *testing.T) {
	path, epoch := makeDB(t, 4, 0)
	cases := []struct {
		name     string
		args     []string
		wantSeqs []uint64
	}{
		{"jsonl all", []string{"--format", "jsonl"}, []uint64{1, 2, 3, 4}},
		{"jsonl from 3", []string{"--from", "3"}, []uint64{3, 4}},
		{"csv all", []string{"--format", "csv"}, []uint64{1, 2, 3, 4}},
		{"csv from 4", []string{"--format=csv", "--from=4"}, []uint64{4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runDB(t, append(append([]string{"export"}, c.args...), path)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var got []record.Pass
			if strings.HasPrefix(c.name, "csv") {
				passes, err := record.ReadCSV(strings.NewReader(out))
				if err != nil {
					t.Fatalf("csv: %v\n%s", err, out)
				}
				got = passes
			} else {
				for line := range strings.Lines(out) {
					var p record.Pass
					if err := json.Unmarshal([]byte(line), &p); err != nil {
						t.Fatalf("line %q: %v", line, err)
					}
					got = append(got, p)
				}
			}
			if len(got) != len(c.wantSeqs) {
				t.Fatalf("got %d passes, want %d:\n%s", len(got), len(c.wantSeqs), out)
			}
			for i, p := range got {
				if p.Seq != c.wantSeqs[i] || p.Epoch != epoch || p.Decision != "accept" || p.LatencyUS != int64(p.Seq-1) {
					t.Fatalf("pass %d: %+v", i, p)
				}
			}
		})
	}
	if code, _, _ := runDB(t, "export", "--format", "xml", path); code != exitUsage {
		t.Fatalf("--format xml: exit %d, want %d", code, exitUsage)
	}
}

func TestDBCheck(t *testing.T) {
	good, _ := makeDB(t, 3, 0)
	bad := filepath.Join(t.TempDir(), "bad.db")
	if err := os.WriteFile(bad, bytes.Repeat([]byte("garbage!"), 4096), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		path string
		want int
	}{
		{"ok", good, exitOK},
		{"corrupt", bad, exitReject},
		{"missing", filepath.Join(t.TempDir(), "none.db"), exitUsage},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if code, _, errs := runDB(t, "check", c.path); code != c.want {
				t.Fatalf("exit %d, want %d: %s", code, c.want, errs)
			}
		})
	}
	// check changes nothing: the corrupt file is still where it was.
	if b, err := os.ReadFile(bad); err != nil || !bytes.HasPrefix(b, []byte("garbage!")) {
		t.Fatalf("check modified the corrupt file: %v", err)
	}
}

func TestDBCompact(t *testing.T) {
	path, epoch := makeDB(t, 300, 300)
	s, err := store.Open(path, store.Options{Retention: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.Prune(time.UnixMilli(1_800_000_000_000)); err != nil || n != 300 {
		t.Fatalf("prune %d, %v", n, err)
	}
	// While the file is open (as under chotd), compact refuses.
	code, _, errs := runDB(t, "compact", "--timeout", "50ms", path)
	if code != exitUsage || !strings.Contains(errs, "stop chotd") {
		t.Fatalf("compact while open: exit %d, %q", code, errs)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(path)
	code, out, errs := runDB(t, "compact", path)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	after, _ := os.Stat(path)
	if after.Size() >= before.Size() || !strings.Contains(out, "compacted") {
		t.Fatalf("size %d → %d; output %q", before.Size(), after.Size(), out)
	}
	s, err = store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Epoch() != epoch || s.LastSeq() != 300 || s.AckedThrough() != 300 || s.Status().Recovered != nil {
		t.Fatalf("after compact: epoch %s last %d acked %d", s.Epoch(), s.LastSeq(), s.AckedThrough())
	}
}

func TestDBInit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chot.db")
	code, out, errs := runDB(t, "init", path)
	if code != exitOK || !strings.HasPrefix(out, "created "+path) {
		t.Fatalf("exit %d, output %q: %s", code, out, errs)
	}
	// A second init keeps the file, its epoch and its identity.
	code, out2, errs := runDB(t, "init", path)
	if code != exitOK || !strings.HasPrefix(out2, "exists: "+path) {
		t.Fatalf("second init: exit %d, output %q: %s", code, out2, errs)
	}
	rest := func(s string) string { return s[strings.Index(s, "\n"):] }
	if rest(out) != rest(out2) {
		t.Fatalf("epoch or key changed:\n%s\n%s", out, out2)
	}
	if !strings.Contains(out, "device key: ") || len(strings.TrimSpace(out[strings.Index(out, "device key: ")+12:])) != 64 {
		t.Fatalf("no 32-byte hex key in %q", out)
	}
}
