package divoc

import (
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/chot-dev/chot/verify"
)

// ErrKey means a key file holds no usable DIVOC key.
var ErrKey = errors.New("divoc: no usable public key")

// KeyFromPEM reads a DIVOC signer's public key (PEM "PUBLIC KEY", or a
// "CERTIFICATE" whose key is taken: India's india.pem is a self-signed
// certificate whose dates do not cover the credentials it signed, so they
// are not used) and binds it to the verification method it signs as
// (method, such as "did:india").
func KeyFromPEM(method string, data []byte) (*verify.Key, error) {
	if !strings.HasPrefix(method, "did:") {
		return nil, fmt.Errorf("%w: verification method %q is not a DID", ErrKey, method)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrKey)
	}
	var pub any
	var err error
	switch b.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(b.Bytes)
	case "CERTIFICATE":
		var c *x509.Certificate
		if c, err = x509.ParseCertificate(b.Bytes); err == nil {
			pub = c.PublicKey
		}
	default:
		return nil, fmt.Errorf("%w: PEM block %q", ErrKey, b.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	k := &verify.Key{Format: verify.FormatDIVOC, Kid: []byte(method), Public: pub}
	switch pub.(type) {
	case *rsa.PublicKey:
		k.Algorithm = "PS256"
	case ed25519.PublicKey:
		k.Algorithm = "EdDSA"
	default:
		return nil, fmt.Errorf("%w: %T (want RSA or Ed25519)", ErrKey, pub)
	}
	return k, nil
}
