package scanner

import (
	"fmt"
	"testing"

	"github.com/chot-dev/chot/bench/imgset"
)

// BenchmarkDecode measures one frame through a streaming Decoder (what the
// camera loop pays) and reports allocations per frame. The whole generated
// set, side by side with zxing-cpp and zbar, is `go run -tags native
// ./bench/compare DIR`.
func BenchmarkDecode(b *testing.B) {
	for _, c := range []struct {
		res              string
		w, h             int
		payload, distort string
		variant          int
	}{
		{"640x480", 640, 480, "none", "", 0},
		{"640x480", 640, 480, "none", "", 1},
		{"1280x720", 1280, 720, "none", "", 0},
		{"640x480", 640, 480, "dcc", "clean", 0},
		{"1280x720", 1280, 720, "dcc", "clean", 0},
		{"640x480", 640, 480, "dcc", "inverted", 0},
		{"640x480", 640, 480, "short", "rot30", 0},
	} {
		img, want, err := imgset.Render(c.w, c.h, c.payload, c.distort, 1, c.variant)
		if err != nil {
			b.Fatal(err)
		}
		name := fmt.Sprintf("%s/%s-%s-%d", c.res, c.payload, c.distort, c.variant)
		b.Run(name, func(b *testing.B) {
			d := NewDecoder(Options{Streaming: true})
			b.ReportAllocs()
			for b.Loop() {
				texts, _ := d.DecodeGray(img.Pix, c.w, c.h, img.Stride)
				if want != "" && (len(texts) == 0 || texts[0] != want) {
					b.Fatalf("got %.40q, want %.40q", texts, want)
				}
			}
		})
	}
}
