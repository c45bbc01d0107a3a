package status

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/record"
)

func samplePasses() []record.Pass {
	return []record.Pass{
		{Seq: 1, Epoch: "9f2c", At: t0.UnixMilli(), UptimeMS: 5000, BootID: "b1", Clock: "synced", Decision: "accept", Reason: "ok",
			Format: "dcc", Type: "vaccination", Issuer: "DE", Kid: "3LCz4KRZ0BU=", Subject: "00ff", LatencyUS: 48000, Gate: "passed", Mode: "venue"},
		{Seq: 2, Epoch: "9f2c", At: t0.Add(time.Second).UnixMilli(), UptimeMS: 6000, BootID: "b1", Clock: "estimated", Decision: "reject",
			Reason: "policy", Rule: "min-doses", Format: "shc", Issuer: "=HYPERLINK(\"http://evil\")", LatencyUS: 51000, Gate: "not_opened"},
		{Seq: 3, Epoch: "9f2c", At: t0.Add(2 * time.Second).UnixMilli(), Clock: "synced", Decision: "manual", Reason: "manual_web", Gate: "manual"},
	}
}

func TestExport(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		wantSeqs []string
	}{
		{"all", "", []string{"1", "2", "3"}},
		{"from 2", "?from=2", []string{"2", "3"}},
		{"past the end", "?from=9", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.log.passes = samplePasses()
			sc, _ := e.login(t)
			resp := e.do(t, "GET", "/export.csv"+tt.query, nil, sc)
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got %d: %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="chot-gate-1-20261124-093000.csv"` {
				t.Errorf("content disposition %q", cd)
			}
			rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rows[0], record.CSVColumns) {
				t.Fatalf("header %v", rows[0])
			}
			var seqs []string
			for _, r := range rows[1:] {
				seqs = append(seqs, r[1])
			}
			if !slices.Equal(seqs, tt.wantSeqs) {
				t.Fatalf("rows %v, want %v", seqs, tt.wantSeqs)
			}
			if tt.name != "all" {
				return
			}
			want := []string{"9f2c", "1", "2026-11-24T09:30:00.000Z", "5000", "b1", "synced", "accept", "ok", "",
				"dcc", "vaccination", "DE", "3LCz4KRZ0BU=", "00ff", "48000", "passed", "venue", "false"}
			if !slices.Equal(rows[1], want) {
				t.Errorf("row 1:\n got %q\nwant %q", rows[1], want)
			}
			if got := rows[2][11]; got != "'=HYPERLINK(\"http://evil\")" {
				t.Errorf("formula issuer exported as %q, want it defused", got)
			}
		})
	}
}

func TestExportRefusedWithoutSession(t *testing.T) {
	e := newEnv(t, nil)
	e.log.passes = samplePasses()
	resp := e.do(t, "GET", "/export.csv", nil)
	if body := readBody(t, resp); resp.StatusCode != http.StatusUnauthorized || strings.Contains(body, "9f2c") {
		t.Fatalf("got %d %q, want 401 and no data", resp.StatusCode, body)
	}
}

func TestExportErrorCutsTheResponse(t *testing.T) {
	e := newEnv(t, nil)
	e.log.passes = samplePasses()
	e.log.err = errors.New("bbolt: page corrupt")
	srv := httptest.NewServer(e.h)
	defer srv.Close()
	sc, _ := e.login(t)
	req, _ := http.NewRequest("GET", srv.URL+"/export.csv", nil)
	req.AddCookie(sc)
	resp, err := srv.Client().Do(req)
	if err != nil {
		return // cut before the headers: no file at all
	}
	defer resp.Body.Close()
	if _, err := readAllErr(resp); err == nil {
		t.Fatal("a failed export read as a complete file")
	}
}

func TestStatusJSON(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.do(t, "GET", "/status.json", nil)
	body := readBody(t, resp)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("content type %q", ct)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"at", "snapshot", "health", "login"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("status.json lacks %q", k)
		}
	}
	snap := doc["snapshot"].(map[string]any)
	for _, k := range []string{"site", "device", "gate", "led", "clock", "trust", "counters", "recent"} {
		if _, ok := snap[k]; !ok {
			t.Errorf("snapshot lacks %q", k)
		}
	}
	health := doc["health"].(map[string]any)
	for _, k := range []string{"camera", "online", "backlog", "last_sync", "disk", "store_bytes"} {
		if _, ok := health[k]; !ok {
			t.Errorf("health lacks %q", k)
		}
	}
	var typed Document
	if err := json.Unmarshal([]byte(body), &typed); err != nil {
		t.Fatal(err)
	}
	if typed.Snapshot.Trust.Version != 42 || len(typed.Snapshot.Recent) != 3 || typed.Health.Camera.FPS != 14.8 || !typed.Login {
		t.Errorf("round trip lost data: %+v", typed)
	}
	if !typed.At.Equal(t0) {
		t.Errorf("at %v, want the injected clock's %v", typed.At, t0)
	}
}

func TestStatusJSONWithoutHealth(t *testing.T) {
	s := New(Config{Now: func() time.Time { return t0 }, Logger: discardLogger()}, Deps{})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/status.json", nil))
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc["health"]; ok {
		t.Error("health present without a Health source")
	}
	if snap := doc["snapshot"].(map[string]any); snap["configured"] != false || snap["led"] != "unconfigured" {
		t.Errorf("no source: snapshot %v, want unconfigured", snap)
	}
}

func TestMetrics(t *testing.T) {
	extra := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "chotd_frames_total", Help: "Frames read."})
	c.Add(77)
	extra.MustRegister(c)
	e := newEnv(t, func(cfg *Config) { cfg.Gatherer = extra })
	resp := e.do(t, "GET", "/metrics", nil)
	body := readBody(t, resp)
	for _, want := range []string{
		`chot_decisions_total{decision="accept"} 128`,
		`chot_decisions_by_reason_total{reason="expired"} 5`,
		`chot_trust_version 42`,
		`chot_trust_age_seconds 93600`,
		`chot_clock_state{state="synced"} 1`,
		`chot_clock_state{state="untrusted"} 0`,
		`chot_led_state{state="ready-online"} 1`,
		`chot_sync_backlog 3`,
		`chot_camera_fps 14.8`,
		`chot_online 1`,
		`chotd_frames_total 77`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestI18N(t *testing.T) {
	tests := []struct {
		name   string
		target string
		accept string
		cookie string
		site   string
		want   string
		absent string
	}{
		{"default english", "/", "", "", "", "Accepted", "Chấp nhận"},
		{"query vi", "/?lang=vi", "", "", "", "Chấp nhận", "Accepted"},
		{"query en beats cookie", "/?lang=en", "", "vi", "", "Rejected", "Từ chối"},
		{"cookie vi", "/", "en", "vi", "", "Từ chối", "Rejected"},
		{"accept-language vi", "/", "vi-VN,vi;q=0.9,en;q=0.8", "", "", "Trực tuyến", "Online"},
		{"accept-language prefers en", "/", "vi;q=0.4, en-GB;q=0.8", "", "", "Online", "Trực tuyến"},
		{"unknown language", "/?lang=fr", "fr-FR", "", "", "Online", "Trực tuyến"},
		{"tiles in vi", "/partial/tiles", "", "vi", "", "Đồng hồ", "Clock"},
		// status.language of a Vietnamese site: the page starts in Vietnamese.
		{"site language vi", "/", "", "", "vi", "Trực tuyến", "Online"},
		{"site language beats the browser", "/", "en-US,en;q=0.9", "", "vi", "Trực tuyến", "Online"},
		{"the visitor's choice beats the site's", "/?lang=en", "", "", "vi", "Online", "Trực tuyến"},
		{"tiles in the site language", "/partial/tiles", "", "", "vi", "Đồng hồ", "Clock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.Language = tt.site })
			req := httptest.NewRequest("GET", tt.target, nil)
			if tt.accept != "" {
				req.Header.Set("Accept-Language", tt.accept)
			}
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: langCookie, Value: tt.cookie})
			}
			rec := httptest.NewRecorder()
			e.h.ServeHTTP(rec, req)
			body := rec.Body.String()
			if !strings.Contains(body, tt.want) || strings.Contains(body, tt.absent) {
				t.Errorf("want %q and no %q in:\n%s", tt.want, tt.absent, body)
			}
			if strings.Contains(body, "[") && strings.Contains(body, "]</") {
				t.Errorf("a message is missing from the catalogue: %s", body)
			}
			if strings.Contains(tt.target, "lang=vi") {
				if c := cookieOf(rec.Result(), langCookie); c == nil || c.Value != "vi" {
					t.Errorf("language not remembered: %v", c)
				}
			}
		})
	}
}

func TestCatalogueComplete(t *testing.T) {
	for _, lang := range languages {
		if len(messages[lang]) != len(messages["en"]) {
			t.Errorf("%s has %d messages, en has %d", lang, len(messages[lang]), len(messages["en"]))
		}
		for k := range messages["en"] {
			if strings.TrimSpace(messages[lang][k]) == "" {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
	// Every decision reason the checkpoint emits has a label.
	for _, r := range []string{"ok", "no_qr", "bad_prefix", "bad_base45", "bad_numeric", "incomplete", "bad_compression",
		"bad_cbor", "bad_cose", "bad_jws", "bad_payload", "bad_schema", "unknown_key", "bad_signature", "key_usage",
		"expired", "not_yet_valid", "revoked", "policy", "trust_expired", "internal",
		checkpoint.ReasonPassback, checkpoint.ReasonClockUntrusted, checkpoint.ReasonLogFailed, checkpoint.ReasonGateFault,
		checkpoint.ReasonDoorPassed, checkpoint.ReasonManualButton, checkpoint.ReasonManualWeb} {
		if !messages.Has("reason." + r) {
			t.Errorf("no label for reason %q", r)
		}
	}
}

func TestAcceptLanguage(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", "en"},
		{"vi", "vi"},
		{"VI-vn", "vi"},
		{"de-DE, vi;q=0.5", "vi"},
		{"vi;q=0, en", "en"},
		{"fr;q=1, vi;q=0.2, en;q=0.3", "en"},
		{"en;q=bogus, vi;q=0.9", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			if got := acceptLanguage(tt.header); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// sseReader reads server-sent events.
type sseReader struct{ r *bufio.Reader }

// next returns the next event's fields, skipping comments.
func (s sseReader) next(t *testing.T) map[string]string {
	t.Helper()
	ev := map[string]string{}
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			t.Fatalf("read event: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		if line == "" {
			if len(ev) > 0 {
				return ev
			}
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		k, v, _ := strings.Cut(line, ": ")
		ev[k] = v
	}
}

func TestEventsDeliverDecisions(t *testing.T) {
	e := newEnv(t, nil)
	srv := httptest.NewServer(e.h)
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()

	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/events", nil)
	req.Header.Set("Last-Event-ID", "138") // missed 139
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	<-e.src.subscribed
	r := sseReader{bufio.NewReader(resp.Body)}
	if ev := r.next(t); ev["retry"] != "3000" {
		t.Fatalf("first event %v, want the retry hint", ev)
	}
	if ev := r.next(t); ev["id"] != "139" {
		t.Fatalf("replay: got %v, want the missed event 139", ev)
	}
	want := checkpoint.Event{Seq: 140, At: t0, Clock: "synced", Decision: "accept", Reason: "ok", Class: "accept",
		Format: "dcc", Type: "vaccination", Issuer: "VN", Gate: "opened", LatencyUS: 42000}
	e.src.publish(want)
	ev := r.next(t)
	if ev["event"] != "decision" || ev["id"] != "140" {
		t.Fatalf("got %v, want decision 140", ev)
	}
	var got checkpoint.Event
	if err := json.Unmarshal([]byte(ev["data"]), &got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestServeShutsDownWithOpenStreams(t *testing.T) {
	e := newEnv(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	<-e.src.subscribed
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel: %v, want nil", err)
	}
}

func TestEventStreamsAreCapped(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxStreams = 1 })
	srv := httptest.NewServer(e.h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	<-e.src.subscribed
	second, err := http.Get(srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	second.Body.Close()
	if second.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("second stream: got %d, want 503", second.StatusCode)
	}
	resp.Body.Close()
}
