package status

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chot-dev/chot/checkpoint"
)

const chromiumPath = "/usr/bin/chromium"

// browser starts headless Chromium for the test, or skips (fails under CI)
// when it is not installed.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium not found at %s: %v", chromiumPath, err)
		}
		t.Skipf("chromium not found at %s", chromiumPath)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	t.Cleanup(cancel)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 940),
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	return bctx
}

// fetchJS runs a fetch in the page and returns "status|body".
func fetchJS(url, init string) string {
	return `fetch(` + url + `, ` + init + `).then(r => r.text().then(b => r.status + "|" + b))`
}

func TestBrowser(t *testing.T) {
	e := newEnv(t, nil)
	e.log.passes = samplePasses()
	srv := httptest.NewServer(e.h)
	t.Cleanup(srv.Close) // after the browser's cleanups: its event stream holds a connection
	ctx := browser(t)
	shots := t.TempDir()

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
		return s
	}
	// shot saves a screenshot to the test's temp dir and, when public, for
	// people to look at: to $CHOT_SHOTS if set, else to the system temp dir.
	shot := func(name string, public bool) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if len(png) < 10_000 {
			t.Errorf("screenshot %s is only %d bytes: a blank page?", name, len(png))
		}
		paths := []string{filepath.Join(shots, name)}
		if dir := os.Getenv("CHOT_SHOTS"); dir != "" {
			paths = append(paths, filepath.Join(dir, name))
		} else if public {
			paths = append(paths, filepath.Join(os.TempDir(), name))
		}
		for _, p := range paths {
			if err := os.WriteFile(p, png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("screenshot %s (%d bytes)", paths[len(paths)-1], len(png))
	}

	do("open the page", chromedp.Navigate(srv.URL+"/?lang=en"), chromedp.WaitVisible(chromedp.CSS("#password")))

	// Without a session: refused, nothing runs.
	if got := eval(fetchJS(`"/export.csv"`, `{}`)); !strings.HasPrefix(got, "401|") {
		t.Errorf("export without a session: %q, want 401", got)
	}
	if got := eval(fetchJS(`"/gate/open"`, `{method: "POST"}`)); !strings.HasPrefix(got, "401|") {
		t.Errorf("open gate without a session: %q, want 401", got)
	}

	do("log in",
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#open-gate")),
		chromedp.WaitReady(chromedp.CSS(`body[data-live="on"]`)), // the event stream is open
	)

	// A decision pushed after the page loaded appears live, coloured by its class.
	e.src.publish(checkpoint.Event{Seq: 501, At: t0.Add(time.Second), Clock: "synced", Decision: "reject", Reason: "revoked",
		Class: "revoked", Format: "dcc", Type: "vaccination", Issuer: "VN", Gate: "not_opened", LatencyUS: 57000})
	do("see the decision", chromedp.WaitVisible(chromedp.CSS(`#feed li[data-seq="501"]`)))
	if row := text(`#feed li:first-child`); !strings.Contains(row, "Rejected") || !strings.Contains(row, "Revoked") || !strings.Contains(row, "DCC · vaccination · VN") {
		t.Errorf("live row %q", row)
	}
	if c := eval(`getComputedStyle(document.querySelector('#feed li[data-seq="501"] .ev-dec')).color`); c != "rgb(147, 51, 234)" {
		t.Errorf("revoked colour %q, want the revoked class's purple", c)
	}
	// The tiles follow: the counters refresh after a decision.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`document.querySelector("#tile-counters .stat.reject dd").textContent === "10"`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("rejected counter did not refresh to 10: %v", err)
	}
	shot("chot-status-en.png", true)

	// The CSV export, fetched with the session cookie from the page.
	csvText := eval(fetchJS(`"/export.csv"`, `{}`))
	if !strings.HasPrefix(csvText, "200|epoch,seq,at,") || strings.Count(csvText, "\n") != 4 || !strings.Contains(csvText, "min-doses") {
		t.Errorf("export: %q", csvText)
	}

	// A forged or missing CSRF token is refused and runs nothing.
	for _, init := range []string{
		`{method: "POST", headers: {"X-CSRF-Token": "forged"}}`,
		`{method: "POST", body: new URLSearchParams({csrf: "forged"})}`,
		`{method: "POST"}`,
	} {
		if got := eval(fetchJS(`"/gate/open"`, init)); !strings.HasPrefix(got, "403|") {
			t.Errorf("open gate with %s: %q, want 403", init, got)
		}
	}
	if opened, syncs := e.actions.counts(); opened+syncs != 0 {
		t.Fatalf("refused requests ran actions: %d opens, %d syncs", opened, syncs)
	}
	// The real button, with the page's token, works.
	do("open the gate", chromedp.Click(chromedp.CSS("#open-gate")), chromedp.WaitVisible(chromedp.CSS("#flash-gate_opened")))
	if opened, _ := e.actions.counts(); opened != 1 {
		t.Errorf("gate opened %d times, want 1", opened)
	}

	// Switch to Vietnamese.
	do("switch language", chromedp.Click(chromedp.CSS("#lang-vi")), chromedp.WaitVisible(chromedp.CSS("#lang-vi.on")),
		chromedp.WaitReady(chromedp.CSS(`body[data-live="on"]`)))
	for sel, want := range map[string]string{"#open-gate": "Mở cổng", "#sync": "Đồng bộ ngay", "#export": "Xuất CSV", "#tile-clock h3": "Đồng hồ", "#tile-hub .value": "Trực tuyến"} {
		if got := text(sel); got != want {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	e.src.publish(checkpoint.Event{Seq: 502, At: t0.Add(2 * time.Second), Clock: "synced", Decision: "accept", Reason: "ok",
		Class: "accept", Format: "shc", Type: "immunization", Gate: "opened", LatencyUS: 44000})
	do("see the decision in Vietnamese", chromedp.WaitVisible(chromedp.CSS(`#feed li[data-seq="502"]`)))
	if row := text(`#feed li:first-child`); !strings.Contains(row, "Chấp nhận") || !strings.Contains(row, "Chứng nhận hợp lệ") {
		t.Errorf("live row in Vietnamese %q", row)
	}
	shot("chot-status-vi.png", true)

	// Logged out, the admin actions are gone and refused.
	do("log out", chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#password")))
	shot("chot-status-login-vi.png", false)
	if got := eval(fetchJS(`"/export.csv"`, `{}`)); !strings.HasPrefix(got, "401|") {
		t.Errorf("export after logout: %q, want 401", got)
	}
	if err := ctx.Err(); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}
