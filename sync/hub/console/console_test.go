package console_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// client is a browser-like HTTP client with cookies.
type client struct {
	t    testing.TB
	base string
	c    *http.Client
}

func newClient(t testing.TB, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(method, path string, form url.Values) (int, string, http.Header) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), resp.Header
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login signs in and returns the session's CSRF token.
func (c *client) login(user, pw string) (int, string) {
	c.t.Helper()
	_, page, _ := c.do("GET", "/console/login", nil)
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		c.t.Fatalf("no login token in %s", page)
	}
	code, _, _ := c.do("POST", "/console/login", url.Values{"csrf": {m[1]}, "user": {user}, "password": {pw}})
	if code != http.StatusSeeOther {
		return code, ""
	}
	_, page, _ = c.do("GET", "/console/", nil)
	m = csrfRE.FindStringSubmatch(page)
	if m == nil {
		c.t.Fatalf("no csrf token on the fleet page")
	}
	return code, m[1]
}

// TestRolesAndCSRF: every page wants a session; a POST wants the session's
// CSRF token and the operator role; logins are rate limited.
func TestRolesAndCSRF(t *testing.T) {
	e := newFleetEnv(t)
	d := e.addDevice(t, "gate-1", "north", 8)
	d.sync(t)

	anon := newClient(t, e.srv.URL)
	for _, p := range []string{"/console/", "/console/device/gate-1", "/console/passes", "/console/export.csv", "/console/tokens"} {
		if code, _, h := anon.do("GET", p, nil); code != http.StatusSeeOther || h.Get("Location") != "/console/login" {
			t.Errorf("GET %s without a session: %d %s", p, code, h.Get("Location"))
		}
	}
	if code, _, _ := anon.do("POST", "/console/device/gate-1/revoke", url.Values{"csrf": {"x"}}); code != http.StatusUnauthorized {
		t.Errorf("revoke without a session: %d", code)
	}

	viewer := newClient(t, e.srv.URL)
	if code, _ := viewer.login("audit", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", code)
	}
	code, vtok := viewer.login("audit", viewerPW)
	if code != http.StatusSeeOther {
		t.Fatalf("viewer login: %d", code)
	}
	if _, page, _ := viewer.do("GET", "/console/device/gate-1", nil); strings.Contains(page, `id="revoke"`) || !strings.Contains(page, "gate-1") {
		t.Errorf("viewer sees a revoke button or no device")
	}
	if code, _, _ := viewer.do("POST", "/console/device/gate-1/revoke", url.Values{"csrf": {vtok}}); code != http.StatusForbidden {
		t.Errorf("viewer revoke: %d, want 403", code)
	}
	op := newClient(t, e.srv.URL)
	_, otok := op.login("ops", operatorPW)
	for _, tok := range []string{"", "forged", vtok} {
		if code, _, _ := op.do("POST", "/console/device/gate-1/revoke", url.Values{"csrf": {tok}}); code != http.StatusForbidden {
			t.Errorf("revoke with csrf %q: %d, want 403", tok, code)
		}
	}
	if dev, _ := e.st.Device(t.Context(), "gate-1"); !dev.Revoked.IsZero() {
		t.Fatal("a refused request revoked the device")
	}
	code, csv, _ := op.do("GET", "/console/export.csv?hours=24", nil)
	if code != http.StatusOK || strings.Count(csv, "\n") != 9 || !strings.HasPrefix(csv, "device,site,") || strings.Contains(csv, "00112233445566778899aabbccddeeff") {
		t.Errorf("export: %d\n%s", code, csv)
	}
	if code, page, _ := op.do("POST", "/console/tokens", url.Values{"csrf": {otok}}); code != http.StatusOK || !strings.Contains(page, `id="new-token"`) {
		t.Errorf("token create: %d", code)
	}
	if code, _, h := op.do("POST", "/console/device/gate-1/revoke", url.Values{"csrf": {otok}}); code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "msg=revoked") {
		t.Errorf("revoke: %d", code)
	}
	if dev, _ := e.st.Device(t.Context(), "gate-1"); dev.Revoked.IsZero() {
		t.Error("not revoked")
	}

	// Five tries a minute per client, then 429 even with the right password
	// (all clients here are 127.0.0.1: let the earlier logins age out).
	e.clock.Add(2 * time.Minute)
	limited := newClient(t, e.srv.URL)
	for range 4 {
		limited.login("ops", "nope")
	}
	if code, _ := limited.login("ops", "nope"); code != http.StatusUnauthorized {
		t.Errorf("fifth try: %d", code)
	}
	if code, _ := limited.login("ops", operatorPW); code != http.StatusTooManyRequests {
		t.Errorf("sixth try: %d, want 429", code)
	}
	e.clock.Add(2 * time.Minute)
	if code, _ := limited.login("ops", operatorPW); code != http.StatusSeeOther {
		t.Errorf("after the window: %d", code)
	}
}
