package scanner

import (
	"context"
	"errors"
	"io"
	"time"
)

// Scan is what a Loop reports: the new texts of one frame (the chunks of a
// multi-code SMART Health Card come together), when the frame was taken and
// how long decoding it took.
type Scan struct {
	Texts  []string
	At     time.Time
	Seq    uint64
	Decode time.Duration
}

// Loop reads frames from a source, decodes them with a streaming decoder and
// reports each new scan (after debouncing) to a callback.
type Loop struct {
	Source    Source
	Decoder   *Decoder   // nil: NewDecoder(Options{Streaming: true})
	Debouncer *Debouncer // nil: NewDebouncer(3 * time.Second)
	// Since measures decode time; nil means time.Since.
	Since func(time.Time) time.Duration
	// OnScan is called from Run's goroutine for each scan.
	OnScan func(Scan)
}

// Run loops until ctx is done (it then returns nil), the source ends (nil
// for io.EOF) or fails.
func (l *Loop) Run(ctx context.Context) error {
	dec, deb, since := l.Decoder, l.Debouncer, l.Since
	if dec == nil {
		dec = NewDecoder(Options{Streaming: true})
	}
	if deb == nil {
		deb = NewDebouncer(3 * time.Second)
	}
	if since == nil {
		since = time.Since
	}
	for {
		f, err := l.Source.Next(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		}
		start := time.Now()
		texts, _ := dec.Decode(f)
		took := since(start)
		if scans := deb.Frame(texts, f.At); len(scans) > 0 && l.OnScan != nil {
			l.OnScan(Scan{Texts: scans, At: f.At, Seq: f.Seq, Decode: took})
		}
	}
}
