package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chot-dev/chot/sync/hub"

	"github.com/chot-dev/chot/internal/ratelimit"
)

// Prefix is where the console lives.
const Prefix = "/console/"

//go:embed assets
var assets embed.FS

// Config configures New. Zero values are the documented defaults.
type Config struct {
	// Storage is the hub's database. Required.
	Storage hub.Storage
	// Bundles is the published bundles; nil hides publishing.
	Bundles *hub.Bundles
	// Users may log in. At least one is required.
	Users []User
	// SessionKey signs session cookies (at least 32 bytes). Hub instances
	// behind one address must share it; nil means a random key of this
	// process (sessions then end with it).
	SessionKey []byte
	// SessionTTL is how long a login lasts. 0 means 8 hours.
	SessionTTL time.Duration
	// TokenTTL is the life of an enrollment token made here. 0 means 24 h.
	TokenTTL time.Duration
	// Rules judge the fleet.
	Rules hub.Rules
	// SecureCookies marks cookies Secure even over plain HTTP (behind a TLS
	// proxy).
	SecureCookies bool
	// MaxUpload caps a POST body (a bundle upload). 0 means 32 MiB.
	MaxUpload int64
	// Now is the clock. nil means time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// Console is the operator's web console.
type Console struct {
	cfg     Config
	log     *slog.Logger
	key     []byte
	users   map[string]User
	limiter *ratelimit.Limiter
	tmpl    *template.Template
	assetV  string
}

// New checks cfg and returns a Console.
func New(cfg Config) (*Console, error) {
	if cfg.Storage == nil {
		return nil, errors.New("console: no storage")
	}
	users := map[string]User{}
	for _, u := range cfg.Users {
		if u.Name == "" || (u.Role != RoleOperator && u.Role != RoleViewer) {
			return nil, fmt.Errorf("console: user %q: want a name and role operator or viewer", u.Name)
		}
		if _, err := bcryptCost(u.PasswordHash); err != nil {
			return nil, fmt.Errorf("console: user %q: password_hash: %w", u.Name, err)
		}
		users[u.Name] = u
	}
	if len(users) == 0 {
		return nil, errors.New("console: no users")
	}
	key := cfg.SessionKey
	if key == nil {
		key = []byte(randomToken())
	} else if len(key) < 32 {
		return nil, errors.New("console: session key shorter than 32 bytes")
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 24 * time.Hour
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = 32 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	tmpl, err := template.New("").Funcs(funcs).ParseFS(assets, "assets/*.html")
	if err != nil {
		return nil, fmt.Errorf("console: templates: %w", err)
	}
	css, _ := assets.ReadFile("assets/console.css")
	sum := sha256.Sum256(css)
	return &Console{cfg: cfg, log: cfg.Logger, key: key, users: users, limiter: ratelimit.New(5, 50, time.Minute),
		tmpl: tmpl, assetV: hex.EncodeToString(sum[:4])}, nil
}

// Handler returns the console's routes under Prefix.
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Prefix+"login", c.handleLoginForm)
	mux.HandleFunc("POST "+Prefix+"login", c.handleLogin)
	mux.HandleFunc("POST "+Prefix+"logout", c.handleLogout)
	mux.HandleFunc("GET "+Prefix+"console.css", c.handleCSS)
	mux.HandleFunc("GET "+Prefix+"{$}", c.authed(c.handleFleet))
	mux.HandleFunc("GET "+Prefix+"device/{id}", c.authed(c.handleDevice))
	mux.HandleFunc("POST "+Prefix+"device/{id}/revoke", c.authed(c.handleRevoke))
	mux.HandleFunc("POST "+Prefix+"device/{id}/reenroll", c.authed(c.handleReenroll))
	mux.HandleFunc("GET "+Prefix+"passes", c.authed(c.handlePasses))
	mux.HandleFunc("GET "+Prefix+"export.csv", c.authed(c.handleExport))
	mux.HandleFunc("GET "+Prefix+"bundles", c.authed(c.handleBundles))
	mux.HandleFunc("POST "+Prefix+"bundles", c.authed(c.handlePublish))
	mux.HandleFunc("GET "+Prefix+"tokens", c.authed(c.handleTokens))
	mux.HandleFunc("POST "+Prefix+"tokens", c.authed(c.handleTokenCreate))
	mux.HandleFunc("POST "+Prefix+"tokens/{hash}/delete", c.authed(c.handleTokenDelete))
	return securityHeaders(mux)
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

func (c *Console) handleCSS(w http.ResponseWriter, r *http.Request) {
	css, _ := assets.ReadFile("assets/console.css")
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=86400")
	w.Write(css)
}

// page is what every template gets.
type page struct {
	Lang, User, Role, CSRF, AssetV string
	Nav                            string // the current section
	LoginToken                     string
	Error, Flash                   string // message keys
	Now                            time.Time
	Data                           any
	Langs                          []string
	Query                          string // the request's query without lang
	Path                           string
}

// T translates key.
func (p *page) T(key string) string { return messages.Text(p.Lang, key) }

// Operator reports whether the user may act.
func (p *page) Operator() bool { return p.Role == RoleOperator }

func (c *Console) newPage(w http.ResponseWriter, r *http.Request, s *session) *page {
	q := r.URL.Query()
	q.Del("lang")
	p := &page{Lang: pickLang(w, r, c.secure(r)), AssetV: c.assetV, Now: c.cfg.Now(), Langs: languages,
		Query: q.Encode(), Path: r.URL.Path, Flash: r.URL.Query().Get("msg")}
	if p.Flash != "" && !messages.Has("flash."+p.Flash) {
		p.Flash = ""
	}
	if s != nil {
		p.User, p.Role, p.CSRF = s.User, s.Role, csrf(c.key, *s)
	}
	return p
}

// render executes a page template into a buffer first, so that an error
// gives a clean 500.
func (c *Console) render(w http.ResponseWriter, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := c.tmpl.ExecuteTemplate(&buf, name, p); err != nil {
		c.log.Error("console: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// refuse answers an error page (or JSON for a fetch that asks for it).
func (c *Console) refuse(w http.ResponseWriter, r *http.Request, status int, key string) {
	p := c.newPage(w, r, nil)
	p.Error = key
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"error": key})
		return
	}
	c.render(w, status, "error", p)
}

// fail logs a storage error and answers 503.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	c.log.Error("console: "+what, "err", err)
	c.refuse(w, r, http.StatusServiceUnavailable, "err.storage")
}

