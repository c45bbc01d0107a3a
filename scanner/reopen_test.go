package scanner

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// flakySource is the hardware edge: a camera that gives frames, then fails
// (unplugged).
type flakySource struct {
	frames int // frames left before failing
	closed bool
	at     *time.Time
}

var errUnplugged = errors.New("device unplugged")

func (s *flakySource) Next(context.Context) (Frame, error) {
	if s.frames == 0 {
		return Frame{}, errUnplugged
	}
	s.frames--
	*s.at = s.at.Add(100 * time.Millisecond) // 10 fps
	return Frame{Pix: make([]byte, 64*64), W: 64, H: 64, Stride: 64, At: *s.at}, nil
}

func (s *flakySource) Close() error { s.closed = true; return nil }

func TestReopenerSurvivesUnplug(t *testing.T) {
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	var opened []*flakySource
	failOpens := 0 // opens to fail before one succeeds
	open := func() (Source, error) {
		// The first camera gives 3 frames; replugging takes 3 failed
		// opens; the second camera gives 5.
		if failOpens > 0 {
			failOpens--
			return nil, errors.New("no such device")
		}
		s := &flakySource{frames: 3 + 2*len(opened), at: &at}
		opened = append(opened, s)
		if len(opened) == 1 {
			failOpens = 3
		}
		return s, nil
	}
	var waits []time.Duration
	r := NewReopener(open, ReopenOptions{
		MinBackoff: 100 * time.Millisecond, MaxBackoff: 300 * time.Millisecond,
		Sleep:  func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
		Logger: discardLogger(),
	})
	ctx := context.Background()
	for i := 0; i < 8; i++ {
		if _, err := r.Next(ctx); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if i == 2 {
			if h := r.Health(); h.State != StateOpen || h.Frames != 3 || h.FPS < 9.9 || h.FPS > 10.1 {
				t.Errorf("health after 3 frames: %+v; want open, 3 frames, 10 fps", h)
			}
		}
	}
	if len(opened) != 2 || !opened[0].closed {
		t.Fatalf("opened %d sources (first closed %v), want 2 with the first closed", len(opened), opened[0].closed)
	}
	// One wait after the unplug, three after failed opens: doubling, capped.
	wantWaits := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond}
	if len(waits) != len(wantWaits) {
		t.Fatalf("waits %v, want %v", waits, wantWaits)
	}
	for i := range waits {
		if waits[i] != wantWaits[i] {
			t.Errorf("wait %d: got %v, want %v", i, waits[i], wantWaits[i])
		}
	}
	h := r.Health()
	if h.State != StateOpen || h.Frames != 8 || h.Errors != 4 || h.Reopens != 4 || !h.LastFrame.Equal(at) {
		t.Errorf("health %+v; want open, 8 frames, 4 errors, 4 reopens, last frame %v", h, at)
	}
	// The second camera fails too: the backoff starts from the minimum again.
	waits = nil
	opened[1].frames = 0
	failOpens = 1 << 30 // never comes back
	ctx, cancel := context.WithCancel(ctx)
	r.opts.Sleep = func(ctx context.Context, d time.Duration) error {
		if waits = append(waits, d); len(waits) == 2 {
			cancel()
		}
		return ctx.Err()
	}
	if _, err := r.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if waits[0] != 100*time.Millisecond {
		t.Errorf("first wait after recovery: got %v, want the minimum 100ms", waits[0])
	}
	if h := r.Health(); h.State != StateReopening || h.LastError != errUnplugged.Error() && h.LastError != "no such device" {
		t.Errorf("health %+v; want reopening", h)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: got %v, want ErrClosed", err)
	}
	if h := r.Health(); h.State != StateClosed {
		t.Errorf("state after Close: %s", h.State)
	}
}

func TestReopenerPassesEOF(t *testing.T) {
	r := NewReopener(func() (Source, error) { return eofSource{}, nil }, ReopenOptions{Logger: discardLogger()})
	if _, err := r.Next(context.Background()); !errors.Is(err, io.EOF) {
		t.Errorf("got %v, want io.EOF", err)
	}
}

type eofSource struct{}

func (eofSource) Next(context.Context) (Frame, error) { return Frame{}, io.EOF }
func (eofSource) Close() error                        { return nil }
