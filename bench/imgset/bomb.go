package imgset

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
)

// BombPNG is a small PNG whose header declares w×h pixels: a valid 8×8
// picture's header with the size changed and its CRC fixed, then that
// picture's own data. At 16000×16000 it is a few dozen bytes that would
// take 1 GB to decode; a reader must refuse it by the header.
func BombPNG(w, h uint32) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		panic(err) // encoding to memory does not fail
	}
	b := buf.Bytes()
	// Signature (8), IHDR length (4), "IHDR" (4), width, height.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29])) // over "IHDR" and its 13 bytes
	return b
}
