package main

import (
	"encoding/base64"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/gdhcntest"
)

// TestVerifyBinaryDIVOCPicture: India's real DIVOC credential as CoWIN
// prints it, a byte-mode QR code holding the ZIP itself (not the B64: text
// of the WHO vectors), is read from a picture and verified with India's
// key. The scanner must hand the ZIP's bytes over unchanged.
func TestVerifyBinaryDIVOCPicture(t *testing.T) {
	var b64 string
	for _, c := range mustCases(t) {
		if c.Name == "DIVOCQR1" {
			b64 = c.Text
		}
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(b64, "B64:")))
	if err != nil || !strings.HasPrefix(string(raw), "PK\x03\x04") {
		t.Fatalf("DIVOCQR1 is not a base64 ZIP: %v", err)
	}
	runes := make([]rune, len(raw))
	for i, c := range raw {
		runes[i] = rune(c) // ISO-8859-1: one byte a character
	}
	m, err := qrcode.NewQRCodeWriter().Encode(string(runes), gozxing.BarcodeFormat_QR_CODE, 0, 0,
		map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_ERROR_CORRECTION: "L", gozxing.EncodeHintType_MARGIN: 4,
			gozxing.EncodeHintType_CHARACTER_SET: "ISO-8859-1"})
	if err != nil {
		t.Fatal(err)
	}
	const px = 4
	img := image.NewGray(image.Rect(0, 0, m.GetWidth()*px, m.GetHeight()*px))
	for i := range img.Pix {
		if x, y := i%img.Stride, i/img.Stride; !m.Get(x/px, y/px) {
			img.Pix[i] = 0xff
		}
	}
	path := filepath.Join(t.TempDir(), "cowin.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	india := gdhcntest.Path("trust/ddcc-trust/production-keys/india/india.pem")
	code, stdout, stderr := runCLI(t, "", "verify", "--json", "--key", "did:india="+india, "--at", "2021-03-04", path)
	var got verifyOutput
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("exit %d, stdout %q, stderr %q: %v", code, stdout, stderr, err)
	}
	if code != exitOK || got.Reason != verify.ReasonOK || got.Format != verify.FormatDIVOC {
		t.Errorf("exit %d, format %s, reason %s (stderr %q): want a verified DIVOC", code, got.Format, got.Reason, stderr)
	}

	// chot decode shows the ZIP in the B64: form, which verify takes back.
	code, stdout, stderr = runCLI(t, "", "decode", "--json", path)
	var dec decodeOutput
	if err := json.Unmarshal([]byte(stdout), &dec); err != nil || code != exitOK || len(dec.Texts) != 1 {
		t.Fatalf("decode: exit %d, stdout %q, stderr %q: %v", code, stdout, stderr, err)
	}
	if want := "B64:" + base64.StdEncoding.EncodeToString(raw); dec.Texts[0] != want {
		t.Errorf("decode shows %.40q…, want %.40q…", dec.Texts[0], want)
	}
	code, _, stderr = runCLI(t, "", "verify", "--key", "did:india="+india, "--at", "2021-03-04", "--text", dec.Texts[0])
	if code != exitOK {
		t.Errorf("verify of what decode showed: exit %d, stderr %q", code, stderr)
	}
}
