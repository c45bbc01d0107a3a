package trust

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chot-dev/chot/verify"
)

// ParseRevocations reads a revocation list in either of two shapes, told
// apart by the first character:
//
// JSON ('{' or '['): one EU DCC revocation batch, or an array of them, as the
// gateway distributes them: {"country", "expires", "kid", "hashType",
// "entries":[{"hash"}]} with kid and hashes in base64. The entries are bound
// to the batch's kid.
//
// Text: one value a line; blank lines and lines starting with '#' are
// comments, except header lines "# key: value" before the first value:
//
//	# kind: UCI            (required: UCI, COUNTRYCODEUCI, SIGNATURE or rid)
//	# kid: BASE64          (DCC: the DSC's kid; SHC: the key's kid text; optional)
//	# issuer: URL          (SHC: the issuer URL; optional)
//
// A DCC value is a SHA-256 hash, full (32 bytes) or truncated to 16 bytes,
// in hex or base64; it is kept truncated. An SHC value is a rid, optionally
// followed by ".TIMESTAMP" (Unix seconds): revoked only if issued before.
func ParseRevocations(data []byte) ([]RevocationEntry, error) {
	t := bytes.TrimSpace(data)
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return parseRevocationJSON(t)
	}
	return parseRevocationText(data)
}

// euBatch is one EU DCC revocation batch.
type euBatch struct {
	Country  string `json:"country"`
	Expires  string `json:"expires"`
	Kid      string `json:"kid"`
	HashType string `json:"hashType"`
	Entries  []struct {
		Hash string `json:"hash"`
	} `json:"entries"`
}

func parseRevocationJSON(data []byte) ([]RevocationEntry, error) {
	var batches []euBatch
	if data[0] == '{' {
		var b euBatch
		if err := json.Unmarshal(data, &b); err != nil {
			return nil, fmt.Errorf("%w: revocation batch: %w", ErrImport, err)
		}
		batches = []euBatch{b}
	} else if err := json.Unmarshal(data, &batches); err != nil {
		return nil, fmt.Errorf("%w: revocation batches: %w", ErrImport, err)
	}
	var out []RevocationEntry
	for i, b := range batches {
		kind := strings.ToUpper(b.HashType)
		if kind != KindUCI && kind != KindCountryCodeUCI && kind != KindSignature {
			return nil, fmt.Errorf("%w: revocation batch %d: hashType %q unknown", ErrImport, i, b.HashType)
		}
		e := RevocationEntry{Format: verify.FormatDCC, Kind: kind}
		if b.Kid != "" {
			kid, err := base64.StdEncoding.DecodeString(b.Kid)
			if err != nil {
				return nil, fmt.Errorf("%w: revocation batch %d: kid: %w", ErrImport, i, err)
			}
			e.Kid = kid
		}
		for j, en := range b.Entries {
			v, err := parseHash(en.Hash)
			if err != nil {
				return nil, fmt.Errorf("%w: revocation batch %d entry %d: %w", ErrImport, i, j, err)
			}
			e.Values = append(e.Values, v)
		}
		out = append(out, e)
	}
	return out, nil
}

func parseRevocationText(data []byte) ([]RevocationEntry, error) {
	var e RevocationEntry
	var kid string
	values := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			if values {
				continue
			}
			k, v, ok := strings.Cut(strings.TrimSpace(line[1:]), ":")
			if !ok {
				continue
			}
			v = strings.TrimSpace(v)
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "kind":
				e.Kind = v
				if !strings.EqualFold(v, KindRID) {
					e.Kind = strings.ToUpper(v)
				}
			case "kid":
				kid = v
			case "issuer":
				e.Issuer = v
			}
			continue
		}
		if !values {
			if err := e.startText(kid); err != nil {
				return nil, fmt.Errorf("%w: revocation list line %d: %w", ErrImport, n, err)
			}
			values = true
		}
		if err := e.addText(line); err != nil {
			return nil, fmt.Errorf("%w: revocation list line %d: %w", ErrImport, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: revocation list: %w", ErrImport, err)
	}
	if !values {
		return nil, nil
	}
	return []RevocationEntry{e}, nil
}

// startText sets the format and kid once the header is read.
func (e *RevocationEntry) startText(kid string) error {
	switch e.Kind {
	case KindUCI, KindCountryCodeUCI, KindSignature:
		e.Format = verify.FormatDCC
		if kid != "" {
			k, err := base64.StdEncoding.DecodeString(kid)
			if err != nil {
				return fmt.Errorf("kid: %w", err)
			}
			e.Kid = k
		}
	case KindRID:
		e.Format = verify.FormatSHC
		if kid != "" {
			e.Kid = []byte(kid)
		}
	case "":
		return fmt.Errorf("no \"# kind:\" header before the first value")
	default:
		return fmt.Errorf("kind %q unknown", e.Kind)
	}
	return nil
}

func (e *RevocationEntry) addText(line string) error {
	if e.Format == verify.FormatDCC {
		v, err := parseHash(line)
		if err != nil {
			return err
		}
		e.Values = append(e.Values, v)
		return nil
	}
	rid, ts, hasTS := strings.Cut(line, ".")
	var before time.Time
	if hasTS {
		s, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || s <= 0 {
			return fmt.Errorf("rid %q: bad timestamp", line)
		}
		before = time.Unix(s, 0).UTC()
	}
	e.Values = append(e.Values, []byte(rid))
	if hasTS || len(e.Before) > 0 {
		for len(e.Before) < len(e.Values) {
			e.Before = append(e.Before, time.Time{})
		}
		e.Before[len(e.Values)-1] = before
	}
	return nil
}

// parseHash reads a DCC revocation hash in hex or base64 (standard or URL,
// padded or not), 16 or 32 bytes, and returns its first 16 bytes.
func parseHash(s string) ([]byte, error) {
	var v []byte
	var err error
	if len(s) == 2*DCCHashLen || len(s) == 64 {
		v, err = hex.DecodeString(s)
	}
	if v == nil || err != nil {
		v, err = decodeBase64(s)
	}
	if err != nil {
		return nil, fmt.Errorf("hash %q: neither hex nor base64", s)
	}
	if len(v) != DCCHashLen && len(v) != 32 {
		return nil, fmt.Errorf("hash %q: %d bytes, want 16 or 32", s, len(v))
	}
	return v[:DCCHashLen], nil
}

func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if v, err := enc.DecodeString(s); err == nil {
			return v, nil
		}
	}
	return nil, fmt.Errorf("not base64")
}
