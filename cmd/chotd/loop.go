package main

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/scanner"
)

// scanLoop runs the scanner's loop (decode, debounce) over the camera and
// hands new codes to the checkpoint. It closes out when it returns, which
// ends the decision loop after the last scan.
func (d *daemon) scanLoop(ctx context.Context, out chan<- checkpoint.Scan) error {
	defer close(out)
	l := scanner.Loop{
		Source:    &watchedSource{d: d},
		Debouncer: scanner.NewDebouncer(d.cfg.Camera.Quiet),
		OnScan: func(s scanner.Scan) {
			// Latency runs from the frame's arrival: before its decoding.
			sc := checkpoint.Scan{Texts: s.Texts, Uptime: bootClock.Uptime() - s.Decode}
			select {
			case out <- sc:
			case <-ctx.Done():
			}
		},
	}
	err := l.Run(ctx)
	if err == nil && ctx.Err() == nil {
		d.log.Info("camera: source ended")
	}
	return err
}

// watchedSource is the camera as the scan loop sees it: every frame and
// every error is reported to the camera's health, and an error is retried
// after a second (a camera that is gone is a fault on the LED and the page,
// see checkCamera, not a reason to stop).
type watchedSource struct{ d *daemon }

func (w *watchedSource) Next(ctx context.Context) (scanner.Frame, error) {
	for {
		f, err := w.d.source.Next(ctx)
		switch {
		case err == nil:
			w.d.camera.frame(f.At)
			return f, nil
		case ctx.Err() != nil, errors.Is(err, io.EOF):
			return f, err
		}
		w.d.camera.fail(err)
		w.d.log.Warn("camera", "err", err)
		select {
		case <-ctx.Done():
			return scanner.Frame{}, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func (w *watchedSource) Close() error { return w.d.source.Close() }
