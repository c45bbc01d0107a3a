package dcc

import (
	"crypto/sha256"

	"github.com/chot-dev/chot/verify"
)

// Revocation hash kinds of the DCC revocation lists.
const (
	HashUCI            = "UCI"
	HashCountryCodeUCI = "COUNTRYCODEUCI"
	HashSignature      = "SIGNATURE"
)

// RevocationHash is the truncated SHA-256 the DCC revocation lists use: the
// first 16 bytes.
func RevocationHash(data []byte) []byte {
	h := sha256.Sum256(data)
	return h[:16]
}

// revocationQueries builds the three DCC revocation queries: the UCI, the
// entry's country code followed by the UCI, and the signature (r only for
// ECDSA).
func revocationQueries(iss string, kid []byte, cred *verify.Credential, country string, sig []byte) []verify.RevocationQuery {
	base := verify.RevocationQuery{Format: verify.FormatDCC, Issuer: iss, Kid: kid, IssuedAt: cred.IssuedAt}
	var qs []verify.RevocationQuery
	if cred.ID != "" {
		q := base
		q.Kind, q.Value = HashUCI, RevocationHash([]byte(cred.ID))
		qs = append(qs, q)
		q = base
		q.Kind, q.Value = HashCountryCodeUCI, RevocationHash([]byte(country+cred.ID))
		qs = append(qs, q)
	}
	if len(sig) > 0 {
		q := base
		q.Kind, q.Value = HashSignature, RevocationHash(sig)
		qs = append(qs, q)
	}
	return qs
}
