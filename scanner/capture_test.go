//go:build !nocv

package scanner

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/chot-dev/chot/bench/imgset"
	"gocv.io/x/gocv"
)

// writeVideo writes frames (gray pictures of 640×480) into an MJPEG AVI file
// with OpenCV, as a camera would deliver them, and returns the texts each
// frame shows ("" for none).
func writeVideo(t *testing.T, path string) []string {
	t.Helper()
	const w, h = 640, 480
	vw, err := gocv.VideoWriterFile(path, "MJPG", 10, w, h, true)
	if err != nil {
		t.Fatalf("VideoWriterFile: %v", err)
	}
	defer vw.Close()
	var want []string
	for i, c := range []struct{ payload, distort string }{
		{"short", "clean"}, {"none", ""}, {"dcc", "clean"}, {"short", "inverted"},
	} {
		img, text, err := imgset.Render(w, h, c.payload, c.distort, 3, i)
		if err != nil {
			t.Fatal(err)
		}
		gray, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC1, img.Pix)
		if err != nil {
			t.Fatal(err)
		}
		bgr := gocv.NewMat()
		gocv.CvtColor(gray, &bgr, gocv.ColorGrayToBGR)
		if err := vw.Write(bgr); err != nil {
			t.Fatal(err)
		}
		gray.Close()
		bgr.Close()
		want = append(want, text)
	}
	return want
}

func TestCaptureSourceVideoFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frames.avi")
	want := writeVideo(t, path)
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	src, err := OpenCapture(CaptureOptions{Device: path, Loop: true, Now: func() time.Time { return at }})
	if err != nil {
		t.Fatalf("OpenCapture: %v", err)
	}
	defer src.Close()
	dec := NewDecoder(Options{})
	ctx := context.Background()
	// Twice round the file: the second time through Loop.
	for i := 0; i < 2*len(want); i++ {
		f, err := src.Next(ctx)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if f.W != 640 || f.H != 480 || f.Seq != uint64(i+1) || !f.At.Equal(at) {
			t.Fatalf("frame %d: %d×%d seq %d at %v", i, f.W, f.H, f.Seq, f.At)
		}
		texts, err := dec.Decode(f)
		w := want[i%len(want)]
		switch {
		case w == "" && !errors.Is(err, ErrNoCode):
			t.Errorf("frame %d: got %.40q, %v; want ErrNoCode", i, texts, err)
		case w != "" && (len(texts) != 1 || texts[0] != w):
			t.Errorf("frame %d: got %.40q, %v; want %.40q", i, texts, err, w)
		}
	}
}

func TestCaptureSourceEOFAndClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frames.avi")
	n := len(writeVideo(t, path))
	src, err := OpenCapture(CaptureOptions{Device: path})
	if err != nil {
		t.Fatalf("OpenCapture: %v", err)
	}
	for i := 0; i < n; i++ {
		if _, err := src.Next(context.Background()); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
	}
	if _, err := src.Next(context.Background()); !errors.Is(err, io.EOF) {
		t.Errorf("after the last frame: got %v, want io.EOF", err)
	}
	if err := src.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := src.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: got %v, want ErrClosed", err)
	}
}

func TestOpenCameraMissingDevice(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	attempts := 0
	cam := OpenCamera(CaptureOptions{Device: "/dev/chot-test-no-such-camera"}, ReopenOptions{
		Sleep: func(ctx context.Context, _ time.Duration) error {
			if attempts++; attempts == 3 {
				cancel()
			}
			return ctx.Err()
		},
		Logger: discardLogger(),
	})
	defer cam.Close()
	if _, err := cam.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	h := cam.Health()
	if h.State != StateReopening || h.Errors != 3 || h.LastError == "" {
		t.Errorf("health %+v: want reopening after 3 errors", h)
	}
}
