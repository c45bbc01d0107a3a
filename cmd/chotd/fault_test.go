package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/store"
	"github.com/chot-dev/chot/sync/hub"
)

// hubFault is what the hub's link does to requests.
type hubFault int32

const (
	hubOK      hubFault = iota
	hubDown             // 503
	hubGarbage          // 200 with a body that is not the protocol
	hubSlow             // 2 s before every answer
)

var hubFaultNames = []string{"ok", "5xx", "garbage", "slow"}

// faultyLink is a reverse proxy in front of the real hub that misbehaves on
// demand.
type faultyLink struct {
	mode  atomic.Int32
	proxy *httputil.ReverseProxy
}

func (f *faultyLink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch hubFault(f.mode.Load()) {
	case hubDown:
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	case hubGarbage:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"acked_through": "soon", "server_time": 42, ` + strings.Repeat("\x00", 64)))
		return
	case hubSlow:
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
			return
		}
	}
	f.proxy.ServeHTTP(w, r)
}

// qrFrame writes a 640×480 PNG showing text as a QR code.
func qrFrame(t *testing.T, path, text string) {
	t.Helper()
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0,
		map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_ERROR_CORRECTION: "M", gozxing.EncodeHintType_MARGIN: 2})
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 640, 480))
	for i := range img.Pix {
		img.Pix[i] = 230
	}
	n := m.GetWidth()
	scale := 400 / n
	ox, oy := (640-n*scale)/2, (480-n*scale)/2
	for y := 0; y < n*scale; y++ {
		for x := 0; x < n*scale; x++ {
			if m.Get(x/scale, y/scale) {
				img.Pix[(oy+y)*img.Stride+ox+x] = 20
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// doc is the part of status.json the fault test reads.
type doc struct {
	Snapshot struct {
		Gate  string `json:"gate"`
		LED   string `json:"led"`
		Clock struct {
			State        string    `json:"state"`
			Now          time.Time `json:"now"`
			LastSync     time.Time `json:"last_sync"`
			WallOffsetMS int64     `json:"wall_offset_ms"`
		} `json:"clock"`
		Recent []struct {
			Seq uint64    `json:"seq"`
			At  time.Time `json:"at"`
		} `json:"recent"`
		Warnings []string `json:"warnings"`
	} `json:"snapshot"`
	Health struct {
		Backlog uint64 `json:"backlog"`
		Camera  struct {
			Running bool `json:"running"`
		} `json:"camera"`
	} `json:"health"`
}

// cameraFault returns the camera's warning on the page, or "".
func (d doc) cameraFault() string {
	for _, w := range d.Snapshot.Warnings {
		if strings.HasPrefix(w, "camera:") {
			return w
		}
	}
	return ""
}

// child is a chotd process; done is closed once it has exited.
type child struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error // what Wait returned, once done
}

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func getDoc(addr string) (doc, error) {
	var d doc
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + addr + "/status.json")
	if err != nil {
		return d, err
	}
	defer resp.Body.Close()
	return d, json.NewDecoder(resp.Body).Decode(&d)
}

// TestDaemonFaults runs chotd as users run it — a process of its own with a
// real bbolt store, replayed frames, fake pins and a real hub (SQLite) on
// loopback behind a link that fails on demand — and kills it with SIGKILL
// while it decides, cycle after cycle, the hub down, answering garbage or
// slowly; every other cycle (once in the default run: it costs cameraGrace)
// the camera is unplugged and back with chotd running, which must show the
// camera fault and go on without a restart; in the cycles with the hub
// healthy the board's wall clock jumps a year forward and back, which chotd
// must show as the board clock's offset while it keeps the hub's time and
// stamps passes with it. Every pass chotd showed as decided must be in its
// log after the restart, the gate closed at every start, and at the end
// every logged pass at the hub exactly once. CHOT_FAULT_CYCLES sets the
// number of cycles (default 4, a few seconds each).
func TestDaemonFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs chotd processes")
	}
	cycles := 4
	if v := os.Getenv("CHOT_FAULT_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatal(err)
		}
		cycles = n
	}
	dir := t.TempDir()
	data, frames := filepath.Join(dir, "data"), filepath.Join(dir, "frames")
	for _, d := range []string{data, frames} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for i, text := range []string{"FAULT-TEST-A", "FAULT-TEST-B"} {
		qrFrame(t, filepath.Join(frames, fmt.Sprintf("%d.png", i)), text)
	}
	// The device's key, made before the first start, is enrolled at the hub.
	hs, real := enrolledHub(t, dir, filepath.Join(data, "chot.db"), store.Options{})
	ctx := context.Background()
	target, _ := url.Parse(real.URL)
	link := &faultyLink{proxy: httputil.NewSingleHostReverseProxy(target)}
	front := httptest.NewServer(link)
	defer front.Close()

	addr := freePort(t)
	cfg := filepath.Join(dir, "chotd.yaml")
	conf := fmt.Sprintf(`
version: 1
device: {id: gate-1, data_dir: %s}
hub: {url: %q, interval: 300ms}
trust: {roots: ["11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="]}
camera: {source: replay, dir: %s, fps: 10, quiet: 50ms}
gpio: {driver: fake, relay: GPIO17}
status: {listen: %q}
privacy: {subject_key: 000102030405060708090a0b0c0d0e0f}
`, data, front.URL, frames, addr)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	// shiftFile holds how far the child's board wall clock is off
	// (followShift in main_test.go), written whole by a rename.
	shiftFile := filepath.Join(dir, "clock-shift")
	setShift := func(d time.Duration) {
		tmp := shiftFile + ".new"
		if err := os.WriteFile(tmp, []byte(d.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, shiftFile); err != nil {
			t.Fatal(err)
		}
	}
	setShift(0)
	start := func() *child {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "CHOT_FAULT_CHILD="+cfg, "CHOT_FAULT_SHIFT="+shiftFile)
		cmd.Stderr = io.Discard
		if os.Getenv("CHOT_FAULT_LOG") != "" {
			cmd.Stderr = os.Stderr
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ch := &child{cmd: cmd, done: make(chan struct{})}
		go func() { ch.err = cmd.Wait(); close(ch.done) }()
		return ch
	}
	// waitDoc polls status.json until ok says so.
	waitDoc := func(what string, ok func(doc) bool) doc {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			d, err := getDoc(addr)
			if err == nil && ok(d) {
				return d
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 30 s (last %+v, %v)", what, d, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// The camera is unplugged (its folder renamed away) every other cycle in
	// long runs, once in the default run: it takes cameraGrace and more.
	kills, unplugs, jumps := 0, 0, 0
	unplugEvery := 2
	if os.Getenv("CHOT_FAULT_CYCLES") == "" {
		unplugEvery = 4
	}
	// unplug takes the camera away while chotd runs and puts it back: the
	// page shows the camera fault while it is gone, the same process goes
	// on (no restart), and decisions resume once it is back.
	unplug := func(c int, ch *child) {
		t.Helper()
		gone := frames + ".unplugged"
		if err := os.Rename(frames, gone); err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		d := waitDoc("camera fault shown", func(d doc) bool { return d.cameraFault() != "" || ch.exited() })
		if ch.exited() {
			t.Fatalf("cycle %d: chotd exited with the camera unplugged (%v): it must not restart", c, ch.err)
		}
		if d.Snapshot.LED != "fault" || d.Health.Camera.Running {
			t.Errorf("cycle %d: camera unplugged: led %q, camera running %v; want fault, false", c, d.Snapshot.LED, d.Health.Camera.Running)
		}
		faultAfter := time.Since(t0)
		last := uint64(0)
		if len(d.Snapshot.Recent) > 0 {
			last = d.Snapshot.Recent[0].Seq
		}
		if err := os.Rename(gone, frames); err != nil {
			t.Fatal(err)
		}
		// Back: the fault clears and new passes are decided, by the same
		// process.
		waitDoc("decisions after the camera is back", func(d doc) bool {
			return ch.exited() || (d.cameraFault() == "" && len(d.Snapshot.Recent) > 0 && d.Snapshot.Recent[0].Seq > last+1)
		})
		if ch.exited() {
			t.Fatalf("cycle %d: chotd exited after the camera came back (%v)", c, ch.err)
		}
		unplugs++
		t.Logf("cycle %d: camera unplugged: fault shown after %s, decisions resumed %s after replug, pid %d throughout",
			c, faultAfter.Round(100*time.Millisecond), (time.Since(t0) - faultAfter).Round(100*time.Millisecond), ch.cmd.Process.Pid)
	}

	// jumpClock jumps the running chotd's board wall clock a year forward,
	// then a year back, then back to the real time, with the hub healthy.
	// The child must show each jump as the board clock's offset (so the
	// jump reached it), keep the hub's time (synced, near the real time),
	// and stamp the passes it decides meanwhile with that time; jumped
	// collects them (seq: the real time they were seen) for the hub check.
	jumped := map[uint64]time.Time{}
	jumpClock := func(c int, ch *child) {
		t.Helper()
		checkTime := func(d doc, shift time.Duration) {
			t.Helper()
			if d.Snapshot.Clock.State != "synced" || time.Since(d.Snapshot.Clock.Now).Abs() > time.Minute {
				t.Fatalf("cycle %d: board clock %+v: chotd's time %s (%s), want synced near %s",
					c, shift, d.Snapshot.Clock.Now, d.Snapshot.Clock.State, time.Now())
			}
		}
		offsetIs := func(d doc, shift time.Duration) bool {
			return (time.Duration(d.Snapshot.Clock.WallOffsetMS)*time.Millisecond - shift).Abs() <= time.Minute
		}
		t0 := time.Now()
		d := waitDoc("clock synced with the hub", func(d doc) bool { return ch.exited() || d.Snapshot.Clock.State == "synced" })
		if !offsetIs(d, 0) {
			t.Fatalf("cycle %d: board clock offset %d ms before any jump, want near 0", c, d.Snapshot.Clock.WallOffsetMS)
		}
		for _, shift := range []time.Duration{365 * 24 * time.Hour, -365 * 24 * time.Hour} {
			var last uint64
			if len(d.Snapshot.Recent) > 0 {
				last = d.Snapshot.Recent[0].Seq
			}
			setShift(shift)
			// (a) the jump reached the child: its board clock is off by it.
			d = waitDoc(fmt.Sprintf("the board clock's offset at %+v", shift), func(d doc) bool {
				if !ch.exited() {
					checkTime(d, shift)
				}
				return ch.exited() || offsetIs(d, shift)
			})
			// (b), (c) the time stays the hub's: a hub answer is taken with
			// the board clock jumped, and the passes decided with it (three)
			// are stamped with the hub's time.
			jumpedAt := time.Now()
			d = waitDoc(fmt.Sprintf("a hub answer and decisions with the board clock at %+v", shift), func(d doc) bool {
				if !ch.exited() {
					checkTime(d, shift)
				}
				return ch.exited() || (offsetIs(d, shift) && d.Snapshot.Clock.LastSync.After(jumpedAt) &&
					len(d.Snapshot.Recent) > 0 && d.Snapshot.Recent[0].Seq >= last+3)
			})
			if ch.exited() {
				t.Fatalf("cycle %d: chotd exited with the board clock at %+v (%v)", c, shift, ch.err)
			}
			for _, p := range d.Snapshot.Recent {
				if p.Seq <= last {
					break
				}
				if time.Since(p.At).Abs() > time.Minute {
					t.Errorf("cycle %d: board clock %+v: pass %d stamped %s, want near %s", c, shift, p.Seq, p.At, time.Now())
				}
				jumped[p.Seq] = time.Now()
			}
			jumps++
		}
		setShift(0)
		waitDoc("the board clock back", func(d doc) bool { return ch.exited() || offsetIs(d, 0) })
		t.Logf("cycle %d: board clock jumped %+v and %+v: chotd synced near the real time throughout, %s, pid %d",
			c, 365*24*time.Hour, -365*24*time.Hour, time.Since(t0).Round(100*time.Millisecond), ch.cmd.Process.Pid)
	}

	var seen uint64 // the highest seq chotd showed as decided (logged)
	for c := range cycles {
		fault := hubFault(c % len(hubFaultNames))
		link.mode.Store(int32(fault))
		cmd := start()
		first := waitDoc("status page up", func(doc) bool { return true })
		if first.Snapshot.Gate == "open" {
			t.Errorf("cycle %d: gate open right after the restart", c)
		}
		// Every pass decided before the kill is still in the log.
		d := waitDoc("decisions after the restart", func(d doc) bool {
			return len(d.Snapshot.Recent) > 0 && d.Snapshot.Recent[0].Seq > seen+3
		})
		if c%unplugEvery == 1 {
			unplug(c, cmd)
		}
		if fault == hubOK {
			jumpClock(c, cmd)
		}
		time.Sleep(time.Duration(rand.IntN(200)) * time.Millisecond) // kill at a random point of a decision
		d2, err := getDoc(addr)
		if err == nil && len(d2.Snapshot.Recent) > 0 {
			d = d2
		}
		seen = max(seen, d.Snapshot.Recent[0].Seq)
		if cmd.exited() {
			t.Fatalf("cycle %d: chotd exited by itself before the kill: %v", c, cmd.err)
		}
		if err := cmd.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-cmd.done
		kills++
		ro, err := store.Open(filepath.Join(data, "chot.db"), store.Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("cycle %d (%s): open after kill -9: %v", c, hubFaultNames[fault], err)
		}
		if last := ro.LastSeq(); last < seen {
			t.Errorf("cycle %d (%s): log ends at %d, but %d was shown decided: a pass was lost", c, hubFaultNames[fault], last, seen)
		}
		ro.Close()
	}

	// The hub healthy again: chotd syncs everything, then stops cleanly.
	link.mode.Store(int32(hubOK))
	cmd := start()
	waitDoc("backlog synced", func(d doc) bool { return d.Health.Backlog == 0 && len(d.Snapshot.Recent) > 0 })
	_ = cmd.cmd.Process.Signal(syscall.SIGTERM)
	<-cmd.done
	if cmd.err != nil {
		t.Errorf("clean stop: %v", cmd.err)
	}

	ro, err := store.Open(filepath.Join(data, "chot.db"), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	local := map[string]bool{}
	err = ro.Range(1, func(p record.Pass) error { local[fmt.Sprintf("%s/%d", p.Epoch, p.Seq)] = true; return nil })
	if err != nil {
		t.Fatal(err)
	}
	acked := ro.AckedThrough()
	atHub := map[string]int{}
	jumpedAtHub := map[uint64]int{}
	err = hs.Export(ctx, hub.Query{Device: "gate-1"}, func(r hub.Row) error {
		atHub[fmt.Sprintf("%s/%d", r.Epoch, r.Seq)]++
		if seen, ok := jumped[r.Seq]; ok {
			jumpedAtHub[r.Seq]++
			if at := time.UnixMilli(r.At); at.Sub(seen).Abs() > time.Minute {
				t.Errorf("pass %d, decided with the board clock jumped, is at the hub stamped %s; it was seen decided at %s", r.Seq, at, seen)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	twice, missing := 0, 0
	for k, n := range atHub {
		if n > 1 {
			twice++
		}
		if !local[k] {
			t.Errorf("hub holds %s, which the device never logged", k)
		}
	}
	for k := range local {
		var seq uint64
		fmt.Sscanf(k[strings.IndexByte(k, '/')+1:], "%d", &seq)
		if seq <= acked && atHub[k] == 0 {
			missing++
		}
	}
	for seq := range jumped {
		if n := jumpedAtHub[seq]; n != 1 {
			t.Errorf("pass %d, decided with the board clock jumped, is %d times at the hub, want once", seq, n)
		}
	}
	if twice != 0 || missing != 0 {
		t.Errorf("%d passes twice at the hub, %d acknowledged passes missing there", twice, missing)
	}
	t.Logf("fault cycles %d, kill -9 %d (hub %v in turn), camera unplugged %d (no restart), board clock jumps %d (%d passes decided meanwhile, each once at the hub): %d passes logged, %d acknowledged, %d at the hub; twice %d, missing %d",
		cycles, kills, hubFaultNames, unplugs, jumps, len(jumped), len(local), acked, len(atHub), twice, missing)
}

// enrolledHub creates the device's store at db (with opts) so that its key
// exists before chotd first starts, and serves a real hub (SQLite in dir) on
// loopback with that key enrolled as gate-1. Both close when the test ends.
func enrolledHub(t *testing.T, dir, db string, opts store.Options) (*hub.SQLite, *httptest.Server) {
	t.Helper()
	st, err := store.Open(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	key, err := st.Identity()
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	ctx := context.Background()
	hs, err := hub.OpenSQLite(ctx, filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hs.Close() })
	if err := hs.AddDevice(ctx, hub.Device{ID: "gate-1", PubKey: key.Public().(ed25519.PublicKey), Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	hsrv, err := hub.New(hub.Config{Storage: hs})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(hsrv.Handler())
	t.Cleanup(srv.Close)
	return hs, srv
}
