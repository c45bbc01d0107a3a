package status

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestLogin(t *testing.T) {
	tests := []struct {
		name       string
		hash       string
		password   string
		csrf       string // "ok": the cookie's own token
		wantStatus int
		wantIn     string
	}{
		{"right password", testHash, testPassword, "ok", http.StatusSeeOther, ""},
		{"wrong password", testHash, "guess", "ok", http.StatusUnauthorized, "Wrong password."},
		{"empty password", testHash, "", "ok", http.StatusUnauthorized, "Wrong password."},
		{"missing csrf", testHash, testPassword, "", http.StatusForbidden, "Forbidden"},
		{"forged csrf", testHash, testPassword, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", http.StatusForbidden, "Forbidden"},
		{"no password configured", "", testPassword, "ok", http.StatusForbidden, "Login is disabled"},
		{"hash not bcrypt", "plaintext", "plaintext", "ok", http.StatusForbidden, "Login is disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.AdminPasswordHash = tt.hash })
			resp := e.do(t, "GET", "/", nil)
			lc := cookieOf(resp, loginCSRF)
			body := readBody(t, resp)
			tok := tt.csrf
			if tok == "ok" {
				tok = lc.Value // the form carries the cookie's token
				if m := csrfRE.FindStringSubmatch(body); m != nil && m[1] != tok {
					t.Fatalf("form token %q differs from the cookie's %q", m[1], tok)
				}
			}
			resp = e.do(t, "POST", "/login", url.Values{"csrf": {tok}, "password": {tt.password}}, lc)
			body = readBody(t, resp)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("got status %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			if !strings.Contains(body, tt.wantIn) {
				t.Errorf("body lacks %q: %s", tt.wantIn, body)
			}
			sc := cookieOf(resp, sessionCookie)
			if (sc != nil) != (tt.wantStatus == http.StatusSeeOther) {
				t.Fatalf("session cookie %v, want one only on success", sc)
			}
			if sc != nil {
				if !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Secure || len(sc.Value) < 43 {
					t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, not Secure over plain HTTP, 32 random bytes", sc)
				}
				if want := t0.Add(8 * time.Hour); !sc.Expires.Equal(want) {
					t.Errorf("cookie expires %v, want %v", sc.Expires, want)
				}
			}
		})
	}
}

func TestLoginDisabledPage(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.AdminPasswordHash = "" })
	body := readBody(t, e.do(t, "GET", "/?lang=vi", nil))
	if !strings.Contains(body, "Đăng nhập bị tắt") || strings.Contains(body, `name="password"`) {
		t.Errorf("page of a device without password should say login is disabled and show no form")
	}
}

func TestSessionExpiresAndLogout(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.SessionTTL = time.Hour })
	sc, _ := e.login(t)
	if resp := e.do(t, "GET", "/export.csv", nil, sc); resp.StatusCode != http.StatusOK {
		t.Fatalf("export with a fresh session: got %d, want 200", resp.StatusCode)
	}
	e.clock.Add(time.Hour)
	if resp := e.do(t, "GET", "/export.csv", nil, sc); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("export with an expired session: got %d, want 401", resp.StatusCode)
	}

	sc, tok := e.login(t)
	resp := e.do(t, "POST", "/logout", url.Values{"csrf": {tok}}, sc)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: got %d, want 303", resp.StatusCode)
	}
	if resp := e.do(t, "GET", "/export.csv", nil, sc); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("export after logout: got %d, want 401", resp.StatusCode)
	}
}

func TestCSRF(t *testing.T) {
	for _, path := range []string{"/gate/open", "/sync"} {
		tests := []struct {
			name       string
			session    bool
			token      string // "ok", "other" (another session's) or a literal
			header     bool
			wantStatus int
		}{
			{"no session", false, "ok", false, http.StatusUnauthorized},
			{"missing token", true, "", false, http.StatusForbidden},
			{"forged token", true, "forged-token-forged-token-forged-token-1234", false, http.StatusForbidden},
			{"other session's token", true, "other", false, http.StatusForbidden},
			{"forged header", true, "x", true, http.StatusForbidden},
			{"valid token", true, "ok", false, http.StatusSeeOther},
			{"valid header", true, "ok", true, http.StatusSeeOther},
		}
		for _, tt := range tests {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				e := newEnv(t, nil)
				sc, tok := e.login(t)
				_, other := e.login(t)
				switch tt.token {
				case "ok":
				case "other":
					tok = other
				default:
					tok = tt.token
				}
				var cookies []*http.Cookie
				if tt.session {
					cookies = append(cookies, sc)
				}
				form := url.Values{}
				if !tt.header && tt.token != "" {
					form.Set("csrf", tok)
				}
				var resp *http.Response
				if tt.header {
					resp = e.doHeader(t, path, tok, cookies...)
				} else {
					resp = e.do(t, "POST", path, form, cookies...)
				}
				readBody(t, resp)
				if resp.StatusCode != tt.wantStatus {
					t.Fatalf("got status %d, want %d", resp.StatusCode, tt.wantStatus)
				}
				opened, syncs := e.actions.counts()
				ran := opened + syncs
				if want := map[bool]int{true: 1, false: 0}[tt.wantStatus == http.StatusSeeOther]; ran != want {
					t.Fatalf("actions ran %d times, want %d", ran, want)
				}
			})
		}
	}
}

