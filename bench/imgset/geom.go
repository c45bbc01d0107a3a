package imgset

import "math"

// pt is a point in the plane.
type pt struct{ x, y float64 }

// homography maps the plane by a 3×3 matrix (h[8] is 1).
type homography [9]float64

func (h *homography) apply(p pt) pt {
	w := h[6]*p.x + h[7]*p.y + h[8]
	return pt{(h[0]*p.x + h[1]*p.y + h[2]) / w, (h[3]*p.x + h[4]*p.y + h[5]) / w}
}

// quadToQuad returns the homography that maps src[i] to dst[i].
func quadToQuad(src, dst [4]pt) homography {
	// Solve the 8×8 system for h0..h7 with h8 = 1.
	var a [8][9]float64
	for i := 0; i < 4; i++ {
		x, y, u, v := src[i].x, src[i].y, dst[i].x, dst[i].y
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for c := 0; c < 8; c++ {
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		for r := 0; r < 8; r++ {
			if r == c || a[r][c] == 0 {
				continue
			}
			f := a[r][c] / a[c][c]
			for k := c; k < 9; k++ {
				a[r][k] -= f * a[c][k]
			}
		}
	}
	var h homography
	for i := 0; i < 8; i++ {
		h[i] = a[i][8] / a[i][i]
	}
	h[8] = 1
	return h
}
