package scanner

import (
	"slices"
	"testing"
	"time"
)

func TestDebouncer(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	type frame struct {
		at    time.Time
		texts []string
		want  []string
	}
	for _, tc := range []struct {
		name   string
		quiet  time.Duration
		frames []frame
	}{
		{"held in view is one scan", 2 * time.Second, []frame{
			{ms(0), []string{"A"}, []string{"A"}},
			{ms(33), []string{"A"}, nil},
			{ms(66), []string{"A"}, nil},
			{ms(5000), []string{"A"}, nil}, // the next frame, late: still the same scan
		}},
		{"dropped frames do not rescan", 2 * time.Second, []frame{
			{ms(0), []string{"A"}, []string{"A"}},
			{ms(33), nil, nil},
			{ms(66), nil, nil},
			{ms(100), []string{"A"}, nil},
		}},
		{"again after the quiet time", 2 * time.Second, []frame{
			{ms(0), []string{"A"}, []string{"A"}},
			{ms(1000), nil, nil},
			{ms(2999), nil, nil},
			{ms(3000), []string{"A"}, []string{"A"}},
		}},
		{"not before the quiet time", 2 * time.Second, []frame{
			{ms(0), []string{"A"}, []string{"A"}},
			{ms(100), nil, nil},
			{ms(1999), []string{"A"}, nil},
			{ms(2100), nil, nil},
			{ms(3000), []string{"A"}, nil}, // last seen at 1999
			{ms(5000), []string{"A"}, nil}, // consecutive frame
		}},
		{"another code at once", 2 * time.Second, []frame{
			{ms(0), []string{"A"}, []string{"A"}},
			{ms(33), []string{"B"}, []string{"B"}},
			{ms(66), []string{"A", "B"}, nil},
		}},
		{"chunks of one card in one frame", time.Second, []frame{
			{ms(0), []string{"c1", "c2", "c3"}, []string{"c1", "c2", "c3"}},
			{ms(33), []string{"c2", "c1"}, nil},
		}},
		{"zero quiet time still merges consecutive frames", 0, []frame{
			{ms(0), []string{"A"}, []string{"A"}},
			{ms(33), []string{"A"}, nil},
			{ms(66), nil, nil},
			{ms(100), []string{"A"}, []string{"A"}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDebouncer(tc.quiet)
			for i, f := range tc.frames {
				if got := d.Frame(f.texts, f.at); !slices.Equal(got, f.want) {
					t.Errorf("frame %d at %v: got %q, want %q", i, f.at.Sub(t0), got, f.want)
				}
			}
		})
	}
}

func TestDebouncerForgets(t *testing.T) {
	d := NewDebouncer(time.Second)
	t0 := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 1000; i++ {
		d.Frame([]string{string(rune('a' + i%26)), "x" + string(rune(i))}, t0.Add(time.Duration(i)*time.Second))
	}
	if len(d.seen) > 4 {
		t.Errorf("remembers %d texts after the quiet time, want at most the last frame's", len(d.seen))
	}
}
