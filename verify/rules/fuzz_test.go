package rules

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzEval compiles arbitrary JSON as an expression and evaluates it on
// arbitrary data: it must never panic, Validate and Compile must agree, an
// evaluation error must be ErrEval, and evaluation must be deterministic.
// Seeds: every expression and data of the specification's test suites.
func FuzzEval(f *testing.F) {
	for _, b := range readJSONFiles(f, "testSuite") {
		var s testSuite
		if err := json.Unmarshal(b, &s); err != nil {
			f.Fatal(err)
		}
		for _, c := range s.Cases {
			for _, a := range c.Assertions {
				expr := a.Expression
				if len(expr) == 0 {
					expr = c.Expression
				}
				f.Add([]byte(expr), []byte(a.Data))
			}
		}
	}
	for _, b := range readJSONFiles(f, "validation-testSuite") {
		var s validationSuite
		if err := json.Unmarshal(b, &s); err != nil {
			f.Fatal(err)
		}
		for _, c := range s.Cases {
			f.Add([]byte(c.Expression), []byte(`{}`))
		}
	}
	f.Fuzz(func(t *testing.T, expr, data []byte) {
		v, err := ParseJSON(expr)
		if err != nil {
			return
		}
		issues := Validate(v)
		x, err := Compile(v)
		if (err == nil) != (len(issues) == 0) {
			t.Fatalf("Validate gives %d issues, Compile %v", len(issues), err)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("compile error %v is not ErrInvalid", err)
			}
			return
		}
		d, err := ParseJSON(data)
		if err != nil {
			return
		}
		r1, err1 := x.Eval(d)
		r2, err2 := x.Eval(d)
		if err1 != nil {
			if !errors.Is(err1, ErrEval) || err2 == nil || err1.Error() != err2.Error() {
				t.Fatalf("errors %v / %v", err1, err2)
			}
			return
		}
		if err2 != nil || !equal(r1, r2) {
			t.Fatalf("not deterministic: %v / %v (%v)", r1, r2, err2)
		}
		if _, err := json.Marshal(r1); err != nil {
			t.Fatalf("result %v does not marshal: %v", r1, err)
		}
	})
}
