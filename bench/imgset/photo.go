package imgset

import (
	"math"
	"math/rand/v2"
)

// blur is a separable Gaussian blur.
func blur(pix []float64, w, h int, sigma float64) {
	r := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*r+1)
	var sum float64
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	convolve(pix, w, h, k, true)
	convolve(pix, w, h, k, false)
}

// motion is a horizontal box blur of n pixels (the camera panned).
func motion(pix []float64, w, h, n int) {
	k := make([]float64, n)
	for i := range k {
		k[i] = 1 / float64(n)
	}
	convolve(pix, w, h, k, true)
}

func convolve(pix []float64, w, h int, k []float64, horizontal bool) {
	r := len(k) / 2
	tmp := make([]float64, len(pix))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var s float64
			for i, kv := range k {
				xx, yy := x, y
				if horizontal {
					xx = min(w-1, max(0, x+i-r))
				} else {
					yy = min(h-1, max(0, y+i-r))
				}
				s += kv * pix[yy*w+xx]
			}
			tmp[y*w+x] = s
		}
	}
	copy(pix, tmp)
}

// noise adds Gaussian sensor noise.
func noise(pix []float64, sigma float64, rng *rand.Rand) {
	for i := range pix {
		pix[i] += sigma * rng.NormFloat64()
	}
}

// levels maps v to lo + v*(hi-lo)/255: low contrast, darkness.
func levels(pix []float64, lo, hi float64) {
	for i := range pix {
		pix[i] = lo + pix[i]*(hi-lo)/255
	}
}

// glare adds a bright spot (a lamp reflected in the phone's glass) of radius
// r pixels at (cx, cy).
func glare(pix []float64, w, h int, cx, cy, r float64) {
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x)-cx, float64(y)-cy
			pix[y*w+x] += 200 * math.Exp(-(dx*dx+dy*dy)/(r*r))
		}
	}
}

// shadow darkens the frame beyond a soft diagonal edge to factor.
func shadow(pix []float64, w, h int, factor float64) {
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			d := (float64(x)-float64(w)/2)/float64(w) + (float64(y)-float64(h)/2)/float64(h)
			t := 1 / (1 + math.Exp(-d*25)) // 0 → 1 across the edge
			pix[y*w+x] *= 1 - (1-factor)*t
		}
	}
}
