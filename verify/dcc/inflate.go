package dcc

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"sync"
)

// MaxInflated caps the inflated size of a code. A QR code holds under 3 KB;
// real DCCs inflate to under 2 KB. Anything over the cap is refused as a
// compression failure (a zlib bomb).
const MaxInflated = 64 << 10

// ErrTooLarge means the inflated data is over MaxInflated.
var ErrTooLarge = errors.New("dcc: inflated data over the size cap")

// zlibReaders recycles zlib readers: a new one allocates its inflate state
// (tens of KB), which costs more than inflating a whole DCC.
var zlibReaders sync.Pool

// inflate decompresses zlib data, refusing raw DEFLATE, anything that is not
// zlib, truncated streams, bad checksums and more than MaxInflated bytes.
func inflate(b []byte) ([]byte, error) {
	src := bytes.NewReader(b)
	var zr io.ReadCloser
	var err error
	if r, ok := zlibReaders.Get().(io.ReadCloser); ok {
		zr = r
		err = r.(zlib.Resetter).Reset(src, nil)
	} else {
		zr, err = zlib.NewReader(src)
	}
	if err != nil {
		if zr != nil {
			zlibReaders.Put(zr)
		}
		return nil, fmt.Errorf("dcc: zlib: %w", err)
	}
	defer zlibReaders.Put(zr)
	out := make([]byte, 0, 4*len(b))
	out, err = readAllLimited(zr, out, MaxInflated+1)
	if err != nil {
		return nil, fmt.Errorf("dcc: zlib: %w", err)
	}
	if len(out) > MaxInflated {
		return nil, fmt.Errorf("%w (%d bytes)", ErrTooLarge, MaxInflated)
	}
	return out, nil
}

// readAllLimited appends from r to buf until EOF or limit bytes in all.
func readAllLimited(r io.Reader, buf []byte, limit int) ([]byte, error) {
	for len(buf) < limit {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), limit)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}
