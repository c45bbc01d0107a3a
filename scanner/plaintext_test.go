//go:build !nocv

package scanner

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestPlainText: a code whose text holds control characters (SOH, DLE) and
// Kanji decodes to those bytes, not to zxing-cpp's "<SOH>" rendering.
func TestPlainText(t *testing.T) {
	dir := filepath.Join(testdata, "qr-photos", "zxing-blackbox", "qrcode-2")
	want, err := os.ReadFile(filepath.Join(dir, "33.txt"))
	if err != nil {
		t.Fatal(err)
	}
	texts, err := DecodeFile(filepath.Join(dir, "33.png"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(texts, string(want)) {
		t.Errorf("got %q, want %q", texts, want)
	}
}
