package imgset

import (
	"math"
	"math/rand/v2"
)

// scene describes one picture before photometric distortions.
type scene struct {
	w, h    int
	modules [][]bool // the code, true = dark; nil for an empty frame
	// height of the code (modules only) as a fraction of the frame height
	size    float64
	angle   float64 // degrees
	tilt    float64 // perspective: 0 none, 0.3 strong
	invert  bool    // dark mode: light modules on a dark screen
	cx, cy  float64 // code centre as a fraction of the frame
	clutter bool    // random blocks on an empty "screen" (misread bait)
}

const (
	quiet = 4.0 // quiet zone, modules
	bezel = 3.0 // screen margin beyond it, modules
	black = 28.0
	white = 228.0
)

// render draws the scene into a gray plane, 2×2 supersampled.
func (s *scene) render(rng *rand.Rand) []float64 {
	pix := background(s.w, s.h, rng)
	if s.modules == nil {
		if s.clutter {
			drawClutter(pix, s.w, s.h, rng)
		}
		return pix
	}
	n := float64(len(s.modules))
	side := s.size * float64(s.h) // code side in pixels, modules only
	ext := quiet + bezel
	half := side / 2 * (n + 2*ext) / n
	// Card corners, rotated about the centre, then pulled in on one side
	// for perspective.
	c := pt{s.cx * float64(s.w), s.cy * float64(s.h)}
	sin, cos := math.Sincos(s.angle * math.Pi / 180)
	corners := [4]pt{{-half, -half}, {half, -half}, {half, half}, {-half, half}}
	var dst [4]pt
	for i, p := range corners {
		if s.tilt > 0 && p.x > 0 { // the right edge is farther away
			p.y *= 1 - s.tilt
			p.x *= 1 - s.tilt/2
		}
		dst[i] = pt{c.x + p.x*cos - p.y*sin, c.y + p.x*sin + p.y*cos}
	}
	lo, hi := -ext, n+ext
	src := [4]pt{{lo, lo}, {hi, lo}, {hi, hi}, {lo, hi}}
	inv := quadToQuad(dst, src) // image → module coordinates
	dark, light := black, white
	ni := len(s.modules)
	for y := 0; y < s.h; y++ {
		for x := 0; x < s.w; x++ {
			var sum float64
			inCard := 0
			for _, o := range [4]pt{{0.25, 0.25}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}} {
				m := inv.apply(pt{float64(x) + o.x, float64(y) + o.y})
				if m.x < lo || m.y < lo || m.x >= hi || m.y >= hi {
					sum += pix[y*s.w+x]
					continue
				}
				inCard++
				v := light
				if m.x >= 0 && m.y >= 0 {
					if i, j := int(m.y), int(m.x); i < ni && j < ni && s.modules[i][j] {
						v = dark
					}
				}
				if s.invert { // dark mode: a dark screen, light modules
					v = black + white - v
				}
				sum += v
			}
			if inCard > 0 {
				pix[y*s.w+x] = sum / 4
			}
		}
	}
	return pix
}

// background is a smooth random texture with a few hard-edged shapes: a
// desk, a hand, a sleeve.
func background(w, h int, rng *rand.Rand) []float64 {
	const gw, gh = 9, 7
	var grid [gh][gw]float64
	for i := range grid {
		for j := range grid[i] {
			grid[i][j] = 60 + 140*rng.Float64()
		}
	}
	pix := make([]float64, w*h)
	for y := 0; y < h; y++ {
		fy := float64(y) / float64(h) * (gh - 1)
		i := min(int(fy), gh-2)
		ty := fy - float64(i)
		for x := 0; x < w; x++ {
			fx := float64(x) / float64(w) * (gw - 1)
			j := min(int(fx), gw-2)
			tx := fx - float64(j)
			pix[y*w+x] = (grid[i][j]*(1-tx)+grid[i][j+1]*tx)*(1-ty) + (grid[i+1][j]*(1-tx)+grid[i+1][j+1]*tx)*ty
		}
	}
	for k := 0; k < 6; k++ {
		x0, y0 := rng.IntN(w), rng.IntN(h)
		rw, rh := 20+rng.IntN(w/3), 20+rng.IntN(h/3)
		v := 20 + 215*rng.Float64()
		for y := y0; y < min(h, y0+rh); y++ {
			for x := x0; x < min(w, x0+rw); x++ {
				pix[y*w+x] = v
			}
		}
	}
	return pix
}

// drawClutter puts a screen of random blocks and bars in the middle: edges and
// squares a finder-pattern search may bite on, without any code.
func drawClutter(pix []float64, w, h int, rng *rand.Rand) {
	x0, y0, side := w/2-h/3, h/6, 2*h/3
	for y := y0; y < y0+side; y++ {
		for x := x0; x < x0+side; x++ {
			pix[y*w+x] = white
		}
	}
	cell := max(3, side/40)
	for k := 0; k < 300; k++ {
		bx, by := x0+rng.IntN(side-4*cell), y0+rng.IntN(side-4*cell)
		bw, bh := cell*(1+rng.IntN(4)), cell*(1+rng.IntN(2))
		for y := by; y < by+bh; y++ {
			for x := bx; x < bx+bw; x++ {
				pix[y*w+x] = black
			}
		}
	}
}
