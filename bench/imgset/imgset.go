package imgset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// Item is one generated picture.
type Item struct {
	File       string `json:"file"` // relative to the manifest's folder
	Res        string `json:"res"`  // "640x480"
	Payload    string `json:"payload"`
	Distortion string `json:"distortion"`
	Want       string `json:"want"` // the text it shows; "" for an empty frame
}

// Manifest lists a generated set.
type Manifest struct {
	Seed  uint64 `json:"seed"`
	Items []Item `json:"items"`
}

// ManifestName is the manifest's file name inside a set's folder.
const ManifestName = "manifest.json"

// Options tune Generate. The zero value is the full set: seed 1, three
// variants of each case, both resolutions.
type Options struct {
	Seed     uint64
	Variants int      // pictures per (resolution, payload, distortion)
	Res      []string // "640x480", "1280x720"
	Only     []string // distortions to generate; empty: all
	Empty    int      // empty frames per resolution; 0 means 8, <0 none
}

// Distortion is one way a real frame goes wrong.
type Distortion struct {
	Name  string
	scene func(s *scene, rng *rand.Rand)
	photo func(pix []float64, w, h int, rng *rand.Rand)
	jpeg  int // JPEG quality; 0 saves PNG
}

// Distortions are the cases of the set, in report order.
var Distortions = []Distortion{
	{Name: "clean"},
	{Name: "rot15", scene: rotate(15)},
	{Name: "rot30", scene: rotate(30)},
	{Name: "rot45", scene: rotate(45)},
	{Name: "perspective", scene: func(s *scene, _ *rand.Rand) { s.tilt = 0.25; s.angle += 5 }},
	{Name: "blur", photo: func(p []float64, w, h int, _ *rand.Rand) { blur(p, w, h, 1.2) }},
	{Name: "motion", photo: func(p []float64, w, h int, _ *rand.Rand) { motion(p, w, h, 5) }},
	{Name: "noise", photo: func(p []float64, _, _ int, rng *rand.Rand) { noise(p, 18, rng) }},
	{Name: "lowcontrast", photo: func(p []float64, _, _ int, rng *rand.Rand) { levels(p, 105, 150); noise(p, 2, rng) }},
	{Name: "dark", photo: func(p []float64, _, _ int, rng *rand.Rand) { levels(p, 3, 45); noise(p, 2.5, rng) }},
	{Name: "small", scene: func(s *scene, _ *rand.Rand) { s.size *= 0.6 }},
	{Name: "close", scene: func(s *scene, _ *rand.Rand) { s.size = 0.9; s.cy = 0.5 }},
	{Name: "glare", photo: func(p []float64, w, h int, rng *rand.Rand) {
		glare(p, w, h, float64(w)*(0.45+0.1*rng.Float64()), float64(h)*(0.35+0.1*rng.Float64()), float64(h)/9)
	}},
	{Name: "shadow", photo: func(p []float64, w, h int, _ *rand.Rand) { shadow(p, w, h, 0.35) }},
	{Name: "inverted", scene: func(s *scene, _ *rand.Rand) { s.invert = true }},
	{Name: "jpeg", jpeg: 25},
	{Name: "rot30+blur+noise", scene: rotate(30), photo: func(p []float64, w, h int, rng *rand.Rand) { blur(p, w, h, 1); noise(p, 10, rng) }},
	{Name: "persp+lowcontrast", scene: func(s *scene, _ *rand.Rand) { s.tilt = 0.2 }, photo: func(p []float64, _, _ int, rng *rand.Rand) { levels(p, 90, 160); noise(p, 3, rng) }},
	{Name: "inverted+rot15+noise", scene: func(s *scene, _ *rand.Rand) { s.invert = true; s.angle += 15 }, photo: func(p []float64, _, _ int, rng *rand.Rand) { noise(p, 10, rng) }},
	{Name: "glare+motion", photo: func(p []float64, w, h int, rng *rand.Rand) {
		glare(p, w, h, float64(w)*0.55, float64(h)*0.4, float64(h)/10)
		motion(p, w, h, 3)
	}},
	{Name: "dark+noise+jpeg", photo: func(p []float64, _, _ int, rng *rand.Rand) { levels(p, 5, 70); noise(p, 6, rng) }, jpeg: 40},
}

