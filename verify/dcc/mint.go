package dcc

import (
	"bytes"
	"compress/zlib"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"
)

// ErrIssue means Issue was given options it cannot sign with.
var ErrIssue = errors.New("dcc: cannot issue")

// IssueOptions are the CWT claims and the signer of a new DCC.
type IssueOptions struct {
	// Issuer is the iss claim: the issuing country.
	Issuer              string
	IssuedAt, ExpiresAt time.Time
	// Kid is the signer's key id (trust.DCCKid of its certificate).
	Kid []byte
	// Signer signs: an ECDSA key (P-256: ES256, P-384: ES384, P-521: ES512)
	// or an RSA key (PS256).
	Signer crypto.Signer
}

// Issue signs p and returns the HC1: text a QR code would carry. It is for
// tests and the demo: chot verifies, it does not issue real credentials.
func Issue(p Payload, o IssueOptions) (string, error) {
	msg, err := IssueCOSE(p, o)
	if err != nil {
		return "", err
	}
	return EncodeHC1(msg)
}

// IssueCOSE signs p and returns the tagged COSE_Sign1 message.
func IssueCOSE(p Payload, o IssueOptions) ([]byte, error) {
	if o.Signer == nil || len(o.Kid) == 0 {
		return nil, fmt.Errorf("%w: a signer and a kid are needed", ErrIssue)
	}
	alg, err := algorithmFor(o.Signer.Public())
	if err != nil {
		return nil, err
	}
	claims := map[int]any{
		claimIss:   o.Issuer,
		claimIat:   o.IssuedAt.Unix(),
		claimExp:   o.ExpiresAt.Unix(),
		claimHCert: map[int]any{hcertDCC: p},
	}
	payload, err := encMode.Marshal(claims)
	if err != nil {
		return nil, fmt.Errorf("%w: encode claims: %w", ErrIssue, err)
	}
	signer, err := cose.NewSigner(alg, o.Signer)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIssue, err)
	}
	headers := cose.Headers{Protected: cose.ProtectedHeader{
		cose.HeaderLabelAlgorithm: alg,
		cose.HeaderLabelKeyID:     o.Kid,
	}}
	msg, err := cose.Sign1(rand.Reader, signer, headers, payload, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: sign: %w", ErrIssue, err)
	}
	return msg, nil
}

// EncodeHC1 compresses a COSE message and returns it Base45-encoded behind
// the HC1: prefix.
func EncodeHC1(coseMsg []byte) (string, error) {
	var buf bytes.Buffer
	zw, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrIssue, err)
	}
	if _, err := zw.Write(coseMsg); err != nil {
		return "", fmt.Errorf("%w: compress: %w", ErrIssue, err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("%w: compress: %w", ErrIssue, err)
	}
	return Prefix + EncodeBase45(buf.Bytes()), nil
}

func algorithmFor(pub crypto.PublicKey) (cose.Algorithm, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve.Params().BitSize {
		case 256:
			return cose.AlgorithmES256, nil
		case 384:
			return cose.AlgorithmES384, nil
		case 521:
			return cose.AlgorithmES512, nil
		}
	case *rsa.PublicKey:
		return cose.AlgorithmPS256, nil
	}
	return 0, fmt.Errorf("%w: key type %T", ErrIssue, pub)
}

// encMode encodes claims deterministically (RFC 8949 core deterministic).
var encMode = func() cbor.EncMode {
	m, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(fmt.Sprintf("dcc: cbor options: %v", err))
	}
	return m
}()
