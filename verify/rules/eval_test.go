package rules

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func evalJSON(t *testing.T, expr, data string) (any, error) {
	t.Helper()
	x, err := CompileJSON([]byte(expr))
	if err != nil {
		t.Fatalf("compile %s: %v", expr, err)
	}
	return x.Eval(mustParse(t, []byte(data)))
}

// TestPlusTime checks the specification's leap-day table, every date-time
// format it lists, and millisecond truncation.
func TestPlusTime(t *testing.T) {
	tests := []struct {
		date   string
		amount int
		unit   string
		want   string
	}{
		{"2020-02-29", 1, "day", "2020-03-01T00:00:00.000Z"},
		{"2020-02-29", 1, "month", "2020-03-29T00:00:00.000Z"},
		{"2020-02-29", 1, "year", "2021-03-01T00:00:00.000Z"},
		{"2021-01-31", 1, "month", "2021-03-03T00:00:00.000Z"},
		{"2021", 0, "day", "2021-12-31T00:00:00.000Z"},
		{"2021-02", 0, "day", "2021-02-28T00:00:00.000Z"},
		{"2020-02", 0, "day", "2020-02-29T00:00:00.000Z"},
		{"2021-06-01T10:00:00", 2, "hour", "2021-06-01T12:00:00.000Z"},
		{"2021-06-01T10:00:00Z", -11, "hour", "2021-05-31T23:00:00.000Z"},
		{"2021-06-01T10:00:00+2", 0, "hour", "2021-06-01T08:00:00.000Z"},
		{"2021-06-01T10:00:00+02", 0, "hour", "2021-06-01T08:00:00.000Z"},
		{"2021-06-01T10:00:00+130", 0, "hour", "2021-06-01T08:30:00.000Z"},
		{"2021-06-01T10:00:00-0130", 0, "hour", "2021-06-01T11:30:00.000Z"},
		{"2021-06-01T10:00:00+1:30", 0, "hour", "2021-06-01T08:30:00.000Z"},
		{"2021-06-01T10:00:00+01:30", 0, "hour", "2021-06-01T08:30:00.000Z"},
		{"2021-06-01T10:00:00.1", 0, "hour", "2021-06-01T10:00:00.100Z"},
		{"2021-06-01T10:00:00.123999Z", 0, "hour", "2021-06-01T10:00:00.123Z"},
		{"2021-06-01T10:00:00.5+02:00", 0, "hour", "2021-06-01T08:00:00.500Z"},
		{"2021-03-28T00:00:00+01:00", 1, "day", "2021-03-28T23:00:00.000Z"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s%+d%s", tt.date, tt.amount, tt.unit), func(t *testing.T) {
			got, err := evalJSON(t, fmt.Sprintf(`{"plusTime":[{"var":""},%d,%q]}`, tt.amount, tt.unit), fmt.Sprintf("%q", tt.date))
			if err != nil {
				t.Fatal(err)
			}
			if d, ok := got.(DateTime); !ok || d.String() != tt.want {
				t.Errorf("got %v, want %s", got, tt.want)
			}
		})
	}
	for _, s := range []string{"", "21", "2021-13", "2021-02-30", "2021-06-01T25:00:00", "2021-06-01T10:00", "2021-06-01T10:00:00+", "2021-06-01T10:00:00.", "2021-06-01 10:00:00", "2021-06-01T10:00:00+12345"} {
		if _, err := evalJSON(t, `{"plusTime":[{"var":""},0,"day"]}`, fmt.Sprintf("%q", s)); !errors.Is(err, ErrEval) {
			t.Errorf("plusTime %q: got %v, want an evaluation error", s, err)
		}
	}
}

