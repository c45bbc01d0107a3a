package scanner

import (
	"image"
	"image/color"

	"github.com/makiuchi-d/gozxing"
)

// grayPlane is a gozxing.LuminanceSource over a contiguous 8-bit gray plane
// (stride == width). It hands gozxing the plane itself: no copy, no per-pixel
// allocation.
type grayPlane struct {
	gozxing.LuminanceSourceBase
	pix []byte
}

var _ gozxing.LuminanceSource = (*grayPlane)(nil)

func newGrayPlane(pix []byte, w, h int) *grayPlane {
	return &grayPlane{LuminanceSourceBase: gozxing.LuminanceSourceBase{Width: w, Height: h}, pix: pix[:w*h]}
}

func (g *grayPlane) GetRow(y int, row []byte) ([]byte, error) {
	w := g.Width
	if len(row) < w {
		row = make([]byte, w)
	}
	copy(row, g.pix[y*w:(y+1)*w])
	return row, nil
}

func (g *grayPlane) GetMatrix() []byte { return g.pix }

func (g *grayPlane) Invert() gozxing.LuminanceSource { return gozxing.LuminanceSourceInvert(g) }

func (g *grayPlane) String() string { return gozxing.LuminanceSourceString(g) }

// toGray returns img's luminance as a contiguous plane (stride == width),
// reusing buf when it is large enough. Transparent pixels are composited over
// white, as a viewer shows them (a QR code on a transparent background must
// not turn into a black square).
func toGray(img image.Image, buf []byte) ([]byte, int, int) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	buf = grow(buf, w*h)
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			o := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(buf[y*w:(y+1)*w], m.Pix[o:o+w])
		}
	case *image.YCbCr:
		// Y is the luma plane already.
		for y := 0; y < h; y++ {
			o := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(buf[y*w:(y+1)*w], m.Y[o:o+w])
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			out := buf[y*w : (y+1)*w]
			for x := range out {
				p := row[4*x : 4*x+4 : 4*x+4]
				l := luma(uint32(p[0]), uint32(p[1]), uint32(p[2]))
				a := uint32(p[3])
				out[x] = byte((l*a + 255*(255-a)) / 255)
			}
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			out := buf[y*w : (y+1)*w]
			for x := range out {
				p := row[4*x : 4*x+4 : 4*x+4]
				// Premultiplied: over white adds (255-a).
				out[x] = byte(min(255, luma(uint32(p[0]), uint32(p[1]), uint32(p[2]))+255-uint32(p[3])))
			}
		}
	case *image.Paletted:
		var lut [256]byte
		for i, c := range m.Palette {
			lut[i] = grayOverWhite(c)
		}
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			out := buf[y*w : (y+1)*w]
			for x := range out {
				out[x] = lut[row[x]]
			}
		}
	default:
		for y := 0; y < h; y++ {
			out := buf[y*w : (y+1)*w]
			for x := range out {
				out[x] = grayOverWhite(img.At(b.Min.X+x, b.Min.Y+y))
			}
		}
	}
	return buf, w, h
}

// luma is ITU-R BT.601 luma of 8-bit r, g, b, the weights JPEG and
// image/color use.
func luma(r, g, b uint32) uint32 {
	return (19595*r + 38470*g + 7471*b + 1<<15) >> 16
}

func grayOverWhite(c color.Color) byte {
	r, g, b, a := c.RGBA() // premultiplied, 16-bit
	l := (19595*r + 38470*g + 7471*b + 1<<15) >> 16
	return byte(min(0xffff, l+0xffff-a) >> 8)
}

// grow returns buf resliced to n bytes, reallocated only when too small.
func grow(buf []byte, n int) []byte {
	if cap(buf) < n {
		return make([]byte, n)
	}
	return buf[:n]
}
