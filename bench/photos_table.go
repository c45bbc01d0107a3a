package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// tally is one engine's sums over a group of pictures.
type tally struct {
	found, codes, bad, pics, read int
	durs                          []time.Duration
}

func (t *tally) add(r PhotoResult) {
	t.found += r.Found
	t.codes += r.Photo.Codes
	t.bad += r.Bad
	t.pics++
	if r.Found > 0 {
		t.read++
	}
	t.durs = append(t.durs, r.Dur)
}

func (t *tally) rate() float64 { return 100 * float64(t.found) / float64(max(1, t.codes)) }

func (t *tally) median() time.Duration {
	d := slices.Clone(t.durs)
	slices.Sort(d)
	if len(d) == 0 {
		return 0
	}
	return d[len(d)/2]
}

// WritePhotoTables prints the real-picture results as Markdown, one table a
// set: BoofCV's (per category found/labelled, then the mean of the category
// rates, BoofCV's headline figure), the black-box photos (per folder right
// texts / codes) and the DCC pictures; with misreads and median time per
// picture for each engine. On BoofCV, whose labels hold no texts, "alone"
// counts texts that no other engine read in the same picture: not known to
// be wrong, but unconfirmed.
func WritePhotoTables(w io.Writer, results []PhotoResult) {
	var engines []string
	sets := map[string][]string{} // set → groups in order
	var setOrder []string
	tallies := map[string]*tally{} // engine|set|group, group "*" for the set
	get := func(k string) *tally {
		t := tallies[k]
		if t == nil {
			t = &tally{}
			tallies[k] = t
		}
		return t
	}
	byPhoto := map[string][]PhotoResult{}
	for _, r := range results {
		if !slices.Contains(engines, r.Engine) {
			engines = append(engines, r.Engine)
		}
		if _, ok := sets[r.Photo.Set]; !ok {
			setOrder = append(setOrder, r.Photo.Set)
		}
		if !slices.Contains(sets[r.Photo.Set], r.Photo.Group) {
			sets[r.Photo.Set] = append(sets[r.Photo.Set], r.Photo.Group)
		}
		get(r.Engine + "|" + r.Photo.Set + "|" + r.Photo.Group).add(r)
		get(r.Engine + "|" + r.Photo.Set + "|*").add(r)
		byPhoto[r.Photo.Path] = append(byPhoto[r.Photo.Path], r)
	}
	alone := map[string]int{} // engine|set
	for _, rs := range byPhoto {
		for _, r := range rs {
			for _, t := range r.Texts {
				other := false
				for _, o := range rs {
					if o.Engine != r.Engine && slices.Contains(o.Texts, t) {
						other = true
					}
				}
				if !other {
					alone[r.Engine+"|"+r.Photo.Set]++
				}
			}
		}
	}
	head := func(first string) {
		fmt.Fprintf(w, "| %s | %s |\n", first, strings.Join(engines, " | "))
		fmt.Fprintf(w, "|---|%s\n", strings.Repeat("---|", len(engines)))
	}
	row := func(label string, cell func(e string) string) {
		cells := make([]string, len(engines))
		for i, e := range engines {
			cells[i] = cell(e)
		}
		fmt.Fprintf(w, "| %s | %s |\n", label, strings.Join(cells, " | "))
	}
	for _, set := range setOrder {
		groups := sets[set]
		head(set)
		for _, g := range groups {
			row(g, func(e string) string {
				t := tallies[e+"|"+set+"|"+g]
				return fmt.Sprintf("%d/%d (%.0f%%)", t.found, t.codes, t.rate())
			})
		}
		if set == "boofcv" {
			row("**mean over categories**", func(e string) string {
				sum := 0.0
				for _, g := range groups {
					sum += tallies[e+"|"+set+"|"+g].rate()
				}
				return fmt.Sprintf("**%.1f %%**", sum/float64(len(groups)))
			})
		}
		row("all codes", func(e string) string {
			t := tallies[e+"|"+set+"|*"]
			return fmt.Sprintf("%d/%d (%.1f%%)", t.found, t.codes, t.rate())
		})
		row("misreads", func(e string) string { return fmt.Sprint(tallies[e+"|"+set+"|*"].bad) })
		if set == "boofcv" {
			row("texts no other engine read", func(e string) string { return fmt.Sprint(alone[e+"|"+set]) })
		}
		row("median ms a picture", func(e string) string { return ms(tallies[e+"|"+set+"|*"].median()) })
		fmt.Fprintln(w)
	}
}
