package vdsnc

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/text/language"

	"github.com/chot-dev/chot/verify"
)

// ErrCSCA means a certificate is no usable country signing CA.
var ErrCSCA = errors.New("vdsnc: not a usable CSCA certificate")

// CSCA is a country signing CA as the seal's chain check needs it. It is
// read by hand when Go's x509 refuses the certificate: Japan's CSCA states
// its P-384 curve by explicit domain parameters, which x509 does not parse.
type CSCA struct {
	Raw                 []byte
	Public              any
	SubjectKeyID        []byte
	RawSubject          []byte
	Country             string // alpha-2, from the subject
	NotBefore, NotAfter time.Time
}

// ParseCSCA reads a CSCA certificate (DER). It tries x509 first; failing
// that, it decodes the certificate's structure itself and accepts an EC key
// with explicit parameters only if they are exactly those of P-256, P-384
// or P-521. The CSCA is a trust anchor: its own signature is not checked.
func ParseCSCA(der []byte) (*CSCA, error) {
	if c, err := x509.ParseCertificate(der); err == nil {
		switch c.PublicKey.(type) {
		case *ecdsa.PublicKey, *rsa.PublicKey:
		default:
			// x509 leaves an unknown key algorithm's key nil.
			return nil, fmt.Errorf("%w: key type %T (%v)", ErrCSCA, c.PublicKey, c.PublicKeyAlgorithm)
		}
		out := &CSCA{Raw: der, Public: c.PublicKey, SubjectKeyID: c.SubjectKeyId, RawSubject: c.RawSubject,
			NotBefore: c.NotBefore, NotAfter: c.NotAfter}
		if len(c.Subject.Country) > 0 {
			out.Country = c.Subject.Country[0]
		}
		return out, nil
	} else if c, err2 := parseLenient(der); err2 == nil {
		return c, nil
	} else {
		return nil, fmt.Errorf("%w: %w (by hand: %w)", ErrCSCA, err, err2)
	}
}

type rawCertificate struct {
	TBS       asn1.RawValue
	SigAlg    pkix.AlgorithmIdentifier
	Signature asn1.BitString
}

type tbsCertificate struct {
	Raw        asn1.RawContent
	Version    int `asn1:"optional,explicit,default:0,tag:0"`
	Serial     asn1.RawValue
	SigAlg     pkix.AlgorithmIdentifier
	Issuer     asn1.RawValue
	Validity   struct{ NotBefore, NotAfter time.Time }
	Subject    asn1.RawValue
	SPKI       subjectPublicKeyInfo
	IssuerUID  asn1.BitString   `asn1:"optional,tag:1"`
	SubjectUID asn1.BitString   `asn1:"optional,tag:2"`
	Extensions []pkix.Extension `asn1:"optional,explicit,tag:3"`
}

type subjectPublicKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// ecParameters is RFC 3279's explicit ECParameters.
type ecParameters struct {
	Version int
	FieldID struct {
		FieldType asn1.ObjectIdentifier
		Prime     *big.Int
	}
	Curve struct {
		A, B []byte
		Seed asn1.BitString `asn1:"optional"`
	}
	Base     []byte
	Order    *big.Int
	Cofactor int `asn1:"optional"`
}

var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidPrimeField  = asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}
	oidSKI         = asn1.ObjectIdentifier{2, 5, 29, 14}
	namedCurves    = []struct {
		curve elliptic.Curve
		oid   asn1.ObjectIdentifier
	}{
		{elliptic.P256(), asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}},
		{elliptic.P384(), asn1.ObjectIdentifier{1, 3, 132, 0, 34}},
		{elliptic.P521(), asn1.ObjectIdentifier{1, 3, 132, 0, 35}},
	}
)

