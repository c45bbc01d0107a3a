package shc

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/chot-dev/chot/verify"
)

// Errors of the key import.
var (
	// ErrJWKS means the key set as a whole is unreadable (not JSON, no keys).
	ErrJWKS = errors.New("shc: bad JWKS")
	// ErrBadKey is wrapped by every KeyError: one key of the set was refused.
	ErrBadKey = errors.New("shc: key refused")
)

// KeyError says why one key of a JWKS was refused.
type KeyError struct {
	Index int    // position in "keys"
	Kid   string // as the JWK states it
	// Reason is a short stable code: kty, crv, alg, use, private, point,
	// kid_thumbprint, crl_version, x5c, cert_mismatch, invalid_chain,
	// invalid_DNS_SAN, invalid_no_SAN, san_mismatch.
	Reason string
	Err    error
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("shc: key %d (kid %q) refused: %s: %v", e.Index, e.Kid, e.Reason, e.Err)
}

// Unwrap returns ErrBadKey and the cause.
func (e *KeyError) Unwrap() []error { return []error{ErrBadKey, e.Err} }

// jwk is one JSON Web Key as SHC issuers publish it.
type jwk struct {
	Kty        string   `json:"kty"`
	Kid        string   `json:"kid"`
	Use        string   `json:"use"`
	Alg        string   `json:"alg"`
	Crv        string   `json:"crv"`
	X          string   `json:"x"`
	Y          string   `json:"y"`
	D          string   `json:"d,omitempty"`
	X5c        []string `json:"x5c,omitempty"`
	CRLVersion *int     `json:"crlVersion,omitempty"`
}

// ParseJWKS reads an issuer's jwks.json (or a single JWK) and returns its
// keys bound to issuer. Keys that break the SHC rules are skipped: the
// returned error then joins one *KeyError per refused key (errors.Is
// ErrBadKey), and the keys that passed are still returned. A caller that
// wants all or nothing treats any error as fatal; a set with no acceptable
// key returns nil keys.
func ParseJWKS(issuer string, data []byte) ([]*verify.Key, error) {
	keys, _, err := ParseJWKSWithCRLVersion(issuer, data)
	return keys, err
}

// ParseJWKSWithCRLVersion is ParseJWKS that also returns each key's
// crlVersion by kid (keys without one are absent).
func ParseJWKSWithCRLVersion(issuer string, data []byte) ([]*verify.Key, map[string]int, error) {
	raws, err := jwkList(data)
	if err != nil {
		return nil, nil, err
	}
	var keys []*verify.Key
	crl := map[string]int{}
	var errs []error
	for i, raw := range raws {
		k, v, err := parseJWK(issuer, i, raw)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		keys = append(keys, k)
		if v > 0 {
			crl[string(k.Kid)] = v
		}
	}
	return keys, crl, errors.Join(errs...)
}

