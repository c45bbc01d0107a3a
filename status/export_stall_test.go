package status

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/store"
)

// smallBuffers makes a socket's buffers tiny, so that a client that does not
// read stalls the server's writes at once.
func smallBuffers(opt int) func(network, address string, c syscall.RawConn) error {
	return func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, opt, 4096) })
		if err != nil {
			return err
		}
		return serr
	}
}

// appendMany appends n passes with the given boot id from 32 goroutines.
func appendMany(t *testing.T, st *store.Store, n int, boot string) error {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for g := range 32 {
		wg.Go(func() {
			for i := g; i < n; i += 32 {
				if _, err := st.Append(context.Background(), record.Pass{At: t0.UnixMilli(), BootID: boot, Decision: "accept",
					Reason: "ok", Issuer: "VN", Gate: record.GateOpened}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// TestExportStalledClientDoesNotStallAppends: a client that asks for the
// export of a real bbolt log and stops reading holds no transaction, so
// appends that grow the file (and need bbolt to remap it) go on.
//
// No timing: were the export holding a read transaction, the appends could
// only finish once the stalled write was cut (exportChunkTimeout), and the
// client would then find its export truncated. So the appends finish, and
// only then the client reads on and must get the whole export: the stall
// outlived the appends.
func TestExportStalledClientDoesNotStallAppends(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a store: not in -short")
	}
	path := filepath.Join(t.TempDir(), "chot.db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := appendMany(t, st, 20000, "b1"); err != nil {
		t.Fatal(err)
	}
	e := &env{src: newFakeSource(sampleSnapshot()), actions: &fakeActions{}, clock: &clock{t: t0}, log: &fakeLog{}}
	e.srv = New(Config{AdminPasswordHash: testHash, Now: e.clock.Now, Logger: discardLogger()},
		Deps{Source: e.src, Actions: e.actions, Log: st, Health: fakeHealth{sampleHealth()}})
	e.h = e.srv.Handler()
	sc, _ := e.login(t)

	ln, err := (&net.ListenConfig{Control: smallBuffers(syscall.SO_SNDBUF)}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- e.srv.Serve(ctx, ln) }()
	defer func() { cancel(); <-served }()

	conn, err := (&net.Dialer{Control: smallBuffers(syscall.SO_RCVBUF)}).Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /export.csv HTTP/1.1\r\nHost: chot\r\nCookie: %s=%s\r\n\r\n", sc.Name, sc.Value)
	// Read the start of the answer, then stop reading: the export is under way.
	buf := make([]byte, 512)
	n, err := conn.Read(buf)
	if err != nil || !strings.Contains(string(buf[:n]), "200 OK") {
		t.Fatalf("export did not start: %v %q", err, buf[:n])
	}

	fi, _ := os.Stat(path)
	big := strings.Repeat("x", 4000) // 4 KB passes: the file must grow
	done := make(chan error, 1)
	go func() { done <- appendMany(t, st, 2000, big) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Minute): // a hang, not a timing assertion
		t.Fatal("appends hung behind a client that stopped reading the export")
	}
	if after, _ := os.Stat(path); after.Size() <= fi.Size() {
		t.Errorf("file did not grow (%d → %d bytes): the test did not need a remap", fi.Size(), after.Size())
	}
	// The client reads on: the export was never cut, so the appends did not
	// wait for the stall to end.
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Minute)) // a hang guard
	resp, err := http.ReadResponse(bufio.NewReader(io.MultiReader(strings.NewReader(string(buf[:n])), conn)), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if rows := strings.Count(string(body), "\n") - 1; err != nil || rows != 20000 {
		t.Errorf("export after the appends: %d of 20000 rows, %v: it was cut while the appends waited", rows, err)
	}
}
