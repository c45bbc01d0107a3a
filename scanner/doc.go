// Package scanner turns camera frames into the texts of the QR and Aztec
// codes they show.
//
// It has two halves. The decoder (Decoder, DecodeFile) runs a cascade of
// engines over a gray plane: zxing-cpp 2.3 first (its C API through cgo,
// handed the plane without a copy; QR, Micro QR and Aztec, several symbols a
// frame), then gozxing (pure Go), which binarizes once (its hybrid
// binarizer, rewritten to reuse its buffers), runs the QR (several codes per
// frame) and Aztec readers, retries on the inverted picture (dark mode) and
// then tries its fallbacks (contrast stretch, 2× upscale of the middle, 3×3
// smoothing, global-histogram binarization). In streaming mode only the
// cheap passes run on every frame; the fallbacks take turns, one on every
// second empty frame, unless the cheap passes saw finder patterns, when they
// all run: empty frames — most frames at a checkpoint — stay cheap. Picture
// mode ends with a quiet zone added around the picture and, for a small one,
// a 2× upscale. A text that fails its format's checks (an HC1 text that is
// not base45 or whose zlib checksum fails, an shc:/ text that is not digit
// pairs) is not a read: the cascade goes on, and returns it only if nothing
// better is read. Built with -tags nocv, the decoder is gozxing alone.
//
// Pictures are read by header first: one that declares more than MaxPixels
// is refused (ErrTooLarge) before it is decoded.
//
// The other half is frame sources behind the Source interface: a folder of
// images replayed at a set rate (pure Go), and a USB camera or a video file
// through gocv (OpenCV), in the only file that imports gocv (capture.go; the
// nocv build tag leaves it out). The camera source reopens the device with
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
