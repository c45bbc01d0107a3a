package hub_test

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/internal/synctest"
	"github.com/chot-dev/chot/sync/wire"
)

var hubNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func startHub(t *testing.T, st hub.Storage, bundles *hub.Bundles) (*httptest.Server, *hub.Server) {
	t.Helper()
	srv, err := hub.New(hub.Config{Storage: st, Bundles: bundles, OperatorToken: "op-secret", MaxDecoded: 1 << 20, Now: func() time.Time { return hubNow }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, srv
}

func startBenchHub(b *testing.B, st hub.Storage) (*hub.Server, string) {
	srv, err := hub.New(hub.Config{Storage: st})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	b.Cleanup(ts.Close)
	return srv, ts.URL
}

func errCode(t *testing.T, r synctest.Response) string {
	t.Helper()
	var e wire.Error
	json.Unmarshal(r.Body, &e)
	return e.Code
}

func TestPushSecurity(t *testing.T) {
	for _, be := range synctest.Backends {
		t.Run(be.Name, func(t *testing.T) {
			st := synctest.Open(t, be.New(t))
			ts, _ := startHub(t, st, nil)
			c := ts.Client()
			a := synctest.NewDevice(t, st, "dev-a")
			b := synctest.NewDevice(t, st, "dev-b")
			stranger := synctest.NewDevice(t, nil, "dev-x")
			if ack := a.Post(t, c, ts.URL, a.Batch(epoch, synctest.Passes(epoch, 1, 10, "")), "").Ack(t); ack.AckedThrough != 10 || !ack.ServerTime.Equal(hubNow) {
				t.Fatalf("first batch: %+v", ack)
			}
			body, _ := wire.EncodeBatch(a.Batch(epoch, synctest.Passes(epoch, 11, 20, "")))
			flipped := bytes.Clone(body)
			flipped[len(flipped)-5] ^= 1
			cases := []struct {
				name     string
				post     func() synctest.Response
				status   int
				code     string
				wantRows int
			}{
				{"bad signature", func() synctest.Response {
					// a's header, signed by b.
					return b.PostRaw(t, c, ts.URL, body, "dev-a")
				}, http.StatusUnauthorized, wire.CodeBadSignature, 10},
				{"body altered after signing", func() synctest.Response {
					req, _ := http.NewRequest(http.MethodPost, ts.URL+wire.PathPasses, bytes.NewReader(flipped))
					req.Header.Set("Content-Encoding", "gzip")
					req.Header.Set(wire.HeaderDevice, "dev-a")
					req.Header.Set(wire.HeaderSignature, wire.Sign(a.Key, body))
					resp, err := c.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					defer resp.Body.Close()
					data, _ := io.ReadAll(resp.Body)
					return synctest.Response{Status: resp.StatusCode, Body: data}
				}, http.StatusUnauthorized, wire.CodeBadSignature, 10},
				{"unknown device", func() synctest.Response {
					return stranger.Post(t, c, ts.URL, stranger.Batch(epoch, synctest.Passes(epoch, 1, 5, "")), "")
				}, http.StatusUnauthorized, wire.CodeUnknownDevice, 0},
				{"b signs a batch claiming a", func() synctest.Response {
					bad := a.Batch(epoch, synctest.Passes(epoch, 11, 20, "b"))
					return b.Post(t, c, ts.URL, bad, "")
				}, http.StatusForbidden, wire.CodeForbidden, 10},
				{"a alters a stored seq", func() synctest.Response {
					return a.Post(t, c, ts.URL, a.Batch(epoch, synctest.Passes(epoch, 8, 15, "forged")), "")
				}, http.StatusUnprocessableEntity, wire.CodeReplay, 10},
				{"gap", func() synctest.Response {
					return a.Post(t, c, ts.URL, a.Batch(epoch, synctest.Passes(epoch, 12, 15, "")), "")
				}, http.StatusConflict, "", 10},
				{"not contiguous", func() synctest.Response {
					p := synctest.Passes(epoch, 11, 15, "")
					p[2].Seq = 99
					return a.Post(t, c, ts.URL, a.Batch(epoch, p), "")
				}, http.StatusBadRequest, wire.CodeBadBatch, 10},
				{"pass of another epoch", func() synctest.Response {
					p := synctest.Passes(epoch, 11, 15, "")
					p[1].Epoch = "ff"
					return a.Post(t, c, ts.URL, a.Batch(epoch, p), "")
				}, http.StatusBadRequest, wire.CodeBadBatch, 10},
				{"gzip bomb", func() synctest.Response {
					var buf bytes.Buffer
					zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
					zw.Write([]byte(`{"device":"dev-a","passes":[`))
					zw.Write(make([]byte, 1<<20+1))
					zw.Close()
					return a.PostRaw(t, c, ts.URL, buf.Bytes(), "")
				}, http.StatusRequestEntityTooLarge, wire.CodeTooLarge, 10},
			}
			for _, tc := range cases {
				t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
					r := tc.post()
					if r.Status != tc.status {
						t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
					}
					if tc.code != "" && errCode(t, r) != tc.code {
						t.Errorf("code %q, want %q", errCode(t, r), tc.code)
					}
					if got := synctest.Count(t, st, "dev-a"); tc.wantRows == 10 && got != 10 {
						t.Errorf("dev-a holds %d passes, want 10", got)
					}
					if got := synctest.Count(t, st, "dev-x"); got != 0 {
						t.Errorf("dev-x holds %d passes, want 0", got)
					}
				})
			}
			var conflict wire.Conflict
			r := a.Post(t, c, ts.URL, a.Batch(epoch, synctest.Passes(epoch, 12, 15, "")), "")
			if err := json.Unmarshal(r.Body, &conflict); err != nil || conflict.AckedThrough != 10 {
				t.Errorf("409 body %s: want acked_through 10", r.Body)
			}
		})
	}
}