func rotate(deg float64) func(*scene, *rand.Rand) {
	return func(s *scene, _ *rand.Rand) { s.angle += deg }
}

// Payloads are the texts encoded, by kind; the variant picks characters.
var Payloads = []string{"dcc", "short"}

// payload returns the text of a kind for a variant: DCC-size is "HC1:" and
// 500 base45 characters (QR alphanumeric mode, as a DCC is); short is a
// 30-character reference. The characters are the base45 of random bytes
// (not a zlib stream), so the text passes the decoder's format check as a
// real DCC's does.
func payload(kind string, rng *rand.Rand) string {
	const base45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	n := 333 // bytes: 500 characters
	if kind == "short" {
		n = 17 // 26 characters
	}
	raw := make([]byte, n)
	for i := range raw {
		raw[i] = byte(rng.IntN(256))
	}
	if raw[0] == 0x78 { // what a zlib stream starts with
		raw[0] = 0x77
	}
	var b strings.Builder
	b.WriteString("HC1:")
	for i := 0; i < n; i += 2 {
		if i+1 == n {
			v := int(raw[i])
			b.WriteByte(base45[v%45])
			b.WriteByte(base45[v/45])
			break
		}
		v := int(raw[i])<<8 | int(raw[i+1])
		b.WriteByte(base45[v%45])
		b.WriteByte(base45[v/45%45])
		b.WriteByte(base45[v/2025])
	}
	return b.String()
}

// encode returns text's QR modules (error correction M, no quiet zone).
func encode(text string) ([][]bool, error) {
	hints := map[gozxing.EncodeHintType]any{
		gozxing.EncodeHintType_ERROR_CORRECTION: decoder.ErrorCorrectionLevel_M,
		gozxing.EncodeHintType_MARGIN:           0,
	}
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 1, 1, hints)
	if err != nil {
		return nil, err
	}
	n := m.GetWidth()
	out := make([][]bool, n)
	for i := range out {
		out[i] = make([]bool, n)
		for j := range out[i] {
			out[i][j] = m.Get(j, i)
		}
	}
	return out, nil
}