func jwkList(data []byte) ([]json.RawMessage, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
		Kty  string            `json:"kty"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrJWKS, err)
	}
	switch {
	case len(set.Keys) > 0:
		return set.Keys, nil
	case set.Kty != "":
		return []json.RawMessage{data}, nil
	}
	return nil, fmt.Errorf("%w: no keys", ErrJWKS)
}

func parseJWK(issuer string, i int, raw json.RawMessage) (*verify.Key, int, error) {
	var j jwk
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, 0, &KeyError{Index: i, Reason: "json", Err: err}
	}
	bad := func(reason, format string, a ...any) (*verify.Key, int, error) {
		return nil, 0, &KeyError{Index: i, Kid: j.Kid, Reason: reason, Err: fmt.Errorf(format, a...)}
	}
	switch {
	case j.Kty != "EC":
		return bad("kty", "kty %q, want EC", j.Kty)
	case j.Crv != "P-256":
		return bad("crv", "crv %q, want P-256", j.Crv)
	case j.Alg != "ES256":
		return bad("alg", "alg %q, want ES256", j.Alg)
	case j.Use != "sig":
		return bad("use", "use %q, want sig", j.Use)
	case j.D != "":
		return bad("private", "the key holds its private part d: never publish it")
	case j.CRLVersion != nil && *j.CRLVersion < 1:
		return bad("crl_version", "crlVersion %d, want ≥ 1", *j.CRLVersion)
	}
	pub, err := ecPoint(j.X, j.Y)
	if err != nil {
		return bad("point", "%v", err)
	}
	if tp := Thumbprint(pub); j.Kid != tp {
		return bad("kid_thumbprint", "kid is not the key's RFC 7638 thumbprint %s", tp)
	}
	if len(j.X5c) > 0 {
		if reason, err := checkX5C(issuer, pub, j.X5c); err != nil {
			return bad(reason, "%v", err)
		}
	}
	v := 0
	if j.CRLVersion != nil {
		v = *j.CRLVersion
	}
	return &verify.Key{
		Format:    verify.FormatSHC,
		Issuer:    issuer,
		Kid:       []byte(j.Kid),
		Algorithm: "ES256",
		Public:    pub,
	}, v, nil
}

// ecPoint decodes and checks a P-256 point.
func ecPoint(x, y string) (*ecdsa.PublicKey, error) {
	xb, errX := b64.DecodeString(x)
	yb, errY := b64.DecodeString(y)
	if errX != nil || errY != nil || len(xb) != 32 || len(yb) != 32 {
		return nil, errors.New("x and y must be 32 bytes of base64url each")
	}
	point := append(append([]byte{4}, xb...), yb...)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		return nil, fmt.Errorf("not a point on P-256: %w", err)
	}
	return pub, nil
}

// Thumbprint is the RFC 7638 JWK thumbprint of a P-256 key: the SHC kid.
func Thumbprint(pub *ecdsa.PublicKey) string {
	x, y := coords(pub)
	canon := `{"crv":"P-256","kty":"EC","x":"` + b64.EncodeToString(x) + `","y":"` + b64.EncodeToString(y) + `"}`
	sum := sha256.Sum256([]byte(canon))
	return b64.EncodeToString(sum[:])
}

// coords returns the 32-byte big-endian coordinates of a P-256 key.
func coords(pub *ecdsa.PublicKey) (x, y []byte) {
	b, err := pub.Bytes()
	if err != nil || len(b) != 65 {
		return make([]byte, 32), make([]byte, 32)
	}
	return b[1:33], b[33:]
}

// checkX5C checks that a key's certificate chain is consistent: the leaf
// holds the key, each certificate is signed by the next, and the leaf names
// the issuer URL in a URI subject alternative name. It returns the reason
// code with the error.
func checkX5C(issuer string, pub *ecdsa.PublicKey, x5c []string) (string, error) {
	certs := make([]*x509.Certificate, len(x5c))
	for i, s := range x5c {
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return "x5c", fmt.Errorf("x5c[%d]: %w", i, err)
		}
		if certs[i], err = x509.ParseCertificate(der); err != nil {
			return "x5c", fmt.Errorf("x5c[%d]: %w", i, err)
		}
	}
	leaf := certs[0]
	lp, ok := leaf.PublicKey.(*ecdsa.PublicKey)
	if !ok || !lp.Equal(pub) {
		return "cert_mismatch", errors.New("the x5c leaf certificate holds another key than the JWK")
	}
	for i := 0; i+1 < len(certs); i++ {
		if err := certs[i].CheckSignatureFrom(certs[i+1]); err != nil {
			return "invalid_chain", fmt.Errorf("x5c[%d] is not signed by x5c[%d]: %w", i, i+1, err)
		}
	}
	switch {
	case len(leaf.URIs) == 0 && len(leaf.DNSNames) > 0:
		return "invalid_DNS_SAN", errors.New("the leaf certificate's subject alternative name is a DNS name, not the issuer URL")
	case len(leaf.URIs) == 0:
		return "invalid_no_SAN", errors.New("the leaf certificate has no URI subject alternative name")
	}
	want := strings.TrimSuffix(issuer, "/")
	for _, u := range leaf.URIs {
		if strings.TrimSuffix(u.String(), "/") == want {
			return "", nil
		}
	}
	return "san_mismatch", fmt.Errorf("the leaf certificate names %s, not the issuer %s", leaf.URIs[0], issuer)
}

// JWKS returns the jwks.json an issuer publishes for pub: one ES256
// signing key whose kid is its thumbprint. crlVersion 0 leaves it out.
func JWKS(pub *ecdsa.PublicKey, crlVersion int) ([]byte, error) {
	if pub == nil || pub.Curve != elliptic.P256() {
		return nil, errors.New("shc: jwks: want a P-256 key")
	}
	x, y := coords(pub)
	k := jwk{Kty: "EC", Kid: Thumbprint(pub), Use: "sig", Alg: "ES256", Crv: "P-256", X: b64.EncodeToString(x), Y: b64.EncodeToString(y)}
	if crlVersion > 0 {
		k.CRLVersion = &crlVersion
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Keys []jwk `json:"keys"`
	}{[]jwk{k}}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
