package trust

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/shc"
)

// ErrImport means an importer's input is unusable; the error names the
// entry at fault.
var ErrImport = errors.New("trust: import")

// EntryFromKey turns a verify.Key into a bundle entry: a DCC key with its
// certificate becomes a certificate entry, anything else an SPKI entry.
func EntryFromKey(k *verify.Key) (KeyEntry, error) {
	if k.Format == verify.FormatDCC && k.Cert != nil {
		return KeyEntry{Format: k.Format, Issuer: k.Issuer, Kid: DCCKid(k.Cert.Raw), Cert: k.Cert.Raw}, nil
	}
	spki, err := x509.MarshalPKIXPublicKey(k.Public)
	if err != nil {
		return KeyEntry{}, fmt.Errorf("%w: key %x: %w", ErrImport, k.Kid, err)
	}
	return KeyEntry{
		Format: k.Format, Issuer: k.Issuer, Kid: bytes.Clone(k.Kid), Alg: k.Algorithm, SPKI: spki,
		Types: k.Types, NotBefore: wireTime(k.NotBefore), NotAfter: wireTime(k.NotAfter),
	}, nil
}

// ImportCertificates reads DCC Document Signer Certificates (DER, or one or
// more PEM blocks). country, if not empty, overrides each certificate's
// subject country.
func ImportCertificates(data []byte, country string) ([]KeyEntry, error) {
	ders, err := ParseCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrImport, err)
	}
	out := make([]KeyEntry, 0, len(ders))
	for i, der := range ders {
		k, err := KeyFromDSC(der, country)
		if err != nil {
			return nil, fmt.Errorf("%w: certificate %d: %w", ErrImport, i, err)
		}
		out = append(out, KeyEntry{Format: verify.FormatDCC, Issuer: k.Issuer, Kid: k.Kid, Cert: der})
	}
	return out, nil
}

// ImportJWKS reads an SHC issuer's jwks.json bound to its issuer URL. All or
// nothing: a key the SHC rules refuse fails the import.
func ImportJWKS(issuer string, data []byte) ([]KeyEntry, error) {
	keys, err := shc.ParseJWKS(issuer, data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrImport, issuer, err)
	}
	return entriesFromKeys(keys)
}

// ImportIssuerDir reads an SHC issuer's jwks.json and the revocation lists
// (crl/<kid>.json) beside it, as shc.LoadIssuerDir does.
func ImportIssuerDir(issuer, jwksPath string) ([]KeyEntry, []RevocationEntry, error) {
	keys, revs, err := shc.LoadIssuerDir(issuer, jwksPath)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w", ErrImport, issuer, err)
	}
	entries, err := entriesFromKeys(keys)
	if err != nil {
		return nil, nil, err
	}
	return entries, groupRevocations(revs), nil
}

func entriesFromKeys(keys []*verify.Key) ([]KeyEntry, error) {
	out := make([]KeyEntry, 0, len(keys))
	for _, k := range keys {
		e, err := EntryFromKey(k)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// groupRevocations packs single revocations into entries, one per (format,
// issuer, kid, kind), keeping their order.
func groupRevocations(revs []verify.Revocation) []RevocationEntry {
	type group struct {
		format      verify.Format
		issuer, kid string
		kind        string
	}
	index := map[group]int{}
	var out []RevocationEntry
	for _, r := range revs {
		g := group{r.Format, r.Issuer, string(r.Kid), r.Kind}
		i, ok := index[g]
		if !ok {
			i = len(out)
			index[g] = i
			out = append(out, RevocationEntry{Format: r.Format, Issuer: r.Issuer, Kid: bytes.Clone(r.Kid), Kind: r.Kind})
		}
		e := &out[i]
		e.Values = append(e.Values, r.Value)
		if !r.Before.IsZero() || len(e.Before) > 0 {
			for len(e.Before) < len(e.Values) {
				e.Before = append(e.Before, time.Time{})
			}
			e.Before[len(e.Values)-1] = wireTime(r.Before)
		}
	}
	return out
}
