package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/chot-dev/chot/internal/ratelimit"
)

// Roles.
const (
	RoleOperator = "operator" // sees everything and acts
	RoleViewer   = "viewer"   // sees everything, changes nothing
)

// User is one console login.
type User struct {
	Name string
	Role string
	// PasswordHash is bcrypt (HashPassword).
	PasswordHash string
}

// ErrBadPassword is returned by HashPassword for an empty password or one
// longer than bcrypt takes (72 bytes).
var ErrBadPassword = errors.New("console: password empty or longer than 72 bytes")

// HashPassword returns the bcrypt hash of pw for User.PasswordHash.
func HashPassword(pw string) (string, error) {
	if pw == "" || len(pw) > 72 {
		return "", ErrBadPassword
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("console: hash password: %w", err)
	}
	return string(h), nil
}

// Cookie and form names.
const (
	sessionCookie = "chot_console"
	loginCookie   = "chot_console_login" // double-submit token of the login form
	csrfField     = "csrf"
)

// session is what the signed session cookie carries. It lives in the
// cookie, not in the process: any hub instance sharing SessionKey takes it.
type session struct {
	User    string `json:"u"`
	Role    string `json:"r"`
	Expires int64  `json:"e"` // Unix seconds
	Nonce   string `json:"n"`
}

// sign returns payload.mac of s under key.
func sign(key []byte, s session) string {
	j, _ := json.Marshal(s)
	p := base64.RawURLEncoding.EncodeToString(j)
	m := hmac.New(sha256.New, key)
	m.Write([]byte("session\x00" + p))
	return p + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// open checks a session cookie value at now.
func open(key []byte, v string, now time.Time) (session, bool) {
	p, mac, ok := strings.Cut(v, ".")
	if !ok {
		return session{}, false
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("session\x00" + p))
	got, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil || !hmac.Equal(got, m.Sum(nil)) {
		return session{}, false
	}
	j, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return session{}, false
	}
	var s session
	if json.Unmarshal(j, &s) != nil || now.Unix() >= s.Expires {
		return session{}, false
	}
	return s, true
}

// csrf is the session's CSRF token: derived from its nonce, so it needs no
// storage either.
func csrf(key []byte, s session) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("csrf\x00" + s.Nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func tokenEqual(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// secure reports whether cookies must be Secure.
func (c *Console) secure(r *http.Request) bool { return c.cfg.SecureCookies || r.TLS != nil }

// current returns the request's session.
func (c *Console) current(r *http.Request) (session, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	return open(c.key, ck.Value, c.cfg.Now())
}

// authed wraps a page: it needs a session; a POST also needs the session's
// CSRF token and the operator role. Nothing runs otherwise.
func (c *Console) authed(h func(w http.ResponseWriter, r *http.Request, p *page)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.current(r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
				return
			}
			c.refuse(w, r, http.StatusUnauthorized, "err.login_required")
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, c.cfg.MaxUpload)
			if !tokenEqual(r.PostFormValue(csrfField), csrf(c.key, s)) {
				c.log.Warn("console: csrf token refused", "path", r.URL.Path, "user", s.User, "client", ratelimit.ClientIP(r))
				c.refuse(w, r, http.StatusForbidden, "err.csrf")
				return
			}
			if s.Role != RoleOperator {
				c.refuse(w, r, http.StatusForbidden, "err.viewer")
				return
			}
		}
		h(w, r, c.newPage(w, r, &s))
	}
}

// handleLoginForm is GET /console/login.
func (c *Console) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	p := c.newPage(w, r, nil)
	p.LoginToken = c.loginToken(w, r)
	c.render(w, http.StatusOK, "login", p)
}

// loginToken returns the login form's double-submit token, setting the
// cookie when the client has none.
func (c *Console) loginToken(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(loginCookie); err == nil && len(ck.Value) >= 32 {
		return ck.Value
	}
	t := randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: t, Path: Prefix, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.secure(r)})
	return t
}

// handleLogin is POST /console/login.
func (c *Console) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	ck, err := r.Cookie(loginCookie)
	if err != nil || !tokenEqual(r.PostFormValue(csrfField), ck.Value) {
		c.refuse(w, r, http.StatusForbidden, "err.csrf")
		return
	}
	now := c.cfg.Now()
	p := c.newPage(w, r, nil)
	p.LoginToken = ck.Value
	if wait, ok := c.limiter.Allow(ratelimit.ClientIP(r), now); !ok {
		w.Header().Set("Retry-After", fmt.Sprint(int((wait+time.Second-1)/time.Second)))
		c.log.Warn("console: login rate limited", "client", ratelimit.ClientIP(r))
		p.Error = "login.limited"
		c.render(w, http.StatusTooManyRequests, "login", p)
		return
	}
	name, pw := r.PostFormValue("user"), r.PostFormValue("password")
	u, ok := c.users[name]
	hash := dummyHash
	if ok {
		hash = u.PasswordHash
	}
	// Compare even for an unknown user, so timing does not tell names.
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) != nil || !ok || len(pw) > 72 {
		c.log.Warn("console: login failed", "user", name, "client", ratelimit.ClientIP(r))
		p.Error = "login.failed"
		c.render(w, http.StatusUnauthorized, "login", p)
		return
	}
	s := session{User: u.Name, Role: u.Role, Expires: now.Add(c.cfg.SessionTTL).Unix(), Nonce: randomToken()}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sign(c.key, s), Path: Prefix,
		MaxAge: int(c.cfg.SessionTTL / time.Second), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.secure(r)})
	c.log.Info("console: login", "user", u.Name, "role", u.Role, "client", ratelimit.ClientIP(r))
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

// dummyHash is compared against for unknown users.
var dummyHash, _ = HashPassword("chot-console-no-such-user")

// handleLogout is POST /console/logout.
func (c *Console) handleLogout(w http.ResponseWriter, r *http.Request) {
	s, ok := c.current(r)
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if !ok || !tokenEqual(r.PostFormValue(csrfField), csrf(c.key, s)) {
		c.refuse(w, r, http.StatusForbidden, "err.csrf")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: Prefix, MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.secure(r)})
	http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
}

func bcryptCost(h string) (int, error) { return bcrypt.Cost([]byte(h)) }
