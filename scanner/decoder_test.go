package scanner

import (
	"errors"
	"image"
	"image/draw"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/chot-dev/chot/bench/imgset"
)

func render(t testing.TB, w, h int, payload, distortion string, variant int) (*image.Gray, string) {
	t.Helper()
	img, text, err := imgset.Render(w, h, payload, distortion, 11, variant)
	if err != nil {
		t.Fatal(err)
	}
	return img, text
}

// TestDecodeSample is a small sample of the generated set (the whole set is
// `chot bench decode`): picture mode reads each, empty frames read nothing.
func TestDecodeSample(t *testing.T) {
	for _, tc := range []struct {
		payload, distortion string
		variant             int
	}{
		{"dcc", "clean", 0},
		{"dcc", "inverted", 0},
		{"dcc", "lowcontrast", 0},
		{"short", "rot30", 0},
		{"short", "dark", 0},
		{"dcc", "jpeg", 0},
		{"short", "inverted+rot15+noise", 0},
		{"none", "", 0},
		{"none", "", 1}, // clutter
	} {
		t.Run(tc.payload+"-"+tc.distortion, func(t *testing.T) {
			img, want := render(t, 640, 480, tc.payload, tc.distortion, tc.variant)
			texts, err := NewDecoder(Options{}).DecodeGray(img.Pix, 640, 480, img.Stride)
			if want == "" {
				if !errors.Is(err, ErrNoCode) || texts != nil {
					t.Errorf("empty frame: got %.40q, %v; want ErrNoCode", texts, err)
				}
				return
			}
			if err != nil || len(texts) != 1 || texts[0] != want {
				t.Errorf("got %.40q, %v; want [%.40q]", texts, err, want)
			}
		})
	}
}

// TestStreamingFallbacksTakeTurns: a low-contrast code the cheap passes miss
// is read within one round of the fallbacks.
func TestStreamingFallbacksTakeTurns(t *testing.T) {
	img, want := render(t, 640, 480, "dcc", "lowcontrast", 0)
	d := NewDecoder(Options{Streaming: true, FallbackEvery: 2})
	for i := 0; i < 2*len(fallbacks); i++ {
		texts, err := d.DecodeGray(img.Pix, 640, 480, img.Stride)
		if err == nil {
			if texts[0] != want {
				t.Fatalf("frame %d: got %.40q, want %.40q", i, texts, want)
			}
			return
		}
	}
	t.Errorf("not read within %d frames", 2*len(fallbacks))
}

// TestDecodeSeveralCodes puts the three QR codes of a three-chunk SMART
// Health Card side by side in one picture: all three come back.
func TestDecodeSeveralCodes(t *testing.T) {
	dir := filepath.Join(testdata, "shc", "spec-examples", "png-rendered")
	var parts []image.Image
	var want []string
	for i := 0; i < 3; i++ {
		p := filepath.Join(dir, "example-02-g-qr-code-"+string(rune('0'+i))+".png")
		img, err := LoadImage(p)
		if err != nil {
			t.Fatal(err)
		}
		texts, err := DecodeFile(p)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, img)
		want = append(want, texts...)
	}
	b := parts[0].Bounds()
	all := image.NewGray(image.Rect(0, 0, 3*b.Dx(), b.Dy()))
	for i, p := range parts {
		draw.Draw(all, b.Add(image.Pt(i*b.Dx(), 0)), p, p.Bounds().Min, draw.Src)
	}
	texts, err := NewDecoder(Options{}).DecodeImage(all)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(texts)
	slices.Sort(want)
	if !slices.Equal(texts, want) {
		t.Errorf("got %d texts %.30q, want the 3 chunks %.30q", len(texts), texts, want)
	}
}

func TestDecodeGrayStride(t *testing.T) {
	img, want := render(t, 320, 240, "short", "clean", 0)
	// The frame sits at (5, 3) in a wider buffer.
	const stride, x0, y0 = 400, 5, 3
	buf := make([]byte, stride*250)
	for y := 0; y < 240; y++ {
		copy(buf[(y0+y)*stride+x0:], img.Pix[y*img.Stride:y*img.Stride+320])
	}
	texts, err := NewDecoder(Options{}).DecodeGray(buf[y0*stride+x0:], 320, 240, stride)
	if err != nil || len(texts) != 1 || texts[0] != want {
		t.Errorf("got %.40q, %v; want [%.40q]", texts, err, want)
	}
}

func TestDecodeGrayBadFrame(t *testing.T) {
	d := NewDecoder(Options{})
	for _, tc := range []struct {
		name            string
		n, w, h, stride int
	}{
		{"short buffer", 100, 20, 20, 20},
		{"stride below width", 400, 20, 20, 10},
		{"zero size", 400, 0, 20, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := d.DecodeGray(make([]byte, tc.n), tc.w, tc.h, tc.stride); !errors.Is(err, ErrBadFrame) {
				t.Errorf("got %v, want ErrBadFrame", err)
			}
		})
	}
}

// TestSteadyStateMemory: a streaming decoder keeps its frame-sized buffers;
// what it allocates per frame is gozxing's small detector objects, far less
// than a frame.
func TestSteadyStateMemory(t *testing.T) {
	frames := []*image.Gray{}
	for _, c := range []struct{ p, d string }{{"none", ""}, {"dcc", "clean"}, {"dcc", "lowcontrast"}, {"short", "inverted"}} {
		img, _ := render(t, 640, 480, c.p, c.d, 0)
		frames = append(frames, img)
	}
	d := NewDecoder(Options{Streaming: true})
	run := func(n int) {
		for i := 0; i < n; i++ {
			f := frames[i%len(frames)]
			d.DecodeGray(f.Pix, 640, 480, f.Stride)
		}
	}
	run(4 * len(fallbacks) * len(frames)) // warm up: every fallback's buffers
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const n = 40
	run(n)
	runtime.GC()
	runtime.ReadMemStats(&after)
	perFrame := (after.TotalAlloc - before.TotalAlloc) / n
	if frame := uint64(640 * 480); perFrame > frame/4 {
		t.Errorf("allocates %d bytes a frame, want well under a frame (%d)", perFrame, frame)
	}
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 640*480 {
		t.Errorf("heap grew by %d bytes over %d frames", grown, n)
	}
}
