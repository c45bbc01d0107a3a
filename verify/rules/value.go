package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// DateTime is the value plusTime and dccDateOfBirth produce: an instant with
// millisecond precision, UTC. It is not a JSON value: only the date-time
// comparisons take it. As JSON it is written as ISO 8601 with milliseconds.
type DateTime struct{ t time.Time }

// Time returns the instant.
func (d DateTime) Time() time.Time { return d.t }

// String formats d as 2006-01-02T15:04:05.000Z.
func (d DateTime) String() string { return d.t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// MarshalJSON writes d as a JSON string.
func (d DateTime) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// maxSafeInt is the largest integer a JavaScript number holds exactly: the
// reference implementations' integers.
const maxSafeInt = 1<<53 - 1

// ParseJSON decodes one JSON value for evaluation: objects become
// map[string]any, arrays []any, numbers int64 when integral (42.0 is 42, as
// in JavaScript) and float64 otherwise. Trailing data is an error.
func ParseJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after the JSON value")
	}
	return normalize(v), nil
}

// normalize turns json.Number into int64 or float64, in place.
func normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, err := x.Float64()
		if err != nil {
			// Out of float range: json only lets valid numbers through.
			return math.Inf(1)
		}
		if f == math.Trunc(f) && math.Abs(f) <= maxSafeInt {
			return int64(f)
		}
		return f
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
	}
	return v
}

// asInt returns v as an integer, if it is one: int64 and int as they are,
// uint64 and integral floats within JavaScript's exact range.
func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= maxSafeInt {
			return int64(x), true
		}
	}
	return 0, false
}

// truthiness classifies v: CertLogic's truthy and falsy are disjoint, and
// some values (date-times, non-integer numbers) are neither.
func truthiness(v any) (truthy, falsy bool) {
	switch x := v.(type) {
	case nil:
		return false, true
	case bool:
		return x, !x
	case string:
		return x != "", x == ""
	case []any:
		return len(x) > 0, len(x) == 0
	case map[string]any:
		return len(x) > 0, len(x) == 0
	}
	if i, ok := asInt(v); ok {
		return i != 0, i == 0
	}
	return false, false
}

// equal is === : no type coercion. Integers compare by value whatever their
// Go type, date-times by instant, arrays and objects deeply.
func equal(a, b any) bool {
	if ai, ok := asInt(a); ok {
		bi, ok := asInt(b)
		return ok && ai == bi
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case DateTime:
		y, ok := b.(DateTime)
		return ok && x.t.Equal(y.t)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equal(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}

// describe names v's kind for error messages, without its content (data
// may be personal).
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case DateTime:
		return "a date-time"
	}
	if _, ok := asInt(v); ok {
		return "an integer"
	}
	return fmt.Sprintf("a %T", v)
}
