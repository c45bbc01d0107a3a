package wire

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
)

// Sign returns the HeaderSignature value for body: base64 of the Ed25519
// signature over the exact bytes.
func Sign(key ed25519.PrivateKey, body []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(key, body))
}

// Verify checks a HeaderSignature value against body and pub. Errors wrap
// ErrBadSignature.
func Verify(pub ed25519.PublicKey, body []byte, sig string) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: public key is %d bytes", ErrBadSignature, len(pub))
	}
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(raw) != ed25519.SignatureSize {
		return fmt.Errorf("%w: malformed", ErrBadSignature)
	}
	if !ed25519.Verify(pub, body, raw) {
		return fmt.Errorf("%w: does not verify", ErrBadSignature)
	}
	return nil
}

// ParsePublicKey decodes a base64 (std, padded) Ed25519 public key.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("wire: public key: %w", err)
	}
	if len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("wire: public key is %d bytes, want %d", len(raw), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}

// EncodePublicKey is the inverse of ParsePublicKey.
func EncodePublicKey(pub ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(pub)
}
