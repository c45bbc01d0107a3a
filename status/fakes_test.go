package status

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/record"
)

// fakeSource is a checkpoint view the test drives.
type fakeSource struct {
	mu   sync.Mutex
	snap checkpoint.Snapshot
	subs map[chan checkpoint.Event]struct{}
	// subscribed receives once per Subscribe call.
	subscribed chan struct{}
}

func newFakeSource(snap checkpoint.Snapshot) *fakeSource {
	return &fakeSource{snap: snap, subs: map[chan checkpoint.Event]struct{}{}, subscribed: make(chan struct{}, 16)}
}

func (f *fakeSource) Snapshot() checkpoint.Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.snap
}

func (f *fakeSource) Subscribe(ctx context.Context) <-chan checkpoint.Event {
	ch := make(chan checkpoint.Event, 16)
	f.mu.Lock()
	f.subs[ch] = struct{}{}
	f.mu.Unlock()
	go func() {
		<-ctx.Done()
		f.mu.Lock()
		delete(f.subs, ch)
		close(ch)
		f.mu.Unlock()
	}()
	f.subscribed <- struct{}{}
	return ch
}

// publish sends ev to every subscriber and adds it to the recent list.
func (f *fakeSource) publish(ev checkpoint.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snap.Recent = append([]checkpoint.Event{ev}, f.snap.Recent...)
	switch ev.Decision {
	case "accept":
		f.snap.Counters.Accepted++
	case "reject":
		f.snap.Counters.Rejected++
	}
	for ch := range f.subs {
		ch <- ev
	}
}

// fakeActions counts what the page asked for.
type fakeActions struct {
	mu      sync.Mutex
	opened  []string
	syncs   int
	openErr error
}

func (a *fakeActions) OpenGate(_ context.Context, by string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.opened = append(a.opened, by)
	return a.openErr
}

func (a *fakeActions) SyncNow() {
	a.mu.Lock()
	a.syncs++
	a.mu.Unlock()
}

func (a *fakeActions) counts() (int, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.opened), a.syncs
}

// fakeLog is a pass log in memory.
type fakeLog struct {
	passes []record.Pass
	err    error // returned after the passes
}

func (l *fakeLog) Passes(from uint64, max int) ([]record.Pass, error) {
	var out []record.Pass
	for _, p := range l.passes {
		if p.Seq >= from && len(out) < max {
			out = append(out, p)
		}
	}
	if len(out) == 0 && l.err != nil {
		return nil, l.err
	}
	return out, nil
}

// LastSeq is one past the passes when err is set: a record that fails to read.
func (l *fakeLog) LastSeq() uint64 {
	var last uint64
	if len(l.passes) > 0 {
		last = l.passes[len(l.passes)-1].Seq
	}
	if l.err != nil {
		last++
	}
	return last
}

type fakeHealth struct{ h HealthInfo }

func (f fakeHealth) Health() HealthInfo { return f.h }

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)

const testPassword = "correct horse battery"

// testHash is testPassword hashed at bcrypt's lowest cost, to keep tests fast.
var testHash = func() string {
	h, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return string(h)
}()

func sampleSnapshot() checkpoint.Snapshot {
	return checkpoint.Snapshot{
		Site: "Hội An Museum", Device: "gate-1", Mode: "venue", Configured: true,
		Gate: checkpoint.GateClosed, LED: checkpoint.LEDReadyOnline,
		Policy: checkpoint.PolicyView{Mode: "venue", InForce: true, SignerValidity: "strict", IssuerBinding: "refuse"},
		Clock:  checkpoint.ClockState{State: record.ClockSynced, Now: t0, LastKnown: t0, LastSync: t0.Add(-time.Minute)},
		Trust: checkpoint.TrustState{Installed: true, Version: 42, IssuedAt: t0.Add(-26 * time.Hour),
			StaleAfter: t0.Add(6 * 24 * time.Hour), ExpiresAt: t0.Add(13 * 24 * time.Hour), Keys: 311},
		Counters: checkpoint.Counters{Accepted: 128, Rejected: 9, Manual: 2, ByReason: map[string]uint64{"ok": 128, "expired": 5, "bad_signature": 4}},
		Recent: []checkpoint.Event{
			{Seq: 139, At: t0.Add(-40 * time.Second), Clock: "synced", Decision: "reject", Reason: "expired", Class: "time",
				Format: "dcc", Type: "vaccination", Issuer: "DE", Gate: "not_opened", LatencyUS: 61000},
			{Seq: 138, At: t0.Add(-2 * time.Minute), Clock: "synced", Decision: "accept", Reason: "ok", Class: "accept",
				Format: "shc", Type: "immunization", Issuer: "https://spec.smarthealth.cards/examples/issuer", Gate: "passed", LatencyUS: 48000},
			{Seq: 137, At: t0.Add(-5 * time.Minute), Clock: "estimated", Decision: "reject", Reason: "bad_signature", Class: "invalid",
				Format: "dcc", Type: "test", Issuer: "FR", Gate: "not_opened", LatencyUS: 52000},
		},
	}
}

