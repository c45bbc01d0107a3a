// Package bench measures QR/Aztec decoders side by side, in one run:
//
//   - on a generated set of camera-like pictures (package imgset): per
//     distortion and resolution, how many pictures each decodes to the right
//     text, how many it misreads, and how long it takes (fastest of a few
//     runs, gray plane in, texts out, image loading excluded);
//   - on the real pictures under the shared test data (RunPhotos): BoofCV's
//     QR photos scored as BoofCV scores them (per category, distinct codes
//     read capped at the labelled count over the labelled count; the mean of
//     the category rates is the headline), ZXing's black-box photos (right
//     text per picture) and the national DCC pictures of dcc-qa-dev (the
//     HC1 text whose kid, iat and exp are the manifest's). A text that is not
//     the picture's is a misread.
//
// Main is the command line of both `chot bench decode` (chot in picture and
// camera mode, and zxing-cpp 2.3 alone) and `go run -tags native
// ./bench/compare` (adding zbar and OpenCV's QR detector through cgo).
package bench
