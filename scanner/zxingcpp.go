//go:build !nocv

package scanner

/*
#cgo pkg-config: zxing
#include <stdlib.h>
#include <string.h>
#include <ZXing/ZXingC.h>

// chot_zx_read reads every symbol of a gray plane. The plane is only read
// during the call: the view that points at it is gone when it returns.
static ZXing_Barcodes *chot_zx_read(const uint8_t *pix, int w, int h, int stride, const ZXing_ReaderOptions *o) {
	ZXing_ImageView *iv = ZXing_ImageView_new(pix, w, h, ZXing_ImageFormat_Lum, stride, 0);
	if (!iv) return NULL;
	ZXing_Barcodes *bs = ZXing_ReadBarcodes(iv, o);
	ZXing_ImageView_delete(iv);
	return bs;
}

// chot_zx_text returns symbol i's text (to be freed with
// ZXing_free), or NULL for a symbol that is not valid. Binary content (a
// DIVOC ZIP) is its bytes as they are: as text, each byte would be decoded
// as a character, and the first NUL would end it.
static uint8_t *chot_zx_text(const ZXing_Barcodes *bs, int i, int *len, int *format) {
	const ZXing_Barcode *b = ZXing_Barcodes_at(bs, i);
	if (!b || !ZXing_Barcode_isValid(b)) return NULL;
	*format = (int)ZXing_Barcode_format(b);
	if (ZXing_Barcode_contentType(b) == ZXing_ContentType_Binary) return ZXing_Barcode_bytes(b, len);
	char *t = ZXing_Barcode_text(b);
	if (t) *len = (int)strlen(t);
	return (uint8_t *)t;
}
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// HaveZXingCPP reports whether this build links zxing-cpp (it does unless
// built with -tags nocv).
const HaveZXingCPP = true

// zxReader is zxing-cpp 2.3's reader through its C API (<ZXing/ZXingC.h>).
// It keeps nothing between calls but its options.
type zxReader struct {
	opts *C.ZXing_ReaderOptions
}

func newZXReader(c zxConfig) *zxReader {
	o := C.ZXing_ReaderOptions_new()
	f := C.ZXing_BarcodeFormat_QRCode
	if c.microQR {
		f |= C.ZXing_BarcodeFormat_MicroQRCode
	}
	if c.aztec {
		f |= C.ZXing_BarcodeFormat_Aztec
	}
	C.ZXing_ReaderOptions_setFormats(o, C.ZXing_BarcodeFormats(f))
	if !c.defaults {
		zxSet(o, c)
	}
	C.ZXing_ReaderOptions_setReturnErrors(o, C.bool(c.errors))
	C.ZXing_ReaderOptions_setBinarizer(o, C.ZXing_Binarizer(c.binarizer))
	// The text as encoded: the default (HRI) writes control characters as
	// "<SOH>" and the like, which is not the code's text.
	C.ZXing_ReaderOptions_setTextMode(o, C.ZXing_TextMode_Plain)
	z := &zxReader{opts: o}
	runtime.AddCleanup(z, func(o *C.ZXing_ReaderOptions) { C.ZXing_ReaderOptions_delete(o) }, o)
	return z
}

func zxSet(o *C.ZXing_ReaderOptions, c zxConfig) {
	C.ZXing_ReaderOptions_setTryHarder(o, C.bool(c.harder))
	C.ZXing_ReaderOptions_setTryRotate(o, C.bool(c.rotate))
	C.ZXing_ReaderOptions_setTryInvert(o, C.bool(c.invert))
	C.ZXing_ReaderOptions_setTryDownscale(o, C.bool(c.down))
	if c.maxSymbols > 0 {
		C.ZXing_ReaderOptions_setMaxNumberOfSymbols(o, C.int(c.maxSymbols))
	}
}

// read calls add with the text of every valid symbol zxing-cpp finds in the
// w×h plane whose rows are stride bytes apart. It reports how many symbols it
// handed over and, with the errors option, how many more it located but
// could not decode.
func (z *zxReader) read(pix []byte, w, h, stride int, add func(text string)) (n, located int) {
	if w <= 0 || h <= 0 || len(pix) < (h-1)*stride+w {
		return 0, 0
	}
	bs := C.chot_zx_read((*C.uint8_t)(unsafe.Pointer(&pix[0])), C.int(w), C.int(h), C.int(stride), z.opts)
	runtime.KeepAlive(pix)
	if bs == nil {
		return 0, 0
	}
	defer C.ZXing_Barcodes_delete(bs)
	for i := range int(C.ZXing_Barcodes_size(bs)) {
		var l, f C.int
		t := C.chot_zx_text(bs, C.int(i), &l, &f)
		if t == nil {
			located++
			continue
		}
		s := C.GoStringN((*C.char)(unsafe.Pointer(t)), l)
		C.ZXing_free(unsafe.Pointer(t))
		add(s)
		n++
	}
	return n, located
}

// ZXingCPP is zxing-cpp alone, with the library's default options (try
// harder, rotate, invert, downscale) on QR, Micro QR and Aztec: the peer the
// cascade is measured against (package bench). Its texts are the plain text
// (TextMode Plain), as every engine's are compared. Not safe for concurrent
// use.
type ZXingCPP struct{ r *zxReader }

// NewZXingCPP returns zxing-cpp with its defaults.
func NewZXingCPP() *ZXingCPP {
	return &ZXingCPP{newZXReader(zxConfig{defaults: true, aztec: true, microQR: true})}
}

// DecodeGray returns the texts of the valid symbols zxing-cpp finds.
func (z *ZXingCPP) DecodeGray(pix []byte, w, h, stride int) []string {
	var out []string
	z.r.read(pix, w, h, stride, func(t string) { out = append(out, t) })
	return out
}
