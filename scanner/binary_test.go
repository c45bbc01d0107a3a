package scanner

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chot-dev/chot/bench/imgset"
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

// TestBinaryPayloadUnchanged: a QR code holding binary bytes (a real DIVOC
// ZIP) is read as exactly those bytes by every engine, not re-encoded as
// text (each byte over 0x7f would become two).
func TestBinaryPayloadUnchanged(t *testing.T) {
	raw := realDIVOCZip(t)
	img, err := imgset.BinaryQR(raw, 4)
	if err != nil {
		t.Fatal(err)
	}
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
