package status

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/chot-dev/chot/internal/ratelimit"
)

// Cookie names.
const (
	sessionCookie = "chot_session"
	loginCSRF     = "chot_login_csrf" // double-submit token of the login form
	csrfField     = "csrf"
	csrfHeader    = "X-CSRF-Token"
	maxSessions   = 64
	maxPassword   = 72 // bcrypt's limit
)

// ErrPasswordTooLong is returned by HashPassword for a password bcrypt
// cannot take whole.
var ErrPasswordTooLong = errors.New("status: password longer than 72 bytes")

// ErrPasswordEmpty is returned by HashPassword for an empty password.
var ErrPasswordEmpty = errors.New("status: empty password")

// ErrBadPasswordHash is returned by CheckPasswordHash for a value that is not
// a bcrypt hash.
var ErrBadPasswordHash = errors.New("status: admin password hash is not a bcrypt hash")

// CheckPasswordHash reports whether h can be Config.AdminPasswordHash, for
// a config loader that reports every problem at once.
func CheckPasswordHash(h string) error {
	if _, err := bcrypt.Cost([]byte(h)); err != nil {
		return fmt.Errorf("%w: %w", ErrBadPasswordHash, err)
	}
	return nil
}

// HashPassword returns the bcrypt hash of pw for Config.AdminPasswordHash.
func HashPassword(pw string) (string, error) {
	if pw == "" {
		return "", ErrPasswordEmpty
	}
	if len(pw) > maxPassword {
		return "", ErrPasswordTooLong
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("status: hash password: %w", err)
	}
	return string(h), nil
}

// session is one logged-in admin.
type session struct {
	csrf    string
	expires time.Time
}

// sessions holds the logged-in sessions in memory.
type sessions struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]session
}

// randomToken returns 32 random bytes, base64url.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// create starts a session and returns its id.
func (s *sessions) create(now time.Time) (string, session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	if len(s.m) >= maxSessions { // drop the one closest to expiry
		var oldest string
		for id, se := range s.m {
			if oldest == "" || se.expires.Before(s.m[oldest].expires) {
				oldest = id
			}
		}
		delete(s.m, oldest)
	}
	id := randomToken()
	se := session{csrf: randomToken(), expires: now.Add(s.ttl)}
	s.m[id] = se
	return id, se
}

// get returns the live session id names.
func (s *sessions) get(id string, now time.Time) (session, bool) {
	if id == "" {
		return session{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.m[id]
	if !ok {
		return session{}, false
	}
	if !now.Before(se.expires) {
		delete(s.m, id)
		return session{}, false
	}
	return se, true
}

func (s *sessions) delete(id string) {
	s.mu.Lock()
	delete(s.m, id)
	s.mu.Unlock()
}

func (s *sessions) pruneLocked(now time.Time) {
	for id, se := range s.m {
		if !now.Before(se.expires) {
			delete(s.m, id)
		}
	}
}

// tokenEqual compares two tokens in constant time; empty never matches.
func tokenEqual(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// requestToken is the CSRF token a POST carries, in the header or the form.
func requestToken(r *http.Request) string {
	if t := r.Header.Get(csrfHeader); t != "" {
		return t
	}
	return r.PostFormValue(csrfField)
}

// secure reports whether cookies must be Secure for r.
func (s *Server) secure(r *http.Request) bool {
	return s.cfg.SecureCookies || r.TLS != nil
}

// session returns the request's live session.
func (s *Server) session(r *http.Request) (string, session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", session{}, false
	}
	se, ok := s.sessions.get(c.Value, s.cfg.Now())
	return c.Value, se, ok
}

// loginToken returns the login form's double-submit token, setting the
// cookie if the client has none yet.
func (s *Server) loginToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(loginCSRF); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	t := randomToken()
	http.SetCookie(w, &http.Cookie{
		Name: loginCSRF, Value: t, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secure(r),
	})
	return t
}

// authed wraps an admin handler: it needs a live session and, for a POST,
// that session's CSRF token. Nothing runs otherwise.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, se, ok := s.session(r)
		if !ok {
			s.fail(w, r, http.StatusUnauthorized, "err.login_required")
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if !tokenEqual(requestToken(r), se.csrf) {
				s.log.Warn("csrf token refused", "path", r.URL.Path, "client", ratelimit.ClientIP(r))
				s.fail(w, r, http.StatusForbidden, "err.forbidden")
				return
			}
		}
		h(w, r, id)
	}
}

// handleLogin checks the password and starts a session.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	c, err := r.Cookie(loginCSRF)
	if err != nil || !tokenEqual(requestToken(r), c.Value) {
		s.fail(w, r, http.StatusForbidden, "err.forbidden")
		return
	}
	if s.cfg.AdminPasswordHash == "" {
		s.fail(w, r, http.StatusForbidden, "login.disabled")
		return
	}
	now := s.cfg.Now()
	if wait, ok := s.limiter.Allow(ratelimit.ClientIP(r), now); !ok {
		w.Header().Set("Retry-After", fmt.Sprint(int((wait+time.Second-1)/time.Second)))
		s.log.Warn("login rate limited", "client", ratelimit.ClientIP(r))
		s.renderPage(w, r, http.StatusTooManyRequests, pageOpts{loginError: "login.limited"})
		return
	}
	pw := r.PostFormValue("password")
	if len(pw) > maxPassword || bcrypt.CompareHashAndPassword([]byte(s.cfg.AdminPasswordHash), []byte(pw)) != nil {
		s.log.Warn("login failed", "client", ratelimit.ClientIP(r))
		s.renderPage(w, r, http.StatusUnauthorized, pageOpts{loginError: "login.failed"})
		return
	}
	if old, _, ok := s.session(r); ok {
		s.sessions.delete(old)
	}
	id, se := s.sessions.create(now)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", Expires: se.expires, MaxAge: int(s.cfg.SessionTTL / time.Second),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure(r),
	})
	s.log.Info("admin logged in", "client", ratelimit.ClientIP(r))
	http.Redirect(w, r, "/?msg=logged_in", http.StatusSeeOther)
}

// handleLogout ends the session.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, id string) {
	s.sessions.delete(id)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure(r),
	})
	http.Redirect(w, r, "/?msg=logged_out", http.StatusSeeOther)
}
