package trust

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/chot-dev/chot/verify"
)

// The DCC extended key usage OIDs that restrict a Document Signer
// Certificate to credential types (eHealth Network, DCC technical
// specification vol. 1, §5.1.1). Both the current and the older, erroneous
// arc are in use.
var dccEKU = map[string]verify.CredType{
	"1.3.6.1.4.1.1847.2021.1.1":   verify.TypeTest,
	"1.3.6.1.4.1.1847.2021.1.2":   verify.TypeVaccination,
	"1.3.6.1.4.1.1847.2021.1.3":   verify.TypeRecovery,
	"1.3.6.1.4.1.0.1847.2021.1.1": verify.TypeTest,
	"1.3.6.1.4.1.0.1847.2021.1.2": verify.TypeVaccination,
	"1.3.6.1.4.1.0.1847.2021.1.3": verify.TypeRecovery,
}

// ErrNoKey means the input held no usable public key or certificate.
var ErrNoKey = errors.New("trust: no certificate or key found")

// DCCKid is the key id of a DSC: the first 8 bytes of SHA-256 over its DER.
func DCCKid(der []byte) []byte {
	h := sha256.Sum256(der)
	return h[:8]
}

// KeyFromDSC turns a DCC Document Signer Certificate (DER) into a trusted key:
// kid from the DER, the validity window from the certificate, the allowed
// credential types from its DCC extended key usage OIDs (none: any type).
// country, if not empty, overrides the certificate's subject country.
func KeyFromDSC(der []byte, country string) (*verify.Key, error) {
	cert, err := ParseDSC(der)
	if err != nil {
		return nil, fmt.Errorf("trust: parse DSC: %w", err)
	}
	k := &verify.Key{
		Format:    verify.FormatDCC,
		Issuer:    country,
		Kid:       DCCKid(der),
		Public:    cert.PublicKey,
		Cert:      cert,
		NotBefore: cert.NotBefore,
		NotAfter:  cert.NotAfter,
	}
	if k.Issuer == "" && len(cert.Subject.Country) > 0 {
		k.Issuer = cert.Subject.Country[0]
	}
	switch pub := cert.PublicKey.(type) {
	case *ecdsa.PublicKey:
		k.Algorithm = "ES256"
		if pub.Curve.Params().BitSize == 384 {
			// The DCC test data signs ES256 (SHA-256) with P-384 keys too; the
			// algorithm the COSE header names decides the hash.
			k.Algorithm = "ES384"
		}
	case *rsa.PublicKey:
		k.Algorithm = "PS256"
	case ed25519.PublicKey:
		k.Algorithm = "EdDSA"
	default:
		return nil, fmt.Errorf("trust: DSC key type %T not supported", cert.PublicKey)
	}
	k.Types = typesFromEKU(cert.UnknownExtKeyUsage)
	return k, nil
}

func typesFromEKU(oids []asn1.ObjectIdentifier) []verify.CredType {
	var out []verify.CredType
	for _, o := range oids {
		if t, ok := dccEKU[o.String()]; ok {
			out = append(out, t)
		}
	}
	return out
}

// ParseCertificates reads one or more certificates from DER or PEM bytes and
// returns their DER.
func ParseCertificates(data []byte) ([][]byte, error) {
	var ders [][]byte
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			ders = append(ders, b.Bytes)
		}
	}
	if len(ders) > 0 {
		return ders, nil
	}
	if _, err := ParseDSC(data); err == nil {
		return [][]byte{data}, nil
	}
	return nil, ErrNoKey
}
