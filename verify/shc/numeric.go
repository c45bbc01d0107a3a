package shc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Prefix starts the text of every SMART Health Card QR code.
const Prefix = "shc:/"

// Size limits from the spec, and bounds that keep memory small.
const (
	// MaxSingleJWS is the longest JWS the spec puts in one QR code (version 22).
	MaxSingleJWS = 1195
	// MaxChunkJWS is the longest JWS part of one chunk of a chunked card.
	MaxChunkJWS = 1191
	// maxChunks bounds the chunks of one card; the spec's largest cards
	// need a handful.
	maxChunks = 64
	// maxTextLen bounds every input text (a QR code holds at most 7089
	// digits; a .smart-health-card file holds a few cards).
	maxTextLen = 1 << 20
)

// Errors of the numeric decoding and chunk reassembly.
var (
	// ErrNumeric means the numeric QR text does not decode.
	ErrNumeric = errors.New("shc: bad numeric encoding")
	// ErrIncomplete means the chunks of a multi-QR card are missing or inconsistent.
	ErrIncomplete = errors.New("shc: incomplete chunked card")
)

// DecodeNumeric turns the digits after shc:/ into the JWS: each pair of
// digits is one character, its value plus 45.
func DecodeNumeric(digits string) (string, error) {
	if len(digits) == 0 {
		return "", fmt.Errorf("%w: no digits", ErrNumeric)
	}
	if len(digits)%2 != 0 {
		return "", fmt.Errorf("%w: odd number of digits (%d)", ErrNumeric, len(digits))
	}
	if len(digits) > maxTextLen {
		return "", fmt.Errorf("%w: %d digits, over the limit", ErrNumeric, len(digits))
	}
	out := make([]byte, len(digits)/2)
	for i := 0; i < len(digits); i += 2 {
		a, b := digits[i], digits[i+1]
		if a < '0' || a > '9' || b < '0' || b > '9' {
			return "", fmt.Errorf("%w: not a digit at offset %d", ErrNumeric, i)
		}
		v := int(a-'0')*10 + int(b-'0')
		if v > 77 {
			return "", fmt.Errorf("%w: pair %02d at offset %d is over 77", ErrNumeric, v, i)
		}
		out[i/2] = byte(v + 45)
	}
	return string(out), nil
}

// chunk is one parsed shc:/ text.
type chunk struct {
	index, total int // 0 for an unchunked code
	jws          string
}

// parseQR parses one shc:/ text. The error wraps ErrNumeric or ErrIncomplete.
func parseQR(text string) (chunk, error) {
	rest, ok := strings.CutPrefix(text, Prefix)
	if !ok {
		return chunk{}, fmt.Errorf("%w: no %s prefix", ErrNumeric, Prefix)
	}
	var c chunk
	if strings.Contains(rest, "/") {
		n, m, digits, err := chunkHeader(rest)
		if err != nil {
			return chunk{}, err
		}
		c.index, c.total, rest = n, m, digits
	}
	jws, err := DecodeNumeric(rest)
	if err != nil {
		return chunk{}, err
	}
	c.jws = jws
	return c, nil
}

// chunkHeader splits "N/M/digits".
func chunkHeader(rest string) (n, m int, digits string, err error) {
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) != 3 {
		return 0, 0, "", fmt.Errorf("%w: chunk header %q is not N/M/", ErrIncomplete, cut(rest, 12))
	}
	n, errN := smallInt(parts[0])
	m, errM := smallInt(parts[1])
	if errN != nil || errM != nil {
		return 0, 0, "", fmt.Errorf("%w: chunk header %q is not N/M/", ErrIncomplete, cut(rest, 12))
	}
	switch {
	case m < 2:
		return 0, 0, "", fmt.Errorf("%w: chunk %d of %d: a chunked card has at least 2 chunks", ErrIncomplete, n, m)
	case m > maxChunks:
		return 0, 0, "", fmt.Errorf("%w: %d chunks, over the limit of %d", ErrIncomplete, m, maxChunks)
	case n < 1 || n > m:
		return 0, 0, "", fmt.Errorf("%w: chunk index %d out of range 1..%d", ErrIncomplete, n, m)
	}
	return n, m, parts[2], nil
}

// smallInt parses a decimal of at most 3 digits.
func smallInt(s string) (int, error) {
	if len(s) == 0 || len(s) > 3 {
		return 0, strconv.ErrSyntax
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	return strconv.Atoi(s)
}

// assemble decodes the shc:/ texts of one card, in any order, into its JWS.
// It returns warnings about chunk sizes that break the spec's rules without
// making the card unreadable.
func assemble(texts []string) (jws string, warnings []string, err error) {
	if len(texts) > maxChunks {
		return "", nil, fmt.Errorf("%w: %d texts, over the limit of %d", ErrIncomplete, len(texts), maxChunks)
	}
	chunks := make([]chunk, 0, len(texts))
	for _, t := range texts {
		c, err := parseQR(t)
		if err != nil {
			return "", nil, err
		}
		chunks = append(chunks, c)
	}
	if chunks[0].total == 0 {
		if len(chunks) > 1 {
			return "", nil, fmt.Errorf("%w: %d codes given, but the first is a whole card", ErrIncomplete, len(chunks))
		}
		if n := len(chunks[0].jws); n > MaxSingleJWS {
			warnings = append(warnings, fmt.Sprintf("JWS of %d characters is over the %d a single QR code should hold", n, MaxSingleJWS))
		}
		return chunks[0].jws, warnings, nil
	}
	total := chunks[0].total
	parts := make([]string, total)
	size := 0
	for _, c := range chunks {
		switch {
		case c.total == 0:
			return "", nil, fmt.Errorf("%w: a whole-card code mixed with chunks", ErrIncomplete)
		case c.total != total:
			return "", nil, fmt.Errorf("%w: chunk %d says %d chunks, another says %d", ErrIncomplete, c.index, c.total, total)
		case parts[c.index-1] != "":
			return "", nil, fmt.Errorf("%w: chunk %d of %d given twice", ErrIncomplete, c.index, total)
		}
		parts[c.index-1] = c.jws
		size += len(c.jws)
	}
	for i, p := range parts {
		if p == "" {
			return "", nil, fmt.Errorf("%w: chunk %d of %d missing", ErrIncomplete, i+1, total)
		}
	}
	warnings = append(warnings, fmt.Sprintf("chunked QR code (%d chunks): deprecated by the spec", total))
	for i, p := range parts {
		if len(p) > MaxChunkJWS {
			warnings = append(warnings, fmt.Sprintf("chunk %d holds %d JWS characters, over the spec's %d", i+1, len(p), MaxChunkJWS))
		}
	}
	if need := (size + MaxChunkJWS - 1) / MaxChunkJWS; total > need {
		warnings = append(warnings, fmt.Sprintf("%d chunks where %d would do: chunks too small", total, need))
	}
	return strings.Join(parts, ""), warnings, nil
}

// cut shortens s for an error message.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
