// Package i18n holds what the device's status page and the hub's console
// share for their two languages: the message catalogue and the choice of a
// visitor's language.
package i18n

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Languages of the pages; the first is the default.
var Languages = []string{"en", "vi"}

// Cookie is the name of the cookie that remembers a visitor's choice.
const Cookie = "chot_lang"

// Catalogue maps language to message key to text.
type Catalogue map[string]map[string]string

// MustParse decodes a catalogue (messages.json) embedded in a program, and
// panics, naming owner, when it is malformed: a build that ships a broken
// catalogue must not start.
func MustParse(b []byte, owner string) Catalogue {
	var c Catalogue
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("%s: messages.json: %v", owner, err))
	}
	return c
}

// Text returns the message key in lang, falling back to English, then to
// the key itself in brackets so that a missing message shows in tests.
func (c Catalogue) Text(lang, key string) string {
	if s, ok := c[lang][key]; ok {
		return s
	}
	if s, ok := c["en"][key]; ok {
		return s
	}
	return "[" + key + "]"
}

// Has reports whether key is in the catalogue.
func (c Catalogue) Has(key string) bool {
	_, ok := c["en"][key]
	return ok
}

// WithPrefix returns the messages of lang whose key starts with one of the
// prefixes, for a page's script.
func (c Catalogue) WithPrefix(lang string, prefixes ...string) map[string]string {
	out := map[string]string{}
	for k := range c["en"] {
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				out[k] = c.Text(lang, k)
			}
		}
	}
	return out
}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Choice says where a page's language comes from besides the request.
type Choice struct {
	// CookiePath scopes the remembering cookie ("/" for the status page).
	CookiePath string
	// Secure marks the cookie Secure (the page is served over TLS).
	Secure bool
	// Site is the site's configured language; empty means none.
	Site string
}

// Pick chooses the language: ?lang= (remembered in a cookie), then the
// cookie, then the site's language, then Accept-Language, then English.
func Pick(w http.ResponseWriter, r *http.Request, ch Choice) string {
	if l := r.URL.Query().Get("lang"); Supported(l) {
		http.SetCookie(w, &http.Cookie{
			Name: Cookie, Value: l, Path: ch.CookiePath, MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: ch.Secure,
		})
		return l
	}
	if c, err := r.Cookie(Cookie); err == nil && Supported(c.Value) {
		return c.Value
	}
	if Supported(ch.Site) {
		return ch.Site
	}
	return AcceptLanguage(r.Header.Get("Accept-Language"))
}

// AcceptLanguage picks the supported language an Accept-Language header
// prefers most (by q, then by order), or the default.
func AcceptLanguage(h string) string {
	type cand struct {
		lang string
		q    float64
	}
	var cs []cand
	for part := range strings.SplitSeq(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if !Supported(primary) {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.TrimSpace(k) == "q" {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if q > 0 {
			cs = append(cs, cand{primary, q})
		}
	}
	if len(cs) == 0 {
		return Languages[0]
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].q > cs[b].q })
	return cs[0].lang
}
