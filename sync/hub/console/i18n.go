package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Languages of the console; the first is the default.
var languages = []string{"en", "vi"}

const langCookie = "chot_lang"

// catalogue maps language to message key to text.
type catalogue map[string]map[string]string

var messages = mustCatalogue()

func mustCatalogue() catalogue {
	b, err := assets.ReadFile("assets/messages.json")
	if err != nil {
		panic(err)
	}
	var c catalogue
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("console: messages.json: %v", err))
	}
	return c
}

// text returns key in lang, else in English, else the key in brackets (a
// missing message shows in tests).
func (c catalogue) text(lang, key string) string {
	if s, ok := c[lang][key]; ok {
		return s
	}
	if s, ok := c["en"][key]; ok {
		return s
	}
	return "[" + key + "]"
}

func (c catalogue) has(key string) bool { _, ok := c["en"][key]; return ok }

func supported(lang string) bool {
	for _, l := range languages {
		if l == lang {
			return true
		}
	}
	return false
}

// pickLang chooses the language: ?lang= (remembered in a cookie), the
// cookie, Accept-Language, English.
func pickLang(w http.ResponseWriter, r *http.Request, secure bool) string {
	if l := r.URL.Query().Get("lang"); supported(l) {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: Prefix, MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && supported(c.Value) {
		return c.Value
	}
	for part := range strings.SplitSeq(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if supported(primary) {
			return primary
		}
	}
	return languages[0]
}
