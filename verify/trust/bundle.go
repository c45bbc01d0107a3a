package trust

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/chot-dev/chot/verify"
)

// FormatVersion is the version of the bundle's CBOR schema (key 0 of the
// payload). A device refuses a bundle of another format version.
const FormatVersion = 1

// Bundle is the decoded content of a trust bundle: what a device installs.
// The CBOR schema, documented in FORMAT.md, is the wire struct below; Bundle
// is its Go form with times as time.Time.
type Bundle struct {
	// Version increases with every bundle the hub publishes; a device never
	// installs a version lower than or equal to the installed one.
	Version uint64
	// IssuedAt is when the hub built the bundle.
	IssuedAt time.Time
	// StaleAfter is when the device starts warning that its trust data is
	// old; the bundle is still used.
	StaleAfter time.Time
	// ExpiresAt is when the bundle stops being installable.
	ExpiresAt time.Time

	Keys        []KeyEntry
	Revocations []RevocationEntry
	Policy      *verify.PolicySet
	// ValueSets are the value sets coded fields are checked against (the
	// EU DCC value sets), and that rules see as external.valueSets.
	ValueSets []ValueSetEntry
	// Sources records the trust lists the keys came from: how many each
	// gave and skipped, and whether its signature was checked. Informational.
	Sources []SourceEntry
	// RuleSets are business rule sets in the EU format (CertLogic), by
	// name, that policy modes name in RuleSets. Each rule is checked when
	// the bundle is built and when it is opened.
	RuleSets []RuleSet

	// SignedBy is the id (RootID) of the root key named in the COSE
	// header: set by Open (checked) and Inspect (not checked). It is not
	// part of the signed payload.
	SignedBy []byte
}

// KeyEntry is one trusted key as the bundle carries it: either a DCC
// Document Signer Certificate (Cert) or a bare public key (SPKI).
//
// For a Cert entry the algorithm, validity and allowed types come from the
// certificate (KeyFromDSC), so Alg, Types, NotBefore and NotAfter must be
// empty and Kid must equal DCCKid(Cert). For an SPKI entry Alg is required.
type KeyEntry struct {
	Format    verify.Format
	Issuer    string
	Kid       []byte
	Alg       string
	Cert      []byte // DER X.509 certificate
	SPKI      []byte // DER SubjectPublicKeyInfo
	Types     []verify.CredType
	NotBefore time.Time // zero: unbounded
	NotAfter  time.Time // zero: unbounded
}

// SourceEntry is one trust list a bundle's keys came from (see
// ListImport.Source).
type SourceEntry struct {
	// Name is the list's file name or URL, as the operator gave it.
	Name string `json:"name"`
	// Kind is the list's format (ListImport.Kind).
	Kind string `json:"kind"`
	// Signature is ListVerified, ListUnsigned (taken on the operator's
	// explicit word) or ListNotChecked.
	Signature string `json:"signature"`
	// SignedBy is the fingerprint of the key that verified the list.
	SignedBy string `json:"signed_by,omitempty"`
	Taken    int    `json:"taken"`
	Skipped  int    `json:"skipped"`
}

// RevocationEntry is a group of revoked values sharing format, issuer, kid
// and kind. For the DCC kinds the values are SHA-256 hashes truncated to 16
// bytes; for SHC ("rid") they are the rid texts.
type RevocationEntry struct {
	Format verify.Format
	Issuer string // empty: any issuer
	Kid    []byte // empty: any key
	Kind   string
	Values [][]byte
	// Before, if not empty, has one time per value: that value revokes only
	// credentials issued before it (zero: always). SHC "rid.TIMESTAMP".
	Before []time.Time
}

// Revocation hash kinds a bundle may carry.
const (
	KindUCI            = "UCI"
	KindCountryCodeUCI = "COUNTRYCODEUCI"
	KindSignature      = "SIGNATURE"
	KindRID            = "rid"
)

// DCCHashLen is the length of a DCC revocation hash: SHA-256 truncated.
const DCCHashLen = 16

// wireBundle is the CBOR payload. Integer keys keep it small; the meaning
// of each key is in FORMAT.md. Times are Unix seconds.
type wireBundle struct {
	Format      uint64           `cbor:"0,keyasint"`
	Version     uint64           `cbor:"1,keyasint"`
	IssuedAt    int64            `cbor:"2,keyasint"`
	StaleAfter  int64            `cbor:"3,keyasint"`
	ExpiresAt   int64            `cbor:"4,keyasint"`
	Keys        []wireKey        `cbor:"5,keyasint,omitempty"`
	Revocations []wireRevocation `cbor:"6,keyasint,omitempty"`
	Policy      cbor.RawMessage  `cbor:"7,keyasint,omitempty"`
	Sources     []wireSource     `cbor:"8,keyasint,omitempty"`
	RuleSets    []wireRuleSet    `cbor:"9,keyasint,omitempty"`
	ValueSets   []wireValueSet   `cbor:"10,keyasint,omitempty"`
}