// TestErrors checks type mismatches and null handling that the suites do
// not cover.
func TestErrors(t *testing.T) {
	tests := []struct {
		expr, data string
		want       string // "" for an error
	}{
		{`{"+":[{"var":"a"},1]}`, `{"a":null}`, ""},
		{`{"<":[{"var":"a"},1]}`, `{"a":"1"}`, ""},
		{`{"after":[{"var":"a"},{"plusTime":["2021",0,"day"]}]}`, `{"a":"2021"}`, ""},
		{`{"if":[{"plusTime":["2021",0,"day"]},1,2]}`, `{}`, ""},
		{`{"!":[{"var":"a"}]}`, `{"a":1.5}`, ""},
		{`{"and":[true,{"var":"a"}]}`, `{"a":1.5}`, ""},
		{`{"reduce":[{"var":"a"},1,0]}`, `{"a":"x"}`, ""},
		{`{"extractFromUVCI":[{"var":"a"},0]}`, `{"a":1}`, ""},
		{`{"dccDateOfBirth":[{"var":"a"}]}`, `{"a":null}`, ""},
		{`{"plusTime":[{"var":"a"},0,"day"]}`, `{"a":null}`, ""},
		{`{"in":[1,{"var":"a"}]}`, `{"a":{}}`, ""},
		{`{"!":[{"var":"a"}]}`, `{"a":null}`, "true"},
		{`{"===":[{"var":"a"},{"var":"b"}]}`, `{"a":[1,{"x":2}],"b":[1,{"x":2.0}]}`, "true"},
		{`{"===":[{"var":"a"},{"var":"b"}]}`, `{"a":null,"b":null}`, "true"},
		{`{"===":[{"var":"a"},{"var":"b"}]}`, `{"a":0,"b":false}`, "false"},
		{`{">":[3,2,1]}`, `{}`, "true"},
		{`{">=":[3,3,4]}`, `{}`, "false"},
		{`{"not-before":[{"plusTime":["2021-01-02",0,"day"]},{"plusTime":["2021-01-01",24,"hour"]},{"plusTime":["2021",-364,"day"]}]}`, `{}`, "true"},
		{`{"dccDateOfBirth":["1990-02"]}`, `{}`, `"1990-02-28T00:00:00.000Z"`},
		{`{"extractFromUVCI":["URN:UVCI:01:VN:X",-5]}`, `{}`, "null"},
		{`{"reduce":[[1,2,3],{"+":[{"var":"accumulator"},{"var":"current"}]},{"var":"n"}]}`, `{"n":10}`, "16"},
	}
	for _, tt := range tests {
		t.Run(tt.expr+" "+tt.data, func(t *testing.T) {
			got, err := evalJSON(t, tt.expr, tt.data)
			if tt.want == "" {
				if !errors.Is(err, ErrEval) {
					t.Errorf("got %v, %v; want an evaluation error", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !equal(got, mustParse(t, []byte(tt.want))) && fmt.Sprintf("%q", fmt.Sprint(got)) != tt.want {
				t.Errorf("got %v, want %s", got, tt.want)
			}
		})
	}
}

// TestBounds: too deep, too large and too long evaluations are refused.
func TestBounds(t *testing.T) {
	deep := strings.Repeat(`{"!":[`, MaxDepth+1) + "true" + strings.Repeat("]}", MaxDepth+1)
	if _, err := CompileJSON([]byte(deep)); !errors.Is(err, ErrInvalid) {
		t.Errorf("depth %d: got %v, want ErrInvalid", MaxDepth+1, err)
	}
	ok := strings.Repeat(`{"!":[`, MaxDepth) + "true" + strings.Repeat("]}", MaxDepth)
	if _, err := CompileJSON([]byte(ok)); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
	wide := "[" + strings.Repeat("1,", MaxNodes) + "1]"
	if _, err := CompileJSON([]byte(wide)); !errors.Is(err, ErrInvalid) {
		t.Errorf("%d nodes: got %v, want ErrInvalid", MaxNodes+2, err)
	}
	// A reduce nested in a reduce over 400 items: 160,000 steps.
	inner := `{"reduce":[{"var":"current"},{"+":[{"var":"accumulator"},1]},0]}`
	nested := `{"reduce":[{"var":"m"},{"+":[{"var":"accumulator"},` + inner + `]},0]}`
	row := "[" + strings.TrimSuffix(strings.Repeat("0,", 400), ",") + "]"
	data := `{"m":[` + strings.TrimSuffix(strings.Repeat(row+",", 400), ",") + `]}`
	if _, err := evalJSON(t, nested, data); !errors.Is(err, ErrEval) {
		t.Errorf("nested reduce: got %v, want the step limit", err)
	}
}
