package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/sync/hub/console"
	"github.com/chot-dev/chot/sync/wire"
	"github.com/chot-dev/chot/verify/trust"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(ctx context.Context, ready func(string), args ...string) result {
	var out, errb bytes.Buffer
	code := run(ctx, &env{stdout: &out, stderr: &errb, args: args, ready: ready,
		now: func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }})
	return result{code, out.String(), errb.String()}
}

// TestCLI enrolls a device with a token, publishes a bundle, serves, and
// checks a signed enrollment, a push and the bundle over real HTTP.
func TestCLI(t *testing.T) {
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "op-token")
	os.WriteFile(tokFile, []byte("operator-token-0123456789\n"), 0o600)
	cfgPath := filepath.Join(dir, "hub.yaml")
	os.WriteFile(cfgPath, fmt.Appendf(nil, "version: 1\nlisten: 127.0.0.1:0\nstorage: %s\nbundle_dir: %s\noperator_token_file: %s\n",
		filepath.Join(dir, "hub.db"), filepath.Join(dir, "bundles"), tokFile), 0o600)
	bundleFile := filepath.Join(dir, "b.cose")
	os.WriteFile(bundleFile, []byte("signed bundle bytes"), 0o600)
	pub, _, _ := ed25519.GenerateKey(rand.Reader)

	ctx := context.Background()
	steps := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"no command", nil, exitUsage, ""},
		{"unknown", []string{"frobnicate"}, exitUsage, ""},
		{"device add bad key", []string{"device", "add", "--config", cfgPath, "--id", "k1", "--pubkey", "AAAA"}, exitUsage, ""},
		{"device add", []string{"device", "add", "--config", cfgPath, "--id", "k1", "--pubkey", wire.EncodePublicKey(pub)}, exitOK, "device k1 enrolled"},
		{"bundle publish", []string{"bundle", "publish", "--config", cfgPath, bundleFile}, exitOK, "version 1"},
		{"bundle publish missing", []string{"bundle", "publish", "--config", cfgPath, filepath.Join(dir, "nope")}, exitUsage, ""},
		{"missing config", []string{"token", "create", "--config", filepath.Join(dir, "nope.yaml")}, exitUsage, ""},
	}
	for _, s := range steps {
		r := runCLI(ctx, nil, s.args...)
		if r.code != s.code || !strings.Contains(r.stdout, s.out) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and %q", s.name, r.code, r.stdout, r.stderr, s.code, s.out)
		}
	}
	r := runCLI(ctx, nil, "token", "create", "--config", cfgPath, "--ttl", "1h")
	token := strings.TrimSpace(r.stdout)
	if r.code != exitOK || len(token) < 20 {
		t.Fatalf("token create: %+v", r)
	}

	sctx, cancel := context.WithCancel(ctx)
	addr := make(chan string, 1)
	done := make(chan result, 1)
	go func() { done <- runCLI(sctx, func(a string) { addr <- a }, "serve", "--config", cfgPath) }()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case r := <-done:
		t.Fatalf("serve exited: %+v", r)
	}

	dpub, dkey, _ := ed25519.GenerateKey(rand.Reader)
	body, _ := json.Marshal(wire.Enroll{Device: "k2", PubKey: wire.EncodePublicKey(dpub), Token: token})
	req, _ := http.NewRequest(http.MethodPost, base+wire.PathEnroll, bytes.NewReader(body))
	req.Header.Set(wire.HeaderDevice, "k2")
	req.Header.Set(wire.HeaderSignature, wire.Sign(dkey, body))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("enroll: %v %v", resp, err)
	}
	resp, err := http.Get(base + wire.PathBundle)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(data) != "signed bundle bytes" {
		t.Errorf("bundle %q", data)
	}
	req, _ = http.NewRequest(http.MethodGet, base+wire.PathPasses, nil)
	req.Header.Set("Authorization", "Bearer operator-token-0123456789")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("export with the operator token: %v %v", resp, err)
	}
	cancel()
	if r := <-done; r.code != exitOK {
		t.Errorf("serve: %+v", r)
	}
}

