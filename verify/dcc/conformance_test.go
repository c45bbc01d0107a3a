package dcc

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/dcc/dcctest"
	"github.com/chot-dev/chot/verify/trust"
	"github.com/fxamacker/cbor/v2"
)

// stepOfFlag maps the suite's EXPECTED* flags to the step whose outcome they
// predict. VALIDJSON, VALIDOBJECT and ENCODE are checked by the functions in
// flagChecks; PICTUREDECODE belongs to the scanner's tests.

// flagChecks computes the flags that are not one step:
//   - VALIDJSON: the payload decoded through the whole chain from PREFIX
//     equals the case's JSON field (when there is one), compared after
//     normalising numbers and date-times to the second in UTC, as the
//     reference harness does.
//   - VALIDOBJECT: the case's JSON field matches the DCC schema.
//   - ENCODE: the case's JSON field, encoded to CBOR and decoded again, equals
//     the case's CBOR field decoded (map order does not count).
//
// A check whose input fields the case lacks returns errNotApplicable; the
// flag is then not compared (the reference harness skips it too).
var flagChecks = map[string]func(c *dcctest.Case, res *verify.Result) (bool, error){
	"VALIDJSON": func(c *dcctest.Case, res *verify.Result) (bool, error) {
		if res.Steps[verify.StepDecode] != verify.Pass {
			return false, nil
		}
		if c.JSON == nil {
			return true, nil
		}
		want, err := jsonValue(c.JSON)
		if err != nil {
			return false, err
		}
		return reflect.DeepEqual(normalise(res.Claims["hcert"]), normalise(want)), nil
	},
	"VALIDOBJECT": func(c *dcctest.Case, res *verify.Result) (bool, error) {
		if c.JSON == nil {
			return false, errNotApplicable
		}
		v, err := jsonValue(c.JSON)
		if err != nil {
			return false, err
		}
		return ValidateSchema(v) == nil, nil
	},
	"ENCODE": func(c *dcctest.Case, res *verify.Result) (bool, error) {
		if c.JSON == nil || c.CBOR == nil {
			return false, errNotApplicable
		}
		v, err := jsonValue(c.JSON)
		if err != nil {
			return false, err
		}
		enc, err := cbor.Marshal(v)
		if err != nil {
			return false, err
		}
		var decoded any
		if err := decMode.Unmarshal(enc, &decoded); err != nil {
			return false, err
		}
		fromJSON, err := toJSON(decoded, 0)
		if err != nil {
			return false, err
		}
		fromCBOR, err := casePayload(c.CBOR)
		if err != nil {
			return false, nil
		}
		return reflect.DeepEqual(normalise(fromJSON), normalise(fromCBOR)), nil
	},
}

var errNotApplicable = errors.New("the case lacks the fields this flag compares")

// TestConformance runs every case of the EU DCC test data through the same
// path as `chot verify` and compares each EXPECTED* flag with the outcome.
func TestConformance(t *testing.T) {
	cases, err := dcctest.LoadCases(dcctest.Root(2))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 582 {
		t.Fatalf("loaded %d cases, want 582 (581 .json files and QR)", len(cases))
	}
	wrong, err := dcctest.KnownWrong("testdata/known-wrong.csv")
	if err != nil {
		t.Fatal(err)
	}
	// The EU value sets, as a bundle carries them: the PL */7–9 cases hold
	// codes outside them, which the suite counts as schema failures.
	vsets, _, err := trust.ImportValueSetDir(filepath.Join(dcctest.Root(2), "..", "valuesets"))
	if err != nil {
		t.Fatal(err)
	}
	valueSets := map[string]*verify.ValueSet{}
	for i := range vsets {
		valueSets[vsets[i].ID] = vsets[i].ValueSet()
	}
	v := verify.New(New())
	var flags, agreed, listed, notApplicable int
	for i := range cases {
		c := &cases[i]
		t.Run(c.Path, func(t *testing.T) {
			key, err := trust.KeyFromDSC(c.Cert, "")
			if err != nil {
				t.Fatalf("DSC: %v", err)
			}
			if c.Clock.IsZero() {
				t.Fatal("no VALIDATIONCLOCK")
			}
			res := v.Verify(verify.Input{
				Texts: []string{c.Prefix},
				Trust: &verify.KeyList{List: []*verify.Key{key}, ValueSets: valueSets},
				Now:   c.Clock,
				// The reference harness checks exp ≤ the DSC's notAfter.
				CredentialOnly: true,
				Options:        verify.Options{SignerValidity: verify.SignerStrict},
			})
			names := make([]string, 0, len(c.Expected))
			for f := range c.Expected {
				names = append(names, f)
			}
			sort.Strings(names)
			for _, flag := range names {
				want := c.Expected[flag]
				var got bool
				if _, ok := dcctest.StepOfFlag[flag]; ok {
					got = dcctest.FlagOutcome(flag, res.Steps)
				} else if check, ok := flagChecks[flag]; ok {
					got, err = check(c, &res)
					if errors.Is(err, errNotApplicable) {
						notApplicable++
						continue
					}
					if err != nil {
						t.Errorf("%s: %v", flag, err)
						continue
					}
				} else {
					continue // PICTUREDECODE: the scanner's tests
				}
				flags++
				reason, isListed := wrong[c.Path][flag]
				switch {
				case got == want && isListed:
					t.Errorf("%s: agrees (%v) but known-wrong.csv lists it: %s", flag, got, reason)
				case got == want:
					agreed++
				case isListed:
					listed++
				default:
					t.Errorf("%s: got %v, want %v (reason %s: %s; steps %v)", flag, got, want, res.Reason, res.Detail, res.Steps)
				}
			}
		})
	}
	for path, fl := range wrong {
		found := false
		for i := range cases {
			if cases[i].Path == path {
				found = true
				for flag := range fl {
					if _, ok := cases[i].Expected[flag]; !ok {
						t.Errorf("known-wrong.csv: %s has no flag %s", path, flag)
					}
				}
			}
		}
		if !found {
			t.Errorf("known-wrong.csv: no case %s", path)
		}
	}
	t.Logf("conformance: %d cases, %d flags compared, %d agreed, %d known wrong upstream, %d disagreed; %d flags without the fields to compare",
		len(cases), flags, agreed, listed, flags-agreed-listed, notApplicable)
}

// jsonValue decodes JSON into JSON-like values.
func jsonValue(b []byte) (any, error) {
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// casePayload decodes a case's CBOR field: the payload itself or, in some
// cases, the whole CWT.
func casePayload(b []byte) (any, error) {
	var cwt map[int64]cbor.RawMessage
	if decMode.Unmarshal(b, &cwt) == nil {
		if c, err := decodeClaims(b); err == nil {
			return c.HCert, nil
		}
	}
	var v any
	if err := decMode.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return toJSON(v, 0)
}

// normalise makes decoded payloads comparable: numbers become float64 and
// text that reads as a date-time becomes UTC to the second, as the reference
// harness compares them.
func normalise(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalise(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalise(e)
		}
		return out
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	case string:
		if len(x) > 10 && strings.ContainsAny(x[10:11], "Tt ") {
			if t, err := verify.ParseTime(x); err == nil {
				return t.UTC().Truncate(time.Second).Format(time.RFC3339)
			}
		}
		return x
	}
	return v
}