func TestEnrollHTTP(t *testing.T) {
	st := synctest.Open(t, synctest.Backends[0].New(t))
	ts, _ := startHub(t, st, nil)
	tok, hash, err := hub.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddToken(t.Context(), hash, hubNow.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	enroll := func(id string, signer ed25519.PrivateKey, token string) int {
		body, _ := json.Marshal(wire.Enroll{Device: id, PubKey: wire.EncodePublicKey(pub), Token: token})
		req, _ := http.NewRequest(http.MethodPost, ts.URL+wire.PathEnroll, bytes.NewReader(body))
		req.Header.Set(wire.HeaderDevice, id)
		req.Header.Set(wire.HeaderSignature, wire.Sign(signer, body))
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	steps := []struct {
		name   string
		id     string
		signer ed25519.PrivateKey
		token  string
		want   int
	}{
		{"not signed by the key", "kiosk-1", other, tok, http.StatusUnauthorized},
		{"wrong token", "kiosk-1", key, "nope", http.StatusForbidden},
		{"ok", "kiosk-1", key, tok, http.StatusOK},
		{"token spent", "kiosk-2", key, tok, http.StatusForbidden},
	}
	for _, s := range steps {
		if got := enroll(s.id, s.signer, s.token); got != s.want {
			t.Errorf("%s: status %d, want %d", s.name, got, s.want)
		}
	}
	d := synctest.Device{ID: "kiosk-1", Key: key}
	if ack := d.Post(t, ts.Client(), ts.URL, d.Batch(epoch, synctest.Passes(epoch, 1, 3, "")), "").Ack(t); ack.AckedThrough != 3 {
		t.Errorf("push after enroll: acked %d, want 3", ack.AckedThrough)
	}
}

func TestBundle(t *testing.T) {
	st := synctest.Open(t, synctest.Backends[0].New(t))
	b := &hub.Bundles{Dir: t.TempDir()}
	ts, _ := startHub(t, st, b)
	get := func(etag string) (int, string, []byte) {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+wire.PathBundle, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("ETag"), data
	}
	if code, _, _ := get(""); code != http.StatusNotFound {
		t.Errorf("before publish: %d, want 404", code)
	}
	if v, err := b.Publish([]byte("bundle one")); err != nil || v != 1 {
		t.Fatalf("publish: %d, %v", v, err)
	}
	code, tag1, data := get("")
	if code != http.StatusOK || string(data) != "bundle one" || tag1 == "" {
		t.Fatalf("get: %d %q %q", code, tag1, data)
	}
	if code, _, _ := get(tag1); code != http.StatusNotModified {
		t.Errorf("same etag: %d, want 304", code)
	}
	if _, err := b.Publish([]byte("bundle two")); err != nil {
		t.Fatal(err)
	}
	code, tag2, data := get(tag1)
	if code != http.StatusOK || string(data) != "bundle two" || tag2 == tag1 {
		t.Errorf("after second publish: %d %q %q", code, tag2, data)
	}
	checked := &hub.Bundles{Dir: b.Dir, Check: func([]byte) (uint64, error) { return 2, nil }}
	if _, err := checked.Publish([]byte("old")); err == nil {
		t.Error("publishing version 2 over 2: no error")
	}
}

func TestExportAndMetrics(t *testing.T) {
	for _, be := range synctest.Backends {
		t.Run(be.Name, func(t *testing.T) { testExportAndMetrics(t, synctest.Open(t, be.New(t))) })
	}
}

func testExportAndMetrics(t *testing.T, st hub.Storage) {
	ts, _ := startHub(t, st, nil)
	a := synctest.NewDevice(t, st, "dev-a")
	a.Post(t, ts.Client(), ts.URL, a.Batch(epoch, synctest.Passes(epoch, 1, 6, "")), "").Ack(t)
	a.Post(t, ts.Client(), ts.URL, a.Batch(epoch, synctest.Passes(epoch, 4, 8, "")), "").Ack(t)
	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(data)
	}
	since := time.UnixMilli(synctest.Passes(epoch, 3, 3, "")[0].At).UTC().Format(time.RFC3339)
	cases := []struct {
		name, path, token string
		status, lines     int
		contains          string
	}{
		{"no token", "/v1/passes", "", http.StatusUnauthorized, 0, ""},
		{"wrong token", "/v1/passes", "nope", http.StatusUnauthorized, 0, ""},
		{"jsonl", "/v1/passes?device=dev-a", "op-secret", http.StatusOK, 8, `"device":"dev-a"`},
		{"since", "/v1/passes?device=dev-a&since=" + since, "op-secret", http.StatusOK, 6, `"seq":3,`},
		{"csv", "/v1/passes?format=csv&limit=2", "op-secret", http.StatusOK, 3, "device,epoch,seq,at"},
		{"other device", "/v1/passes?device=dev-b", "op-secret", http.StatusOK, 0, ""},
		{"bad since", "/v1/passes?since=yesterday", "op-secret", http.StatusBadRequest, 1, ""},
		{"health", "/healthz", "", http.StatusOK, 1, "ok"},
		{"metrics", "/metrics", "", http.StatusOK, -1, "chot_hub_passes_duplicate_total 3"},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			status, body := get(c.path, c.token)
			if status != c.status {
				t.Fatalf("status %d, want %d: %s", status, c.status, body)
			}
			if n := strings.Count(body, "\n"); c.lines >= 0 && c.status == http.StatusOK && n != c.lines {
				t.Errorf("%d lines, want %d:\n%s", n, c.lines, body)
			}
			if !strings.Contains(body, c.contains) {
				t.Errorf("body lacks %q:\n%s", c.contains, body)
			}
		})
	}
	if _, body := get("/metrics", ""); !strings.Contains(body, "chot_hub_passes_inserted_total 8") {
		t.Errorf("metrics lack inserted 8")
	}
}
