package scanner

import (
	"math"

	"github.com/makiuchi-d/gozxing"
)

// upscaleMax caps the pixels of the upscaled plane.
const upscaleMax = 1_200_000

// fallback is one expensive way to prepare a picture the cheap pass could not
// read. run returns the binarized picture, or nil when it does not apply.
type fallback struct {
	name string
	run  func(d *Decoder, pix []byte, w, h int) *gozxing.BitMatrix
}

// fallbacks run in this order (pictures) or, with Streaming, the first on
// every frame (it checks for itself whether it applies) and the others in
// turn.
var fallbacks = []fallback{
	{"stretch", func(d *Decoder, pix []byte, w, h int) *gozxing.BitMatrix {
		var ok bool
		d.work, ok = stretch(pix, d.work)
		if !ok {
			return nil
		}
		m, _ := d.bin.binarize(d.work, w, h)
		return m
	}},
	{"upscale", func(d *Decoder, pix []byte, w, h int) *gozxing.BitMatrix {
		// The middle 3/4 of each side, where a small code is held (2.25
		// times the pixels of the frame rather than 4), and no more than
		// upscaleMax pixels once doubled: a big frame has pixels enough.
		cw, ch := w*3/4, h*3/4
		if n := 4 * cw * ch; n > upscaleMax {
			f := math.Sqrt(float64(upscaleMax) / float64(n))
			cw, ch = int(float64(cw)*f), int(float64(ch)*f)
		}
		var bw, bh int
		d.big, bw, bh = upscale2(pix, (w-cw)/2, (h-ch)/2, cw, ch, w, d.big)
		m, _ := d.binB.binarize(d.big, bw, bh)
		return m
	}},
	{"smooth", func(d *Decoder, pix []byte, w, h int) *gozxing.BitMatrix {
		d.work = box3(pix, w, h, d.work)
		m, _ := d.bin.binarize(d.work, w, h)
		return m
	}},
	{"global", func(d *Decoder, pix []byte, w, h int) *gozxing.BitMatrix {
		m, _ := gozxing.NewGlobalHistgramBinarizer(newGrayPlane(pix, w, h)).GetBlackMatrix()
		return m
	}},
}
