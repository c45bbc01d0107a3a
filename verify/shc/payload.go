package shc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrPayload means the signed payload is not JSON or lacks required claims.
var ErrPayload = errors.New("shc: bad payload")

// TypeHealthCard is the vc.type every card carries.
const TypeHealthCard = "https://smarthealth.cards#health-card"

// maxSeconds bounds nbf and exp: larger values are milliseconds by mistake.
const maxSeconds = 1e11

// claims is the JWS payload of a card.
type claims struct {
	Iss string          `json:"iss"`
	Nbf json.RawMessage `json:"nbf"`
	Exp json.RawMessage `json:"exp"`
	VC  struct {
		Type              []string `json:"type"`
		CredentialSubject struct {
			FHIRVersion string          `json:"fhirVersion"`
			FHIRBundle  json.RawMessage `json:"fhirBundle"`
		} `json:"credentialSubject"`
		Rid string `json:"rid"`
	} `json:"vc"`

	nbf, exp time.Time // parsed; zero when absent
}

// parseClaims decodes and checks the inflated payload. The error wraps
// ErrPayload.
func parseClaims(b []byte) (*claims, error) {
	var c claims
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPayload, err)
	}
	if d.More() {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrPayload)
	}
	switch {
	case c.Iss == "":
		return nil, fmt.Errorf("%w: no iss", ErrPayload)
	case !slices.Contains(c.VC.Type, TypeHealthCard):
		return nil, fmt.Errorf("%w: vc.type lacks %s", ErrPayload, TypeHealthCard)
	case len(c.VC.CredentialSubject.FHIRBundle) == 0 || c.VC.CredentialSubject.FHIRBundle[0] != '{':
		return nil, fmt.Errorf("%w: no vc.credentialSubject.fhirBundle object", ErrPayload)
	}
	var err error
	if c.nbf, err = rawSeconds(c.Nbf); err != nil {
		return nil, fmt.Errorf("%w: nbf: %w", ErrPayload, err)
	}
	if c.exp, err = rawSeconds(c.Exp); err != nil {
		return nil, fmt.Errorf("%w: exp: %w", ErrPayload, err)
	}
	if !c.nbf.IsZero() && !c.exp.IsZero() && c.exp.Before(c.nbf) {
		return nil, fmt.Errorf("%w: exp %s is before nbf %s", ErrPayload, c.exp.UTC().Format(time.RFC3339), c.nbf.UTC().Format(time.RFC3339))
	}
	return &c, nil
}

// rawSeconds parses an optional JSON number of seconds; absent or null
// gives the zero time. A string is an error, even one holding digits.
func rawSeconds(raw json.RawMessage) (time.Time, error) {
	s := string(bytes.TrimSpace(raw))
	switch {
	case s == "" || s == "null":
		return time.Time{}, nil
	case s[0] != '-' && (s[0] < '0' || s[0] > '9'):
		return time.Time{}, fmt.Errorf("%.20s is not a number", s)
	}
	return seconds(json.Number(s))
}

// seconds turns a JSON number of seconds since the epoch, maybe with a
// fraction, into a time, exactly to the nanosecond for plain decimals.
func seconds(n json.Number) (time.Time, error) {
	s := n.String()
	if whole, frac, ok := strings.Cut(s, "."); !strings.ContainsAny(s, "eE-+") && len(whole) > 0 && len(whole) <= 12 {
		sec, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return time.Time{}, err
		}
		if sec >= maxSeconds {
			return time.Time{}, fmt.Errorf("%s is too large for seconds (milliseconds?)", s)
		}
		var nsec int64
		if ok {
			if len(frac) == 0 {
				return time.Time{}, fmt.Errorf("%q is not a number", s)
			}
			if len(frac) > 9 {
				frac = frac[:9]
			}
			ns, err := strconv.ParseInt(frac, 10, 64)
			if err != nil {
				return time.Time{}, err
			}
			for i := len(frac); i < 9; i++ {
				ns *= 10
			}
			nsec = ns
		}
		return time.Unix(sec, nsec), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, err
	}
	if f < 0 || f >= maxSeconds || math.IsNaN(f) {
		return time.Time{}, fmt.Errorf("%s is out of range for seconds since 1970 (milliseconds?)", s)
	}
	sec, fr := math.Modf(f)
	return time.Unix(int64(sec), int64(fr*1e9)), nil
}
