package console

import (
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/sync/hub"
)

func TestNiceMax(t *testing.T) {
	for _, c := range []struct{ in, want int64 }{{0, 1}, {1, 1}, {2, 2}, {3, 5}, {7, 10}, {11, 20}, {40, 50}, {99, 100}, {101, 200}, {5000, 5000}} {
		if got := niceMax(c.in); got != c.want {
			t.Errorf("niceMax(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestBuildChart(t *testing.T) {
	since := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	stats := []hub.Stat{
		{Hour: since, Reason: "ok", N: 7}, {Hour: since, Reason: "expired", N: 3},
		{Hour: since.Add(5 * time.Hour), Reason: "<script>", N: 2},
		{Hour: since.Add(-time.Hour), Reason: "ok", N: 100}, // outside
	}
	c := buildChart(stats, since, since.Add(24*time.Hour), func(s string) string { return s })
	if c.Total != 12 || len(c.Series) != 3 || c.Series[0].Reason != "ok" || c.Series[0].Total != 7 {
		t.Errorf("chart %+v", c.Series)
	}
	if strings.Contains(c.SVG, "<script>") || !strings.Contains(c.SVG, "&lt;script&gt;") {
		t.Error("reason not escaped in the SVG")
	}
	if n := strings.Count(c.SVG, `class="bar"`); n != 3 {
		t.Errorf("%d bars, want 3", n)
	}
}