type wireSource struct {
	Name      string `cbor:"1,keyasint"`
	Kind      string `cbor:"2,keyasint"`
	Signature string `cbor:"3,keyasint"`
	SignedBy  string `cbor:"4,keyasint,omitempty"`
	Taken     uint64 `cbor:"5,keyasint"`
	Skipped   uint64 `cbor:"6,keyasint"`
}

type wireKey struct {
	Format    string   `cbor:"1,keyasint"`
	Issuer    string   `cbor:"2,keyasint,omitempty"`
	Kid       []byte   `cbor:"3,keyasint"`
	Alg       string   `cbor:"4,keyasint,omitempty"`
	Cert      []byte   `cbor:"5,keyasint,omitempty"`
	SPKI      []byte   `cbor:"6,keyasint,omitempty"`
	Types     []string `cbor:"7,keyasint,omitempty"`
	NotBefore int64    `cbor:"8,keyasint,omitempty"`
	NotAfter  int64    `cbor:"9,keyasint,omitempty"`
}

type wireRevocation struct {
	Format string   `cbor:"1,keyasint"`
	Issuer string   `cbor:"2,keyasint,omitempty"`
	Kid    []byte   `cbor:"3,keyasint,omitempty"`
	Kind   string   `cbor:"4,keyasint"`
	Values [][]byte `cbor:"5,keyasint"`
	Before []int64  `cbor:"6,keyasint,omitempty"`
}

var (
	encMode cbor.EncMode
	decMode cbor.DecMode
	// policyMode decodes the policy strictly: an old device that ignored a
	// rule it does not know would accept what the site refuses.
	policyMode cbor.DecMode
)

func init() {
	var err error
	if encMode, err = cbor.CoreDetEncOptions().EncMode(); err != nil {
		panic(err)
	}
	decMode, err = cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthForbidden,
		MaxArrayElements: 4 << 20,
		MaxMapPairs:      1 << 20,
		MaxNestedLevels:  16,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	policyMode, err = cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
	}.DecMode()
	if err != nil {
		panic(err)
	}
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// wireTime is t as it comes back from the wire: whole seconds, UTC.
func wireTime(t time.Time) time.Time { return fromUnix(unix(t)) }

func fromUnix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// Payload checks b and returns its CBOR encoding: the bytes the root signs.
func (b *Bundle) Payload() ([]byte, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	w := wireBundle{
		Format:     FormatVersion,
		Version:    b.Version,
		IssuedAt:   unix(b.IssuedAt),
		StaleAfter: unix(b.StaleAfter),
		ExpiresAt:  unix(b.ExpiresAt),
	}
	if b.Policy != nil {
		p, err := encMode.Marshal(b.Policy)
		if err != nil {
			return nil, fmt.Errorf("trust: encode policy: %w", err)
		}
		w.Policy = p
	}
	for _, v := range b.ValueSets {
		w.ValueSets = append(w.ValueSets, wireValueSet(v))
	}
	for _, src := range b.Sources {
		w.Sources = append(w.Sources, wireSource{Name: src.Name, Kind: src.Kind, Signature: src.Signature,
			SignedBy: src.SignedBy, Taken: uint64(max(src.Taken, 0)), Skipped: uint64(max(src.Skipped, 0))})
	}
	w.RuleSets = wireRuleSets(b.RuleSets)
	for _, k := range b.Keys {
		wk := wireKey{
			Format: string(k.Format), Issuer: k.Issuer, Kid: k.Kid, Alg: k.Alg,
			Cert: k.Cert, SPKI: k.SPKI,
			NotBefore: unix(k.NotBefore), NotAfter: unix(k.NotAfter),
		}
		for _, t := range k.Types {
			wk.Types = append(wk.Types, string(t))
		}
		w.Keys = append(w.Keys, wk)
	}
	for _, r := range b.Revocations {
		wr := wireRevocation{Format: string(r.Format), Issuer: r.Issuer, Kid: r.Kid, Kind: r.Kind, Values: r.Values}
		for _, t := range r.Before {
			wr.Before = append(wr.Before, unix(t))
		}
		w.Revocations = append(w.Revocations, wr)
	}
	out, err := encMode.Marshal(&w)
	if err != nil {
		return nil, fmt.Errorf("trust: encode bundle: %w", err)
	}
	return out, nil
}

