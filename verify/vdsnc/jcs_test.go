package vdsnc

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"
	"testing"
)

// TestRFC8785 checks the canonicalisation the seal's signature depends on
// against RFC 8785's own vectors: the example of §3.2.2, the sorting example
// of §3.2.3 and the number table of Appendix B (IEEE 754 bits → text).
func TestRFC8785(t *testing.T) {
	examples := []struct{ name, in, want string }{
		{"§3.2.2", `{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`, `{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`},
		{"§3.2.3 sorting by UTF-16 code units", `{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`, "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"דּ\":\"Hebrew Letter Dalet With Dagesh\"}"},
	}
	for _, e := range examples {
		got, err := canonical([]byte(e.in))
		if err != nil || string(got) != e.want {
			t.Errorf("%s: got %s (%v), want %s", e.name, got, err, e.want)
		}
	}
	numbers := []struct{ bits, want string }{
		{"0000000000000000", "0"}, {"8000000000000000", "0"},
		{"0000000000000001", "5e-324"}, {"8000000000000001", "-5e-324"},
		{"7fefffffffffffff", "1.7976931348623157e+308"}, {"ffefffffffffffff", "-1.7976931348623157e+308"},
		{"4340000000000000", "9007199254740992"}, {"c340000000000000", "-9007199254740992"},
		{"4430000000000000", "295147905179352830000"},
		{"44b52d02c7e14af5", "9.999999999999997e+22"}, {"44b52d02c7e14af6", "1e+23"}, {"44b52d02c7e14af7", "1.0000000000000001e+23"},
		{"444b1ae4d6e2ef4e", "999999999999999700000"}, {"444b1ae4d6e2ef4f", "999999999999999900000"}, {"444b1ae4d6e2ef50", "1e+21"},
		{"3eb0c6f7a0b5ed8c", "9.999999999999997e-7"}, {"3eb0c6f7a0b5ed8d", "0.000001"},
		{"41b3de4355555553", "333333333.3333332"}, {"41b3de4355555554", "333333333.33333325"},
		{"41b3de4355555555", "333333333.3333333"}, {"41b3de4355555556", "333333333.3333334"},
		{"41b3de4355555557", "333333333.33333343"},
		{"becbf647612f3696", "-0.0000033333333333333333"}, {"43143ff3c1cb0959", "1424953923781206.2"},
	}
	for _, n := range numbers {
		b, _ := hex.DecodeString(n.bits)
		f := math.Float64frombits(binary.BigEndian.Uint64(b))
		in := "[" + strconv.FormatFloat(f, 'g', -1, 64) + "]"
		got, err := canonical([]byte(in))
		if err != nil || string(got) != "["+n.want+"]" {
			t.Errorf("%s (%s): got %s (%v), want [%s]", n.bits, in, got, err, n.want)
		}
	}
	// NaN and Infinity have no JSON form; a number too large for a double
	// is refused, not rounded to infinity.
	for _, in := range []string{`[NaN]`, `[Infinity]`, `[1e400]`, `[-1e400]`, `{"a":1,"a":2}`} {
		if got, err := canonical([]byte(in)); err == nil {
			t.Errorf("%s: canonicalised to %s, want an error", in, got)
		}
	}
}
