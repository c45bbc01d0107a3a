package trust

import (
	"crypto/x509"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ParseDSC parses a Document Signer Certificate as x509.ParseCertificate
// does, and also reads the legacy encodings real DSC lists carry that Go
// refuses since 1.23 without GODEBUG=x509negativeserial=1: a serial number
// whose first byte has the top bit set and no leading zero, which DER reads
// as negative (16 Lebanese DSCs of the EU acceptance gateway). Such a serial
// is read as the unsigned number the issuer meant. The returned certificate's
// Raw is der as given, so its kid (DCCKid) is the one the issuer published;
// its other Raw* fields are those of the re-encoded certificate. Nothing here
// checks the certificate's own signature, which a DSC list never needed.
func ParseDSC(der []byte) (*x509.Certificate, error) {
	cert, err := x509.ParseCertificate(der)
	if err == nil {
		return cert, nil
	}
	if !strings.Contains(err.Error(), "negative serial number") {
		return nil, err
	}
	fixed, ok := unsignedSerial(der)
	if !ok {
		return nil, err
	}
	cert, err2 := x509.ParseCertificate(fixed)
	if err2 != nil {
		return nil, err
	}
	cert.Raw = der
	return cert, nil
}

// unsignedSerial re-encodes a certificate with a 0x00 byte in front of a
// serial number that DER reads as negative. It reports false when der is not
// a certificate of that shape.
func unsignedSerial(der []byte) ([]byte, bool) {
	in := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !in.Empty() || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, false
	}
	rest := cert // signatureAlgorithm and signatureValue, unchanged
	var version cryptobyte.String
	var hasVersion bool
	versionTag := cbasn1.Tag(0).Constructed().ContextSpecific()
	if !tbs.ReadOptionalASN1(&version, &hasVersion, versionTag) {
		return nil, false
	}
	var serial cryptobyte.String
	if !tbs.ReadASN1(&serial, cbasn1.INTEGER) || len(serial) == 0 || serial[0]&0x80 == 0 {
		return nil, false
	}
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if hasVersion {
				b.AddASN1(versionTag, func(b *cryptobyte.Builder) { b.AddBytes(version) })
			}
			b.AddASN1(cbasn1.INTEGER, func(b *cryptobyte.Builder) {
				b.AddUint8(0)
				b.AddBytes(serial)
			})
			b.AddBytes(tbs)
		})
		b.AddBytes(rest)
	})
	out, err := b.Bytes()
	return out, err == nil
}
