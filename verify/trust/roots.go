package trust

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
)

// ErrRootKey means a root key file does not hold an Ed25519 key.
var ErrRootKey = errors.New("trust: not an Ed25519 root key")

// MarshalPrivateKey returns the root's private key as a PEM "PRIVATE KEY"
// (PKCS #8) block.
func MarshalPrivateKey(priv ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("trust: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParsePrivateKey reads a PEM PKCS #8 Ed25519 private key.
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%w: no PEM PRIVATE KEY block", ErrRootKey)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRootKey, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: %T", ErrRootKey, k)
	}
	return priv, nil
}

// MarshalPublicKey returns a root public key as a PEM "PUBLIC KEY" (PKIX)
// block, the form devices pin.
func MarshalPublicKey(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("trust: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePublicKeys reads pinned root keys: one or more PEM "PUBLIC KEY"
// blocks, or a single key as raw 32 bytes or their base64.
func ParsePublicKeys(data []byte) ([]ed25519.PublicKey, error) {
	var out []ed25519.PublicKey
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "PUBLIC KEY" {
			continue
		}
		k, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrRootKey, err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%w: %T", ErrRootKey, k)
		}
		out = append(out, pub)
	}
	if len(out) > 0 {
		return out, nil
	}
	if len(data) == ed25519.PublicKeySize {
		return []ed25519.PublicKey{bytes.Clone(data)}, nil
	}
	if raw, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(data))); err == nil && len(raw) == ed25519.PublicKeySize {
		return []ed25519.PublicKey{raw}, nil
	}
	return nil, fmt.Errorf("%w: no PEM PUBLIC KEY block", ErrRootKey)
}
