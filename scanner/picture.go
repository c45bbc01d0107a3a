package scanner

// The last steps of the picture-mode cascade, for what a camera frame never
// is: small issuer PNGs whose code touches the border (no quiet zone), and
// tiny codes at 2–3 pixels a module.

// padMaxPixels bounds the pictures that get a quiet zone added: a large
// photo has room around its code.
const padMaxPixels = 4_000_000

// upscaleMaxSide bounds the pictures that are upscaled whole.
const upscaleMaxSide = 1000

// picture runs the picture-only steps on a plane nothing has read: the
// plane inside a white margin (a quiet zone for a code that touches the
// border; zxing-cpp's inverted pass reads a dark-mode one inside it), then,
// for a small picture, that padded plane doubled.
func (d *Decoder) picture(pix []byte, w, h int) {
	if w*h > padMaxPixels {
		return
	}
	m := max(8, min(w, h)/8)
	pw, ph := w+2*m, h+2*m
	d.pad = pad(pix, w, h, m, 255, d.pad)
	if d.engines(d.pad, pw, ph); len(d.texts) > 0 || max(pw, ph) > upscaleMaxSide {
		return
	}
	var bw, bh int
	d.big, bw, bh = upscale2(d.pad, 0, 0, pw, ph, pw, d.big)
	d.engines(d.big, bw, bh)
}

// engines runs zxing-cpp, then gozxing's cheap passes, on a prepared plane.
func (d *Decoder) engines(pix []byte, w, h int) {
	if d.zxAll != nil {
		if d.zxAll.read(pix, w, h, w, d.add); len(d.texts) > 0 {
			return
		}
	}
	var b binarizer
	if m, err := b.binarize(pix, w, h); err == nil {
		d.readBoth(m)
	}
}

// pad copies a w×h plane into the middle of one with a margin of m pixels
// of level v on each side.
func pad(pix []byte, w, h, m int, v byte, dst []byte) []byte {
	pw := w + 2*m
	dst = grow(dst, pw*(h+2*m))
	for i := range dst {
		dst[i] = v
	}
	for y := 0; y < h; y++ {
		copy(dst[(y+m)*pw+m:], pix[y*w:(y+1)*w])
	}
	return dst
}
