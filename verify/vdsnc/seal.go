package vdsnc

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/gowebpki/jcs"
)

// Errors of the seal's parsing and signature.
var (
	// ErrSeal means the text is not a VDS-NC seal: not JSON, or no data
	// and sig.
	ErrSeal = errors.New("vdsnc: not a VDS-NC seal")
	// ErrSignature means the seal's signature does not verify.
	ErrSignature = errors.New("vdsnc: signature does not verify")
)

// MaxLen bounds the text: a QR code holds under 3 kB; JSON this long is
// not a seal.
const MaxLen = 8 << 10

// maxDepth bounds the JSON nesting: a seal nests 5 levels.
const maxDepth = 16

// seal is the parsed JSON of a VDS-NC.
type seal struct {
	// Data is the signed object, as it came.
	Data json.RawMessage `json:"data"`
	Sig  struct {
		Alg   string `json:"alg"`
		Cer   string `json:"cer"`
		Sigvl string `json:"sigvl"`
	} `json:"sig"`
}

type sealData struct {
	Hdr struct {
		Is string          `json:"is"`
		T  string          `json:"t"`
		V  json.RawMessage `json:"v"`
	} `json:"hdr"`
	Msg map[string]any `json:"msg"`
}

// parseSeal decodes the seal and its data. It refuses JSON nested deeper
// than a seal can be, before decoding it.
func parseSeal(text string) (*seal, *sealData, error) {
	if len(text) > MaxLen {
		return nil, nil, fmt.Errorf("%w: %d bytes", ErrSeal, len(text))
	}
	if err := checkDepth(text); err != nil {
		return nil, nil, err
	}
	var s seal
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrSeal, err)
	}
	if len(s.Data) == 0 || s.Sig.Alg == "" || s.Sig.Cer == "" || s.Sig.Sigvl == "" {
		return nil, nil, fmt.Errorf("%w: want data and sig with alg, cer and sigvl", ErrSeal)
	}
	var d sealData
	dec := json.NewDecoder(bytes.NewReader(s.Data))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		return nil, nil, fmt.Errorf("%w: data: %w", ErrSeal, err)
	}
	return &s, &d, nil
}

// checkDepth refuses JSON nested more than maxDepth levels, counting
// brackets outside strings.
func checkDepth(text string) error {
	depth, inStr, esc := 0, false, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{' || c == '[':
			depth++
			if depth > maxDepth {
				return fmt.Errorf("%w: nested deeper than %d", ErrSeal, maxDepth)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// decodeB64URL reads base64url with or without "=" padding (AU pads cer and
// sigvl, JP only cer).
func decodeB64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// hashOf names the hash of each seal algorithm.
var hashOf = map[string]crypto.Hash{"ES256": crypto.SHA256, "ES384": crypto.SHA384, "ES512": crypto.SHA512}

// curveOf is the curve size each algorithm names (RFC 7518 §3.4).
var curveOf = map[string]int{"ES256": 256, "ES384": 384, "ES512": 521}

// canonical returns the RFC 8785 (JCS) form of the data: what the signer
// signed, whatever spacing and key order the QR has.
func canonical(data json.RawMessage) ([]byte, error) {
	b, err := jcs.Transform(data)
	if err != nil {
		return nil, fmt.Errorf("%w: data is not canonicalisable JSON: %w", ErrSeal, err)
	}
	return b, nil
}

// checkSealSignature verifies sigvl (raw r‖s) over JCS(data) with the BSC's key.
func checkSealSignature(s *seal, bsc *x509.Certificate) error {
	h, ok := hashOf[s.Sig.Alg]
	if !ok {
		return fmt.Errorf("%w: algorithm %q (want ES256, ES384 or ES512)", ErrSignature, s.Sig.Alg)
	}
	pub, ok := bsc.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return fmt.Errorf("%w: the signer's key is %T, not ECDSA", ErrSignature, bsc.PublicKey)
	}
	if curveOf[s.Sig.Alg] != pub.Curve.Params().BitSize {
		return fmt.Errorf("%w: %s with a P-%d key", ErrSignature, s.Sig.Alg, pub.Curve.Params().BitSize)
	}
	sig, err := decodeB64URL(s.Sig.Sigvl)
	if err != nil {
		return fmt.Errorf("%w: sigvl: %w", ErrSignature, err)
	}
	n := (pub.Curve.Params().BitSize + 7) / 8
	if len(sig) != 2*n {
		return fmt.Errorf("%w: %d-byte signature for a %d-byte key", ErrSignature, len(sig), n)
	}
	msg, err := canonical(s.Data)
	if err != nil {
		return err
	}
	d := h.New()
	d.Write(msg)
	r, ss := new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])
	if !ecdsa.Verify(pub, d.Sum(nil), r, ss) {
		return ErrSignature
	}
	return nil
}
