package shc

import (
	"bytes"
	"compress/flate"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
)

// MaxPayload caps the inflated JWS payload. A QR code's payload inflates to a
// few kilobytes; a file's to tens.
const MaxPayload = 256 << 10

// Errors of the JWS layer.
var (
	// ErrJWS means the text is not a compact JWS, or its header is not
	// ES256 with a kid and zip DEF.
	ErrJWS = errors.New("shc: bad JWS")
	// ErrCompression means the payload does not inflate within MaxPayload.
	ErrCompression = errors.New("shc: bad compression")
)

// header is the protected JWS header of a card.
type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Zip string `json:"zip"`
}

// jws is a parsed compact JWS.
type jws struct {
	header       header
	signingInput string // header.payload, as signed
	payload      []byte // still compressed
	sig          []byte
}

var b64 = base64.RawURLEncoding

// parseJWS splits a compact JWS and checks its header. The error wraps ErrJWS.
func parseJWS(s string) (*jws, error) {
	if len(s) > maxTextLen {
		return nil, fmt.Errorf("%w: %d characters, over the limit", ErrJWS, len(s))
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: %d parts, want 3 separated by dots", ErrJWS, len(parts))
	}
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrJWS, err)
	}
	var h header
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrJWS, err)
	}
	switch {
	case h.Alg == "":
		return nil, fmt.Errorf("%w: header has no alg", ErrJWS)
	case h.Alg != "ES256":
		return nil, fmt.Errorf("%w: alg %q, want ES256", ErrJWS, h.Alg)
	case h.Kid == "":
		return nil, fmt.Errorf("%w: header has no kid", ErrJWS)
	case h.Zip == "":
		return nil, fmt.Errorf("%w: header has no zip (want DEF)", ErrJWS)
	case h.Zip != "DEF":
		return nil, fmt.Errorf("%w: zip %q, want DEF", ErrJWS, h.Zip)
	}
	payload, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %w", ErrJWS, err)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %w", ErrJWS, err)
	}
	return &jws{header: h, signingInput: s[:len(parts[0])+1+len(parts[1])], payload: payload, sig: sig}, nil
}

// looksLikeJWS reports whether s is a compact JWS whose header is a JSON
// object naming alg or zip: cheap enough for format detection.
func looksLikeJWS(s string) bool {
	if strings.Count(s, ".") != 2 || len(s) > maxTextLen {
		return false
	}
	h, _, _ := strings.Cut(s, ".")
	if len(h) > 1024 {
		return false
	}
	hb, err := b64.DecodeString(h)
	if err != nil {
		return false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(hb, &m) != nil {
		return false
	}
	_, alg := m["alg"]
	_, zip := m["zip"]
	return alg || zip
}

// inflate undoes raw DEFLATE (RFC 1951) up to MaxPayload bytes. The error
// wraps ErrCompression.
func inflate(b []byte) ([]byte, error) {
	r := flate.NewReader(bytes.NewReader(b))
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, MaxPayload+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCompression, err)
	}
	if len(out) > MaxPayload {
		return nil, fmt.Errorf("%w: inflates to over %d bytes", ErrCompression, MaxPayload)
	}
	return out, nil
}

// errSigLength flags a signature that is not 64 bytes of r‖s, such as DER.
var errSigLength = errors.New("signature is not 64 bytes of r‖s (DER is not JOSE)")

// verifyES256 checks a JOSE ES256 signature (r‖s, 32 bytes each).
func verifyES256(pub *ecdsa.PublicKey, signingInput string, sig []byte) error {
	if len(sig) != 64 {
		return fmt.Errorf("%w: %d bytes", errSigLength, len(sig))
	}
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:])
	h := sha256.Sum256([]byte(signingInput))
	if !ecdsa.Verify(pub, h[:], r, s) {
		return errors.New("signature does not verify")
	}
	return nil
}
