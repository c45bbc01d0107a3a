package trust

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/chot-dev/chot/verify/jsonld"
)

// DIDSigner is a pinned key that may sign DID trust list documents: the
// WHO's trust list signing key, from its DID document or a PEM file.
type DIDSigner struct {
	// ID is the verification method id the proof must name; "" (a PEM
	// key) accepts any name, the signature deciding.
	ID  string
	Key crypto.PublicKey
}

// ParseDIDSigners reads the --trustlist-key of a DID list: a DID document
// whose verificationMethod entries hold publicKeyJwk EC keys (the WHO
// signing DID of tng-participants-dev has no proof of its own, so it is
// pinned as it is), or PEM public keys.
func ParseDIDSigners(data []byte) ([]DIDSigner, error) {
	var doc struct {
		ID                 string `json:"id"`
		VerificationMethod []struct {
			ID  string `json:"id"`
			JWK struct {
				Kty, Crv, X, Y string
			} `json:"publicKeyJwk"`
		} `json:"verificationMethod"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.ID == "" {
		keys, perr := ParseListKeys(data)
		if perr != nil {
			return nil, fmt.Errorf("%w: neither a DID document nor PEM keys", ErrListKey)
		}
		out := make([]DIDSigner, len(keys))
		for i, k := range keys {
			out[i] = DIDSigner{Key: k}
		}
		return out, nil
	}
	var out []DIDSigner
	for _, m := range doc.VerificationMethod {
		pub, err := ecJWK(m.JWK.Kty, m.JWK.Crv, m.JWK.X, m.JWK.Y)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrListKey, m.ID, err)
		}
		out = append(out, DIDSigner{ID: m.ID, Key: pub})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: the DID document %s has no key", ErrListKey, doc.ID)
	}
	return out, nil
}

func ecJWK(kty, crv, x, y string) (*ecdsa.PublicKey, error) {
	if kty != "EC" {
		return nil, fmt.Errorf("JWK kty %q, want EC", kty)
	}
	var c elliptic.Curve
	switch crv {
	case "P-256":
		c = elliptic.P256()
	case "P-384":
		c = elliptic.P384()
	default:
		return nil, fmt.Errorf("JWK curve %q", crv)
	}
	xb, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(x, "="))
	yb, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(y, "="))
	if err1 != nil || err2 != nil {
		return nil, errors.New("JWK x or y is not base64url")
	}
	size := (c.Params().BitSize + 7) / 8
	pt := make([]byte, 1+2*size)
	pt[0] = 4
	// Java BigInteger bytes may carry a leading zero: compare numerically.
	X, Y := new(big.Int).SetBytes(xb), new(big.Int).SetBytes(yb)
	if X.BitLen() > 8*size || Y.BitLen() > 8*size {
		return nil, errors.New("JWK coordinate too long")
	}
	X.FillBytes(pt[1 : 1+size])
	Y.FillBytes(pt[1+size:])
	pub, err := ecdsa.ParseUncompressedPublicKey(c, pt)
	if err != nil {
		return nil, err
	}
	return pub, nil
}

// ErrDIDProof means a DID document's proof is missing, malformed or does
// not verify with any pinned signer.
var ErrDIDProof = errors.New("trust: DID document proof does not verify")

// VerifyDIDDocument checks the JsonWebSignature2020 proof of a GDHCN DID
// document with the pinned signers and returns the signer that verified
// it. The proof (smart-trust concepts_did_gdhcn.md, confirmed on the DEV
// snapshot): a detached JWS {"b64":false,"crit":["b64"],"alg":"ES256"} over
// b64url(header) "." SHA-256(URDNA2015(proof options)) ‖
// SHA-256(URDNA2015(document without proof)), where the options are the
// proof without jws under the document's own @context, and the signature is
// DER (a raw r‖s is accepted too). Contexts are the pinned ones only.
func VerifyDIDDocument(data []byte, signers []DIDSigner) (*DIDSigner, error) {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDIDList, err)
	}
	proof, ok := doc["proof"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: no proof", ErrListUnsigned)
	}
	typ, _ := proof["type"].(string)
	purpose, _ := proof["proofPurpose"].(string)
	method, _ := proof["verificationMethod"].(string)
	jws, _ := proof["jws"].(string)
	if typ != "JsonWebSignature2020" || purpose != "assertionMethod" {
		return nil, fmt.Errorf("%w: proof type %q, purpose %q (want JsonWebSignature2020, assertionMethod)", ErrDIDProof, typ, purpose)
	}
	parts := strings.Split(jws, ".")
	if len(parts) != 3 || parts[1] != "" {
		return nil, fmt.Errorf("%w: jws is not a detached JWS", ErrDIDProof)
	}
	var h struct {
		Alg  string   `json:"alg"`
		B64  *bool    `json:"b64"`
		Crit []string `json:"crit"`
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err == nil {
		err = json.Unmarshal(hb, &h)
	}
	if err != nil || h.B64 == nil || *h.B64 || !slices.Contains(h.Crit, "b64") {
		return nil, fmt.Errorf("%w: JWS header %s: want b64 false, crit b64", ErrDIDProof, hb)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("%w: JWS signature: %w", ErrDIDProof, err)
	}
	var candidates []DIDSigner
	for _, s := range signers {
		if s.ID == "" || s.ID == method {
			candidates = append(candidates, s)
		}
	}
	if len(candidates) == 0 {
		return nil, fmt.Errorf("%w: signed by %s, not by a pinned key", ErrListSignature, method)
	}
	body := make(map[string]any, len(doc))
	for k, v := range doc {
		if k != "proof" {
			body[k] = v
		}
	}
	opts := map[string]any{"@context": doc["@context"]}
	for k, v := range proof {
		if k != "jws" {
			opts[k] = v
		}
	}
	nqDoc, err := jsonld.Canonicalize(body)
	if err != nil {
		return nil, fmt.Errorf("%w: document: %w", ErrDIDProof, err)
	}
	nqOpts, err := jsonld.Canonicalize(opts)
	if err != nil {
		return nil, fmt.Errorf("%w: proof options: %w", ErrDIDProof, err)
	}
	input := jsonld.SigningInput(parts[0], nqOpts, nqDoc)
	for i := range candidates {
		if checkJWS(h.Alg, candidates[i].Key, input, sig) {
			return &candidates[i], nil
		}
	}
	return nil, fmt.Errorf("%w: the %s signature by %s does not verify with the pinned key", ErrListSignature, h.Alg, method)
}

// checkJWS verifies an ES256/ES384 signature, DER or raw r‖s.
func checkJWS(alg string, key crypto.PublicKey, input, sig []byte) bool {
	pub, ok := key.(*ecdsa.PublicKey)
	if !ok {
		return false
	}
	var digest []byte
	switch {
	case alg == "ES256" && pub.Curve == elliptic.P256():
		d := sha256.Sum256(input)
		digest = d[:]
	case alg == "ES384" && pub.Curve == elliptic.P384():
		d := sha512.Sum384(input)
		digest = d[:]
	default:
		return false
	}
	if ecdsa.VerifyASN1(pub, digest, sig) {
		return true
	}
	n := (pub.Curve.Params().BitSize + 7) / 8
	if len(sig) == 2*n {
		return ecdsa.Verify(pub, digest, new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:]))
	}
	return false
}

// didKeyFingerprint names a signer for ListImport.SignedBy.
func didKeyFingerprint(s *DIDSigner) string {
	if _, err := x509.MarshalPKIXPublicKey(s.Key); err != nil {
		return s.ID
	}
	return KeyFingerprint(s.Key)
}
