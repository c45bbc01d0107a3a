package scanner

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// DirOptions tune a DirSource. The zero value replays every picture once, as
// fast as Next is called, stamped with time.Now.
type DirOptions struct {
	// FPS paces the replay; zero does not pace.
	FPS float64
	// Loop starts over after the last picture instead of returning io.EOF.
	Loop bool
	// Now stamps the frames; nil means time.Now.
	Now func() time.Time
}

// DirSource replays the pictures of a folder (PNG, JPEG, GIF, in name order)
// as frames: what the demo and the tests use in place of a camera. The
// pictures are decoded to gray once, when the source is made.
type DirSource struct {
	dir    string
	opts   DirOptions
	names  []string
	frames []Frame
	i      int
	seq    uint64
	next   time.Time // the earliest wall time for the next frame (FPS > 0)
	closed bool
}

var _ Source = (*DirSource)(nil)

// NewDirSource loads the pictures in dir. A folder without any is an error.
func NewDirSource(dir string, opts DirOptions) (*DirSource, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("scanner: dir source: %w", err)
	}
	s := &DirSource{dir: dir, opts: opts}
	if s.opts.Now == nil {
		s.opts.Now = time.Now
	}
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || !slices.Contains([]string{".png", ".jpg", ".jpeg", ".gif"}, ext) {
			continue
		}
		img, err := LoadImage(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("scanner: dir source: %w", err)
		}
		pix, w, h := toGray(img, nil)
		s.names = append(s.names, e.Name())
		s.frames = append(s.frames, Frame{Pix: pix, W: w, H: h, Stride: w})
	}
	if len(s.frames) == 0 {
		return nil, fmt.Errorf("scanner: dir source: no pictures in %s", dir)
	}
	return s, nil
}

// Len returns the number of pictures.
func (s *DirSource) Len() int { return len(s.frames) }

// Name returns the file name of the picture the last frame came from.
func (s *DirSource) Name() string {
	if s.i == 0 {
		return s.names[len(s.names)-1]
	}
	return s.names[s.i-1]
}

// Next returns the next picture, waiting for its turn when FPS is set. The
// folder is the replay's camera: while it is gone (renamed, unmounted) Next
// fails as an unplugged camera does, and frames come again once it is back.
func (s *DirSource) Next(ctx context.Context) (Frame, error) {
	if s.closed {
		return Frame{}, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return Frame{}, err
	}
	if s.i == len(s.frames) {
		if !s.opts.Loop {
			return Frame{}, io.EOF
		}
		s.i = 0
	}
	if s.opts.FPS > 0 {
		now := time.Now()
		if s.next.IsZero() {
			s.next = now
		}
		if err := sleepCtx(ctx, s.next.Sub(now)); err != nil {
			return Frame{}, err
		}
		s.next = s.next.Add(time.Duration(float64(time.Second) / s.opts.FPS))
		if now.Sub(s.next) > time.Second { // fell far behind: do not burst
			s.next = now
		}
	}
	if _, err := os.Stat(s.dir); err != nil {
		return Frame{}, fmt.Errorf("scanner: dir source: camera gone: %w", err)
	}
	f := s.frames[s.i]
	s.i++
	s.seq++
	f.Seq = s.seq
	f.At = s.opts.Now()
	return f, nil
}

// Close ends the replay.
func (s *DirSource) Close() error {
	s.closed = true
	return nil
}
