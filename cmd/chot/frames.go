package main

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/chot-dev/chot/scanner"
)

// cmdFrames turns pictures of codes into what a camera at a checkpoint
// sees: each code held on a phone in a 1280×720 frame, followed by empty
// frames (nobody in front of the camera). The demo replays the result.
func cmdFrames(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "frames")
	out := fs.String("out", "", "write the frames into this folder (created)")
	hold := fs.Int("hold", 3, "frames each code stays in view")
	gap := fs.Int("gap", 6, "empty frames after each code")
	w := fs.Int("width", 1280, "frame width")
	h := fs.Int("height", 720, "frame height")
	seed := fs.Uint64("seed", 1, "seed for the scene's noise, for reproducible frames")
	first := fs.Int("first", 1, "number of the first frame (to add to a folder in replay order)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: chot frames --out DIR CODE.png...   (name order is replay order)")
		fs.PrintDefaults()
	}
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	if *out == "" || fs.NArg() == 0 || *hold < 1 || *gap < 0 {
		fs.Usage()
		return exitUsage
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fail(e, "frames: %v", err)
	}
	rng := rand.New(rand.NewPCG(*seed, 42))
	n := *first - 1
	write := func(img image.Image, label string) error {
		n++
		name := filepath.Join(*out, fmt.Sprintf("%04d-%s.png", n, label))
		f, err := os.Create(name)
		if err != nil {
			return err
		}
		if err := png.Encode(f, img); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	for _, path := range fs.Args() {
		code, err := scanner.LoadImage(path)
		if err != nil {
			return fail(e, "frames: %s: %v", path, err)
		}
		label := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		for i := 0; i < *hold; i++ {
			if err := write(scene(*w, *h, code, rng), label); err != nil {
				return fail(e, "frames: %v", err)
			}
		}
		for i := 0; i < *gap; i++ {
			if err := write(scene(*w, *h, nil, rng), "empty"); err != nil {
				return fail(e, "frames: %v", err)
			}
		}
	}
	fmt.Fprintf(e.stdout, "%d frames in %s\n", n-*first+1, *out)
	return exitOK
}

// scene draws a counter top with, if code is set, a phone showing it.
func scene(w, h int, code image.Image, rng *rand.Rand) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		base := 150 + 40*y/h // light from above
		for x := 0; x < w; x++ {
			img.Pix[y*img.Stride+x] = uint8(base + rng.IntN(9) - 4)
		}
	}
	if code == nil {
		return img
	}
	// The phone is held close: the code fills most of the frame's height,
	// as a traveller is asked to hold it (~4 px per module for a DCC at 720p).
	codeSide := h * 80 / 100
	margin, bezel := h/40, h/45
	screenW, screenH := codeSide+2*margin, codeSide+2*margin+h/6
	pt := image.Pt(w/2-screenW/2+rng.IntN(41)-20, h/2-(codeSide+2*margin)/2+rng.IntN(11)-5)
	screen := image.Rect(0, 0, screenW, screenH).Add(pt)
	phone := image.Rect(screen.Min.X-bezel, screen.Min.Y-bezel, screen.Max.X+bezel, screen.Max.Y+bezel)
	draw.Draw(img, phone, &image.Uniform{color.Gray{Y: 25}}, image.Point{}, draw.Src)
	draw.Draw(img, screen, &image.Uniform{color.Gray{Y: 235}}, image.Point{}, draw.Src)
	// Scale the code to the screen's width with nearest-neighbour sampling,
	// as a phone shows a QR code.
	cb := code.Bounds()
	dst := image.Rect(0, 0, codeSide, codeSide).Add(image.Pt(screen.Min.X+margin, screen.Min.Y+margin))
	dst = dst.Intersect(img.Bounds())
	for y := dst.Min.Y; y < dst.Max.Y; y++ {
		sy := cb.Min.Y + (y-dst.Min.Y)*cb.Dy()/dst.Dy()
		for x := dst.Min.X; x < dst.Max.X; x++ {
			sx := cb.Min.X + (x-dst.Min.X)*cb.Dx()/dst.Dx()
			g := color.GrayModel.Convert(code.At(sx, sy)).(color.Gray)
			v := int(g.Y)*88/100 + 14 + rng.IntN(7) - 3 // screen contrast and sensor noise
			img.Pix[y*img.Stride+x] = uint8(min(max(v, 0), 255))
		}
	}
	return img
}