var funcs = template.FuncMap{
	"ago": func(p *page, t time.Time) string {
		if t.IsZero() {
			return p.T("time.never")
		}
		d := p.Now.Sub(t)
		switch {
		case d < 0:
			return p.T("time.future")
		case d < time.Minute:
			return strconv.Itoa(int(d/time.Second)) + " s"
		case d < time.Hour:
			return strconv.Itoa(int(d/time.Minute)) + " min"
		case d < 48*time.Hour:
			return strconv.Itoa(int(d/time.Hour)) + " h"
		}
		return strconv.Itoa(int(d/(24*time.Hour))) + " d"
	},
	"ts": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
	"ms": func(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05Z") },
	"bytes": func(n uint64) string {
		switch {
		case n >= 1<<30:
			return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
		case n >= 1<<20:
			return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
		}
		return fmt.Sprintf("%d KiB", n>>10)
	},
	"fps":  func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
	"join": strings.Join,
	"keys": func(m map[string]uint64) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	},
	"hexs": func(b []byte) string { return hex.EncodeToString(b) },
	"short": func(b []byte) string {
		if len(b) > 6 {
			b = b[:6]
		}
		return hex.EncodeToString(b)
	},
	"svg": func(s string) template.HTML { return template.HTML(s) }, // built by chart.go, every text escaped
}

// LangURL is this page in another language.
func (p *page) LangURL(lang string) string {
	q := p.Query
	if q != "" {
		q += "&"
	}
	return p.Path + "?" + q + "lang=" + lang
}

// Problem translates a problem code.
func (p *page) Problem(code string) string { return p.T("problem." + code) }
