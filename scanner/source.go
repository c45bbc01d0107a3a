package scanner

import (
	"context"
	"errors"
	"time"
)

// Frame is one gray picture from a Source.
type Frame struct {
	// Pix holds the gray plane: pixel (x, y) is Pix[y*Stride+x]. It belongs
	// to the source and is valid until the next call to Next.
	Pix          []byte
	W, H, Stride int
	// At is when the frame was captured, by the source's clock.
	At time.Time
	// Seq counts the frames a source has delivered, from 1.
	Seq uint64
}

// Source delivers frames. Next blocks until a frame is ready, ctx is done
// (ctx.Err() is returned) or the source ends (io.EOF). Close releases the
// device or files; Next must not be called after it.
type Source interface {
	Next(ctx context.Context) (Frame, error)
	Close() error
}

// ErrClosed is returned by Next after Close.
var ErrClosed = errors.New("scanner: source closed")

// Decode decodes the codes in f with d.
func (d *Decoder) Decode(f Frame) ([]string, error) {
	return d.DecodeGray(f.Pix, f.W, f.H, f.Stride)
}

// sleepCtx waits for dur or until ctx is done.
func sleepCtx(ctx context.Context, dur time.Duration) error {
	if dur <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(dur)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
