package status

import (
	_ "embed"
	"net/http"

	"github.com/chot-dev/chot/internal/i18n"
)

// Languages of the page; the first is the default.
var languages = i18n.Languages

const langCookie = i18n.Cookie

//go:embed assets/messages.json
var messagesJSON []byte

// messages is the page's catalogue (assets/messages.json).
var messages = i18n.MustParse(messagesJSON, "status")

// pickLang chooses the page's language: ?lang= (and remembers it in a
// cookie), then the cookie, then the site's language (Config.Language), then
// Accept-Language, then English.
func pickLang(w http.ResponseWriter, r *http.Request, secure bool, site string) string {
	return i18n.Pick(w, r, i18n.Choice{CookiePath: "/", Secure: secure, Site: site})
}

// acceptLanguage picks the supported language the header prefers most.
func acceptLanguage(h string) string { return i18n.AcceptLanguage(h) }
