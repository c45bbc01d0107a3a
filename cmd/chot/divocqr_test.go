package main

import (
	"encoding/base64"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chot-dev/chot/bench/imgset"
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
	img, err := imgset.BinaryQR(raw, 4)
	if err != nil {
		t.Fatal(err)
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
