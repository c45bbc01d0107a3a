package status

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"

	"github.com/chot-dev/chot/checkpoint"
)

//go:embed assets/page.html assets/style.css assets/app.js
var assets embed.FS

var pageTmpl = template.Must(template.ParseFS(assets, "assets/page.html"))

// assetV versions the asset URLs, so that a cached old script never meets a
// new page.
var assetV = func() string {
	h := sha256.New()
	for _, n := range []string{"assets/style.css", "assets/app.js"} {
		b, err := assets.ReadFile(n)
		if err != nil {
			panic(err)
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

// flashes are the ?msg= values the page shows; anything else is ignored.
var flashes = map[string]bool{"gate_opened": true, "gate_failed": true, "sync_started": true, "logged_in": true, "logged_out": true}

// pageData is what page.html renders.
type pageData struct {
	tr
	Lang         string
	Langs        []string
	Snap         checkpoint.Snapshot
	Tiles        []tile
	Feed         []feedItem
	Private      bool // views are private and nobody is logged in: show only the login
	LoggedIn     bool
	CSRF         string // the session's token, or the login form's
	LoginEnabled bool
	LoginError   string
	Flash        string
	FlashKey     string
	FlashBad     bool
	CanAct       bool
	CanExport    bool
	RefreshMS    int64
	I18N         string // labels for the script, JSON
	AssetV       string
}

type pageOpts struct {
	loginError string
}

func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	s.renderPage(w, r, http.StatusOK, pageOpts{})
}

// renderPage renders the whole page with status.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, o pageOpts) {
	lang := pickLang(w, r, s.secure(r), s.cfg.Language)
	t := tr{lang}
	_, se, loggedIn := s.session(r)
	d := pageData{
		tr: t, Lang: lang, Langs: languages, LoggedIn: loggedIn,
		LoginEnabled: s.cfg.AdminPasswordHash != "", LoginError: o.loginError,
		CanAct: s.d.Actions != nil, CanExport: s.d.Log != nil,
		RefreshMS: s.cfg.RefreshInterval.Milliseconds(), AssetV: assetV,
		Private: s.cfg.PrivateViews && !loggedIn,
	}
	if loggedIn {
		d.CSRF = se.csrf
	} else {
		d.CSRF = s.loginToken(w, r)
	}
	if m := r.URL.Query().Get("msg"); flashes[m] {
		d.Flash, d.FlashKey, d.FlashBad = t.T("msg."+m), m, m == "gate_failed"
	}
	if !d.Private {
		doc := s.document()
		d.Snap = doc.Snapshot
		d.Tiles = tiles(t, doc.Snapshot, doc.Health, doc.At)
		d.Feed = feedItems(t, doc.Snapshot.Recent)
		s.addRuleTexts(d.Feed, doc.Snapshot.Recent, lang)
		i18n, err := json.Marshal(messages.WithPrefix(lang, "decision.", "reason.", "gatestate.", "clock.", "feed."))
		if err != nil {
			s.log.Error("page i18n", "err", err)
		}
		d.I18N = string(i18n)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pageTmpl.ExecuteTemplate(w, "page", d); err != nil {
		s.log.Error("render page", "err", err)
	}
}

// handleTiles renders only the tiles, for the page's periodic refresh.
func (s *Server) handleTiles(w http.ResponseWriter, r *http.Request) {
	t := tr{pickLang(w, r, s.secure(r), s.cfg.Language)}
	doc := s.document()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pageTmpl.ExecuteTemplate(w, "tiles", tiles(t, doc.Snapshot, doc.Health, doc.At)); err != nil {
		s.log.Error("render tiles", "err", err)
	}
}

// assetHandler serves the embedded CSS and script; they may be cached.
func assetHandler() http.Handler {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err)
	}
	fsrv := http.StripPrefix("/assets/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/assets/page.html" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}
