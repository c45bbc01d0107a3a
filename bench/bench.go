package bench

import (
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"time"

	"github.com/chot-dev/chot/bench/imgset"
	"github.com/chot-dev/chot/scanner"
)

// DecodeFunc decodes the codes in a contiguous w×h gray plane.
type DecodeFunc func(pix []byte, w, h int) []string

// Engine is one decoder under test. New is called once per run, so an engine
// may keep buffers.
type Engine struct {
	Name string
	New  func() DecodeFunc
}

// Chot is chot's decoder in picture mode (the whole cascade on every frame).
func Chot() Engine {
	return Engine{"chot", func() DecodeFunc {
		d := scanner.NewDecoder(scanner.Options{})
		return func(pix []byte, w, h int) []string {
			t, _ := d.DecodeGray(pix, w, h, w)
			return t
		}
	}}
}

// ChotStream is chot's decoder in streaming mode: the cheap passes and one
// fallback per frame, what a camera loop pays per frame.
func ChotStream() Engine {
	return Engine{"chot-stream", func() DecodeFunc {
		d := scanner.NewDecoder(scanner.Options{Streaming: true})
		return func(pix []byte, w, h int) []string {
			t, _ := d.DecodeGray(pix, w, h, w)
			return t
		}
	}}
}

// Result is one engine on one picture.
type Result struct {
	Engine string
	Item   imgset.Item
	Texts  []string
	OK     bool // the wanted text was among those found (in any run)
	Bad    bool // a text other than the wanted one was found: a misread
	Dur    time.Duration
}

// Run decodes every picture of the set with every engine, runs times in a
// row, keeping the fastest time. A picture counts as read when any run read
// it (for a streaming decoder: within runs consecutive frames) and as
// misread when any run returned another text.
func Run(dir string, man imgset.Manifest, engines []Engine, runs int) ([]Result, error) {
	runs = max(1, runs)
	fns := make([]DecodeFunc, len(engines))
	for i, e := range engines {
		fns[i] = e.New()
	}
	var out []Result
	for _, it := range man.Items {
		img, err := scanner.LoadImage(filepath.Join(dir, it.File))
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		pix, w, h := Gray(img)
		for i, e := range engines {
			r := Result{Engine: e.Name, Item: it, Dur: time.Duration(1<<63 - 1)}
			for k := 0; k < runs; k++ {
				start := time.Now()
				texts := fns[i](pix, w, h)
				if d := time.Since(start); d < r.Dur {
					r.Dur = d
				}
				if len(texts) > 0 {
					r.Texts = texts
				}
				for _, t := range texts {
					if t == it.Want && it.Want != "" {
						r.OK = true
					} else {
						r.Bad = true
					}
				}
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// Gray returns a picture's gray plane (contiguous), as a camera gives it.
func Gray(img image.Image) ([]byte, int, int) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	switch m := img.(type) {
	case *image.Gray:
		if m.Stride == w {
			return m.Pix[:w*h], w, h
		}
	case *image.YCbCr:
		out := make([]byte, w*h)
		for y := 0; y < h; y++ {
			copy(out[y*w:(y+1)*w], m.Y[m.YOffset(b.Min.X, b.Min.Y+y):])
		}
		return out, w, h
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			g.Set(x, y, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return g.Pix, w, h
}

// ErrNoItems is returned for a set without pictures.
var ErrNoItems = errors.New("bench: the set has no pictures")

// ZXingCPP is zxing-cpp 2.3 alone with its defaults (see scanner.ZXingCPP).
func ZXingCPP() Engine {
	return Engine{"zxing-cpp", func() DecodeFunc {
		z := scanner.NewZXingCPP()
		return func(pix []byte, w, h int) []string { return z.DecodeGray(pix, w, h, w) }
	}}
}

// ChotPureGo is chot's picture mode without zxing-cpp: the -tags nocv
// build's decoder.
func ChotPureGo() Engine {
	return Engine{"chot-purego", func() DecodeFunc {
		d := scanner.NewDecoder(scanner.Options{PureGo: true})
		return func(pix []byte, w, h int) []string {
			t, _ := d.DecodeGray(pix, w, h, w)
			return t
		}
	}}
}
