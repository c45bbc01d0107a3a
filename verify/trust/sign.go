package trust

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/veraison/go-cose"
)

// MaxSize caps a bundle (signed or not) before any decoding: 16 MiB, room
// for every EU DSC and a few hundred thousand revocation hashes.
const MaxSize = 16 << 20

// Errors of Open. Each leaves the installed bundle in place: the caller keeps
// using what it had.
var (
	// ErrSignature means the bundle is not signed by any pinned root: the
	// signature does not check, or the COSE header names an unknown root.
	ErrSignature = errors.New("trust: bundle signature not valid for any pinned root")
	// ErrRollback means the bundle's version is not higher than the
	// installed one.
	ErrRollback = errors.New("trust: bundle version not newer than the installed one")
	// ErrExpired means the bundle's expires_at is not after the device's
	// time.
	ErrExpired = errors.New("trust: bundle expired")
	// ErrMalformed means the bytes are not a well-formed bundle: bad COSE
	// or CBOR, a missing field, a key that does not parse.
	ErrMalformed = errors.New("trust: malformed bundle")
	// ErrTooLarge means the input is over MaxSize.
	ErrTooLarge = errors.New("trust: bundle too large")
)

// RootID is the id of a root key in the COSE kid header: the first 8 bytes
// of SHA-256 over the raw 32-byte Ed25519 public key.
func RootID(pub ed25519.PublicKey) []byte {
	h := sha256.Sum256(pub)
	return h[:8]
}

// Sign checks b, encodes it and signs it with root: a tagged COSE_Sign1 with
// the protected headers alg EdDSA and kid RootID(root's public key).
func Sign(b *Bundle, root ed25519.PrivateKey) ([]byte, error) {
	payload, err := b.Payload()
	if err != nil {
		return nil, err
	}
	return SignPayload(payload, root)
}

// SignPayload signs an encoded bundle payload (as Payload or `chot trust
// build` without a key writes it) after checking that it decodes.
func SignPayload(payload []byte, root ed25519.PrivateKey) ([]byte, error) {
	if len(root) != ed25519.PrivateKeySize {
		return nil, errors.New("trust: sign: not an Ed25519 private key")
	}
	if _, err := ParsePayload(payload); err != nil {
		return nil, err
	}
	signer, err := cose.NewSigner(cose.AlgorithmEdDSA, root)
	if err != nil {
		return nil, fmt.Errorf("trust: sign: %w", err)
	}
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(cose.AlgorithmEdDSA)
	msg.Headers.Protected[cose.HeaderLabelKeyID] = RootID(root.Public().(ed25519.PublicKey))
	msg.Payload = payload
	if err := msg.Sign(rand.Reader, nil, signer); err != nil {
		return nil, fmt.Errorf("trust: sign: %w", err)
	}
	out, err := msg.MarshalCBOR()
	if err != nil {
		return nil, fmt.Errorf("trust: sign: %w", err)
	}
	return out, nil
}

// Open checks a signed bundle for installation and returns its content. It
// refuses, in this order: input over MaxSize (ErrTooLarge), bytes that are
// not a COSE_Sign1 (ErrMalformed), a signature that no root in roots checks
// (ErrSignature), a payload that does not decode or whose keys do not parse
// (ErrMalformed), a version not above installed (ErrRollback, 0 installs
// anything) and a bundle expired at now (ErrExpired). now is the device's
// best time, never read here.
func Open(data []byte, roots []ed25519.PublicKey, installed uint64, now time.Time) (*Bundle, error) {
	msg, kid, err := envelope(data)
	if err != nil {
		return nil, err
	}
	if err := checkSignature(msg, kid, roots); err != nil {
		return nil, err
	}
	b, err := ParsePayload(msg.Payload)
	if err != nil {
		return nil, err
	}
	b.SignedBy = kid
	if b.Version <= installed {
		return nil, fmt.Errorf("%w: version %d, installed %d", ErrRollback, b.Version, installed)
	}
	if b.Expired(now) {
		return nil, fmt.Errorf("%w: expired %s, now %s", ErrExpired,
			b.ExpiresAt.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return b, nil
}

// OpenInstalled checks a bundle read back from the device's own store at
// boot: signature against roots and content, as Open, but neither version
// nor age, since it was checked when installed and an expired bundle is
// still the best trust data the device has (the verifier reports its age).
func OpenInstalled(data []byte, roots []ed25519.PublicKey) (*Bundle, error) {
	msg, kid, err := envelope(data)
	if err != nil {
		return nil, err
	}
	if err := checkSignature(msg, kid, roots); err != nil {
		return nil, err
	}
	b, err := ParsePayload(msg.Payload)
	if err != nil {
		return nil, err
	}
	b.SignedBy = kid
	return b, nil
}

// Inspect decodes a signed bundle, or a bare payload, without judging its
// signature, version or age: for `chot trust inspect`. It still refuses
// input over MaxSize and malformed content. signed reports whether data was
// a COSE_Sign1.
func Inspect(data []byte) (b *Bundle, signed bool, err error) {
	if len(data) > MaxSize {
		return nil, false, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), MaxSize)
	}
	if len(data) > 0 && data[0]>>5 == 5 { // a CBOR map: a bare payload
		b, err := ParsePayload(data)
		return b, false, err
	}
	msg, kid, err := envelope(data)
	if err != nil {
		return nil, false, err
	}
	b, err = ParsePayload(msg.Payload)
	if err != nil {
		return nil, true, err
	}
	b.SignedBy = kid
	return b, true, nil
}

// envelope decodes the COSE_Sign1 and returns it with its kid.
func envelope(data []byte) (*cose.Sign1Message, []byte, error) {
	if len(data) > MaxSize {
		return nil, nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), MaxSize)
	}
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(data); err != nil {
		return nil, nil, fmt.Errorf("%w: COSE_Sign1: %w", ErrMalformed, err)
	}
	if msg.Payload == nil {
		return nil, nil, fmt.Errorf("%w: detached payload", ErrMalformed)
	}
	kid, ok := msg.Headers.Protected[cose.HeaderLabelKeyID].([]byte)
	if !ok || len(kid) == 0 {
		return nil, nil, fmt.Errorf("%w: no kid in the protected header", ErrMalformed)
	}
	return &msg, kid, nil
}

func checkSignature(msg *cose.Sign1Message, kid []byte, roots []ed25519.PublicKey) error {
	alg, err := msg.Headers.Protected.Algorithm()
	if err != nil || alg != cose.AlgorithmEdDSA {
		return fmt.Errorf("%w: algorithm %v, want EdDSA", ErrSignature, alg)
	}
	for _, r := range roots {
		if len(r) != ed25519.PublicKeySize || !bytes.Equal(RootID(r), kid) {
			continue
		}
		v, err := cose.NewVerifier(cose.AlgorithmEdDSA, r)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrSignature, err)
		}
		if err := msg.Verify(nil, v); err != nil {
			return fmt.Errorf("%w: root %x: %w", ErrSignature, kid, err)
		}
		return nil
	}
	return fmt.Errorf("%w: root %x is not pinned", ErrSignature, kid)
}

// VerifySignature checks only the signature of a signed bundle against
// roots, without judging content, version or age: for `chot trust
// inspect --root`. It returns nil, ErrSignature, ErrMalformed or ErrTooLarge.
func VerifySignature(data []byte, roots []ed25519.PublicKey) error {
	msg, kid, err := envelope(data)
	if err != nil {
		return err
	}
	return checkSignature(msg, kid, roots)
}
