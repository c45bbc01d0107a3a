package dcc

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// Errors of the claims and payload decoding.
var (
	// ErrCBOR means the CWT or the payload is malformed CBOR.
	ErrCBOR = errors.New("dcc: malformed CBOR")
	// ErrClaims means a required claim (iat, exp, hcert) is missing or of
	// the wrong type.
	ErrClaims = errors.New("dcc: missing or invalid claim")
)

// CWT claim keys and the hcert key of the DCC.
const (
	claimIss   = 1
	claimExp   = 4
	claimIat   = 6
	claimHCert = -260
	hcertDCC   = 1
)

// decMode decodes the CWT and the payload with bounds on nesting and sizes,
// and dates (tag 0 and 1) turned into RFC 3339 text as the JSON form has
// them. Maps decode to map[any]any (fxamacker's fast path); toJSON turns
// them into map[string]any.
var decMode = func() cbor.DecMode {
	m, err := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:  16,
		MaxArrayElements: 1024,
		MaxMapPairs:      1024,
		IntDec:           cbor.IntDecConvertSignedOrFail,
		TimeTagToAny:     cbor.TimeTagToRFC3339,
		UTF8:             cbor.UTF8RejectInvalid,
	}.DecMode()
	if err != nil {
		panic(fmt.Sprintf("dcc: cbor options: %v", err))
	}
	return m
}()

// claims is the decoded CWT.
type claims struct {
	Issuer    string
	IssuedAt  time.Time
	ExpiresAt time.Time
	// HCert is the DCC payload as JSON-like values.
	HCert map[string]any
}

// rawCWT is the CWT as it decodes in one pass: the claims DCC uses, with
// the hcert as generic values. Other claims are ignored.
type rawCWT struct {
	Iss   any           `cbor:"1,keyasint"`
	Exp   any           `cbor:"4,keyasint"`
	Iat   any           `cbor:"6,keyasint"`
	HCert map[int64]any `cbor:"-260,keyasint"`
}

// decodeClaims decodes the CWT payload of the COSE message. A missing or
// malformed iat, exp or hcert is ErrClaims; CBOR that does not parse is
// ErrCBOR.
func decodeClaims(b []byte) (*claims, error) {
	var raw rawCWT
	if err := decMode.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%w: CWT: %w", ErrCBOR, err)
	}
	c := &claims{}
	if raw.Iss != nil {
		iss, ok := raw.Iss.(string)
		if !ok {
			return nil, fmt.Errorf("%w: iss is %T, not text", ErrClaims, raw.Iss)
		}
		c.Issuer = iss
	}
	var err error
	if c.IssuedAt, err = numericDate(raw.Iat, "iat"); err != nil {
		return nil, err
	}
	if c.ExpiresAt, err = numericDate(raw.Exp, "exp"); err != nil {
		return nil, err
	}
	payload, ok := raw.HCert[hcertDCC]
	if !ok {
		return nil, fmt.Errorf("%w: no DCC in hcert (-260 → 1)", ErrClaims)
	}
	if _, ok := payload.(map[any]any); !ok {
		return nil, fmt.Errorf("%w: DCC payload is %T, not a map", ErrClaims, payload)
	}
	v, err := toJSON(payload, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: DCC payload: %w", ErrClaims, err)
	}
	c.HCert = v.(map[string]any)
	return c, nil
}

// numericDate reads a NumericDate claim: an integer or, as some issuers
// send, a float.
func numericDate(n any, name string) (time.Time, error) {
	// Bounds keep the conversions exact and the year within 1..9999.
	const lo, hi = -62135596800, 253402300799
	switch x := n.(type) {
	case nil:
		return time.Time{}, fmt.Errorf("%w: no %s", ErrClaims, name)
	case int64:
		if x >= lo && x <= hi {
			return time.Unix(x, 0).UTC(), nil
		}
	case float64:
		if !math.IsNaN(x) && x >= lo && x <= hi {
			sec, frac := math.Modf(x)
			return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %s is not a date (%T)", ErrClaims, name, n)
}

// toJSON turns decoded CBOR into JSON-like values: maps with text keys
// become map[string]any; arrays, text, numbers, booleans and null stay.
// Byte strings, other map keys, unknown tags and simple values are refused.
func toJSON(v any, depth int) (any, error) {
	if depth > 16 {
		return nil, errors.New("nested too deep")
	}
	switch x := v.(type) {
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("map key %T is not text", k)
			}
			j, err := toJSON(e, depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", ks, err)
			}
			out[ks] = j
		}
		return out, nil
	case []any:
		for i, e := range x {
			j, err := toJSON(e, depth+1)
			if err != nil {
				return nil, err
			}
			x[i] = j
		}
		return x, nil
	case string, bool, nil, int64:
		return v, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, errors.New("NaN or infinite number")
		}
		return v, nil
	}
	return nil, fmt.Errorf("%T is not a JSON value", v)
}
