//go:build native

// A C shim over zxing-cpp 1.4: gray plane in, texts out.
#define ZX_USE_UTF8 1
#include <ZXing/ReadBarcode.h>
#include <cstring>
#include <string>
#include "native.h"

static int put(const std::string &s, char *out, int cap, int used) {
	int n = (int)s.size();
	if (used + n + 1 > cap) return used;
	memcpy(out + used, s.data(), n);
	out[used + n] = '\n';
	return used + n + 1;
}

extern "C" int zx_decode(const unsigned char *pix, int w, int h, char *out, int cap) {
	ZXing::ImageView iv(pix, w, h, ZXing::ImageFormat::Lum);
	ZXing::DecodeHints hints;
	hints.setFormats(ZXing::BarcodeFormat::QRCode | ZXing::BarcodeFormat::Aztec);
	auto results = ZXing::ReadBarcodes(iv, hints);
	int used = 0;
	for (auto &r : results) {
		if (r.isValid()) used = put(r.text(), out, cap, used);
	}
	return used;
}