func parseLenient(der []byte) (*CSCA, error) {
	var c rawCertificate
	if rest, err := asn1.Unmarshal(der, &c); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("certificate structure: %v", err)
	}
	var tbs tbsCertificate
	if rest, err := asn1.Unmarshal(c.TBS.FullBytes, &tbs); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("tbsCertificate: %v", err)
	}
	if !tbs.SPKI.Algorithm.Algorithm.Equal(oidECPublicKey) {
		return nil, errors.New("only EC keys are read by hand")
	}
	oid, err := namedCurveOf(tbs.SPKI.Algorithm.Parameters.FullBytes)
	if err != nil {
		return nil, err
	}
	named, err := asn1.Marshal(subjectPublicKeyInfo{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidECPublicKey, Parameters: asn1.RawValue{FullBytes: mustMarshal(oid)}},
		PublicKey: tbs.SPKI.PublicKey,
	})
	if err != nil {
		return nil, err
	}
	pub, err := x509.ParsePKIXPublicKey(named)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	if _, ok := pub.(*ecdsa.PublicKey); !ok {
		return nil, errors.New("not an ECDSA key")
	}
	out := &CSCA{Raw: der, Public: pub, RawSubject: tbs.Subject.FullBytes,
		NotBefore: tbs.Validity.NotBefore, NotAfter: tbs.Validity.NotAfter}
	var rdn pkix.RDNSequence
	if _, err := asn1.Unmarshal(tbs.Subject.FullBytes, &rdn); err == nil {
		var n pkix.Name
		n.FillFromRDNSequence(&rdn)
		if len(n.Country) > 0 {
			out.Country = n.Country[0]
		}
	}
	for _, e := range tbs.Extensions {
		if e.Id.Equal(oidSKI) {
			var ski []byte
			if _, err := asn1.Unmarshal(e.Value, &ski); err == nil {
				out.SubjectKeyID = ski
			}
		}
	}
	return out, nil
}

// namedCurveOf returns the OID of the named curve whose domain parameters
// the explicit ECParameters state, or an error if they are any other curve.
func namedCurveOf(params []byte) (asn1.ObjectIdentifier, error) {
	var p ecParameters
	if rest, err := asn1.Unmarshal(params, &p); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("EC parameters are neither a named curve nor explicit parameters: %v", err)
	}
	if !p.FieldID.FieldType.Equal(oidPrimeField) || p.FieldID.Prime == nil || p.Order == nil {
		return nil, errors.New("explicit EC parameters: not a prime field")
	}
	for _, nc := range namedCurves {
		cp := nc.curve.Params()
		a := new(big.Int).Sub(cp.P, big.NewInt(3))
		size := (cp.BitSize + 7) / 8
		base := make([]byte, 1+2*size)
		base[0] = 4
		cp.Gx.FillBytes(base[1 : 1+size])
		cp.Gy.FillBytes(base[1+size:])
		if p.FieldID.Prime.Cmp(cp.P) == 0 && new(big.Int).SetBytes(p.Curve.A).Cmp(a) == 0 &&
			new(big.Int).SetBytes(p.Curve.B).Cmp(cp.B) == 0 && bytes.Equal(p.Base, base) &&
			p.Order.Cmp(cp.N) == 0 && (p.Cofactor == 0 || p.Cofactor == 1) {
			return nc.oid, nil
		}
	}
	return nil, errors.New("explicit EC parameters of a curve other than P-256, P-384 or P-521")
}

func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Alpha3 turns an ISO 3166 alpha-2 code into alpha-3 (AU → AUS); a code
// that is already alpha-3, or unknown, is returned upper-cased as it is.
func Alpha3(code string) string {
	if len(code) != 2 {
		return upper(code)
	}
	r, err := language.ParseRegion(code)
	if err != nil {
		return upper(code)
	}
	return r.ISO3()
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// KeyFromCSCA turns a CSCA certificate into a trusted key of format
// vdsnc: kid the subject key identifier (what a BSC's authority key
// identifier names), issuer the alpha-3 country (country, if not empty,
// overrides the subject's).
func KeyFromCSCA(der []byte, country string) (*verify.Key, error) {
	c, err := ParseCSCA(der)
	if err != nil {
		return nil, err
	}
	if len(c.SubjectKeyID) == 0 {
		return nil, fmt.Errorf("%w: no subject key identifier", ErrCSCA)
	}
	if country == "" {
		country = c.Country
	}
	return &verify.Key{
		Format: verify.FormatVDSNC, Issuer: Alpha3(country), Kid: c.SubjectKeyID, Algorithm: algName(c.Public),
		Public: c.Public, NotBefore: c.NotBefore, NotAfter: c.NotAfter,
	}, nil
}

func algName(pub any) string {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve.Params().BitSize {
		case 384:
			return "ES384"
		case 521:
			return "ES512"
		}
		return "ES256"
	default:
		return "RS256"
	}
}
