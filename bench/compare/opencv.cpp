//go:build native

// A C shim over OpenCV 4.10's QRCodeDetector (quirc decoding): gray plane in,
// texts out (each as a 4-byte little-endian length, then its bytes). It
// catches OpenCV's exceptions: detectAndDecodeMulti throws on some pictures
// (an assertion in kmeans when fewer finder candidates than clusters), which
// through gocv aborts the process.
#include <opencv2/objdetect.hpp>
#include <cstring>
#include <string>
#include <vector>
#include "native.h"

extern "C" void *cv_new(void) { return new cv::QRCodeDetector(); }

extern "C" int cv_decode(void *d, const unsigned char *pix, int w, int h, char *out, int cap) {
	cv::QRCodeDetector *det = static_cast<cv::QRCodeDetector *>(d);
	cv::Mat img(h, w, CV_8UC1, const_cast<unsigned char *>(pix));
	std::vector<std::string> texts;
	try {
		det->detectAndDecodeMulti(img, texts);
	} catch (...) {
		texts.clear();
		try {
			std::string t = det->detectAndDecode(img);
			if (!t.empty()) texts.push_back(t);
		} catch (...) {
		}
	}
	int used = 0;
	for (auto &t : texts) {
		int n = (int)t.size();
		if (n == 0 || used + n + 4 > cap) continue;
		out[used] = n & 0xff;
		out[used + 1] = (n >> 8) & 0xff;
		out[used + 2] = (n >> 16) & 0xff;
		out[used + 3] = (n >> 24) & 0xff;
		memcpy(out + used + 4, t.data(), n);
		used += n + 4;
	}
	return used;
}
