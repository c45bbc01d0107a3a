package scanner

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadImage: whatever bytes a picture file holds (chot decode, chot
// verify, chotd's replay), ReadImage returns a picture within MaxPixels or an
// error; it never panics nor decodes a picture its header says is too large.
// Seeded with small pictures of the QR photo sets.
func FuzzReadImage(f *testing.F) {
	for _, glob := range []string{"../../shared/testdata/qr-photos/zxing-blackbox/qrcode-2/*.png",
		"../../shared/testdata/qr-photos/boofcv/close/*.jpg"} {
		paths, _ := filepath.Glob(glob)
		n := 0
		for _, p := range paths {
			if fi, err := os.Stat(p); err != nil || fi.Size() > 64<<10 || n >= 4 {
				continue
			}
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
				n++
			}
		}
	}
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := ReadImage(bytes.NewReader(b))
		if err != nil {
			return
		}
		r := img.Bounds()
		if int64(r.Dx())*int64(r.Dy()) > MaxPixels {
			t.Fatalf("decoded %v: over MaxPixels", r)
		}
	})
}
