package scanner

import (
	"bytes"
	"encoding/base64"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// realDIVOCZip is India's real DIVOC credential (the WHO validator's
// DIVOCQR1 vector) as the ZIP bytes a CoWIN QR code carries in byte mode.
func realDIVOCZip(t *testing.T) []byte {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(testdata, "gdhcn", "vectors", "DIVOCQR1Contents.txt"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(string(text), "B64:")))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("PK\x03\x04")) {
		t.Fatalf("vector is not a ZIP: % x", raw[:4])
	}
	return raw
}

// binaryQR renders data as a byte-mode QR code (ISO-8859-1: one byte a
// character, as CoWIN's generator writes it), 4 px a module.
func binaryQR(t *testing.T, data []byte) *image.Gray {
	t.Helper()
	runes := make([]rune, len(data))
	for i, b := range data {
		runes[i] = rune(b)
	}
	m, err := qrcode.NewQRCodeWriter().Encode(string(runes), gozxing.BarcodeFormat_QR_CODE, 0, 0,
		map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_ERROR_CORRECTION: "L", gozxing.EncodeHintType_MARGIN: 4,
			gozxing.EncodeHintType_CHARACTER_SET: "ISO-8859-1"})
	if err != nil {
		t.Fatal(err)
	}
	const px = 4
	img := image.NewGray(image.Rect(0, 0, m.GetWidth()*px, m.GetHeight()*px))
	for y := range img.Rect.Dy() {
		for x := range img.Rect.Dx() {
			if !m.Get(x/px, y/px) {
				img.Pix[y*img.Stride+x] = 0xff
			}
		}
	}
	return img
}

// TestBinaryPayloadUnchanged: a QR code holding binary bytes (a real DIVOC
// ZIP) is read as exactly those bytes by every engine, not re-encoded as
// text (each byte over 0x7f would become two).
func TestBinaryPayloadUnchanged(t *testing.T) {
	raw := realDIVOCZip(t)
	img := binaryQR(t, raw)
	engines := []struct {
		name   string
		decode func() ([]string, error)
	}{
		{"cascade", func() ([]string, error) { return NewDecoder(Options{}).DecodeImage(img) }},
		{"pure Go", func() ([]string, error) { return NewDecoder(Options{PureGo: true}).DecodeImage(img) }},
	}
	if HaveZXingCPP {
		engines = append(engines, struct {
			name   string
			decode func() ([]string, error)
		}{"zxing-cpp", func() ([]string, error) {
			return NewZXingCPP().DecodeGray(img.Pix, img.Rect.Dx(), img.Rect.Dy(), img.Stride), nil
		}})
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			texts, err := e.decode()
			if err != nil {
				t.Fatal(err)
			}
			if len(texts) != 1 {
				t.Fatalf("%d texts, want 1", len(texts))
			}
			if got := []byte(texts[0]); !bytes.Equal(got, raw) {
				t.Errorf("read %d bytes starting % x, want the %d bytes of the ZIP starting % x", len(got), got[:min(8, len(got))], len(raw), raw[:8])
			}
		})
	}
}
