package record

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxUntrusted is the longest a field taken from an unverified credential
// (issuer, kid) is kept, in bytes.
const MaxUntrusted = 64

// Untrusted bounds a text taken from a credential whose signature was not
// verified: control and format characters (which could hide or reorder text
// in a spreadsheet or a terminal) become U+FFFD, invalid UTF-8 too, and the
// result is cut to MaxUntrusted bytes on a character boundary, with "…" when
// cut.
func Untrusted(s string) string {
	clean := strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return utf8.RuneError
		}
		return r
	}, s)
	if len(clean) <= MaxUntrusted {
		return clean
	}
	cut := MaxUntrusted - len("…")
	for cut > 0 && !utf8.RuneStart(clean[cut]) {
		cut--
	}
	return clean[:cut] + "…"
}
