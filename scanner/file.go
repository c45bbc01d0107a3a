package scanner

import (
	"fmt"
	"image"
	_ "image/gif"  // decode GIF pictures
	_ "image/jpeg" // decode JPEG pictures
	_ "image/png"  // decode PNG pictures
	"os"
)

// LoadImage reads a PNG, JPEG or GIF picture.
func LoadImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scanner: %w", err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("scanner: decode %s: %w", path, err)
	}
	return img, nil
}

// DecodeFile decodes every QR and Aztec code in a PNG, JPEG or GIF picture.
// It returns ErrNoCode when it finds none, and another error when the file
// cannot be read.
func DecodeFile(path string) ([]string, error) {
	img, err := LoadImage(path)
	if err != nil {
		return nil, err
	}
	return NewDecoder(Options{}).DecodeImage(img)
}
