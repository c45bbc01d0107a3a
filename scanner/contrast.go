//go:build !nocv

package scanner

import (
	"image"
	"runtime"

	"gocv.io/x/gocv"
)

// claher equalises a plane's contrast tile by tile with OpenCV's CLAHE
// (contrast-limited adaptive histogram equalisation): glare, bright spots
// and shadows leave a code's modules apart in each tile.
type claher struct {
	c gocv.CLAHE
}

func newClaher() *claher {
	c := &claher{c: gocv.NewCLAHEWithParams(claheClip, image.Pt(claheTiles, claheTiles))}
	runtime.AddCleanup(c, func(cl gocv.CLAHE) { cl.Close() }, c.c)
	return c
}

// apply returns pix equalised, in dst (grown as needed).
func (c *claher) apply(pix []byte, w, h int, dst []byte) []byte {
	src, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC1, pix[:w*h])
	if err != nil {
		return nil
	}
	defer src.Close()
	out := gocv.NewMat()
	defer out.Close()
	c.c.Apply(src, &out)
	b, err := out.DataPtrUint8()
	if err != nil || len(b) != w*h {
		return nil
	}
	dst = grow(dst, w*h)
	copy(dst, b)
	runtime.KeepAlive(pix)
	return dst
}
