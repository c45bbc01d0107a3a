package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/scanner"
)

// flakySource fails, then gives frames, then ends.
type flakySource struct {
	fails  int
	frames []scanner.Frame
}

func (f *flakySource) Next(context.Context) (scanner.Frame, error) {
	if f.fails > 0 {
		f.fails--
		return scanner.Frame{}, errors.New("camera unplugged")
	}
	if len(f.frames) == 0 {
		return scanner.Frame{}, io.EOF
	}
	fr := f.frames[0]
	f.frames = f.frames[1:]
	return fr, nil
}

func (f *flakySource) Close() error { return nil }

// TestScanLoopRetriesTheCamera: the scan loop (scanner.Loop over the
// watched camera) goes on after a camera error, counts it for the page, and
// ends with the source, closing the scans.
func TestScanLoopRetriesTheCamera(t *testing.T) {
	gray := make([]byte, 64*64)
	src := &flakySource{fails: 1, frames: []scanner.Frame{{Pix: gray, W: 64, H: 64, Stride: 64, At: time.Now()}}}
	d := &daemon{log: slog.New(slog.DiscardHandler), camera: &cameraHealth{}, source: src}
	d.cfg = &Config{}
	d.cfg.Camera.Quiet = time.Second
	out := make(chan checkpoint.Scan)
	done := make(chan error, 1)
	go func() { done <- d.scanLoop(context.Background(), out) }()
	for range out {
	}
	if err := <-done; err != nil {
		t.Fatalf("scan loop: %v", err)
	}
	h := d.camera.health()
	if h.Errors != 1 || h.LastError != "camera unplugged" || h.LastFrame.IsZero() {
		t.Errorf("camera health %+v: want the error counted and the frame seen", h)
	}
}
