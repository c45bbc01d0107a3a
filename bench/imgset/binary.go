package imgset

import (
	"image"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// BinaryQR renders data as a byte-mode QR code (error correction L, a
// 4-module quiet zone), px pixels a module: each byte one ISO-8859-1
// character, as CoWIN's generator writes a DIVOC credential's ZIP.
func BinaryQR(data []byte, px int) (*image.Gray, error) {
	runes := make([]rune, len(data))
	for i, b := range data {
		runes[i] = rune(b)
	}
	m, err := qrcode.NewQRCodeWriter().Encode(string(runes), gozxing.BarcodeFormat_QR_CODE, 0, 0,
		map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_ERROR_CORRECTION: "L", gozxing.EncodeHintType_MARGIN: 4,
			gozxing.EncodeHintType_CHARACTER_SET: "ISO-8859-1"})
	if err != nil {
		return nil, err
	}
	img := image.NewGray(image.Rect(0, 0, m.GetWidth()*px, m.GetHeight()*px))
	for i := range img.Pix {
		if x, y := i%img.Stride, i/img.Stride; !m.Get(x/px, y/px) {
			img.Pix[i] = 0xff
		}
	}
	return img, nil
}
