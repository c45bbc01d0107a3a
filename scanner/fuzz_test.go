package scanner

import (
	"errors"
	"testing"
)

// FuzzDecodeGray feeds the decoder arbitrary planes: it must return texts,
// ErrNoCode or ErrBadFrame (or report a gozxing fault as ErrDecoderFault),
// never crash. The seeds are tiny pictures with code-like structure.
func FuzzDecodeGray(f *testing.F) {
	img, _, err := renderSmall()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(img, 64, 48)
	f.Add([]byte{0, 255, 0, 255}, 2, 2)
	stripes := make([]byte, 48*48)
	for i := range stripes {
		if (i%48/3)%2 == 0 {
			stripes[i] = 255
		}
	}
	f.Add(stripes, 48, 48)
	d := NewDecoder(Options{Streaming: true})
	f.Fuzz(func(t *testing.T, pix []byte, w, h int) {
		if w <= 0 || h <= 0 || w > 512 || h > 512 || len(pix) < w*h {
			return
		}
		texts, err := d.DecodeGray(pix, w, h, w)
		switch {
		case err == nil && len(texts) == 0:
			t.Error("no error and no texts")
		case err != nil && !errors.Is(err, ErrNoCode) && !errors.Is(err, ErrDecoderFault):
			t.Errorf("unexpected error %v", err)
		}
	})
}

// renderSmall is a 64×48 picture of a short code, scaled down hard.
func renderSmall() ([]byte, string, error) {
	const w, h = 64, 48
	out := make([]byte, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if (x/4+y/4)%3 == 0 {
				out[y*w+x] = 20
			} else {
				out[y*w+x] = 230
			}
		}
	}
	return out, "", nil
}
