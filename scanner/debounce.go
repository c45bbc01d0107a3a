package scanner

import (
	"slices"
	"time"
)

// Debouncer turns the texts seen frame after frame into scans. A text seen in
// consecutive frames is one scan; a text is a new scan only when it was last
// seen at least Quiet ago (so a code that drops out for a frame or two is not
// scanned twice, and one held up again after the quiet time is). Time is
// whatever the caller passes: the frames' timestamps.
type Debouncer struct {
	quiet time.Duration
	seen  map[string]time.Time // text → last frame it was in
	prev  []string             // the texts of the previous frame
}

// NewDebouncer returns a Debouncer with the given quiet time.
func NewDebouncer(quiet time.Duration) *Debouncer {
	return &Debouncer{quiet: quiet, seen: map[string]time.Time{}}
}

// Frame records the texts of one frame, taken at now, and returns those that
// are new scans, in their order. A frame without codes is Frame(nil, now).
func (d *Debouncer) Frame(texts []string, now time.Time) []string {
	var scans []string
	for _, t := range texts {
		last, ok := d.seen[t]
		if !slices.Contains(d.prev, t) && (!ok || now.Sub(last) >= d.quiet) {
			scans = append(scans, t)
		}
		d.seen[t] = now
	}
	d.prev = append(d.prev[:0], texts...)
	// Forget what is past its quiet time: the map stays small.
	for t, last := range d.seen {
		if now.Sub(last) >= d.quiet && !slices.Contains(texts, t) {
			delete(d.seen, t)
		}
	}
	return scans
}
