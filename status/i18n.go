package status

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Languages of the page; the first is the default.
var languages = []string{"en", "vi"}

const langCookie = "chot_lang"

//go:embed assets/messages.json
var messagesJSON []byte

// catalogue maps language to message key to text.
type catalogue map[string]map[string]string

var messages = mustCatalogue(messagesJSON)

func mustCatalogue(b []byte) catalogue {
	var c catalogue
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("status: messages.json: %v", err))
	}
	return c
}

// text returns the message key in lang, falling back to English, then to
// the key itself in brackets so that a missing message shows in tests.
func (c catalogue) text(lang, key string) string {
	if s, ok := c[lang][key]; ok {
		return s
	}
	if s, ok := c["en"][key]; ok {
		return s
	}
	return "[" + key + "]"
}

// has reports whether key is in the catalogue.
func (c catalogue) has(key string) bool {
	_, ok := c["en"][key]
	return ok
}

// withPrefix returns the messages of lang whose key starts with prefix, for
// the page's script (decision and reason labels).
func (c catalogue) withPrefix(lang string, prefixes ...string) map[string]string {
	out := map[string]string{}
	for k := range c["en"] {
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				out[k] = c.text(lang, k)
			}
		}
	}
	return out
}

func supported(lang string) bool {
	for _, l := range languages {
		if l == lang {
			return true
		}
	}
	return false
}

// pickLang chooses the page's language: ?lang= (and remembers it in a
// cookie), then the cookie, then the site's language (Config.Language), then
// Accept-Language, then English.
func pickLang(w http.ResponseWriter, r *http.Request, secure bool, site string) string {
	if l := r.URL.Query().Get("lang"); supported(l) {
		http.SetCookie(w, &http.Cookie{
			Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure,
		})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && supported(c.Value) {
		return c.Value
	}
	if supported(site) {
		return site
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

// acceptLanguage picks the supported language the header prefers most.
func acceptLanguage(h string) string {
	type cand struct {
		lang string
		q    float64
		i    int
	}
	var cs []cand
	for i, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if !supported(primary) {
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
			cs = append(cs, cand{primary, q, i})
		}
	}
	if len(cs) == 0 {
		return languages[0]
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].q > cs[b].q })
	return cs[0].lang
}
