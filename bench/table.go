package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/chot-dev/chot/bench/imgset"
)

// group gathers the results of one engine on a slice of the set.
type group struct {
	n, ok, bad int
	durs       []time.Duration
}

func (g *group) add(r Result) {
	g.n++
	if r.OK {
		g.ok++
	}
	if r.Bad {
		g.bad++
	}
	g.durs = append(g.durs, r.Dur)
}

func (g *group) quantile(q float64) time.Duration {
	if len(g.durs) == 0 {
		return 0
	}
	d := slices.Clone(g.durs)
	slices.Sort(d)
	return d[min(len(d)-1, int(q*float64(len(d))))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }

// WriteTable prints the results as Markdown: one row per distortion and
// resolution with, per engine, correct/total and the median ms; then per
// resolution the success rate, median and p95 over pictures with a code, the
// median on empty frames, and misreads.
func WriteTable(w io.Writer, results []Result) {
	var engines, resList []string
	groups := map[string]*group{} // engine|res|distortion
	get := func(k string) *group {
		g := groups[k]
		if g == nil {
			g = &group{}
			groups[k] = g
		}
		return g
	}
	for _, r := range results {
		if !slices.Contains(engines, r.Engine) {
			engines = append(engines, r.Engine)
		}
		if !slices.Contains(resList, r.Item.Res) {
			resList = append(resList, r.Item.Res)
		}
		get(r.Engine + "|" + r.Item.Res + "|" + r.Item.Distortion).add(r)
		if r.Item.Want != "" {
			get(r.Engine + "|" + r.Item.Res + "|*").add(r)
			get(r.Engine + "|" + r.Item.Res + "|*" + r.Item.Payload).add(r)
		}
	}
	fmt.Fprintf(w, "| distortion | res | %s |\n", strings.Join(engines, " | "))
	fmt.Fprintf(w, "|---|---|%s\n", strings.Repeat("---|", len(engines)))
	names := []string{}
	for _, d := range imgset.Distortions {
		names = append(names, d.Name)
	}
	for _, d := range names {
		for _, res := range resList {
			cells := []string{}
			for _, e := range engines {
				g := groups[e+"|"+res+"|"+d]
				if g == nil {
					cells = append(cells, "-")
					continue
				}
				cells = append(cells, fmt.Sprintf("%d/%d %sms", g.ok, g.n, ms(g.quantile(0.5))))
			}
			fmt.Fprintf(w, "| %s | %s | %s |\n", d, res, strings.Join(cells, " | "))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| summary | res | "+strings.Join(engines, " | ")+" |")
	fmt.Fprintf(w, "|---|---|%s\n", strings.Repeat("---|", len(engines)))
	row := func(label, res string, cell func(e string) string) {
		cells := []string{}
		for _, e := range engines {
			cells = append(cells, cell(e))
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", label, res, strings.Join(cells, " | "))
	}
	for _, res := range resList {
		for _, p := range []string{"", "dcc", "short"} {
			label := "correct " + map[string]string{"": "all", "dcc": "DCC-size", "short": "short"}[p]
			row(label, res, func(e string) string {
				g := groups[e+"|"+res+"|*"+p]
				if g == nil || g.n == 0 {
					return "-"
				}
				return fmt.Sprintf("%d/%d (%.0f%%)", g.ok, g.n, 100*float64(g.ok)/float64(g.n))
			})
		}
		row("median / p95 ms (code)", res, func(e string) string {
			g := groups[e+"|"+res+"|*"]
			if g == nil {
				return "-"
			}
			return ms(g.quantile(0.5)) + " / " + ms(g.quantile(0.95))
		})
		row("median / mean ms (empty)", res, func(e string) string {
			g := groups[e+"|"+res+"|empty"]
			if g == nil {
				return "-"
			}
			var sum time.Duration
			for _, d := range g.durs {
				sum += d
			}
			return ms(g.quantile(0.5)) + " / " + ms(sum/time.Duration(len(g.durs)))
		})
		row("misreads", res, func(e string) string {
			n := 0
			for k, g := range groups {
				if strings.HasPrefix(k, e+"|"+res+"|") && !strings.Contains(k, "|*") {
					n += g.bad
				}
			}
			return fmt.Sprint(n)
		})
	}
}
