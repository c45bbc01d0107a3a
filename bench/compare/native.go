//go:build native

package main

/*
#cgo CXXFLAGS: -std=c++17 -O2
#cgo pkg-config: zxing zbar
#include <stdlib.h>
#include "native.h"
*/
import "C"

import (
	"strings"
	"unsafe"

	"github.com/chot-dev/chot/bench"
)

const outCap = 1 << 16

func split(b []byte, n C.int) []string {
	if n <= 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(b[:n]), "\n"), "\n")
}

// zxingCPP is zxing-cpp 1.4 with its defaults (try harder, rotate,
// downscale), reading QR and Aztec.
func zxingCPP() bench.Engine {
	return bench.Engine{Name: "zxing-cpp", New: func() bench.DecodeFunc {
		out := make([]byte, outCap)
		return func(pix []byte, w, h int) []string {
			n := C.zx_decode((*C.uchar)(unsafe.Pointer(&pix[0])), C.int(w), C.int(h), (*C.char)(unsafe.Pointer(&out[0])), outCap)
			return split(out, n)
		}
	}}
}

// zbar is zbar 0.23 reading QR only (it has no Aztec reader).
func zbar() bench.Engine {
	return bench.Engine{Name: "zbar", New: func() bench.DecodeFunc {
		s := C.zb_new()
		out := make([]byte, outCap)
		return func(pix []byte, w, h int) []string {
			// zbar keeps no reference to pix after the call.
			n := C.zb_decode(s, (*C.uchar)(unsafe.Pointer(&pix[0])), C.int(w), C.int(h), (*C.char)(unsafe.Pointer(&out[0])), outCap)
			return split(out, n)
		}
	}}
}
