package scanner

import (
	"bytes"
	"compress/zlib"
	"io"
	"strings"
)

// zxConfig is one setting of zxing-cpp's reader.
type zxConfig struct {
	aztec, microQR               bool
	harder, rotate, invert, down bool
	maxSymbols                   int
	// binarizer is zxing-cpp's: 0 local average (its default), 1 global
	// histogram.
	binarizer int
	// errors asks for the symbols located but not decoded too (hints).
	errors bool
	// defaults leaves the try options and the symbol count at the
	// library's defaults.
	defaults bool
}

// plausible reports whether a decoded text passes the checks its format
// carries beyond the code's own error correction: an EU DCC ("HC1:") must be
// base45 and, when it holds a zlib stream, one whose Adler-32 checksum
// holds; a SMART Health Card ("shc:/") must be pairs of digits 00..77. Any
// other text passes: the code's Reed-Solomon check is all there is. A text
// that fails is not a read: the cascade goes on as if nothing was found.
func plausible(text string) bool {
	switch {
	case strings.HasPrefix(text, "HC1:"):
		b, ok := base45(text[4:])
		if !ok {
			return false
		}
		if len(b) < 2 || b[0] != 0x78 {
			return true // not compressed: the COSE checks are verify's
		}
		r, err := zlib.NewReader(bytes.NewReader(b))
		if err != nil {
			return false
		}
		_, err = io.Copy(io.Discard, io.LimitReader(r, 1<<20))
		return err == nil
	case strings.HasPrefix(text, "shc:/"):
		s := text[5:]
		// Chunked: "shc:/N/M/digits".
		if i := strings.LastIndexByte(s, '/'); i >= 0 {
			s = s[i+1:]
		}
		if len(s) == 0 || len(s)%2 != 0 {
			return false
		}
		for i := 0; i < len(s); i += 2 {
			a, b := s[i]-'0', s[i+1]-'0'
			if a > 9 || b > 9 || a*10+b > 77 {
				return false
			}
		}
		return true
	}
	return true
}

const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// base45 decodes RFC 9285 base45, reporting false for a character outside
// the alphabet, a dangling character or a group above its range.
func base45(s string) ([]byte, bool) {
	if len(s)%3 == 1 {
		return nil, false
	}
	out := make([]byte, 0, len(s)*2/3)
	val := func(c byte) (int, bool) {
		i := strings.IndexByte(base45Alphabet, c)
		return i, i >= 0
	}
	for i := 0; i < len(s); i += 3 {
		n := min(3, len(s)-i)
		v, m := 0, 1
		for k := range n {
			d, ok := val(s[i+k])
			if !ok {
				return nil, false
			}
			v += d * m
			m *= 45
		}
		if n == 3 {
			if v > 0xffff {
				return nil, false
			}
			out = append(out, byte(v>>8), byte(v))
		} else {
			if v > 0xff {
				return nil, false
			}
			out = append(out, byte(v))
		}
	}
	return out, true
}
