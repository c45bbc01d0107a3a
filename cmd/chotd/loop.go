package main

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/scanner"
)

// scanLoop reads frames, decodes them, drops repeats and hands new codes to
// the checkpoint. It closes out when it returns, which ends the decision
// loop after the last scan.
func (d *daemon) scanLoop(ctx context.Context, out chan<- checkpoint.Scan) error {
	defer close(out)
	dec := scanner.NewDecoder(scanner.Options{Streaming: true})
	deb := scanner.NewDebouncer(d.cfg.Camera.Quiet)
	for {
		f, err := d.source.Next(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, io.EOF):
			d.log.Info("camera: source ended")
			return nil
		case err != nil:
			d.camera.fail(err)
			d.log.Warn("camera", "err", err)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(time.Second):
			}
			continue
		}
		up := bootClock.Uptime()
		d.camera.frame(f.At)
		texts, _ := dec.Decode(f)
		fresh := deb.Frame(texts, f.At)
		if len(fresh) == 0 {
			continue
		}
		select {
		case out <- checkpoint.Scan{Texts: fresh, Uptime: up}:
		case <-ctx.Done():
			return nil
		}
	}
}
