package divoc

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Bounds of the container: a QR code holds at most about 3 kB; a
// certificate.json is under 4 kB. Anything beyond is refused before it is
// inflated, and inflation stops at maxJSON whatever the ZIP's headers claim.
const (
	MaxText    = 16 << 10 // the QR text
	maxEntries = 8        // files in the ZIP
	maxJSON    = 64 << 10 // certificate.json inflated
	maxDepth   = 32       // JSON nesting
)

// Prefix is the text prefix of a base64 DIVOC QR; the other form is the
// raw ZIP bytes (starting "PK\x03\x04").
const Prefix = "B64:"

const zipMagic = "PK\x03\x04"

// Errors of the container.
var (
	// ErrContainer means the QR text is not a DIVOC ZIP with a
	// certificate.json.
	ErrContainer = errors.New("divoc: not a DIVOC container")
	// ErrTooLarge means the ZIP or what it inflates to exceeds the bounds.
	ErrTooLarge = errors.New("divoc: container over the size limit")
)

// unzip returns certificate.json from the QR text.
func unzip(text string) ([]byte, error) {
	if len(text) > MaxText {
		return nil, fmt.Errorf("%w: %d bytes of text", ErrTooLarge, len(text))
	}
	var raw []byte
	switch {
	case strings.HasPrefix(text, Prefix):
		b64 := strings.TrimSpace(text[len(Prefix):])
		var err error
		if raw, err = base64.StdEncoding.DecodeString(b64); err != nil {
			if raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(b64, "=")); err != nil {
				return nil, fmt.Errorf("%w: base64: %w", ErrContainer, err)
			}
		}
	case strings.HasPrefix(text, zipMagic):
		raw = []byte(text)
	default:
		return nil, fmt.Errorf("%w: neither B64: nor a ZIP", ErrContainer)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrContainer, err)
	}
	if len(zr.File) > maxEntries {
		return nil, fmt.Errorf("%w: %d files in the ZIP", ErrTooLarge, len(zr.File))
	}
	for _, f := range zr.File {
		if f.Name != "certificate.json" {
			continue
		}
		if f.UncompressedSize64 > maxJSON {
			return nil, fmt.Errorf("%w: certificate.json says %d bytes", ErrTooLarge, f.UncompressedSize64)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrContainer, err)
		}
		defer rc.Close()
		// The header's size may lie: read one byte past the bound to know.
		b, err := io.ReadAll(io.LimitReader(rc, maxJSON+1))
		if err != nil && !errors.Is(err, zip.ErrChecksum) {
			return nil, fmt.Errorf("%w: inflate: %w", ErrContainer, err)
		}
		if len(b) > maxJSON {
			return nil, fmt.Errorf("%w: certificate.json inflates past %d bytes", ErrTooLarge, maxJSON)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: inflate: %w", ErrContainer, err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("%w: no certificate.json in the ZIP", ErrContainer)
}

// decodeJSON decodes the credential, refusing nesting deeper than maxDepth
// before decoding. Numbers too large for a double are refused by the decoder.
func decodeJSON(b []byte) (map[string]any, error) {
	depth, inStr, esc := 0, false, false
	for _, c := range b {
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{' || c == '[':
			depth++
			if depth > maxDepth {
				return nil, fmt.Errorf("%w: JSON nested deeper than %d", ErrContainer, maxDepth)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%w: certificate.json: %w", ErrContainer, err)
	}
	return doc, nil
}
