package scanner

import (
	"fmt"
	"testing"

	"github.com/chot-dev/chot/bench/imgset"
	"github.com/makiuchi-d/gozxing"
)

// TestBinarizerMatchesGozxing checks that the buffer-reusing binarizer gives
// gozxing's HybridBinarizer's matrix, bit for bit, on frames whose sides are
// multiples of 8 (on other sizes ZXing ORs the overlapping last block).
func TestBinarizerMatchesGozxing(t *testing.T) {
	var b binarizer
	for _, c := range []struct {
		w, h             int
		payload, distort string
	}{
		{640, 480, "dcc", "clean"},
		{640, 480, "short", "lowcontrast"},
		{320, 240, "none", ""},
		{320, 240, "dcc", "shadow"},
	} {
		t.Run(fmt.Sprintf("%dx%d-%s-%s", c.w, c.h, c.payload, c.distort), func(t *testing.T) {
			img, _, err := imgset.Render(c.w, c.h, c.payload, c.distort, 7, 0)
			if err != nil {
				t.Fatal(err)
			}
			want, err := gozxing.NewHybridBinarizer(newGrayPlane(img.Pix, c.w, c.h)).GetBlackMatrix()
			if err != nil {
				t.Fatal(err)
			}
			got, err := b.binarize(img.Pix, c.w, c.h)
			if err != nil {
				t.Fatal(err)
			}
			diff := 0
			for y := 0; y < c.h; y++ {
				for x := 0; x < c.w; x++ {
					if got.Get(x, y) != want.Get(x, y) {
						diff++
					}
				}
			}
			if diff != 0 {
				t.Errorf("%d pixels differ from gozxing's HybridBinarizer", diff)
			}
		})
	}
}
