package verify

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"slices"
	"time"
)

// Key is one trusted signing key.
type Key struct {
	Format Format
	// Issuer binds the key: the issuer URL for SHC (must equal the JWS iss), the
	// country code for DCC (informational: a DCC key is found by kid alone, as
	// the EU gateway distributes them).
	Issuer string
	Kid    []byte
	// Algorithm is the JOSE/COSE name: ES256, ES384, PS256, EdDSA.
	Algorithm string
	Public    crypto.PublicKey
	// Cert is the signer's certificate, when the key came as one (a DCC DSC).
	Cert *x509.Certificate
	// NotBefore and NotAfter bound the key's validity; zero means unbounded.
	NotBefore, NotAfter time.Time
	// Types lists the credential types the key may sign; empty means any
	// (a DSC without the DCC extended key usage OIDs).
	Types []CredType
}

// Allows reports whether k may sign a credential of type t.
func (k *Key) Allows(t CredType) bool {
	return len(k.Types) == 0 || slices.Contains(k.Types, t)
}

// RevocationQuery asks whether a credential is revoked.
type RevocationQuery struct {
	Format Format
	Issuer string
	Kid    []byte
	// Kind is the hash type: for DCC "UCI", "COUNTRYCODEUCI", "SIGNATURE"; for
	// SHC "rid".
	Kind string
	// Value is the DCC hash (SHA-256 truncated to 16 bytes) or the SHC rid text.
	Value []byte
	// IssuedAt is the credential's issue time; an SHC rid entry with a
	// timestamp revokes only credentials issued before it.
	IssuedAt time.Time
}

// TrustStore is what the verifier needs of the cached trust data. verify/trust
// implements it for a signed bundle and for keys loaded by hand.
type TrustStore interface {
	// Keys returns the keys of format f with this kid. For SHC only the keys
	// bound to issuer are returned; for DCC issuer is ignored.
	Keys(f Format, issuer string, kid []byte) []*Key
	// Revoked reports whether the query matches a revocation entry.
	Revoked(q RevocationQuery) bool
}

// EmptyTrust trusts nothing; every signature check ends in unknown_key.
type EmptyTrust struct{}

// Keys returns nothing.
func (EmptyTrust) Keys(Format, string, []byte) []*Key { return nil }

// Revoked returns false.
func (EmptyTrust) Revoked(RevocationQuery) bool { return false }

// KeyList is a TrustStore over a plain list of keys and revocation entries,
// for keys given on the command line and for tests.
type KeyList struct {
	List        []*Key
	Revocations []Revocation
	// ValueSets, if set, are the value sets by id (ValueSetSource).
	ValueSets map[string]*ValueSet
}

// Revocation is one entry of a revocation list.
type Revocation struct {
	Format Format
	Issuer string // SHC: the issuer URL; empty matches any
	Kid    []byte // SHC: the key the rid list belongs to; empty matches any
	Kind   string
	Value  []byte
	// Before, if set, limits the entry to credentials issued before it (SHC
	// "rid.timestamp").
	Before time.Time
}

// Matches reports whether the entry revokes what q describes.
func (e *Revocation) Matches(q RevocationQuery) bool {
	if e.Format != q.Format || e.Kind != q.Kind || !bytes.Equal(e.Value, q.Value) {
		return false
	}
	if e.Issuer != "" && e.Issuer != q.Issuer {
		return false
	}
	if len(e.Kid) > 0 && !bytes.Equal(e.Kid, q.Kid) {
		return false
	}
	if !e.Before.IsZero() && !q.IssuedAt.Before(e.Before) {
		return false
	}
	return true
}

// Keys implements TrustStore.
func (l *KeyList) Keys(f Format, issuer string, kid []byte) []*Key {
	var out []*Key
	for _, k := range l.List {
		if k.Format != f || !bytes.Equal(k.Kid, kid) {
			continue
		}
		if f == FormatSHC && k.Issuer != issuer {
			continue
		}
		out = append(out, k)
	}
	return out
}

// Revoked implements TrustStore.
func (l *KeyList) Revoked(q RevocationQuery) bool {
	for i := range l.Revocations {
		if l.Revocations[i].Matches(q) {
			return true
		}
	}
	return false
}

// ValueSet is one value set of coded values (the EU DCC value sets:
// vaccines, manufacturers, test types, countries …): the codes a coded
// field may take. An inactive code is no longer issued but still valid in
// older credentials.
type ValueSet struct {
	ID string
	// Codes maps each code to whether it is active.
	Codes map[string]bool
}

// Has reports whether code is in the set, and whether it is active.
func (v *ValueSet) Has(code string) (in, active bool) {
	active, in = v.Codes[code]
	return in, active
}

// ValueSetSource is a TrustStore that also carries value sets; the DCC
// handler checks coded fields against them when the store has them.
type ValueSetSource interface {
	// ValueSet returns the value set with this id, or nil.
	ValueSet(id string) *ValueSet
}

// ValueSet implements ValueSetSource over KeyList.ValueSets.
func (l *KeyList) ValueSet(id string) *ValueSet { return l.ValueSets[id] }
