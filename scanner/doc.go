// Package scanner turns camera frames into the texts of the QR and Aztec
// codes they show.
//
// It has two halves. The decoder (Decoder, DecodeFile) runs a cascade of
// engines over a gray plane, stopping where the next engine would cost more
// than it reads:
//
//   - zxing-cpp 2.3 (its C API through cgo, handed the plane without a copy;
//     QR, Micro QR and Aztec, several symbols a frame);
//   - OpenCV's CLAHE (contrast-limited adaptive histogram equalisation,
//     through gocv) in front of zxing-cpp, for glare, bright spots, shadows;
//   - gozxing (pure Go): it binarizes once (its hybrid binarizer, rewritten
//     to reuse its buffers), runs the QR (several codes a frame) and Aztec
//     readers, retries on the inverted picture and then tries its fallbacks
//     (contrast stretch, 2× upscale of the middle, 3×3 smoothing,
//     global-histogram binarization);
//   - for pictures only, a quiet zone added around the picture (issuer PNGs
//     whose code touches the border) and, for a small one, a 2× upscale.
//
// A camera frame (Options.Streaming) gets zxing-cpp's fast pass (no
// try-harder, rotation or downscale; inverted codes on) on every frame. A
// frame it cannot read gets one fallback, in turn: zxing-cpp trying
// everything, gozxing's cheap passes, CLAHE then zxing-cpp, and gozxing's
// four fallbacks; on one frame in FallbackEvery (4), one in 2 while a pass
// located a code it could not decode. Empty frames — most frames at a kiosk
// — cost the fast pass and, one frame in four, one fallback. (Every second
// frame measured 2.1–5.7 ms a frame on average at 640×480 on this loaded
// box, above the 3 ms goal; one in four, see the note.)
//
// A picture (the zero Options: `chot decode`, `chot verify IMAGE`) gets
// zxing-cpp with its defaults (try harder, rotate, invert, downscale) on the
// plane and on its CLAHE copy, both, since a photo with several codes gets
// those one pass missed; when they read nothing or several codes, zxing-cpp
// with its global-histogram binarizer and gozxing (pictures up to 2400 px a
// side: on larger ones it is slow and reads nothing more); when still
// nothing was read, the quiet zone and the upscale.
//
// The order is measured (2026-12-01, this project's 2-core x86 build box,
// by a pass-by-pass run recording every pass's texts on every second photo
// of ../shared/testdata/qr-photos: 135 BoofCV photos, 110 black-box photos;
// scores are BoofCV's, mean over 16 categories):
//
//	pass (alone)                         BoofCV   black-box  median ms/photo
//	zxing-cpp defaults                    68.0     94.9        36
//	zxing-cpp on CLAHE (clip 2, 8×8)      69.6     94.3        72
//	zxing-cpp global binarizer            51.8     87.2        19
//	zxing-cpp fast (camera setting)       44.5     94.9        11
//	zxing-cpp after a 5×5 Gaussian blur   65.9     85.2        40
//	zxing-cpp after INTER_AREA to 1000 px 51.5        -        33
//	gozxing cascade (≤ 2400 px)           25.8     85.6        48
//	OpenCV QRCodeDetector multi (1600 px) 31.1      3.0 (47 misreads) 239
//	union defaults + CLAHE                71.6     94.9
//	  + global binarizer + gozxing        74.4     96.1
//	the cascade above (as run)            74.4     96.1       ~190
//
// Upscaling, blurring, an own resize pyramid and OpenCV's QR detector as a
// further pass added nothing or less than a point for their cost; OpenCV's
// detector returned 47 wrong texts on the black-box photos. On the
// generated camera frames (../bench/imgset) zxing-cpp's fast setting reads
// what its defaults read (251 of 252) in about half the time; see
// ../../notes/issue-11.md for the runs side by side.
//
// A text that fails its format's checks (an HC1 text that is not base45 or
// whose zlib checksum fails, an shc:/ text that is not digit pairs) is not a
// read: the cascade goes on, and returns it only if nothing better is read,
// so the verifier can say why it is refused. Built with -tags nocv, the
// decoder is gozxing alone (no zxing-cpp, no OpenCV).
//
// Pictures are read by header first: one that declares more than MaxPixels
// is refused (ErrTooLarge) before it is decoded.
//
// The other half is frame sources behind the Source interface: a folder of
// images replayed at a set rate (pure Go), and a USB camera or a video file
// through gocv (OpenCV; capture.go and contrast.go are the files that import
// gocv, and the nocv build tag leaves them out). The camera source reopens the device with
// backoff after an unplug and reports its health (Reopener). Debouncer turns
// the stream of per-frame texts into scans: the same text in consecutive
// frames is one scan, and the same text again is accepted only after a quiet
// time. Loop ties a source, a decoder and a debouncer together.
//
// The decoder is measured against zxing-cpp alone, zbar and OpenCV on a
// generated picture set and on real photos by `go run -tags native
// ./bench/compare -testdata ../shared/testdata DIR` (see package bench).
//
// # Caveats
//
// A Decoder reuses its buffers between calls and is not safe for concurrent
// use: give each goroutine its own. The texts returned never alias the
// decoder's buffers.
package scanner
