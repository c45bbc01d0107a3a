package status

import (
	"strings"
	"testing"

	"github.com/chot-dev/chot/checkpoint"
)

// TestFeedMarksUnverifiedIssuer: the issuer a refused code claims is shown as
// unverified, in the page's language; a verified one as it is.
func TestFeedMarksUnverifiedIssuer(t *testing.T) {
	evs := []checkpoint.Event{
		{Seq: 2, Decision: "reject", Reason: "bad_signature", Format: "dcc", Issuer: "XX", Unverified: true},
		{Seq: 1, Decision: "accept", Reason: "ok", Format: "dcc", Issuer: "VN"},
	}
	for lang, want := range map[string]string{"en": "unverified: XX", "vi": "chưa xác minh: XX"} {
		items := feedItems(tr{lang}, evs)
		if !strings.Contains(items[0].Detail, want) {
			t.Errorf("%s: detail %q, want %q", lang, items[0].Detail, want)
		}
		if strings.Contains(items[1].Detail, messages.Text(lang, "feed.unverified")) {
			t.Errorf("%s: a verified issuer is marked: %q", lang, items[1].Detail)
		}
	}
}
