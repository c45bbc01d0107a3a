package console

import (
	"net/http"

	"github.com/chot-dev/chot/internal/i18n"
)

// Languages of the console; the first is the default.
var languages = i18n.Languages

var messages = mustCatalogue()

func mustCatalogue() i18n.Catalogue {
	b, err := assets.ReadFile("assets/messages.json")
	if err != nil {
		panic(err)
	}
	return i18n.MustParse(b, "console")
}

// pickLang chooses the language: ?lang= (remembered in a cookie), the
// cookie, Accept-Language, English.
func pickLang(w http.ResponseWriter, r *http.Request, secure bool) string {
	return i18n.Pick(w, r, i18n.Choice{CookiePath: Prefix, Secure: secure})
}
