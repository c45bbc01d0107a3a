// Command compare runs chot's decoder, zxing-cpp 2.3 alone, zbar and
// OpenCV's QR detector side by side, in one run, on the generated picture set
// (package imgset), the real photos under the shared test data (BoofCV's set
// scored as BoofCV does, ZXing's black-box photos) and the real DCC pictures,
// and prints Markdown tables (the same as `chot bench decode`, which runs
// chot and zxing-cpp only).
//
//	go run -tags native ./bench/compare [flags]
//
// zbar (libzbar-dev) is linked through cgo and OpenCV through gocv, so the
// real code is behind the native build tag; without it the command only
// says so. See bench.Main for the flags.
package main
