//go:build native

package main

/*
#cgo CXXFLAGS: -std=c++17 -O2
#cgo pkg-config: zbar opencv4
#include <stdlib.h>
#include "native.h"
*/
import "C"

import (
	"encoding/binary"
	"unsafe"

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
// codes a picture (detectAndDecodeMulti; the single-code call where that
// throws). It has no Aztec reader.
func opencv() bench.Engine {
	return bench.Engine{Name: "opencv", New: func() bench.DecodeFunc {
		d := C.cv_new()
		out := make([]byte, outCap)
		return func(pix []byte, w, h int) []string {
			n := C.cv_decode(d, (*C.uchar)(unsafe.Pointer(&pix[0])), C.int(w), C.int(h), (*C.char)(unsafe.Pointer(&out[0])), outCap)
			return unpack(out[:n])
		}
	}}
}
