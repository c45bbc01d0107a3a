package console

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"time"

	"github.com/chot-dev/chot/sync/hub"
)

// reasonColors colour the reasons the checkpoint gives most; others are
// grey.
var reasonColors = map[string]string{
	"ok": "#16a34a", "expired": "#d97706", "not_yet_valid": "#f59e0b", "revoked": "#9333ea",
	"bad_signature": "#dc2626", "unknown_key": "#ef4444", "policy": "#2563eb", "passback": "#0891b2",
	"bad_base45": "#64748b", "bad_prefix": "#94a3b8", "bad_compression": "#475569",
}

const otherColor = "#cbd5e1"

// series is one reason's counts per hour.
type series struct {
	Reason string
	Color  string
	Total  int64
}

// chart is a stacked bar chart of passes per hour by reason, as SVG.
type chart struct {
	SVG    string
	Series []series
	Total  int64
}

// buildChart draws stats (already filtered to one site or all) over
// [since, until), one bar per hour. Every text in the SVG is escaped.
func buildChart(stats []hub.Stat, since, until time.Time, label func(string) string) chart {
	const w, h, left, bottom, top = 960.0, 260.0, 48.0, 28.0, 10.0
	since = since.Truncate(time.Hour)
	hours := int(until.Sub(since) / time.Hour)
	if hours < 1 {
		hours = 1
	}
	cells := map[int]map[string]int64{}
	totals := map[string]int64{}
	var all int64
	for _, s := range stats {
		i := int(s.Hour.Sub(since) / time.Hour)
		if i < 0 || i >= hours {
			continue
		}
		if cells[i] == nil {
			cells[i] = map[string]int64{}
		}
		cells[i][s.Reason] += s.N
		totals[s.Reason] += s.N
		all += s.N
	}
	reasons := make([]string, 0, len(totals))
	for r := range totals {
		reasons = append(reasons, r)
	}
	slices.SortFunc(reasons, func(a, b string) int {
		if totals[a] != totals[b] {
			if totals[a] > totals[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	var peak int64
	for _, m := range cells {
		var t int64
		for _, n := range m {
			t += n
		}
		peak = max(peak, t)
	}
	scale := niceMax(peak)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" id="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h, html.EscapeString(label("chart.aria")))
	plotH := h - bottom - top
	for _, f := range []float64{0, 0.5, 1} {
		y := top + plotH*(1-f)
		fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" class="grid"/>`, left, w, y, y)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" class="axis" text-anchor="end">%d</text>`, left-6, y+4, int64(f*float64(scale)))
	}
	bw := (w - left) / float64(hours)
	step := 6 // hours between x labels
	if hours > 72 {
		step = 24
	}
	for i := range hours {
		x := left + float64(i)*bw
		at := since.Add(time.Duration(i) * time.Hour)
		if (at.Hour()%step == 0 || hours <= 12) && x < w-60 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" class="axis">%s</text>`, x, h-8, at.UTC().Format("02/01 15h"))
		}
		y := top + plotH
		for _, r := range reasons {
			n := cells[i][r]
			if n == 0 {
				continue
			}
			bh := plotH * float64(n) / float64(scale)
			y -= bh
			fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" data-reason="%s" data-n="%d"><title>%s · %s: %d</title></rect>`,
				x+0.5, y, max(bw-1, 0.5), bh, colorOf(r), html.EscapeString(r), n, at.UTC().Format("2006-01-02 15:00Z"), html.EscapeString(label("reason."+r)), n)
		}
	}
	b.WriteString(`</svg>`)
	out := chart{SVG: b.String(), Total: all}
	for _, r := range reasons {
		out.Series = append(out.Series, series{Reason: r, Color: colorOf(r), Total: totals[r]})
	}
	return out
}

func colorOf(reason string) string {
	if c, ok := reasonColors[reason]; ok {
		return c
	}
	return otherColor
}

// niceMax rounds n up to 1, 2 or 5 times a power of ten (at least 1).
func niceMax(n int64) int64 {
	if n <= 1 {
		return 1
	}
	p := int64(1)
	for p*10 < n {
		p *= 10
	}
	for _, m := range []int64{1, 2, 5, 10} {
		if m*p >= n {
			return m * p
		}
	}
	return 10 * p
}
