package dccmint

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"

	"github.com/chot-dev/chot/verify"
)

// EKU OIDs that restrict a DSC to credential types (eHealth Network, DCC
// technical specification vol. 1, §5.1.1).
var ekuOfType = map[verify.CredType]asn1.ObjectIdentifier{
	verify.TypeTest:        {1, 3, 6, 1, 4, 1, 1847, 2021, 1, 1},
	verify.TypeVaccination: {1, 3, 6, 1, 4, 1, 1847, 2021, 1, 2},
	verify.TypeRecovery:    {1, 3, 6, 1, 4, 1, 1847, 2021, 1, 3},
}

// NewTestDSC makes a self-signed Document Signer Certificate for key, for
// tests and the demo. types restricts it to credential types with the DCC
// extended key usage OIDs; none means any type. It returns the DER.
func NewTestDSC(key crypto.Signer, country string, notBefore, notAfter time.Time, types ...verify.CredType) ([]byte, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, fmt.Errorf("dccmint: test DSC: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "chot test DSC " + country, Country: []string{country}},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	for _, t := range types {
		oid, ok := ekuOfType[t]
		if !ok {
			return nil, fmt.Errorf("dccmint: test DSC: no EKU for type %q", t)
		}
		tmpl.UnknownExtKeyUsage = append(tmpl.UnknownExtKeyUsage, oid)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("dccmint: test DSC: %w", err)
	}
	return der, nil
}
