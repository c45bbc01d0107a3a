package trust

import (
	"bytes"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/divoc"
	"github.com/chot-dev/chot/verify/vdsnc"
)

// Trust for the formats beyond the DCC and SHC: ICAO VDS-NC country
// signing CAs (certificate entries of format vdsnc, kid their subject key
// identifier, issuer the alpha-3 country) with the serials their CRLs list
// (revocations of kind serial), and DIVOC keys (SPKI entries of format
// divoc, kid the verification method's DID text).

// KindSerial is the revocation kind of a VDS-NC CSCA's CRL: barcode signer
// serial numbers, under the CSCA's kid.
const KindSerial = vdsnc.KindSerial

// vdsncKey reads a CSCA entry. Japan's CSCA is read by hand (explicit
// curve parameters); its kid must be its subject key identifier.
func vdsncKey(e *KeyEntry) (*verify.Key, error) {
	k, err := vdsnc.KeyFromCSCA(e.Cert, e.Issuer)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(k.Kid, e.Kid) {
		return nil, errors.New("kid is not the CSCA's subject key identifier")
	}
	return k, nil
}

func checkSerials(r *RevocationEntry) error {
	if r.Format != verify.FormatVDSNC {
		return fmt.Errorf("kind serial is for format vdsnc, not %q", r.Format)
	}
	if len(r.Kid) == 0 {
		return errors.New("a serial revocation needs the kid of its CSCA")
	}
	for i, v := range r.Values {
		if len(v) == 0 || len(v) > 20 {
			return fmt.Errorf("value %d: %d bytes, want a serial of 1 to 20", i, len(v))
		}
	}
	return nil
}

// ImportCSCAs reads VDS-NC country signing CA certificates (DER, or PEM
// blocks). country, if not empty, sets the alpha-3 issuer instead of the
// subject's country.
func ImportCSCAs(data []byte, country string) ([]KeyEntry, error) {
	ders := pemBlocks(data, "CERTIFICATE")
	if len(ders) == 0 {
		ders = [][]byte{data}
	}
	out := make([]KeyEntry, 0, len(ders))
	for i, der := range ders {
		k, err := vdsnc.KeyFromCSCA(der, country)
		if err != nil {
			return nil, fmt.Errorf("%w: CSCA %d: %w", ErrImport, i, err)
		}
		out = append(out, KeyEntry{Format: verify.FormatVDSNC, Issuer: k.Issuer, Kid: k.Kid, Cert: der})
	}
	return out, nil
}

// ImportCRL reads a CSCA's CRL, checked against the CSCAs in cscas (it must
// be signed by the one it names), as one revocation entry. A CRL past its
// next update is still taken (its entries stay revoked): the caller warns
// when crl.Stale.
func ImportCRL(data []byte, cscas []KeyEntry) (RevocationEntry, *vdsnc.CRL, error) {
	var keys []*verify.Key
	for i := range cscas {
		if cscas[i].Format != verify.FormatVDSNC {
			continue
		}
		k, err := cscas[i].Key()
		if err != nil {
			return RevocationEntry{}, nil, err
		}
		keys = append(keys, k)
	}
	crl, err := vdsnc.ParseCRL(data, keys)
	if err != nil {
		return RevocationEntry{}, nil, fmt.Errorf("%w: %w", ErrImport, err)
	}
	e := RevocationEntry{Format: verify.FormatVDSNC, Issuer: crl.CSCA.Issuer, Kid: bytes.Clone(crl.CSCA.Kid), Kind: KindSerial}
	for _, r := range crl.Revocations {
		e.Values = append(e.Values, r.Value)
	}
	return e, crl, nil
}

// pemBlocks returns the bytes of the PEM blocks of type typ.
func pemBlocks(data []byte, typ string) [][]byte {
	var out [][]byte
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return out
		}
		if b.Type == typ {
			out = append(out, b.Bytes)
		}
	}
}

// ImportDIVOCKey reads a DIVOC signer's public key (PEM public key or
// certificate) bound to the verification method it signs as ("did:india").
func ImportDIVOCKey(method string, data []byte) (KeyEntry, error) {
	k, err := divoc.KeyFromPEM(method, data)
	if err != nil {
		return KeyEntry{}, fmt.Errorf("%w: %s: %w", ErrImport, method, err)
	}
	return EntryFromKey(k)
}
