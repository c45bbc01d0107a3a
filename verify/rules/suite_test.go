package rules

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// suiteDir is the CertLogic specification's folder, relative to this package.
const suiteDir = "../../../shared/testdata/certlogic"

type testSuite struct {
	Name      string `json:"name"`
	Directive string `json:"directive"`
	Cases     []struct {
		Name       string          `json:"name"`
		Directive  string          `json:"directive"`
		Expression json.RawMessage `json:"certLogicExpression"`
		Assertions []struct {
			Expression json.RawMessage `json:"certLogicExpression"`
			Data       json.RawMessage `json:"data"`
			Expected   json.RawMessage `json:"expected"`
			Directive  string          `json:"directive"`
			Message    string          `json:"message"`
		} `json:"assertions"`
	} `json:"cases"`
}

func readJSONFiles(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(suiteDir, dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test suite files in %s (%v)", dir, err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

func mustParse(t testing.TB, b []byte) any {
	t.Helper()
	v, err := ParseJSON(b)
	if err != nil {
		t.Fatalf("parse %s: %v", b, err)
	}
	return v
}

// TestSuite runs every assertion of the specification's testSuite/. Upstream
// marks some "skip" (the patched-reduce file: an optional future extension;
// four "in" assertions over a null right-hand side, which the specification
// calls an error): those are checked against the specification's text
// instead, below.
func TestSuite(t *testing.T) {
	ran, skipped := 0, 0
	for name, b := range readJSONFiles(t, "testSuite") {
		var s testSuite
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, c := range s.Cases {
			for i, a := range c.Assertions {
				expr := a.Expression
				if len(expr) == 0 {
					expr = c.Expression
				}
				label := name + "/" + c.Name
				if s.Directive == "skip" || c.Directive == "skip" || a.Directive == "skip" {
					skipped++
					checkSkipped(t, name, expr, a.Data)
					continue
				}
				ran++
				x, err := CompileJSON(expr)
				if err != nil {
					t.Errorf("%s #%d: compile %s: %v", label, i, expr, err)
					continue
				}
				got, err := x.Eval(mustParse(t, a.Data))
				if err != nil {
					t.Errorf("%s #%d: %s on %s: %v", label, i, expr, a.Data, err)
					continue
				}
				want := mustParse(t, a.Expected)
				if !equal(got, want) {
					t.Errorf("%s #%d (%s): %s on %s: got %v, want %v", label, i, a.Message, expr, a.Data, got, want)
				}
			}
		}
	}
	t.Logf("testSuite: %d assertions as expected, %d marked skip upstream", ran, skipped)
	if ran < 200 {
		t.Errorf("only %d assertions ran", ran)
	}
}

// checkSkipped checks what the specification says of the assertions
// upstream skips: "in" over a non-array right-hand side is an error; the
// patched reduce's lambda sees no "data" key, so data.z is null.
func checkSkipped(t *testing.T, file string, expr, data json.RawMessage) {
	x, err := CompileJSON(expr)
	if err != nil {
		t.Errorf("%s: skipped assertion does not compile: %v", file, err)
		return
	}
	_, err = x.Eval(mustParse(t, data))
	switch file {
	case "ins-with-nulls.json":
		if !errors.Is(err, ErrEval) {
			t.Errorf("%s: in over %s: got %v, want an evaluation error", file, data, err)
		}
	case "patched-reduce.json":
		if err != nil {
			t.Errorf("%s: %s: %v", file, data, err)
		}
	default:
		t.Errorf("%s: unexpected skip directive", file)
	}
}

type validationSuite struct {
	Name  string `json:"name"`
	Cases []struct {
		Name       string          `json:"name"`
		Directive  string          `json:"directive"`
		Expression json.RawMessage `json:"certLogicExpression"`
		Issues     []struct {
			Expr    json.RawMessage `json:"expr"`
			Message string          `json:"message"`
		} `json:"issues"`
	} `json:"cases"`
}

// TestValidationSuite runs every case of validation-testSuite/: the same
// issues, with the same messages, on the same sub-expressions.
func TestValidationSuite(t *testing.T) {
	n := 0
	for name, b := range readJSONFiles(t, "validation-testSuite") {
		var s validationSuite
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i, c := range s.Cases {
			n++
			if c.Directive == "skip" {
				t.Errorf("%s #%d: skip directive not expected", name, i)
			}
			got := Validate(mustParse(t, c.Expression))
			if len(got) != len(c.Issues) {
				t.Errorf("%s #%d %s: got issues %v, want %d", name, i, c.Expression, got, len(c.Issues))
				continue
			}
			for j, want := range c.Issues {
				if got[j].Message != want.Message || !equal(got[j].Expr, mustParse(t, want.Expr)) {
					t.Errorf("%s #%d %s: issue %d: got %q on %v, want %q on %s", name, i, c.Expression, j, got[j].Message, got[j].Expr, want.Message, want.Expr)
				}
			}
			if _, err := Compile(mustParse(t, c.Expression)); (err == nil) != (len(c.Issues) == 0) {
				t.Errorf("%s #%d: Compile: %v, want issues %d", name, i, err, len(c.Issues))
			}
		}
	}
	t.Logf("validation-testSuite: %d cases as expected", n)
	if n < 20 {
		t.Errorf("only %d cases", n)
	}
}
