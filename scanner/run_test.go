package scanner

import (
	"context"
	"io"
	"slices"
	"testing"
	"time"
)

// TestLoop replays a folder twice round (code, empty, the same code, another
// code): the debouncer turns six frames with codes into the scans a person
// would expect.
func TestLoop(t *testing.T) {
	dir := t.TempDir()
	want := writePictures(t, dir, "short", "none", "short", "short")
	// Pictures a and c show different texts (variants 0 and 2); make c show
	// a's text again by copying it.
	copyFile(t, dir+"/a.png", dir+"/c.png")
	t0 := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	tick := 0
	src, err := NewDirSource(dir, DirOptions{Loop: true, Now: func() time.Time {
		tick++
		return t0.Add(time.Duration(tick) * time.Second)
	}})
	if err != nil {
		t.Fatal(err)
	}
	var scans []Scan
	loop := Loop{Source: &limitSource{src, 8}, Debouncer: NewDebouncer(2500 * time.Millisecond), OnScan: func(s Scan) {
		scans = append(scans, s)
	}}
	if err := loop.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Frames 1..8 at 1 s apart: A, -, A, B, A, -, A, B; quiet time 2.5 s.
	// A at 1 s, again at 3 s (2 s later: no scan), B at 4 s; A at 5 s is 2 s
	// after 3 s (no scan); A at 7 s is 2 s after 5 s (no scan); B at 8 s is
	// 4 s after 4 s: a scan.
	got := []uint64{}
	for _, s := range scans {
		got = append(got, s.Seq)
		if len(s.Texts) != 1 {
			t.Errorf("scan %d: %d texts", s.Seq, len(s.Texts))
		}
	}
	if wantSeq := []uint64{1, 4, 8}; !slices.Equal(got, wantSeq) {
		t.Fatalf("scans at frames %v, want %v", got, wantSeq)
	}
	if scans[0].Texts[0] != want[0] || scans[1].Texts[0] != want[3] || !scans[1].At.Equal(t0.Add(4*time.Second)) {
		t.Errorf("scans %+v", scans)
	}
}

// limitSource ends a source with io.EOF after n frames.
type limitSource struct {
	Source
	n int
}

func (s *limitSource) Next(ctx context.Context) (Frame, error) {
	if s.n == 0 {
		return Frame{}, io.EOF
	}
	s.n--
	return s.Source.Next(ctx)
}
