package console_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/uplink"
)

const chromiumPath = "/usr/bin/chromium"

// browser starts headless Chromium, or skips (fails under CI) without it.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium not found at %s: %v", chromiumPath, err)
		}
		t.Skipf("chromium not found at %s", chromiumPath)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	t.Cleanup(cancel)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1360, 900),
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	return bctx
}

// TestBrowser drives the console in real Chromium: two real devices (a
// bbolt store and an uplink each, enrolled with tokens) report to the hub,
// one healthy and one gone quiet with stale trust data; the operator logs in,
// sees the stale one first, opens it, reads the chart, revokes the healthy
// one (whose next report the hub then refuses), has a forged CSRF token
// refused and switches to Vietnamese.
func TestBrowser(t *testing.T) {
	e := newFleetEnv(t)
	stale := e.addDevice(t, "gate-b2", "south-hall", 40)
	stale.staleAfter = t0.Add(-time.Hour) // its bundle went stale an hour ago
	stale.sync(t)
	e.clock.Add(30 * time.Minute) // gate-b2 says nothing more
	healthy := e.addDevice(t, "gate-a1", "north-hall", 60)
	healthy.sync(t)

	ctx := browser(t)
	eval := func(expr string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("evaluate %s: %v", expr, err)
		}
		return s
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	shots := os.Getenv("CHOT_SHOTS")
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if len(png) < 10_000 {
			t.Errorf("screenshot %s is only %d bytes: a blank page?", name, len(png))
		}
		dir := shots
		if dir == "" {
			dir = t.TempDir()
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	do("open the console", chromedp.Navigate(e.srv.URL+"/console/?lang=en"), chromedp.WaitVisible(chromedp.CSS("#password")))
	do("log in",
		chromedp.SendKeys(chromedp.CSS("#user"), "ops"),
		chromedp.SendKeys(chromedp.CSS("#password"), operatorPW),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#fleet")),
	)

	// The fleet: the quiet device with stale trust data first, then the
	// healthy one.
	rows := eval(`[...document.querySelectorAll("#fleet tbody tr")].map(r => r.dataset.device + ":" + r.dataset.state).join(",")`)
	if rows != "gate-b2:critical,gate-a1:ok" {
		t.Errorf("fleet rows %q, want gate-b2:critical,gate-a1:ok", rows)
	}
	if p := text(`#fleet tr[data-device="gate-b2"] .problems`); !strings.Contains(p, "Offline") || !strings.Contains(p, "Trust data stale") {
		t.Errorf("gate-b2 problems %q", p)
	}
	if c := text("#count-critical") + "/" + text("#count-ok"); c != "1/1" {
		t.Errorf("summary critical/ok %q", c)
	}
	shot("chot-console-fleet-en.png")
	// Filter by problem.
	do("filter", chromedp.SetValue(chromedp.CSS("#f-problem"), hub.ProblemTrustStale), chromedp.Click(chromedp.CSS("#f-apply")),
		chromedp.WaitVisible(chromedp.CSS(`#fleet tbody tr:only-child`)))
	if rows := eval(`[...document.querySelectorAll("#fleet tbody tr")].map(r => r.dataset.device).join(",")`); rows != "gate-b2" {
		t.Errorf("filtered rows %q", rows)
	}

	// One device: its health history and recent decisions, nothing personal.
	do("open the device", chromedp.Click(chromedp.CSS(`#fleet a.dev`)), chromedp.WaitVisible(chromedp.CSS("#history")))
	if id := text("#device-id"); id != "gate-b2" {
		t.Errorf("device page for %q", id)
	}
	if n := eval(`String(document.querySelectorAll("#recent tbody tr[data-seq]").length)`); n != "40" {
		t.Errorf("%s recent decisions, want 40", n)
	}
	if n := eval(`String(document.querySelectorAll("#history tbody tr").length)`); n != "2" {
		t.Errorf("%s health reports, want 2 (the uplink's first, then one more)", n)
	}
	body := eval(`document.body.innerText`)
	for _, s := range []string{"Expired", "Revoked", "Valid certificate", "chotd 1.4.0", "south-hall"} {
		if !strings.Contains(body, s) {
			t.Errorf("device page lacks %q", s)
		}
	}
	if strings.Contains(body, "00112233445566778899aabbccddeeff") {
		t.Error("device page shows the subject hash")
	}
	shot("chot-console-device-en.png")

	// The chart: one stacked bar per hour and reason, totals in the legend.
	do("passes", chromedp.Click(chromedp.CSS("#nav-passes")), chromedp.WaitVisible(chromedp.CSS("svg#chart")))
	if total := text("#chart-total"); total != "100" {
		t.Errorf("chart total %q, want 100", total)
	}
	if n := eval(`String(document.querySelectorAll("svg#chart rect.bar").length)`); n == "0" {
		t.Error("no bars in the chart")
	}
	if sum := eval(`String([...document.querySelectorAll("svg#chart rect.bar")].reduce((a, r) => a + Number(r.dataset.n), 0))`); sum != "100" {
		t.Errorf("bars add up to %s, want 100", sum)
	}
	if w := eval(`String(document.querySelector("svg#chart").getBoundingClientRect().width > 600)`); w != "true" {
		t.Error("chart not laid out")
	}
	shot("chot-console-passes-en.png")

	// A forged CSRF token is refused and revokes nothing: a form injected
	// into the page (the console's CSP allows no script of its own and no
	// fetch) posts to the revoke action with a made-up token.
	for _, tok := range []string{"forged", ""} {
		do("forged csrf "+tok, chromedp.Navigate(e.srv.URL+"/console/device/gate-a1"), chromedp.WaitVisible(chromedp.CSS("#revoke")))
		eval(`(() => { const f = document.createElement("form"); f.method = "post"; f.action = "/console/device/gate-a1/revoke";
			const i = document.createElement("input"); i.name = "csrf"; i.value = "` + tok + `"; f.appendChild(i);
			document.body.appendChild(f); f.submit(); return "sent"; })()`)
		do("refusal page", chromedp.WaitVisible(chromedp.CSS("#error")))
		if msg := text("#error"); !strings.Contains(msg, "CSRF") {
			t.Errorf("forged token %q: page says %q", tok, msg)
		}
	}
	if d, _ := e.st.Device(t.Context(), "gate-a1"); !d.Revoked.IsZero() {
		t.Fatal("a forged CSRF token revoked the device")
	}

	// Revocation from the device page; the real device is refused next.
	do("revoke", chromedp.Navigate(e.srv.URL+"/console/device/gate-a1"), chromedp.WaitVisible(chromedp.CSS("#revoke")),
		chromedp.Click(chromedp.CSS("#revoke")), chromedp.WaitVisible(chromedp.CSS("#flash-revoked")))
	if s := text("#device-state"); s != "Revoked" {
		t.Errorf("state after revoke %q", s)
	}
	if err := healthy.up.SendHealth(context.Background()); !errors.Is(err, uplink.ErrRejected) {
		t.Errorf("revoked device's report: %v, want ErrRejected", err)
	}

	// Vietnamese.
	do("switch language", chromedp.Click(chromedp.CSS("#lang-vi")), chromedp.WaitVisible(chromedp.CSS("#lang-vi.on")))
	for sel, want := range map[string]string{"#device-state": "Đã thu hồi", "#nav-fleet": "Thiết bị", "#nav-passes": "Lượt quét", "#logout": "Đăng xuất"} {
		if got := text(sel); got != want {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	do("fleet in Vietnamese", chromedp.Click(chromedp.CSS("#nav-fleet")), chromedp.WaitVisible(chromedp.CSS("#fleet")))
	if p := text(`#fleet tr[data-device="gate-b2"] .problems`); !strings.Contains(p, "Mất kết nối") || !strings.Contains(p, "Dữ liệu tin cậy cũ") {
		t.Errorf("problems in Vietnamese %q", p)
	}
	shot("chot-console-fleet-vi.png")
	do("log out", chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#password")))
	do("export after logout", chromedp.Navigate(e.srv.URL+"/console/export.csv"), chromedp.WaitVisible(chromedp.CSS("#password")))
}