// TestBundlePublishChecked: with bundle_roots_file, only a bundle signed by a
// root, unexpired and newer than the published one is published.
func TestBundlePublishChecked(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	pub, root, _ := ed25519.GenerateKey(rand.Reader)
	_, stranger, _ := ed25519.GenerateKey(rand.Reader)
	pem, err := trust.MarshalPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "roots.pem"), pem, 0o600)
	cfgPath := filepath.Join(dir, "hub.yaml")
	os.WriteFile(cfgPath, fmt.Appendf(nil, "version: 1\nlisten: 127.0.0.1:0\nstorage: %s\nbundle_dir: %s\nbundle_roots_file: %s\n",
		filepath.Join(dir, "hub.db"), filepath.Join(dir, "bundles"), filepath.Join(dir, "roots.pem")), 0o600)
	bundle := func(name string, version uint64, key ed25519.PrivateKey, expires time.Time) string {
		data, err := trust.Sign(&trust.Bundle{Version: version, IssuedAt: now.Add(-time.Hour), StaleAfter: expires.Add(-time.Minute), ExpiresAt: expires}, key)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o600)
		return p
	}
	steps := []struct {
		name string
		file string
		code int
		out  string
	}{
		{"signed by a stranger", bundle("x.cose", 5, stranger, now.Add(24*time.Hour)), exitFail, ""},
		{"expired", bundle("old.cose", 5, root, now.Add(-time.Minute)), exitFail, ""},
		{"good", bundle("v5.cose", 5, root, now.Add(24*time.Hour)), exitOK, "version 5"},
		{"not newer", bundle("v4.cose", 4, root, now.Add(24*time.Hour)), exitFail, ""},
		{"newer", bundle("v7.cose", 7, root, now.Add(24*time.Hour)), exitOK, "version 7"},
	}
	for _, s := range steps {
		r := runCLI(context.Background(), nil, "bundle", "publish", "--config", cfgPath, s.file)
		if r.code != s.code || !strings.Contains(r.stdout, s.out) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d, %q", s.name, r.code, r.stdout, r.stderr, s.code, s.out)
		}
	}
}

// TestDeviceListRevoke: device list shows the fleet, device revoke refuses
// the device's next batch on a running hub, and a re-enrollment token binds
// a new key.
func TestDeviceListRevoke(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "hub.yaml")
	os.WriteFile(cfgPath, fmt.Appendf(nil, "version: 1\nlisten: 127.0.0.1:0\nstorage: %s\nbundle_dir: %s\n",
		filepath.Join(dir, "hub.db"), filepath.Join(dir, "bundles")), 0o600)
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	ctx := context.Background()
	if r := runCLI(ctx, nil, "device", "add", "--config", cfgPath, "--id", "k1", "--pubkey", wire.EncodePublicKey(pub)); r.code != exitOK {
		t.Fatalf("device add: %+v", r)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	addr := make(chan string, 1)
	done := make(chan result, 1)
	go func() { done <- runCLI(sctx, func(a string) { addr <- a }, "serve", "--config", cfgPath) }()
	base := "http://" + <-addr
	push := func(first uint64) int {
		body, _ := wire.EncodeBatch(wire.Batch{Device: "k1", Epoch: "ab", FirstSeq: first, LastSeq: first,
			Passes: []record.Pass{{Seq: first, Epoch: "ab", At: 1, Decision: "accept", Reason: "ok", Gate: "opened"}}})
		req, _ := http.NewRequest(http.MethodPost, base+wire.PathPasses, bytes.NewReader(body))
		req.Header.Set("Content-Encoding", "gzip")
		req.Header.Set(wire.HeaderDevice, "k1")
		req.Header.Set(wire.HeaderSignature, wire.Sign(key, body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := push(1); code != http.StatusOK {
		t.Fatalf("push: %d", code)
	}
	r := runCLI(ctx, nil, "device", "list", "--config", cfgPath)
	if r.code != exitOK || !strings.Contains(r.stdout, "k1") || !strings.Contains(r.stdout, "never_seen") {
		t.Errorf("device list: %+v", r)
	}
	if r := runCLI(ctx, nil, "device", "revoke", "--config", cfgPath, "k9"); r.code != exitFail {
		t.Errorf("revoke unknown: %+v", r)
	}
	if r := runCLI(ctx, nil, "device", "revoke", "--config", cfgPath, "k1"); r.code != exitOK {
		t.Fatalf("revoke: %+v", r)
	}
	if code := push(2); code != http.StatusUnauthorized {
		t.Errorf("push after revoke: %d, want 401", code)
	}
	r = runCLI(ctx, nil, "device", "list", "--config", cfgPath, "--json")
	var fleet struct{ Devices []map[string]any }
	if err := json.Unmarshal([]byte(r.stdout), &fleet); err != nil || len(fleet.Devices) != 1 || fleet.Devices[0]["state"] != "revoked" {
		t.Errorf("device list --json: %s %v", r.stdout, err)
	}
	if r := runCLI(ctx, nil, "token", "create", "--config", cfgPath, "--device", "k1"); r.code != exitOK || len(strings.TrimSpace(r.stdout)) < 20 {
		t.Errorf("re-enrollment token: %+v", r)
	}
	cancel()
	<-done
}

// TestConsoleServed: console passwd hashes a password that then logs in on
// the console chot-hub serve mounts.
func TestConsoleServed(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), &env{stdin: strings.NewReader("s3cret-pass\n"), stdout: &out, stderr: &errb,
		args: []string{"console", "passwd"}, now: time.Now})
	hash := strings.TrimSpace(out.String())
	if code != exitOK || !strings.HasPrefix(hash, "$2a$") {
		t.Fatalf("console passwd: %d %q %q", code, hash, errb.String())
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "hub.yaml")
	os.WriteFile(cfgPath, fmt.Appendf(nil, "version: 1\nlisten: 127.0.0.1:0\nstorage: %s\nbundle_dir: %s\nconsole:\n  users:\n    - {name: ops, role: operator, password_hash: %q}\n",
		filepath.Join(dir, "hub.db"), filepath.Join(dir, "bundles"), hash), 0o600)
	sctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := make(chan string, 1)
	done := make(chan result, 1)
	go func() { done <- runCLI(sctx, func(a string) { addr <- a }, "serve", "--config", cfgPath) }()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case r := <-done:
		t.Fatalf("serve: %+v", r)
	}
	_, resp, page := consoleLogin(t, base, "ops", "s3cret-pass")
	if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte(`id="fleet"`)) {
		t.Errorf("after login: %d", resp.StatusCode)
	}
	cancel()
	<-done
}