// ParsePayload decodes and checks a bundle payload (the unsigned CBOR map).
// Errors wrap ErrMalformed.
func ParsePayload(data []byte) (*Bundle, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), MaxSize)
	}
	var w wireBundle
	if err := decMode.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if w.Format != FormatVersion {
		return nil, fmt.Errorf("%w: format version %d, want %d", ErrMalformed, w.Format, FormatVersion)
	}
	b := &Bundle{
		Version:    w.Version,
		IssuedAt:   fromUnix(w.IssuedAt),
		StaleAfter: fromUnix(w.StaleAfter),
		ExpiresAt:  fromUnix(w.ExpiresAt),
	}
	if len(w.Policy) > 0 {
		if err := policyMode.Unmarshal(w.Policy, &b.Policy); err != nil {
			return nil, fmt.Errorf("%w: policy: %w", ErrMalformed, err)
		}
	}
	for _, wv := range w.ValueSets {
		b.ValueSets = append(b.ValueSets, ValueSetEntry(wv))
	}
	for _, ws := range w.Sources {
		b.Sources = append(b.Sources, SourceEntry{Name: ws.Name, Kind: ws.Kind, Signature: ws.Signature,
			SignedBy: ws.SignedBy, Taken: int(min(ws.Taken, 1<<31)), Skipped: int(min(ws.Skipped, 1<<31))})
	}
	b.RuleSets = fromWireRuleSets(w.RuleSets)
	for _, wk := range w.Keys {
		k := KeyEntry{
			Format: verify.Format(wk.Format), Issuer: wk.Issuer, Kid: wk.Kid, Alg: wk.Alg,
			Cert: wk.Cert, SPKI: wk.SPKI,
			NotBefore: fromUnix(wk.NotBefore), NotAfter: fromUnix(wk.NotAfter),
		}
		for _, t := range wk.Types {
			k.Types = append(k.Types, verify.CredType(t))
		}
		b.Keys = append(b.Keys, k)
	}
	for _, wr := range w.Revocations {
		r := RevocationEntry{Format: verify.Format(wr.Format), Issuer: wr.Issuer, Kid: wr.Kid, Kind: wr.Kind, Values: wr.Values}
		for _, s := range wr.Before {
			r.Before = append(r.Before, fromUnix(s))
		}
		b.Revocations = append(b.Revocations, r)
	}
	if err := b.check(); err != nil {
		return nil, err
	}
	return b, nil
}

// check reports every structural problem of b, wrapped in ErrMalformed.
func (b *Bundle) check() error {
	var errs []error
	if b.Version == 0 {
		errs = append(errs, errors.New("version 0"))
	}
	if b.IssuedAt.IsZero() || b.StaleAfter.IsZero() || b.ExpiresAt.IsZero() {
		errs = append(errs, errors.New("issued_at, stale_after and expires_at are required"))
	} else if b.StaleAfter.Before(b.IssuedAt) || b.ExpiresAt.Before(b.StaleAfter) {
		errs = append(errs, errors.New("want issued_at <= stale_after <= expires_at"))
	}
	for i := range b.Keys {
		if _, err := b.Keys[i].Key(); err != nil {
			errs = append(errs, fmt.Errorf("key %d: %w", i, err))
		}
	}
	seenVS := map[string]bool{}
	for i, v := range b.ValueSets {
		if v.ID == "" || len(v.Codes)+len(v.Inactive) == 0 || seenVS[v.ID] {
			errs = append(errs, fmt.Errorf("value set %d (%q): want a unique id and codes", i, v.ID))
		}
		seenVS[v.ID] = true
	}
	for i := range b.Revocations {
		if err := b.Revocations[i].check(); err != nil {
			errs = append(errs, fmt.Errorf("revocation %d: %w", i, err))
		}
	}
	for name, p := range policyModes(b.Policy) {
		if p == nil {
			errs = append(errs, fmt.Errorf("policy mode %q is empty", name))
		}
	}
	errs = append(errs, b.checkRuleSets()...)
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrMalformed, errors.Join(errs...))
	}
	return nil
}

func policyModes(s *verify.PolicySet) map[string]*verify.Policy {
	if s == nil {
		return nil
	}
	return s.Modes
}

// Stale reports whether the bundle is past its stale_after time at now.
func (b *Bundle) Stale(now time.Time) bool { return !now.Before(b.StaleAfter) }

// Expired reports whether the bundle is past its expires_at time at now.
func (b *Bundle) Expired(now time.Time) bool { return !now.Before(b.ExpiresAt) }

