package divoc

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"hash/crc32"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
)

func zipOf(t testing.TB, name string, content []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lyingZip's header claims 100 bytes for a member that inflates to n.
func lyingZip(t testing.TB, n int) []byte {
	t.Helper()
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	content := bytes.Repeat([]byte{' '}, n)
	fw.Write(content)
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "certificate.json", Method: zip.Deflate,
		CRC32: crc32.ChecksumIEEE(content), CompressedSize64: uint64(comp.Len()), UncompressedSize64: 100})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	zw.Close()
	return buf.Bytes()
}

func TestContainerBounds(t *testing.T) {
	bomb := zipOf(t, "certificate.json", bytes.Repeat([]byte{'0'}, 10<<20))
	tests := []struct {
		name string
		text string
		err  error
	}{
		{"10 MB bomb", Prefix + base64.StdEncoding.EncodeToString(bomb), ErrTooLarge},
		// archive/zip stops at the size the header claims and reports a
		// format error: refused either way, never inflated past the bound.
		{"header lies about the size", Prefix + base64.StdEncoding.EncodeToString(lyingZip(t, 1<<20)), ErrContainer},
		{"no certificate.json", Prefix + base64.StdEncoding.EncodeToString(zipOf(t, "other.json", []byte("{}"))), ErrContainer},
		{"not base64", Prefix + "!!!", ErrContainer},
		{"text too long", Prefix + strings.Repeat("A", MaxText), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := unzip(tt.text); !errors.Is(err, tt.err) {
				t.Errorf("got %v, want %v", err, tt.err)
			}
		})
	}
	// Memory stays bounded by the caps, whatever the ZIP claims: a member
	// that inflates to 8 MiB behind a header claiming 100 bytes costs less
	// than 1 MiB of allocation to refuse.
	lying := Prefix + base64.StdEncoding.EncodeToString(lyingZip(t, 8<<20))
	if len(lying) > MaxText {
		t.Fatalf("the lying ZIP is %d bytes of text, over MaxText", len(lying))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := unzip(lying)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("an 8 MiB member was taken")
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("refusing an 8 MiB member allocated %d bytes", n)
	}
	deep := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	if _, err := decodeJSON([]byte(`{"a":` + deep + `}`)); !errors.Is(err, ErrContainer) {
		t.Errorf("deep JSON: %v", err)
	}
	if _, err := decodeJSON([]byte(`{"a":1e400}`)); err == nil {
		t.Error("a number beyond a double decoded")
	}
}

// TestRawZIP checks the raw "PK…" form: the same credential as B64:.
func TestRawZIP(t *testing.T) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(vector(t, "DIVOCQR1"), Prefix))
	if err != nil {
		t.Fatal(err)
	}
	v := verify.New(New())
	res := v.Verify(verify.Input{Texts: []string{string(b)}, Trust: &verify.KeyList{List: []*verify.Key{indiaPEM(t)}},
		Now: time.Date(2022, 8, 1, 0, 0, 0, 0, time.UTC), CredentialOnly: true})
	if res.Reason != verify.ReasonOK {
		t.Errorf("raw ZIP: %s (%s)", res.Reason, res.Detail)
	}
}