// consoleLogin logs in to the console at base and returns the client and
// the page after login.
func consoleLogin(t *testing.T, base, user, pw string) (*http.Client, *http.Response, []byte) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(base + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("login page: %s", page)
	}
	resp, err = c.PostForm(base+"/console/login", url.Values{"csrf": {string(m[1])}, "user": {user}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	return c, resp, page
}

// TestTrustRefreshCLI: chot-hub trust refresh builds version 2 from the
// German gateway's signed PROD list (checked against its pinned key), signs
// and publishes it; the console's bundles page shows the keys added per
// country.
func TestTrustRefreshCLI(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	pub, root, _ := ed25519.GenerateKey(rand.Reader)
	pem, _ := trust.MarshalPublicKey(pub)
	os.WriteFile(filepath.Join(dir, "roots.pem"), pem, 0o600)
	kpem, _ := trust.MarshalPrivateKey(root)
	os.WriteFile(filepath.Join(dir, "root.key"), kpem, 0o600)
	v1, _ := trust.Sign(&trust.Bundle{Version: 1, IssuedAt: now.Add(-time.Hour), StaleAfter: now.Add(time.Hour), ExpiresAt: now.Add(48 * time.Hour)}, root)
	os.WriteFile(filepath.Join(dir, "v1.cose"), v1, 0o600)
	hash, _ := console.HashPassword("s3cret-pass")
	covpass := filepath.Join("..", "..", "..", "shared", "testdata", "trustlists", "covpass-ios")
	cfgPath := filepath.Join(dir, "hub.yaml")
	os.WriteFile(cfgPath, fmt.Appendf(nil, `version: 1
listen: 127.0.0.1:0
storage: %[1]s/hub.db
bundle_dir: %[1]s/bundles
bundle_roots_file: %[1]s/roots.pem
console:
  users: [{name: ops, role: operator, password_hash: %[2]q}]
trust_refresh:
  sign_key_file: %[1]s/root.key
  sources:
    - {name: de-prod, kind: list, file: %[3]s/PROD_RKI-dsc.signed.5da6a808.json, key_file: %[3]s/PROD_RKI-CA-pubkey.pem}
`, dir, hash, covpass), 0o600)
	ctx := context.Background()
	if r := runCLI(ctx, nil, "bundle", "publish", "--config", cfgPath, filepath.Join(dir, "v1.cose")); r.code != exitOK {
		t.Fatalf("publish v1: %+v", r)
	}
	r := runCLI(ctx, nil, "trust", "refresh", "--config", cfgPath)
	if r.code != exitOK || !strings.Contains(r.stdout, "published bundle version 2") || !strings.Contains(r.stdout, "verified") || !strings.Contains(r.stdout, "+2") {
		t.Fatalf("trust refresh: %+v", r)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	addr := make(chan string, 1)
	done := make(chan result, 1)
	go func() { done <- runCLI(sctx, func(a string) { addr <- a }, "serve", "--config", cfgPath) }()
	base := "http://" + <-addr
	c, _, _ := consoleLogin(t, base, "ops", "s3cret-pass")
	resp, err := c.Get(base + "/console/bundles")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(page, []byte(`id="changes"`)) || !bytes.Contains(page, []byte(`data-issuer="DE"`)) || !bytes.Contains(page, []byte(`id="published">2<`)) {
		t.Errorf("bundles page lacks the refresh:\n%s", page)
	}
	cancel()
	<-done
}
