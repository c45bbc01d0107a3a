package scanner

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // decode GIF pictures
	_ "image/jpeg" // decode JPEG pictures
	_ "image/png"  // decode PNG pictures
	"io"
	"os"
)

// MaxPixels is the largest picture, in pixels (width × height as its header
// declares them), that LoadImage, ReadImage and DecodeFile decode: 50 MP,
// above any phone camera's. A 1 MB PNG can declare 16000×16000 pixels, which
// would cost gigabytes to decode.
const MaxPixels = 50_000_000

// ErrTooLarge is returned, before any pixel is decoded, for a picture whose
// header declares more than MaxPixels pixels.
var ErrTooLarge = errors.New("scanner: picture too large")

// LoadImage reads a PNG, JPEG or GIF picture of at most MaxPixels pixels.
func LoadImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scanner: %w", err)
	}
	defer f.Close()
	img, err := ReadImage(f)
	if err != nil {
		return nil, fmt.Errorf("scanner: %s: %w", path, err)
	}
	return img, nil
}

// ReadImage decodes a PNG, JPEG or GIF picture from r. It reads the header
// first and refuses a picture of more than MaxPixels pixels (ErrTooLarge)
// without decoding it.
func ReadImage(r io.Reader) (image.Image, error) {
	var head bytes.Buffer
	cfg, _, err := image.DecodeConfig(io.TeeReader(r, &head))
	if err != nil {
		return nil, fmt.Errorf("scanner: decode header: %w", err)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); cfg.Width <= 0 || cfg.Height <= 0 || px > MaxPixels {
		return nil, fmt.Errorf("%w: %d×%d pixels declared, limit %d", ErrTooLarge, cfg.Width, cfg.Height, MaxPixels)
	}
	img, _, err := image.Decode(io.MultiReader(&head, r))
	if err != nil {
		return nil, fmt.Errorf("scanner: decode: %w", err)
	}
	return img, nil
}

// DecodeFile decodes every QR and Aztec code in a PNG, JPEG or GIF picture.
// It returns ErrNoCode when it finds none, ErrTooLarge for a picture above
// MaxPixels, and another error when the file cannot be read.
func DecodeFile(path string) ([]string, error) {
	img, err := LoadImage(path)
	if err != nil {
		return nil, err
	}
	return NewDecoder(Options{}).DecodeImage(img)
}
