package status

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chot-dev/chot/checkpoint"
)

// TestRuleTexts: a refusal by an EU business rule shows the rule's own
// description in the page's language, in the page and in /events.
func TestRuleTexts(t *testing.T) {
	texts := map[string]map[string]string{
		"TR-VN-0001": {"en": "Only PCR tests are accepted.", "vi": "Chỉ chấp nhận xét nghiệm PCR."},
	}
	snap := sampleSnapshot()
	snap.Recent = append([]checkpoint.Event{
		{Seq: 140, At: t0.Add(-10 * time.Second), Clock: "synced", Decision: "reject", Reason: "policy", Class: "policy",
			Rule: "TR-VN-0001", Format: "dcc", Type: "test", Issuer: "VN", Gate: "not_opened"},
		{Seq: 141, At: t0.Add(-5 * time.Second), Clock: "synced", Decision: "reject", Reason: "policy", Class: "policy",
			Rule: "test.kinds", Format: "dcc", Type: "test", Issuer: "VN", Gate: "not_opened"},
	}, snap.Recent...)
	src := newFakeSource(snap)
	srv := New(Config{Now: func() time.Time { return t0 }, Logger: discardLogger()},
		Deps{Source: src, RuleTexts: func(rule string) map[string]string { return texts[rule] }})
	h := srv.Handler()
	e := &env{h: h}
	for lang, want := range map[string]string{"vi": "Chỉ chấp nhận xét nghiệm PCR.", "en": "Only PCR tests are accepted."} {
		resp := e.do(t, "GET", "/?lang="+lang, nil)
		body, _ := io.ReadAll(resp.Body)
		page := string(body)
		if !strings.Contains(page, `<div class="ev-rule">`+want+`</div>`) {
			t.Errorf("lang %s: the page lacks the rule's description %q", lang, want)
		}
		if !strings.Contains(page, "TR-VN-0001") {
			t.Errorf("lang %s: the page does not name the rule", lang)
		}
		if n := strings.Count(page, `class="ev-rule"`); n != 1 {
			t.Errorf("lang %s: %d rule descriptions, want 1 (chot's own rules have none)", lang, n)
		}
	}
	b, err := json.Marshal(srv.wireEvent(snap.Recent[0]))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Rule      string            `json:"rule"`
		RuleTexts map[string]string `json:"rule_texts"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Rule != "TR-VN-0001" || got.RuleTexts["vi"] != texts["TR-VN-0001"]["vi"] || got.RuleTexts["en"] == "" {
		t.Errorf("event %s", b)
	}
	if b, _ := json.Marshal(srv.wireEvent(snap.Recent[1])); strings.Contains(string(b), "rule_texts") {
		t.Errorf("chot's own rule got texts: %s", b)
	}
}

// TestRuleTextsLive: a refusal pushed to an open page shows the rule's
// description in the page's language (real Chromium).
func TestRuleTextsLive(t *testing.T) {
	src := newFakeSource(sampleSnapshot())
	srv := New(Config{Now: func() time.Time { return t0 }, Logger: discardLogger()},
		Deps{Source: src, RuleTexts: func(rule string) map[string]string {
			if rule == "TR-VN-0001" {
				return map[string]string{"en": "Only PCR tests are accepted.", "vi": "Chỉ chấp nhận xét nghiệm PCR."}
			}
			return nil
		}})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(hs.URL+"/?lang=vi"), chromedp.WaitReady(chromedp.CSS(`body[data-live="on"]`))); err != nil {
		t.Fatal(err)
	}
	src.publish(checkpoint.Event{Seq: 900, At: t0.Add(time.Second), Clock: "synced", Decision: "reject", Reason: "policy",
		Class: "policy", Rule: "TR-VN-0001", Format: "dcc", Type: "test", Issuer: "VN", Gate: "not_opened"})
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#feed li[data-seq="900"] .ev-rule`))); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(`#feed li[data-seq="900"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "TR-VN-0001") || !strings.Contains(got, "Chỉ chấp nhận xét nghiệm PCR.") {
		t.Errorf("live row %q", got)
	}
}
