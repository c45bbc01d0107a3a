//go:build native

// A C shim over zbar: gray plane in, texts out (each as a 4-byte
// little-endian length, then its bytes: texts may hold newlines).
#include <zbar.h>
#include <string.h>
#include "native.h"

void *zb_new(void) {
	zbar_image_scanner_t *s = zbar_image_scanner_create();
	zbar_image_scanner_set_config(s, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(s, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	return s;
}

int zb_decode(void *sc, const unsigned char *pix, int w, int h, char *out, int cap) {
	zbar_image_scanner_t *s = (zbar_image_scanner_t *)sc;
	zbar_image_t *img = zbar_image_create();
	zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(img, w, h);
	zbar_image_set_data(img, pix, (unsigned long)w * h, NULL);
	int used = 0;
	if (zbar_scan_image(s, img) > 0) {
		for (const zbar_symbol_t *sym = zbar_image_first_symbol(img); sym; sym = zbar_symbol_next(sym)) {
			int n = (int)zbar_symbol_get_data_length(sym);
			if (used + n + 4 > cap) break;
			out[used] = n & 0xff;
			out[used + 1] = (n >> 8) & 0xff;
			out[used + 2] = (n >> 16) & 0xff;
			out[used + 3] = (n >> 24) & 0xff;
			memcpy(out + used + 4, zbar_symbol_get_data(sym), n);
			used += n + 4;
		}
	}
	zbar_image_destroy(img);
	return used;
}
