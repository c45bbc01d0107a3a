package dcc

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	_ "crypto/sha256" // the hashes of accepted
	_ "crypto/sha512"
	"errors"
	"fmt"
	"math/big"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"github.com/chot-dev/chot/verify"
)

// ErrSignature means the signature does not verify.
var ErrSignature = errors.New("dcc: signature does not verify")

// ErrAlgorithm means the COSE header names an algorithm chot does not accept
// for a DCC.
var ErrAlgorithm = errors.New("dcc: unsupported signature algorithm")

// accepted lists the algorithms a DCC may use, with their hash: ES256 and
// PS256 from the specification, ES384 and ES512 because some signers use
// them.
var accepted = map[cose.Algorithm]crypto.Hash{
	cose.AlgorithmES256: crypto.SHA256,
	cose.AlgorithmES384: crypto.SHA384,
	cose.AlgorithmES512: crypto.SHA512,
	cose.AlgorithmPS256: crypto.SHA256,
}

// checkSignature verifies m with key. The algorithm comes from the protected
// header or, failing that, the unprotected one (the EU test data has both).
// The hash follows the algorithm and the signature's halves the key's size,
// so ES256 with a P-384 key (SHA-256, 96-byte signature, seen in the EU test
// data) verifies like any other ECDSA signature. A key of the wrong type for
// the algorithm fails.
func checkSignature(m *cose.Sign1Message, key *verify.Key) error {
	alg, err := algorithmOf(m)
	if err != nil {
		return err
	}
	tbs, err := toBeSigned(m)
	if err != nil {
		return err
	}
	hash := accepted[alg]
	h := hash.New()
	h.Write(tbs)
	digest := h.Sum(nil)
	switch pub := key.Public.(type) {
	case *ecdsa.PublicKey:
		if alg != cose.AlgorithmES256 && alg != cose.AlgorithmES384 && alg != cose.AlgorithmES512 {
			break
		}
		n := (pub.Curve.Params().N.BitLen() + 7) / 8
		if len(m.Signature) != 2*n {
			return fmt.Errorf("%w: %d-byte ECDSA signature for a %d-byte key", ErrSignature, len(m.Signature), n)
		}
		r := new(big.Int).SetBytes(m.Signature[:n])
		s := new(big.Int).SetBytes(m.Signature[n:])
		if !ecdsa.Verify(pub, digest, r, s) {
			return ErrSignature
		}
		return nil
	case *rsa.PublicKey:
		if alg != cose.AlgorithmPS256 {
			break
		}
		if err := rsa.VerifyPSS(pub, hash, digest, m.Signature, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}); err != nil {
			return fmt.Errorf("%w: %w", ErrSignature, err)
		}
		return nil
	}
	return fmt.Errorf("%w: %v with a %T key", ErrAlgorithm, alg, key.Public)
}

// algorithmOf returns the accepted algorithm m names.
func algorithmOf(m *cose.Sign1Message) (cose.Algorithm, error) {
	alg, err := m.Headers.Protected.Algorithm()
	if errors.Is(err, cose.ErrAlgorithmNotFound) {
		alg, err = cose.ProtectedHeader(m.Headers.Unprotected).Algorithm()
	}
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrAlgorithm, err)
	}
	if _, ok := accepted[alg]; !ok {
		return 0, fmt.Errorf("%w: %v", ErrAlgorithm, alg)
	}
	return alg, nil
}

// toBeSigned builds the COSE Sig_structure of a Sign1 message without
// external data: ["Signature1", protected, h”, payload].
func toBeSigned(m *cose.Sign1Message) ([]byte, error) {
	var protected []byte
	if err := cbor.Unmarshal(m.Headers.RawProtected, &protected); err != nil {
		return nil, fmt.Errorf("%w: protected header: %w", ErrCOSE, err)
	}
	const context = "Signature1"
	b := make([]byte, 0, 1+1+len(context)+9+len(protected)+1+9+len(m.Payload))
	b = append(b, 0x84, 0x60|byte(len(context)))
	b = append(b, context...)
	b = appendBstr(b, protected)
	b = append(b, 0x40)
	b = appendBstr(b, m.Payload)
	return b, nil
}

// appendBstr appends a CBOR byte string with the shortest length head.
func appendBstr(b, s []byte) []byte {
	n := uint64(len(s))
	switch {
	case n < 24:
		b = append(b, 0x40|byte(n))
	case n <= 0xff:
		b = append(b, 0x58, byte(n))
	case n <= 0xffff:
		b = append(b, 0x59, byte(n>>8), byte(n))
	case n <= 0xffffffff:
		b = append(b, 0x5a, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	default:
		b = append(b, 0x5b, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, s...)
}

// signatureHashInput is what the SIGNATURE revocation hash covers: the whole
// signature for RSA, only r (the first half) for ECDSA.
func signatureHashInput(m *cose.Sign1Message) []byte {
	alg, _ := algorithmOf(m)
	switch alg {
	case cose.AlgorithmES256, cose.AlgorithmES384, cose.AlgorithmES512:
		return m.Signature[:len(m.Signature)/2]
	}
	return m.Signature
}
