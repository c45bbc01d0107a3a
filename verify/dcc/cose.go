package dcc

import (
	"errors"
	"fmt"

	"github.com/veraison/go-cose"
)

// ErrCOSE means the data is not a COSE_Sign1 message.
var ErrCOSE = errors.New("dcc: not a COSE_Sign1 message")

// cwtTag is the CBOR tag 61 (CWT) as it appears in front of a tag-18
// COSE_Sign1: 0xd8 0x3d.
var cwtTag = [2]byte{0xd8, 0x3d}

// parseCOSE parses a COSE_Sign1 message: tagged 18, untagged, or tagged 61
// (CWT) around tag 18.
func parseCOSE(b []byte) (*cose.Sign1Message, error) {
	if len(b) >= 2 && b[0] == cwtTag[0] && b[1] == cwtTag[1] {
		b = b[2:]
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrCOSE)
	}
	var m cose.Sign1Message
	var err error
	if b[0] == 0xd2 { // tag 18
		err = m.UnmarshalCBOR(b)
	} else {
		err = (*cose.UntaggedSign1Message)(&m).UnmarshalCBOR(b)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCOSE, err)
	}
	if m.Payload == nil {
		return nil, fmt.Errorf("%w: detached payload", ErrCOSE)
	}
	return &m, nil
}

// kidOf returns the key id from the protected header, falling back to the
// unprotected one, as the DCC specification allows.
func kidOf(m *cose.Sign1Message) []byte {
	if k, ok := m.Headers.Protected[cose.HeaderLabelKeyID].([]byte); ok && len(k) > 0 {
		return k
	}
	if k, ok := m.Headers.Unprotected[cose.HeaderLabelKeyID].([]byte); ok {
		return k
	}
	return nil
}
