// Package imgset generates, reproducibly from a seed, the camera-like
// pictures the decoders are benchmarked on: QR codes of a DCC-size (~500
// characters) and a short payload, at 640×480 and 1280×720, clean and under
// geometric and photometric distortions (rotation, perspective, blur, motion
// blur, sensor noise, low contrast, darkness, small and close codes, glare,
// shadow, dark mode, JPEG artefacts and combinations), plus empty frames.
// A manifest.json beside the pictures names what each one should decode to.
package imgset