func sampleHealth() HealthInfo {
	return HealthInfo{
		Camera: CameraHealth{Source: "/dev/video0", Running: true, FPS: 14.8, LastFrame: t0.Add(-time.Second), Errors: 0},
		Online: true, Backlog: 3, LastSync: t0.Add(-time.Minute),
		Disk:       DiskUsage{Path: "/var/lib/chot", TotalBytes: 29 << 30, FreeBytes: 21 << 30, UsedBytes: 8 << 30},
		StoreBytes: 3 << 20,
	}
}

// env is a server over fakes.
type env struct {
	src     *fakeSource
	actions *fakeActions
	log     *fakeLog
	clock   *clock
	srv     *Server
	h       http.Handler
}

func newEnv(t *testing.T, mod func(*Config)) *env {
	t.Helper()
	e := &env{src: newFakeSource(sampleSnapshot()), actions: &fakeActions{}, clock: &clock{t: t0}, log: &fakeLog{}}
	cfg := Config{AdminPasswordHash: testHash, Now: e.clock.Now, Logger: discardLogger()}
	if mod != nil {
		mod(&cfg)
	}
	e.srv = New(cfg, Deps{Source: e.src, Actions: e.actions, Log: e.log, Health: fakeHealth{sampleHealth()}})
	e.h = e.srv.Handler()
	return e
}

// do runs one request with the given cookies and returns the response.
func (e *env) do(t *testing.T, method, target string, form url.Values, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	req.RemoteAddr = "192.0.2.10:40000"
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec.Result()
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field in page")
	}
	return m[1]
}

func cookieOf(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("read body: %v", err)
	}
	resp.Body.Close()
	return string(b)
}

// login logs in and returns the session cookie and its CSRF token.
func (e *env) login(t *testing.T) (*http.Cookie, string) {
	t.Helper()
	resp := e.do(t, "GET", "/", nil)
	lc := cookieOf(resp, loginCSRF)
	tok := csrfOf(t, readBody(t, resp))
	if lc == nil || lc.Value != tok {
		t.Fatalf("login csrf cookie %v does not match the form's token", lc)
	}
	resp = e.do(t, "POST", "/login", url.Values{"csrf": {tok}, "password": {testPassword}}, lc)
	readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: got status %d, want 303", resp.StatusCode)
	}
	sc := cookieOf(resp, sessionCookie)
	if sc == nil {
		t.Fatal("login set no session cookie")
	}
	resp = e.do(t, "GET", "/", nil, sc)
	return sc, csrfOf(t, readBody(t, resp))
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

var errGate = errors.New("relay: stuck")

// doReq runs req with cookies and, if tok is set, the CSRF header.
func (e *env) doReq(t *testing.T, req *http.Request, tok string, cookies []*http.Cookie) *http.Response {
	t.Helper()
	if req.RemoteAddr == "" {
		req.RemoteAddr = "192.0.2.10:40000"
	}
	if tok != "" {
		req.Header.Set(csrfHeader, tok)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec.Result()
}

func readAllErr(resp *http.Response) ([]byte, error) { return io.ReadAll(resp.Body) }
