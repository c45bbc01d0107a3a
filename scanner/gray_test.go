package scanner

import (
	"image"
	"image/color"
	"testing"
)

func TestToGray(t *testing.T) {
	r := image.Rect(0, 0, 3, 1)
	nrgba := image.NewNRGBA(r)
	nrgba.SetNRGBA(0, 0, color.NRGBA{0, 0, 0, 255})       // black
	nrgba.SetNRGBA(1, 0, color.NRGBA{0, 0, 0, 0})         // transparent: white
	nrgba.SetNRGBA(2, 0, color.NRGBA{255, 255, 255, 255}) // white
	rgba := image.NewRGBA(r)
	rgba.SetRGBA(0, 0, color.RGBA{0, 0, 0, 255})
	rgba.SetRGBA(1, 0, color.RGBA{0, 0, 0, 0})
	rgba.SetRGBA(2, 0, color.RGBA{255, 255, 255, 255})
	pal := image.NewPaletted(r, color.Palette{color.Black, color.Transparent, color.White})
	pal.Pix = []uint8{0, 1, 2}
	gray := image.NewGray(r)
	gray.Pix = []uint8{0, 255, 255}
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio444)
	copy(ycc.Y, []uint8{0, 255, 255})
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = 128, 128
	}
	cmyk := image.NewCMYK(r) // the generic path
	cmyk.Set(0, 0, color.Black)
	cmyk.Set(1, 0, color.White)
	cmyk.Set(2, 0, color.White)
	for _, tc := range []struct {
		name string
		img  image.Image
	}{
		{"NRGBA", nrgba}, {"RGBA", rgba}, {"Paletted", pal}, {"Gray", gray}, {"YCbCr", ycc}, {"CMYK", cmyk},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pix, w, h := toGray(tc.img, nil)
			if w != 3 || h != 1 {
				t.Fatalf("size %d×%d, want 3×1", w, h)
			}
			want := []byte{0, 255, 255}
			for i := range want {
				if d := int(pix[i]) - int(want[i]); d < -1 || d > 1 {
					t.Errorf("pixel %d: got %d, want %d", i, pix[i], want[i])
				}
			}
		})
	}
}

func TestToGraySubImage(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 4, 4))
	for i := range g.Pix {
		g.Pix[i] = byte(i)
	}
	sub := g.SubImage(image.Rect(1, 2, 3, 4))
	pix, w, h := toGray(sub, nil)
	if w != 2 || h != 2 || string(pix) != string([]byte{9, 10, 13, 14}) {
		t.Errorf("got %d×%d %v, want 2×2 [9 10 13 14]", w, h, pix)
	}
}

func TestBox3(t *testing.T) {
	// A single bright pixel on black spreads to a 3×3 ninth.
	const w, h = 5, 5
	pix := make([]byte, w*h)
	pix[2*w+2] = 90
	out := box3(pix, w, h, nil)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			want := byte(0)
			if x >= 1 && x <= 3 && y >= 1 && y <= 3 {
				want = 10
			}
			if out[y*w+x] != want {
				t.Errorf("(%d,%d) = %d, want %d", x, y, out[y*w+x], want)
			}
		}
	}
}

func TestStretch(t *testing.T) {
	pix := make([]byte, 1000)
	for i := range pix {
		pix[i] = byte(100 + i%41) // 100..140
	}
	out, ok := stretch(pix, nil)
	if !ok {
		t.Fatal("a 100..140 picture: want it stretched")
	}
	lo, hi := byte(255), byte(0)
	for _, p := range out {
		lo, hi = min(lo, p), max(hi, p)
	}
	if lo > 10 || hi < 245 {
		t.Errorf("stretched to %d..%d, want about 0..255", lo, hi)
	}
	full := make([]byte, 256)
	for i := range full {
		full[i] = byte(i)
	}
	if _, ok := stretch(full, nil); ok {
		t.Error("a full-range picture: want no stretch")
	}
}
