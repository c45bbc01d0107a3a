package wire

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
)

// Sentinel errors.
var (
	// ErrTooLarge means a body or batch is over one of the caps.
	ErrTooLarge = errors.New("wire: too large")
	// ErrBadBatch means a batch breaks the contiguity rules.
	ErrBadBatch = errors.New("wire: bad batch")
	// ErrBadSignature means a signature is malformed or does not verify.
	ErrBadSignature = errors.New("wire: bad signature")
)

// EncodeBatch returns the gzip-compressed JSON of b: the exact bytes to sign
// and send.
func EncodeBatch(b Batch) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, fmt.Errorf("wire: encode: %w", err)
	}
	if err := json.NewEncoder(zw).Encode(b); err != nil {
		return nil, fmt.Errorf("wire: encode: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("wire: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// DecodeBatch decompresses and decodes a body from EncodeBatch, reading at
// most maxDecoded bytes of JSON (ErrTooLarge past it). It does not validate:
// call Batch.Validate.
func DecodeBatch(body []byte, maxDecoded int64) (Batch, error) {
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return Batch{}, fmt.Errorf("wire: decode: %w", err)
	}
	// gzip's trailer holds the decompressed size (mod 2³²): allocate once.
	var buf bytes.Buffer
	if n := len(body); n >= 4 {
		size := int64(binary.LittleEndian.Uint32(body[n-4:]))
		buf.Grow(int(min(size, maxDecoded) + bytes.MinRead))
	}
	_, err = buf.ReadFrom(io.LimitReader(zr, maxDecoded+1))
	data := buf.Bytes()
	if err != nil {
		return Batch{}, fmt.Errorf("wire: decode: %w", err)
	}
	if int64(len(data)) > maxDecoded {
		return Batch{}, fmt.Errorf("wire: decode: decompressed body over %d bytes: %w", maxDecoded, ErrTooLarge)
	}
	var b Batch
	if err := json.Unmarshal(data, &b); err != nil {
		return Batch{}, fmt.Errorf("wire: decode: %w", err)
	}
	return b, nil
}

var (
	deviceRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`)
	epochRE  = regexp.MustCompile(`^[0-9a-f]{1,64}$`)
)

// ValidDevice reports whether id is an acceptable device id: 1–64 of
// letters, digits and ._:- starting with a letter or digit.
func ValidDevice(id string) bool { return deviceRE.MatchString(id) }

// Validate checks b's shape: a valid device id and epoch (lowercase hex),
// 1..maxPasses passes, FirstSeq ≥ 1, LastSeq = FirstSeq+len-1, and each
// pass's Seq and Epoch in place. Errors wrap ErrBadBatch or ErrTooLarge.
func (b Batch) Validate(maxPasses int) error {
	switch {
	case !ValidDevice(b.Device):
		return fmt.Errorf("%w: device %q", ErrBadBatch, b.Device)
	case !epochRE.MatchString(b.Epoch):
		return fmt.Errorf("%w: epoch %q", ErrBadBatch, b.Epoch)
	case len(b.Passes) == 0:
		return fmt.Errorf("%w: no passes", ErrBadBatch)
	case len(b.Passes) > maxPasses:
		return fmt.Errorf("%w: %d passes, at most %d", ErrTooLarge, len(b.Passes), maxPasses)
	case b.FirstSeq == 0:
		return fmt.Errorf("%w: first_seq 0", ErrBadBatch)
	case b.LastSeq != b.FirstSeq+uint64(len(b.Passes))-1:
		return fmt.Errorf("%w: first_seq %d, last_seq %d, %d passes", ErrBadBatch, b.FirstSeq, b.LastSeq, len(b.Passes))
	case b.LastSeq > 1<<62:
		return fmt.Errorf("%w: last_seq %d out of range", ErrBadBatch, b.LastSeq)
	}
	for i, p := range b.Passes {
		if p.Seq != b.FirstSeq+uint64(i) {
			return fmt.Errorf("%w: passes[%d].seq = %d, want %d", ErrBadBatch, i, p.Seq, b.FirstSeq+uint64(i))
		}
		if p.Epoch != b.Epoch {
			return fmt.Errorf("%w: passes[%d].epoch = %q, want %q", ErrBadBatch, i, p.Epoch, b.Epoch)
		}
	}
	return nil
}
