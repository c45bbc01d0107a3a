package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/chot-dev/chot/bench/imgset"
	"github.com/chot-dev/chot/scanner"
)

// PhotoResult is one engine on one real picture.
type PhotoResult struct {
	Engine string
	Photo  imgset.Photo
	Texts  []string
	// Found is the distinct texts read, capped at the codes the picture
	// holds (BoofCV's scoring), counting only right texts where the right
	// text is known.
	Found int
	// Bad counts texts that are not the picture's (where that is known).
	Bad int
	Dur time.Duration
}

// PhotoOptions tune RunPhotos.
type PhotoOptions struct {
	// MaxSide, if set, shrinks each picture (by an integer factor, box
	// filter) until its longer side is at most this: quick trial runs.
	MaxSide int
	// Progress, if set, gets a line per picture.
	Progress io.Writer
}

// RunPhotos decodes every picture once with every engine (gray plane in,
// texts out; loading and conversion excluded from the time).
func RunPhotos(photos []imgset.Photo, engines []Engine, o PhotoOptions) ([]PhotoResult, error) {
	fns := make([]DecodeFunc, len(engines))
	for i, e := range engines {
		fns[i] = e.New()
	}
	var out []PhotoResult
	for _, p := range photos {
		img, err := scanner.LoadImage(p.Path)
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		pix, w, h := Gray(img)
		if o.MaxSide > 0 {
			pix, w, h = shrink(pix, w, h, o.MaxSide)
		}
		for i, e := range engines {
			start := time.Now()
			texts := fns[i](pix, w, h)
			r := PhotoResult{Engine: e.Name, Photo: p, Dur: time.Since(start)}
			r.Texts = dedupe(texts)
			r.Found, r.Bad = score(p, r.Texts)
			out = append(out, r)
			if o.Progress != nil {
				fmt.Fprintf(o.Progress, "%s %s/%s %s: %d/%d bad %d %.0fms %.50q\n", e.Name, p.Set, p.Group, p.Path[strings.LastIndexByte(p.Path, '/')+1:], r.Found, p.Codes, r.Bad, float64(r.Dur.Microseconds())/1000, r.Texts)
			}
		}
	}
	return out, nil
}

func dedupe(texts []string) []string {
	var out []string
	for _, t := range texts {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// score counts the right texts (capped at the picture's codes) and the
// wrong ones.
func score(p imgset.Photo, texts []string) (found, bad int) {
	for _, t := range texts {
		switch {
		case slices.Contains(p.Also, t):
		case p.Check != nil && !p.Check(t), p.Want != "" && t != p.Want:
			bad++
		default:
			found++
		}
	}
	return min(found, p.Codes), bad
}

// shrink divides a plane's sides by the smallest integer that brings the
// longer one to at most maxSide, averaging each block.
func shrink(pix []byte, w, h, maxSide int) ([]byte, int, int) {
	f := (max(w, h) + maxSide - 1) / maxSide
	if f <= 1 {
		return pix, w, h
	}
	sw, sh := w/f, h/f
	out := make([]byte, sw*sh)
	for y := 0; y < sh; y++ {
		for x := 0; x < sw; x++ {
			s := 0
			for dy := 0; dy < f; dy++ {
				row := pix[(y*f+dy)*w+x*f:]
				for dx := 0; dx < f; dx++ {
					s += int(row[dx])
				}
			}
			out[y*sw+x] = byte(s / (f * f))
		}
	}
	return out, sw, sh
}