func (e *env) doHeader(t *testing.T, path, tok string, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return e.doReq(t, req, tok, cookies)
}

func TestOpenGateFailureIsShown(t *testing.T) {
	e := newEnv(t, nil)
	e.actions.openErr = errGate
	sc, tok := e.login(t)
	resp := e.do(t, "POST", "/gate/open", url.Values{"csrf": {tok}}, sc)
	if loc := resp.Header.Get("Location"); loc != "/?msg=gate_failed" {
		t.Fatalf("redirect to %q, want the failure message", loc)
	}
	body := readBody(t, e.do(t, "GET", "/?msg=gate_failed&lang=en", nil, sc))
	if !strings.Contains(body, "The gate could not be opened.") {
		t.Error("page does not show the failure")
	}
	if e.actions.opened[0] != "web:192.0.2.10" {
		t.Errorf("OpenGate by %q, want the client's address", e.actions.opened[0])
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.LoginPerClient = 5; c.LoginGlobal = 8 })
	resp := e.do(t, "GET", "/", nil)
	lc := cookieOf(resp, loginCSRF)
	tok := csrfOf(t, readBody(t, resp))
	attempt := func(ip, pw string) *http.Response {
		req, _ := http.NewRequest("POST", "/login", strings.NewReader(url.Values{"csrf": {tok}, "password": {pw}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = ip + ":5555"
		return e.doReq(t, req, "", []*http.Cookie{lc})
	}
	for i := range 5 {
		if r := attempt("192.0.2.1", "wrong"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: got %d, want 401", i+1, r.StatusCode)
		}
		e.clock.Add(time.Second)
	}
	r := attempt("192.0.2.1", testPassword) // even the right password waits
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th attempt: got %d, want 429", r.StatusCode)
	}
	if got := r.Header.Get("Retry-After"); got != "55" {
		t.Errorf("Retry-After %q, want 55 (the first attempt leaves the window in 55 s)", got)
	}
	if !strings.Contains(readBody(t, r), "Too many attempts") {
		t.Error("429 page does not say why")
	}
	// Another client may still try, until the global limit.
	for i := range 3 {
		if r := attempt("192.0.2.2", "wrong"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("other client, attempt %d: got %d, want 401", i+1, r.StatusCode)
		}
	}
	if r := attempt("192.0.2.3", "wrong"); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("past the global limit: got %d, want 429", r.StatusCode)
	}
	e.clock.Add(time.Minute)
	if r := attempt("192.0.2.1", testPassword); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the window: got %d, want 303", r.StatusCode)
	}
}

func TestHashPassword(t *testing.T) {
	h, err := HashPassword("s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	if bcrypt.CompareHashAndPassword([]byte(h), []byte("s3cret-pass")) != nil {
		t.Error("hash does not match its password")
	}
	if bcrypt.CompareHashAndPassword([]byte(h), []byte("s3cret-pasS")) == nil {
		t.Error("hash matches another password")
	}
	if _, err := HashPassword(""); err != ErrPasswordEmpty {
		t.Errorf("empty: got %v, want ErrPasswordEmpty", err)
	}
	if _, err := HashPassword(strings.Repeat("x", 73)); err != ErrPasswordTooLong {
		t.Errorf("73 bytes: got %v, want ErrPasswordTooLong", err)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, nil)
	for _, path := range []string{"/", "/status.json", "/export.csv"} {
		resp := e.do(t, "GET", path, nil)
		readBody(t, resp)
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
	body := readBody(t, e.do(t, "GET", "/", nil))
	if strings.Contains(body, "<script>") || strings.Contains(body, " style=") || strings.Contains(body, "onclick") {
		t.Error("page has inline script or style, which the CSP blocks")
	}
	resp := e.do(t, "GET", "/assets/app.js", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Errorf("app.js: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp := e.do(t, "GET", "/assets/page.html", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the template is served: %d", resp.StatusCode)
	}
}

func TestPrivateViews(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.PrivateViews = true })
	tests := []struct {
		path string
		want int
	}{
		{"/events", http.StatusUnauthorized},
		{"/partial/tiles", http.StatusUnauthorized},
		{"/status.json", http.StatusOK},
		{"/metrics", http.StatusOK},
		{"/", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp := e.do(t, "GET", tt.path, nil)
			body := readBody(t, resp)
			if resp.StatusCode != tt.want {
				t.Fatalf("got %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.path == "/" && (strings.Contains(body, "gate-1") || strings.Contains(body, "Expired") || !strings.Contains(body, `name="password"`)) {
				t.Error("private page shows state, or no login form")
			}
		})
	}
}

func TestCheckPasswordHash(t *testing.T) {
	tests := []struct {
		hash string
		ok   bool
	}{
		{testHash, true},
		{"", false},
		{"secret", false},
		{"$2a$10$tooshort", false},
	}
	for _, tt := range tests {
		t.Run(tt.hash, func(t *testing.T) {
			err := CheckPasswordHash(tt.hash)
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrBadPasswordHash)) {
				t.Errorf("got %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
