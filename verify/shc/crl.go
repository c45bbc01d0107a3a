package shc

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chot-dev/chot/verify"
)

// RevocationKind is the verify.Revocation kind of an SHC rid entry.
const RevocationKind = "rid"

// MaxRidLen is the spec's limit on a rid (base64url characters).
const MaxRidLen = 24

// ErrCRL means a revocation list is malformed or does not match its key.
var ErrCRL = errors.New("shc: bad revocation list")

// crlFile is the JSON of .well-known/crl/<kid>.json.
type crlFile struct {
	Kid    string   `json:"kid"`
	Method string   `json:"method"`
	Ctr    *int     `json:"ctr"`
	Rids   []string `json:"rids"`
}

// ParseCRL reads an issuer's revocation list for key kid: {kid, method:
// "rid", ctr, rids}. Each rid is base64url of at most MaxRidLen characters,
// optionally followed by ".TIMESTAMP" (Unix seconds): then only cards issued
// before it are revoked. A rid listed twice (with or without timestamp) is an
// error. The entries are bound to (issuer, kid).
func ParseCRL(issuer, kid string, data []byte) ([]verify.Revocation, error) {
	revs, _, err := parseCRL(issuer, kid, data)
	return revs, err
}

// ParseCRLVersion is ParseCRL that also requires the list's ctr to equal
// crlVersion, the counter the key advertises in the JWKS.
func ParseCRLVersion(issuer, kid string, crlVersion int, data []byte) ([]verify.Revocation, error) {
	revs, ctr, err := parseCRL(issuer, kid, data)
	if err != nil {
		return nil, err
	}
	if ctr != crlVersion {
		return nil, fmt.Errorf("%w: kid %s: ctr %d, but the key's crlVersion is %d", ErrCRL, kid, ctr, crlVersion)
	}
	return revs, nil
}

func parseCRL(issuer, kid string, data []byte) ([]verify.Revocation, int, error) {
	var f crlFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrCRL, err)
	}
	switch {
	case f.Kid != kid:
		return nil, 0, fmt.Errorf("%w: kid %q, want %q", ErrCRL, f.Kid, kid)
	case f.Method != RevocationKind:
		return nil, 0, fmt.Errorf("%w: kid %s: method %q, want %q", ErrCRL, kid, f.Method, RevocationKind)
	case f.Ctr == nil || *f.Ctr < 1:
		return nil, 0, fmt.Errorf("%w: kid %s: ctr missing or below 1", ErrCRL, kid)
	}
	seen := make(map[string]bool, len(f.Rids))
	revs := make([]verify.Revocation, 0, len(f.Rids))
	for _, entry := range f.Rids {
		rid, ts, hasTS := strings.Cut(entry, ".")
		if err := checkRid(rid); err != nil {
			return nil, 0, fmt.Errorf("%w: kid %s: rid %q: %w", ErrCRL, kid, cut(entry, 40), err)
		}
		if seen[rid] {
			return nil, 0, fmt.Errorf("%w: kid %s: rid %s listed twice", ErrCRL, kid, rid)
		}
		seen[rid] = true
		r := verify.Revocation{
			Format: verify.FormatSHC,
			Issuer: issuer,
			Kid:    []byte(kid),
			Kind:   RevocationKind,
			Value:  []byte(rid),
		}
		if hasTS {
			sec, err := strconv.ParseInt(ts, 10, 64)
			if err != nil || sec < 0 || sec >= maxSeconds {
				return nil, 0, fmt.Errorf("%w: kid %s: rid %s: timestamp %q is not Unix seconds", ErrCRL, kid, rid, ts)
			}
			r.Before = time.Unix(sec, 0)
		}
		revs = append(revs, r)
	}
	return revs, *f.Ctr, nil
}

// checkRid requires 1 to MaxRidLen base64url characters.
func checkRid(rid string) error {
	if rid == "" || len(rid) > MaxRidLen {
		return fmt.Errorf("length %d, want 1 to %d", len(rid), MaxRidLen)
	}
	for i := 0; i < len(rid); i++ {
		c := rid[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return errors.New("not base64url")
		}
	}
	return nil
}

// LoadIssuerDir reads an issuer's jwks.json and, for every key that
// advertises a crlVersion, the revocation list crl/<kid>.json beside it, as
// the issuer publishes them under .well-known. A missing or mismatched list
// is an error: the issuer says revocations exist, and trusting the key
// without them would accept revoked cards. A refused key (see ParseJWKS) is
// an error too.
func LoadIssuerDir(issuer, jwksPath string) ([]*verify.Key, []verify.Revocation, error) {
	data, err := os.ReadFile(jwksPath)
	if err != nil {
		return nil, nil, fmt.Errorf("shc: %w", err)
	}
	keys, versions, err := ParseJWKSWithCRLVersion(issuer, data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", jwksPath, err)
	}
	var revs []verify.Revocation
	dir := filepath.Dir(jwksPath)
	for _, k := range keys {
		v, ok := versions[string(k.Kid)]
		if !ok {
			continue
		}
		path := filepath.Join(dir, "crl", string(k.Kid)+".json")
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, fmt.Errorf("shc: key %s has crlVersion %d: %w", k.Kid, v, err)
		}
		r, err := ParseCRLVersion(issuer, string(k.Kid), v, b)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		revs = append(revs, r...)
	}
	return keys, revs, nil
}