var knownFormats = []verify.Format{verify.FormatDCC, verify.FormatSHC, verify.FormatVDSNC, verify.FormatDIVOC}

// Key turns the entry into the key the verifier uses. A DCC certificate goes
// through KeyFromDSC, so its extended key usage decides the allowed types.
func (e *KeyEntry) Key() (*verify.Key, error) {
	if !slices.Contains(knownFormats, e.Format) {
		return nil, fmt.Errorf("format %q unknown", e.Format)
	}
	if len(e.Kid) == 0 {
		return nil, errors.New("no kid")
	}
	switch {
	case len(e.Cert) > 0 && len(e.SPKI) > 0:
		return nil, errors.New("both cert and spki")
	case len(e.Cert) > 0:
		if e.Alg != "" || len(e.Types) > 0 || !e.NotBefore.IsZero() || !e.NotAfter.IsZero() {
			return nil, errors.New("a certificate entry takes alg, types and validity from the certificate")
		}
		if e.Format == verify.FormatDCC && string(e.Kid) != string(DCCKid(e.Cert)) {
			return nil, errors.New("kid is not DCCKid(cert)")
		}
		if e.Format == verify.FormatVDSNC {
			return vdsncKey(e) // formats.go
		}
		k, err := KeyFromDSC(e.Cert, e.Issuer)
		if err != nil {
			return nil, err
		}
		k.Format, k.Kid = e.Format, e.Kid
		return k, nil
	case len(e.SPKI) > 0:
		pub, err := x509.ParsePKIXPublicKey(e.SPKI)
		if err != nil {
			return nil, fmt.Errorf("spki: %w", err)
		}
		if err := algMatches(e.Alg, pub); err != nil {
			return nil, err
		}
		if !e.NotBefore.IsZero() && !e.NotAfter.IsZero() && e.NotAfter.Before(e.NotBefore) {
			return nil, errors.New("not_after before not_before")
		}
		return &verify.Key{
			Format: e.Format, Issuer: e.Issuer, Kid: e.Kid, Algorithm: e.Alg, Public: pub,
			NotBefore: e.NotBefore, NotAfter: e.NotAfter, Types: e.Types,
		}, nil
	default:
		return nil, errors.New("neither cert nor spki")
	}
}

// algMatches checks that the algorithm name fits the key type.
func algMatches(alg string, pub any) error {
	ok := false
	switch p := pub.(type) {
	case *ecdsa.PublicKey:
		ok = alg == "ES256" && p.Curve == elliptic.P256() || alg == "ES384" && p.Curve == elliptic.P384() ||
			alg == "ES512" && p.Curve == elliptic.P521()
	case *rsa.PublicKey:
		ok = alg == "PS256" || alg == "RS256"
	case ed25519.PublicKey:
		ok = alg == "EdDSA"
	}
	if !ok {
		return fmt.Errorf("algorithm %q does not fit a %T key", alg, pub)
	}
	return nil
}

func (r *RevocationEntry) check() error {
	switch r.Kind {
	case KindUCI, KindCountryCodeUCI, KindSignature:
		if r.Format != verify.FormatDCC {
			return fmt.Errorf("kind %s is for format dcc, not %q", r.Kind, r.Format)
		}
		for i, v := range r.Values {
			if len(v) != DCCHashLen {
				return fmt.Errorf("value %d: %d bytes, want %d", i, len(v), DCCHashLen)
			}
		}
	case KindRID:
		if r.Format != verify.FormatSHC {
			return fmt.Errorf("kind rid is for format shc, not %q", r.Format)
		}
		for i, v := range r.Values {
			if len(v) == 0 {
				return fmt.Errorf("value %d empty", i)
			}
		}
	case KindSerial:
		if err := checkSerials(r); err != nil { // formats.go
			return err
		}
	default:
		return fmt.Errorf("kind %q unknown", r.Kind)
	}
	if len(r.Before) > 0 && len(r.Before) != len(r.Values) {
		return fmt.Errorf("%d before times for %d values", len(r.Before), len(r.Values))
	}
	return nil
}

// Revocations expands the entry into the verifier's revocation entries.
func (r *RevocationEntry) revocations() []verify.Revocation {
	out := make([]verify.Revocation, len(r.Values))
	for i, v := range r.Values {
		out[i] = verify.Revocation{Format: r.Format, Issuer: r.Issuer, Kid: r.Kid, Kind: r.Kind, Value: v}
		if len(r.Before) > 0 {
			out[i].Before = r.Before[i]
		}
	}
	return out
}
