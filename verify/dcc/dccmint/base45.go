package dccmint

import "strings"

const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// EncodeBase45 encodes b as RFC 9285 Base45 text. The decoder is
// dcc.DecodeBase45: the verifier only ever decodes.
func EncodeBase45(b []byte) string {
	var sb strings.Builder
	sb.Grow((len(b)+1)/2*3 + 1)
	for i := 0; i+1 < len(b); i += 2 {
		v := int(b[i])<<8 | int(b[i+1])
		sb.WriteByte(base45Alphabet[v%45])
		sb.WriteByte(base45Alphabet[v/45%45])
		sb.WriteByte(base45Alphabet[v/2025])
	}
	if len(b)%2 == 1 {
		v := int(b[len(b)-1])
		sb.WriteByte(base45Alphabet[v%45])
		sb.WriteByte(base45Alphabet[v/45])
	}
	return sb.String()
}
