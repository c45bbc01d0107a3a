package scanner

import (
	"bytes"
	"strings"
)

// zipMagic starts a binary payload the verifiers take as it is: a DIVOC
// credential's ZIP, in byte mode.
const zipMagic = "PK\x03\x04"

// resultText is a gozxing result's text (with its byte segments), except that binary content (a
// DIVOC ZIP) is its bytes as they are. gozxing decodes a byte segment as
// ISO-8859-1 text, so a byte over 0x7f would come back as two bytes of
// UTF-8. The bytes are taken only when the code is that one byte segment
// and the text is exactly its ISO-8859-1 reading.
func resultText(text string, segs [][]byte) string {
	if len(segs) != 1 || !bytes.HasPrefix(segs[0], []byte(zipMagic)) || !strings.HasPrefix(text, zipMagic) {
		return text
	}
	if latin1(segs[0]) != text {
		return text
	}
	return string(segs[0])
}

// latin1 reads b as ISO-8859-1.
func latin1(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) * 2)
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}
