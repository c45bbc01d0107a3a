//go:build native

package main

/*
#cgo pkg-config: zbar
#include <stdlib.h>
#include "native.h"
*/
import "C"

import (
	"encoding/binary"
	"unsafe"

	"gocv.io/x/gocv"

	"github.com/chot-dev/chot/bench"
)

const outCap = 1 << 20

// unpack splits zb_decode's output: each text as a 4-byte little-endian
// length and its bytes.
func unpack(b []byte) []string {
	var out []string
	for len(b) >= 4 {
		n := int(binary.LittleEndian.Uint32(b))
		if n > len(b)-4 {
			break
		}
		out = append(out, string(b[4:4+n]))
		b = b[4+n:]
	}
	return out
}

// zbar is zbar 0.23 reading QR only (it has no Aztec reader).
func zbar() bench.Engine {
	return bench.Engine{Name: "zbar", New: func() bench.DecodeFunc {
		s := C.zb_new()
		out := make([]byte, outCap)
		return func(pix []byte, w, h int) []string {
			// zbar keeps no reference to pix after the call.
			n := C.zb_decode(s, (*C.uchar)(unsafe.Pointer(&pix[0])), C.int(w), C.int(h), (*C.char)(unsafe.Pointer(&out[0])), outCap)
			return unpack(out[:n])
		}
	}}
}

// opencv is OpenCV 4.10's QRCodeDetector (with quirc decoding), several
// codes a picture. It has no Aztec reader.
func opencv() bench.Engine {
	return bench.Engine{Name: "opencv", New: func() bench.DecodeFunc {
		det := gocv.NewQRCodeDetector()
		return func(pix []byte, w, h int) []string {
			m, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC1, pix)
			if err != nil {
				return nil
			}
			defer m.Close()
			pts := gocv.NewMat()
			defer pts.Close()
			var texts []string
			var codes []gocv.Mat
			det.DetectAndDecodeMulti(m, &texts, &pts, &codes)
			for _, c := range codes {
				c.Close()
			}
			var out []string
			for _, t := range texts {
				if t != "" {
					out = append(out, t)
				}
			}
			return out
		}
	}}
}
