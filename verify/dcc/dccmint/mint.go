package dccmint

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
var ErrIssue = errors.New("dccmint: cannot issue")

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
	alg, err := Algorithm(o.Signer.Public())
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

// Algorithm is the COSE algorithm Issue signs with for a public key:
// ES256, ES384 or ES512 by the ECDSA curve, PS256 for RSA.
func Algorithm(pub crypto.PublicKey) (cose.Algorithm, error) {
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

// MarshalCBOR encodes v as Issue encodes claims: RFC 8949 core
// deterministic CBOR. Tests use it to sign payloads Issue does not make.
func MarshalCBOR(v any) ([]byte, error) { return encMode.Marshal(v) }

// encMode encodes claims deterministically (RFC 8949 core deterministic).
var encMode = func() cbor.EncMode {
	m, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(fmt.Sprintf("dccmint: cbor options: %v", err))
	}
	return m
}()

// Prefix is the context prefix of an EU DCC (dcc.Prefix on the verifier's
// side; a test of verify/dcc checks that the two agree).
const Prefix = "HC1:"

// CWT claim keys (RFC 8392) and the hcert claim of the DCC (eHealth Network,
// DCC technical specification vol. 1, §2.6.3): the same labels verify/dcc
// reads.
const (
	claimIss   = 1
	claimExp   = 4
	claimIat   = 6
	claimHCert = -260
	hcertDCC   = 1
)
