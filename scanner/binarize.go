package scanner

import (
	"encoding/binary"

	"github.com/makiuchi-d/gozxing"
)

// binarizer is gozxing's HybridBinarizer (8×8 blocks, each thresholded at
// the mean of the 5×5 blocks around it, low-contrast blocks taken as
// background) writing into buffers it keeps from frame to frame: no
// allocation in the steady state.
type binarizer struct {
	bp  []int // black point per block
	thr []int // threshold per block of one block row
	m   *gozxing.BitMatrix
	row *gozxing.BitArray
}

const (
	blockPow  = 3
	blockSize = 1 << blockPow
	minRange  = 24 // a block with less spread than this is flat
)

// binarize returns pix's black matrix, valid until the next call.
func (b *binarizer) binarize(pix []byte, w, h int) (*gozxing.BitMatrix, error) {
	if w < 5*blockSize || h < 5*blockSize {
		return gozxing.NewGlobalHistgramBinarizer(newGrayPlane(pix, w, h)).GetBlackMatrix()
	}
	sw, sh := (w+blockSize-1)>>blockPow, (h+blockSize-1)>>blockPow
	if cap(b.bp) < sw*sh {
		b.bp = make([]int, sw*sh)
	}
	bp := b.bp[:sw*sh]
	b.blackPoints(pix, w, h, sw, sh, bp)
	if b.m == nil || b.m.GetWidth() != w || b.m.GetHeight() != h {
		b.m, _ = gozxing.NewBitMatrix(w, h)
		b.row = gozxing.NewBitArray(w)
	}
	// Threshold of each block: the mean black point of the 5×5 blocks
	// around it (clamped at the edges), one block row at a time.
	if cap(b.thr) < sw {
		b.thr = make([]int, sw)
	}
	thr := b.thr[:sw]
	maxY, maxX := h-blockSize, w-blockSize
	for by := 0; by < sh; by++ {
		top := min(max(by, 2), sh-3)
		for bx := 0; bx < sw; bx++ {
			left := min(max(bx, 2), sw-3)
			sum := 0
			for z := -2; z <= 2; z++ {
				r := bp[(top+z)*sw+left-2 : (top+z)*sw+left+3]
				sum += r[0] + r[1] + r[2] + r[3] + r[4]
			}
			thr[bx] = sum / 25
		}
		y0 := min(by<<blockPow, maxY)
		for y := y0; y < y0+blockSize; y++ {
			b.thresholdRow(pix[y*w:(y+1)*w], thr, maxX)
			b.m.SetRow(y, b.row)
		}
	}
	return b.m, nil
}

// thresholdRow sets b.row from one row of pixels: black where the pixel is
// at or below its block's threshold. The last block of a row that does not
// divide by 8 starts at maxX and overlaps the one before it, as in ZXing.
func (b *binarizer) thresholdRow(row []byte, thr []int, maxX int) {
	w := len(row)
	full := w >> blockPow // whole blocks
	var word uint32
	for bx := 0; bx < full; bx++ {
		o := bx << blockPow
		word |= uint32(le8(row[o:o+blockSize:o+blockSize], thr[bx])) << ((bx & 3) << blockPow)
		if bx&3 == 3 {
			b.row.SetBulk((bx>>2)<<5, word)
			word = 0
		}
	}
	if full&3 != 0 {
		b.row.SetBulk((full>>2)<<5, word)
	}
	if w&(blockSize-1) != 0 { // the overlapping last block, bit by bit
		t := thr[len(thr)-1]
		for x := maxX; x < w; x++ {
			if int(row[x]) <= t {
				b.row.Set(x)
			} else {
				unset(b.row, x)
			}
		}
	}
}

// le8 returns a byte whose bit i is set when p[i] <= t, eight pixels at once:
// the even and the odd pixels go in 16-bit lanes, where t - p borrows from
// bit 8 exactly when p > t.
func le8(p []byte, t int) byte {
	v := binary.LittleEndian.Uint64(p)
	const lanes = 0x00FF00FF00FF00FF
	const bit8 = 0x0100010001000100
	tt := uint64(t) * 0x0001000100010001
	even := ((tt | bit8) - (v & lanes)) >> 8 & 0x0001000100010001
	odd := ((tt | bit8) - (v >> 8 & lanes)) >> 8 & 0x0001000100010001
	gather := func(x uint64) byte { return byte((x | x>>14 | x>>28 | x>>42) & 0x55) }
	return gather(even) | gather(odd)<<1
}

// unset clears bit i of a BitArray (gozxing has Set and Flip only).
func unset(a *gozxing.BitArray, i int) {
	if a.Get(i) {
		a.Flip(i)
	}
}

// blackPoints computes each block's black point, as ZXing does.
func (b *binarizer) blackPoints(pix []byte, w, h, sw, sh int, bp []int) {
	maxY, maxX := h-blockSize, w-blockSize
	for by := 0; by < sh; by++ {
		y0 := min(by<<blockPow, maxY)
		for bx := 0; bx < sw; bx++ {
			x0 := min(bx<<blockPow, maxX)
			// Sum eight pixels at a time in 16-bit lanes; track the
			// range only until it shows contrast (as ZXing does): after
			// that the block is not flat, whatever the other rows hold.
			var lanes uint64
			lo, hi := byte(255), byte(0)
			flat := true
			for yy := 0; yy < blockSize; yy++ {
				o := (y0+yy)*w + x0
				r := (*[blockSize]byte)(pix[o : o+blockSize])
				v := binary.LittleEndian.Uint64(r[:])
				lanes += v&0x00FF00FF00FF00FF + v>>8&0x00FF00FF00FF00FF
				if flat {
					for _, p := range r {
						lo = min(lo, p)
						hi = max(hi, p)
					}
					flat = int(hi)-int(lo) <= minRange
				}
			}
			sum := int(lanes * 0x0001000100010001 >> 48)
			l := int(lo)
			avg := sum >> (2 * blockPow)
			if flat {
				avg = l / 2
				if by > 0 && bx > 0 {
					nb := (bp[(by-1)*sw+bx] + 2*bp[by*sw+bx-1] + bp[(by-1)*sw+bx-1]) / 4
					if l < nb {
						avg = nb
					}
				}
			}
			bp[by*sw+bx] = avg
		}
	}
}
