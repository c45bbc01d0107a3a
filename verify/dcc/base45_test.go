package dcc

import (
	"bytes"
	"errors"
	"testing"

	"github.com/chot-dev/chot/verify/dcc/dccmint"
)

func TestBase45Vectors(t *testing.T) {
	// RFC 9285 §4.
	tests := []struct{ plain, enc string }{
		{"AB", "BB8"},
		{"Hello!!", "%69 VD92EX0"},
		{"base-45", "UJCLQE7W581"},
		{"ietf!", "QED8WEX0"},
		{"", ""},
		{"\x00", "00"},
		{"\xff\xff", "FGW"},
	}
	for _, tt := range tests {
		t.Run(tt.enc, func(t *testing.T) {
			if got := dccmint.EncodeBase45([]byte(tt.plain)); got != tt.enc {
				t.Errorf("dccmint.EncodeBase45(%q) = %q, want %q", tt.plain, got, tt.enc)
			}
			got, err := DecodeBase45(tt.enc)
			if err != nil {
				t.Fatalf("DecodeBase45(%q): %v", tt.enc, err)
			}
			if !bytes.Equal(got, []byte(tt.plain)) {
				t.Errorf("DecodeBase45(%q) = %q, want %q", tt.enc, got, tt.plain)
			}
		})
	}
}

func TestBase45Invalid(t *testing.T) {
	for _, in := range []string{
		"A",       // one character over
		"BB8A",    // four: one over
		"GGW",     // 16+16*45+32*2025 = 65536: over 65535
		":::",     // 91124
		"::",      // final pair 1979: over 255
		"bb8",     // lower case
		"BB\n",    // control character
		"BB\xc3",  // non-ASCII byte
		"%69 VD9", // valid groups then a dangling character
	} {
		t.Run(in, func(t *testing.T) {
			if got, err := DecodeBase45(in); !errors.Is(err, ErrBase45) {
				t.Errorf("DecodeBase45(%q) = %x, %v; want ErrBase45", in, got, err)
			}
		})
	}
}

func FuzzBase45(f *testing.F) {
	for _, c := range loadSeedCases(f) {
		f.Add(c.Base45)
	}
	f.Add("GGW")
	f.Add("%69 VD92EX0")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeBase45(s)
		if err != nil {
			return
		}
		if len(b) > len(s) {
			t.Fatalf("decoded %d bytes from %d characters", len(b), len(s))
		}
		if got := dccmint.EncodeBase45(b); got != s {
			t.Fatalf("round trip: %q → %x → %q", s, b, got)
		}
	})
}
