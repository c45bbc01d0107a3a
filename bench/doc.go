// Package bench measures QR/Aztec decoders side by side on a generated set
// of camera-like pictures (package imgset): per distortion and resolution,
// how many pictures each decodes to the right text, how many it misreads, and
// how long it takes (fastest of a few runs, gray plane in, texts out, image
// loading excluded).
//
// `chot bench decode DIR` runs chot's own decoder; `go run -tags native
// ./bench/compare DIR` adds zxing-cpp (Debian libzxing-dev) and zbar
// (libzbar-dev) through cgo, in the same run.
package bench
