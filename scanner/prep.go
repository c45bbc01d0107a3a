package scanner

// stretch maps the 1st..99th percentile of pix's levels onto 0..255 into dst.
// It reports false when the picture spans half the range or more (the local
// binarizer copes) or is flat: the check costs one histogram, so the stretch
// can run on every frame.
func stretch(pix, dst []byte) ([]byte, bool) {
	var hist [256]int
	for _, p := range pix {
		hist[p]++
	}
	cut := len(pix) / 100
	lo, hi := 0, 255
	for n := 0; lo < 255; lo++ {
		if n += hist[lo]; n > cut {
			break
		}
	}
	for n := 0; hi > 0; hi-- {
		if n += hist[hi]; n > cut {
			break
		}
	}
	if hi-lo < 8 || hi-lo >= 128 {
		return dst, false
	}
	var lut [256]byte
	for i := range lut {
		v := (i - lo) * 255 / (hi - lo)
		lut[i] = byte(min(255, max(0, v)))
	}
	dst = grow(dst, len(pix))
	for i, p := range pix {
		dst[i] = lut[p]
	}
	return dst, true
}

// upscale2 doubles the size of the w×h window at (x0, y0) of a plane whose
// rows are stride bytes apart, with bilinear interpolation.
func upscale2(pix []byte, x0, y0, w, h, stride int, dst []byte) ([]byte, int, int) {
	bw, bh := 2*w, 2*h
	dst = grow(dst, bw*bh)
	for y := 0; y < h; y++ {
		y1 := min(y+1, h-1)
		r0 := pix[(y0+y)*stride+x0 : (y0+y)*stride+x0+w]
		r1 := pix[(y0+y1)*stride+x0 : (y0+y1)*stride+x0+w]
		o0, o1 := dst[2*y*bw:(2*y+1)*bw], dst[(2*y+1)*bw:(2*y+2)*bw]
		for x := 0; x < w; x++ {
			x1 := min(x+1, w-1)
			a, b, c, e := int(r0[x]), int(r0[x1]), int(r1[x]), int(r1[x1])
			o0[2*x] = byte(a)
			o0[2*x+1] = byte((a + b + 1) >> 1)
			o1[2*x] = byte((a + c + 1) >> 1)
			o1[2*x+1] = byte((a + b + c + e + 2) >> 2)
		}
	}
	return dst, bw, bh
}

// box3 is a 3×3 mean filter (sensor noise); the border is copied.
func box3(pix []byte, w, h int, dst []byte) []byte {
	dst = grow(dst, w*h)
	copy(dst[:w], pix[:w])
	copy(dst[(h-1)*w:], pix[(h-1)*w:])
	for y := 1; y < h-1; y++ {
		a, b, c := pix[(y-1)*w:y*w], pix[y*w:(y+1)*w], pix[(y+1)*w:(y+2)*w]
		out := dst[y*w : (y+1)*w]
		out[0], out[w-1] = b[0], b[w-1]
		// Column sums slide along the row.
		c0 := int(a[0]) + int(b[0]) + int(c[0])
		c1 := int(a[1]) + int(b[1]) + int(c[1])
		for x := 1; x < w-1; x++ {
			c2 := int(a[x+1]) + int(b[x+1]) + int(c[x+1])
			out[x] = byte((c0 + c1 + c2 + 4) / 9)
			c0, c1 = c1, c2
		}
	}
	return dst
}
