package status

import (
	"strings"
	"testing"
)

// TestPageShowsSignerValidity: the page says which DSC validity setting the
// policy in force uses.
func TestPageShowsSignerValidity(t *testing.T) {
	e := newEnv(t, nil)
	for lang, label := range map[string]string{"en": "DSC validity", "vi": "Hiệu lực DSC"} {
		body := readBody(t, e.do(t, "GET", "/?lang="+lang, nil))
		if !strings.Contains(body, label) || !strings.Contains(body, "<b>strict</b>") {
			t.Errorf("%s page does not show the signer validity setting", lang)
		}
	}
}
