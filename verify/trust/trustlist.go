package trust

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"
)

// Errors of ImportTrustList. Each means nothing from the list is trusted.
var (
	// ErrListSignature means the list's own signature does not verify with
	// any pinned list-signing key: a wrong key, or a list altered after
	// signing.
	ErrListSignature = errors.New("trust: trust list signature does not verify with the pinned key")
	// ErrListUnsigned means the list carries no signature (or no key was
	// given to check it) and the operator did not allow an unsigned list.
	ErrListUnsigned = errors.New("trust: trust list is not signed, or no key was given to check it")
	// ErrListKind means the data is no trust list kind chot knows.
	ErrListKind = errors.New("trust: unknown trust list format")
	// ErrListKey means the --trustlist-key file holds no usable key.
	ErrListKey = errors.New("trust: no usable trust list key")
)

// TrustListOptions are the operator's choices for ImportTrustList.
type TrustListOptions struct {
	// AllowUnsigned takes a list that has no signature, or that cannot be
	// checked because no key was given; the import is marked ListUnsigned.
	// A list whose signature is present and fails is refused regardless.
	AllowUnsigned bool
}

// TrustListKind imports one kind of published trust list. verify/trust
// registers the DCC signer lists; other kinds (the WHO GDHCN DID list)
// register themselves with RegisterTrustListKind in an init function.
type TrustListKind struct {
	// Name names the kind, as ListImport.Kind reports it.
	Name string
	// Detect reports whether data is a list of this kind. Kinds are asked in
	// the order they registered; the first that says yes imports.
	Detect func(data []byte) bool
	// Import checks the list's signature against key (the bytes of the
	// --trustlist-key file: a PEM public key, or whatever the kind takes,
	// such as a DID document; nil when none was given) and returns what it
	// takes. It must return ErrListSignature (wrapped) for a signature that
	// fails and ErrListUnsigned when it cannot check one and
	// !opts.AllowUnsigned; either way nothing is taken.
	Import func(data, key []byte, opts TrustListOptions) (*ListImport, error)
}

var (
	kindsMu sync.RWMutex
	kinds   []TrustListKind
)

// RegisterTrustListKind adds a kind of trust list that ImportTrustList
// recognises. Built-in kinds are asked after the registered ones, so a
// registered kind can claim JSON a DSC list would not.
func RegisterTrustListKind(k TrustListKind) {
	kindsMu.Lock()
	defer kindsMu.Unlock()
	kinds = append(kinds, k)
}

// builtinKinds are the DCC signer lists: the signed form first.
var builtinKinds = []TrustListKind{
	{Name: KindGatewayDSCList, Detect: isGatewayList, Import: importGatewayList},
	{Name: KindDSCList, Detect: isDSCList, Import: importPlainDSCList},
}

// TrustListKinds names the kinds ImportTrustList recognises, in the order
// it asks them.
func TrustListKinds() []string {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	var out []string
	for _, k := range append(append([]TrustListKind(nil), kinds...), builtinKinds...) {
		out = append(out, k.Name)
	}
	return out
}

// ImportTrustList detects the kind of a published trust list, checks its
// signature against key and imports it (see TrustListKind.Import). The
// errors wrap ErrListKind, ErrListSignature, ErrListUnsigned, ErrListKey or
// ErrImport; on any error nothing from the list may be trusted.
func ImportTrustList(data, key []byte, opts TrustListOptions) (*ListImport, error) {
	kindsMu.RLock()
	all := append(append([]TrustListKind(nil), kinds...), builtinKinds...)
	kindsMu.RUnlock()
	for _, k := range all {
		if k.Detect(data) {
			l, err := k.Import(data, key, opts)
			if err != nil {
				return nil, err
			}
			if l.Kind == "" {
				l.Kind = k.Name
			}
			return l, nil
		}
	}
	return nil, fmt.Errorf("%w (know: %v)", ErrListKind, TrustListKinds())
}

// ParseListKeys reads list-signing public keys: PEM "PUBLIC KEY" blocks
// (any algorithm) or "CERTIFICATE" blocks, whose keys are taken.
func ParseListKeys(data []byte) ([]crypto.PublicKey, error) {
	var out []crypto.PublicKey
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch b.Type {
		case "PUBLIC KEY":
			k, err := x509.ParsePKIXPublicKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrListKey, err)
			}
			out = append(out, k)
		case "CERTIFICATE":
			c, err := ParseDSC(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrListKey, err)
			}
			out = append(out, c.PublicKey)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no PEM PUBLIC KEY or CERTIFICATE block", ErrListKey)
	}
	return out, nil
}

// KeyFingerprint names a list-signing key: the first 8 bytes of SHA-256
// over its DER SubjectPublicKeyInfo, in hex (the German DEMO key is
// 42d0361d255ff255).
func KeyFingerprint(pub crypto.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "?"
	}
	h := sha256.Sum256(der)
	return hex.EncodeToString(h[:8])
}

// isDSCList reports whether data looks like a plain DCC signer list: a JSON
// object with "certificates", or an array of objects with "rawData".
func isDSCList(data []byte) bool {
	d := bytes.TrimSpace(data)
	if len(d) == 0 {
		return false
	}
	switch d[0] {
	case '{':
		return bytes.Contains(d, []byte(`"certificates"`))
	case '[':
		return bytes.Contains(d, []byte(`"rawData"`))
	}
	return false
}

// importPlainDSCList takes a DSC list without a signature, only when the
// operator allows unsigned lists.
func importPlainDSCList(data, key []byte, opts TrustListOptions) (*ListImport, error) {
	if !opts.AllowUnsigned {
		what := "it has no signature line"
		if key == nil {
			what = "it has no signature line and no key was given"
		}
		return nil, fmt.Errorf("%w: a DCC signer list, but %s (allow unsigned lists explicitly to take it)", ErrListUnsigned, what)
	}
	l, err := ImportDSCList(data)
	if err != nil {
		return nil, err
	}
	l.Signature = ListUnsigned
	return l, nil
}
