package dcc

import (
	"errors"
	"fmt"
)

// ErrBase45 means a text is not valid Base45 (RFC 9285).
var ErrBase45 = errors.New("dcc: invalid base45")

const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// base45Value maps a byte to its Base45 digit, or 0xff.
var base45Value = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(base45Alphabet); i++ {
		t[base45Alphabet[i]] = byte(i)
	}
	return t
}()

// DecodeBase45 decodes RFC 9285 Base45 text. It rejects characters outside
// the alphabet, a dangling single character and groups whose value does not
// fit their byte count.
func DecodeBase45(s string) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, fmt.Errorf("%w: length %d leaves one character over", ErrBase45, len(s))
	}
	out := make([]byte, 0, len(s)/3*2+1)
	for i := 0; i < len(s); i += 3 {
		n := min(3, len(s)-i)
		v := 0
		for j := n - 1; j >= 0; j-- {
			d := base45Value[s[i+j]]
			if d == 0xff {
				return nil, fmt.Errorf("%w: character %q at %d", ErrBase45, s[i+j], i+j)
			}
			v = v*45 + int(d)
		}
		if n == 3 {
			if v > 0xffff {
				return nil, fmt.Errorf("%w: group at %d is %d, over 65535", ErrBase45, i, v)
			}
			out = append(out, byte(v>>8), byte(v))
		} else {
			if v > 0xff {
				return nil, fmt.Errorf("%w: final pair is %d, over 255", ErrBase45, v)
			}
			out = append(out, byte(v))
		}
	}
	return out, nil
}
