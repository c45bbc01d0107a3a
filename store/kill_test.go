package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chot-dev/chot/record"
)

// killChildEnv, when set to a file path, turns the test binary into the
// writer that TestKillNine kills: see killChild.
const killChildEnv = "CHOT_STORE_KILL_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(killChildEnv); path != "" {
		killChild(path)
		os.Exit(3) // killChild only returns on failure
	}
	os.Exit(m.Run())
}

// killChild appends from 4 goroutines forever, printing "S seq reason" after
// each Append has returned and "A n" after each Ack(n) has returned; it also
// prunes now and then, so deletes are killed too.
func killChild(path string) {
	s, err := Open(path, Options{Retention: time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return
	}
	var mu sync.Mutex
	say := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(os.Stdout, format+"\n", a...)
	}
	start := s.LastSeq()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				p := testPass(i, testT0)
				p.Reason = fmt.Sprintf("w%d-%d-%d", w, start, i)
				got, err := s.Append(context.Background(), p)
				if err != nil {
					fmt.Fprintln(os.Stderr, "append:", err)
					os.Exit(4)
				}
				say("S %d %s", got.Seq, p.Reason)
				if w == 0 && got.Seq%16 == 0 {
					if err := s.Ack(got.Seq - 8); err != nil {
						fmt.Fprintln(os.Stderr, "ack:", err)
						os.Exit(4)
					}
					say("A %d", got.Seq-8)
				}
				if w == 1 && i%32 == 31 {
					if _, err := s.Prune(testT0.Add(time.Hour)); err != nil {
						fmt.Fprintln(os.Stderr, "prune:", err)
						os.Exit(4)
					}
				}
			}
		})
	}
	wg.Wait()
}

// killLoops is how many times TestKillNine kills the writer: CHOT_KILL_LOOPS,
// else 200 (~30 s here), 50 with -short, 30 under -race (whose point is the
// in-process tests; a race-built child is slow to start).
func killLoops(t *testing.T) int {
	if v := os.Getenv("CHOT_KILL_LOOPS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("CHOT_KILL_LOOPS=%q: want a positive integer", v)
		}
		return n
	}
	switch {
	case raceEnabled:
		return 30
	case testing.Short():
		return 50
	}
	return 200
}

// TestKillNine kills a child process that appends in a loop at random moments
// and reopens the file after each kill: every pass whose Append returned is
// there (or was acknowledged and pruned), sequence numbers have no gap, the
// watermark never went back, and the file passes the full check.
func TestKillNine(t *testing.T) {
	loops := killLoops(t)
	path := filepath.Join(t.TempDir(), "chot.db")
	// Provisioning: the file exists before the first scan (see Caveats).
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	epoch := s.Epoch()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 5))
	var (
		reasons      = map[uint64]string{} // seq → reason, every acknowledged append
		maxAck       uint64
		racedCommits int // appends committed but killed before they returned
		total        int
	)
	for loop := range loops {
		killAfter := r.IntN(40) // lines to read before the kill; 0: at once
		seen := runAndKill(t, path, killAfter)
		for _, line := range seen {
			f := strings.Fields(line)
			n, _ := strconv.ParseUint(f[1], 10, 64)
			switch f[0] {
			case "S":
				if _, dup := reasons[n]; dup {
					t.Fatalf("loop %d: seq %d returned twice", loop, n)
				}
				reasons[n] = f[2]
				total++
			case "A":
				maxAck = max(maxAck, n)
			}
		}

		s, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("loop %d: reopen: %v", loop, err)
		}
		st := s.Status()
		if st.Recovered != nil || s.Epoch() != epoch {
			t.Fatalf("loop %d: file was replaced: %+v, epoch %s→%s", loop, st.Recovered, epoch, s.Epoch())
		}
		if st.AckedThrough < maxAck {
			t.Fatalf("loop %d: watermark %d, but Ack(%d) had returned", loop, st.AckedThrough, maxAck)
		}
		var held, maxSeen uint64
		for seq := range reasons {
			maxSeen = max(maxSeen, seq)
		}
		if maxSeen > st.LastSeq {
			t.Fatalf("loop %d: seq %d returned, LastSeq %d after reopen", loop, maxSeen, st.LastSeq)
		}
		err = s.Range(0, func(p record.Pass) error {
			if want, ok := reasons[p.Seq]; ok && p.Reason != want {
				return fmt.Errorf("seq %d holds %q, Append returned it for %q", p.Seq, p.Reason, want)
			}
			if _, ok := reasons[p.Seq]; !ok {
				reasons[p.Seq] = p.Reason // committed, killed before it returned
				racedCommits++
			}
			held++
			return nil
		})
		if err != nil {
			t.Fatalf("loop %d: %v", loop, err)
		}
		if held != st.Records || st.FirstSeq > st.AckedThrough+1 {
			t.Fatalf("loop %d: held %d records, status %+v", loop, held, st)
		}
		for seq := range reasons {
			if seq < st.FirstSeq && seq > st.AckedThrough {
				t.Fatalf("loop %d: unacknowledged seq %d is gone (first %d)", loop, seq, st.FirstSeq)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := Check(path, Options{}); err != nil {
			t.Fatalf("loop %d: %v", loop, err)
		}
	}
	t.Logf("%d kills, %d appends returned, %d committed but not returned, watermark %d", loops, total, racedCommits, maxAck)
	if total == 0 {
		t.Fatal("no append ever returned: the child never ran")
	}
}

// runAndKill starts the child on path, reads killAfter lines, SIGKILLs it and
// returns every line it printed (including those still in the pipe).
func runAndKill(t *testing.T, path string, killAfter int) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), killChildEnv+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	var lines []string
	for len(lines) < killAfter && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	_ = cmd.Process.Kill()
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("child ended by itself (%v): %s", err, stderr.String())
	}
	return lines
}