// Generate writes the set into dir and returns its manifest (also written).
func Generate(dir string, o Options) (Manifest, error) {
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Variants <= 0 {
		o.Variants = 3
	}
	if len(o.Res) == 0 {
		o.Res = []string{"640x480", "1280x720"}
	}
	if o.Empty == 0 {
		o.Empty = 8
	}
	man := Manifest{Seed: o.Seed}
	for ri, res := range o.Res {
		var w, h int
		if _, err := fmt.Sscanf(res, "%dx%d", &w, &h); err != nil {
			return man, fmt.Errorf("imgset: resolution %q: %w", res, err)
		}
		if err := os.MkdirAll(filepath.Join(dir, res), 0o755); err != nil {
			return man, fmt.Errorf("imgset: %w", err)
		}
		for di, d := range Distortions {
			if len(o.Only) > 0 && !contains(o.Only, d.Name) {
				continue
			}
			for pi, kind := range Payloads {
				for v := 0; v < o.Variants; v++ {
					img, text, err := render(w, h, kind, d, o.Seed, uint64(ri<<24|di<<16|pi<<8|v))
					if err != nil {
						return man, err
					}
					it := Item{Res: res, Payload: kind, Distortion: d.Name, Want: text,
						File: filepath.Join(res, fmt.Sprintf("%s-%s-%d", kind, strings.ReplaceAll(d.Name, "+", "_"), v))}
					if err := save(dir, &it, img, d.jpeg); err != nil {
						return man, err
					}
					man.Items = append(man.Items, it)
				}
			}
		}
		for v := 0; v < max(0, o.Empty); v++ {
			img, _, err := render(w, h, "none", Distortion{Name: "empty"}, o.Seed, uint64(ri<<24|0xff<<16|v))
			if err != nil {
				return man, err
			}
			it := Item{Res: res, Payload: "none", Distortion: "empty", File: filepath.Join(res, fmt.Sprintf("empty-%d", v))}
			if err := save(dir, &it, img, 0); err != nil {
				return man, err
			}
			man.Items = append(man.Items, it)
		}
	}
	b, err := json.MarshalIndent(man, "", " ")
	if err != nil {
		return man, fmt.Errorf("imgset: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestName), b, 0o644); err != nil {
		return man, fmt.Errorf("imgset: %w", err)
	}
	return man, nil
}

// Render draws one picture in memory: payload "dcc" or "short" under the
// named distortion, or payload "none" for an empty frame (variant odd: with
// code-like clutter). It returns the picture (JPEG-compressed and decoded
// again for the JPEG distortions) and the text it shows.
func Render(w, h int, payloadKind, distortion string, seed uint64, variant int) (*image.Gray, string, error) {
	d := Distortion{Name: "empty"}
	if payloadKind != "none" {
		i := slices.IndexFunc(Distortions, func(d Distortion) bool { return d.Name == distortion })
		if i < 0 {
			return nil, "", fmt.Errorf("imgset: no distortion %q", distortion)
		}
		d = Distortions[i]
	}
	img, text, err := render(w, h, payloadKind, d, seed, uint64(variant))
	if err != nil || d.jpeg == 0 {
		return img, text, err
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: d.jpeg}); err != nil {
		return nil, "", fmt.Errorf("imgset: %w", err)
	}
	j, err := jpeg.Decode(&buf)
	if err != nil {
		return nil, "", fmt.Errorf("imgset: %w", err)
	}
	switch j := j.(type) {
	case *image.Gray:
		return j, text, nil
	case *image.YCbCr:
		out := image.NewGray(img.Rect)
		for y := 0; y < h; y++ {
			copy(out.Pix[y*w:(y+1)*w], j.Y[y*j.YStride:])
		}
		return out, text, nil
	}
	return nil, "", fmt.Errorf("imgset: JPEG decoded to %T", j)
}

// render draws one picture; stream picks the random stream.
func render(w, h int, kind string, d Distortion, seed, stream uint64) (*image.Gray, string, error) {
	rng := rand.New(rand.NewPCG(seed, stream))
	s := &scene{w: w, h: h}
	var text string
	if kind == "none" {
		s.clutter = stream%2 == 1
	} else {
		text = payload(kind, rng)
		mods, err := encode(text)
		if err != nil {
			return nil, "", fmt.Errorf("imgset: encode: %w", err)
		}
		s.modules, s.size = mods, 0.6
		s.cx, s.cy, s.angle = 0.45+0.1*rng.Float64(), 0.45+0.1*rng.Float64(), 4*rng.Float64()-2
		if kind == "short" {
			s.size = 0.35
		}
	}
	if d.scene != nil {
		d.scene(s, rng)
	}
	pix := s.render(rng)
	if d.photo != nil {
		d.photo(pix, s.w, s.h, rng)
	}
	img := image.NewGray(image.Rect(0, 0, s.w, s.h))
	for i, v := range pix {
		img.Pix[i] = uint8(math.Round(min(255, max(0, v))))
	}
	return img, text, nil
}

// save writes img as PNG, or JPEG at the given quality, setting it.File's
// extension.
func save(dir string, it *Item, img *image.Gray, quality int) error {
	ext := ".png"
	if quality > 0 {
		ext = ".jpg"
	}
	it.File += ext
	f, err := os.Create(filepath.Join(dir, it.File))
	if err != nil {
		return fmt.Errorf("imgset: %w", err)
	}
	if quality > 0 {
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: quality})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(f, img)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("imgset: write %s: %w", it.File, err)
	}
	return nil
}

// Load reads the manifest of a generated set.
func Load(dir string) (Manifest, error) {
	var man Manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return man, fmt.Errorf("imgset: %w", err)
	}
	if err := json.Unmarshal(b, &man); err != nil {
		return man, fmt.Errorf("imgset: %s: %w", ManifestName, err)
	}
	return man, nil
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }
