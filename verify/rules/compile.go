package rules

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Bounds of an expression, checked by Compile.
const (
	// MaxDepth is the deepest nesting of operations and arrays accepted.
	MaxDepth = 64
	// MaxNodes is the most operations, literals and array items accepted.
	MaxNodes = 10000
)

// ErrInvalid means an expression is not valid CertLogic. Compile's errors
// wrap it, as *ValidationError.
var ErrInvalid = errors.New("rules: invalid CertLogic expression")

// Issue is one problem Validate found: the offending sub-expression and a
// message, as the specification's validation test suite names them.
type Issue struct {
	Expr    any    `json:"expr"`
	Message string `json:"message"`
}

// ValidationError lists every issue of an invalid expression.
type ValidationError struct{ Issues []Issue }

func (e *ValidationError) Error() string {
	msgs := make([]string, 0, len(e.Issues))
	for _, is := range e.Issues {
		msgs = append(msgs, is.Message)
	}
	return fmt.Sprintf("%v: %s", ErrInvalid, strings.Join(msgs, "; "))
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Expr is a validated, compiled CertLogic expression. It is immutable and
// safe for concurrent use.
type Expr struct {
	root  node
	nodes int
}

// Nodes returns the expression's size: operations, literals and array items.
func (x *Expr) Nodes() int { return x.nodes }

// Validate returns every issue of the expression v (a value as ParseJSON
// gives it); none means v is valid.
func Validate(v any) []Issue {
	c := compiler{}
	c.compile(v, 0)
	return c.issues
}

// Compile validates v and compiles it.
func Compile(v any) (*Expr, error) {
	c := compiler{}
	n := c.compile(v, 0)
	if len(c.issues) > 0 {
		return nil, &ValidationError{Issues: c.issues}
	}
	return &Expr{root: n, nodes: c.nodes}, nil
}

// CompileJSON parses and compiles an expression given as JSON.
func CompileJSON(b []byte) (*Expr, error) {
	v, err := ParseJSON(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return Compile(v)
}

type compiler struct {
	issues []Issue
	nodes  int
	full   bool // MaxNodes reported
}

func (c *compiler) fail(expr any, format string, args ...any) node {
	c.issues = append(c.issues, Issue{Expr: expr, Message: fmt.Sprintf(format, args...)})
	return nil
}

// Operators and how many operands each takes (max -1: no upper bound).
var arity = map[string][2]int{
	"if": {3, 3}, "===": {2, 2}, "in": {2, 2}, "+": {2, 2}, "and": {2, -1},
	"<": {2, 3}, ">": {2, 3}, "<=": {2, 3}, ">=": {2, 3},
	"after": {2, 3}, "before": {2, 3}, "not-after": {2, 3}, "not-before": {2, 3},
	"!": {1, 1}, "plusTime": {3, 3}, "reduce": {3, 3}, "extractFromUVCI": {2, 2}, "dccDateOfBirth": {1, 1},
}

// Time units of plusTime.
var timeUnits = map[string]bool{"year": true, "month": true, "day": true, "hour": true}

func (c *compiler) compile(v any, depth int) node {
	c.nodes++
	if c.nodes > MaxNodes {
		if !c.full {
			c.full = true
			c.fail(nil, "expression has more than %d nodes", MaxNodes)
		}
		return nil
	}
	if depth > MaxDepth {
		return c.fail(nil, "expression nested deeper than %d", MaxDepth)
	}
	switch x := v.(type) {
	case bool, string:
		return lit{v}
	case []any:
		items := make([]node, len(x))
		for i, e := range x {
			items[i] = c.compile(e, depth+1)
		}
		return array{items}
	case map[string]any:
		return c.operation(x, depth)
	case nil:
		return c.fail(v, "invalid CertLogic expression")
	}
	if i, ok := asInt(v); ok {
		return lit{i}
	}
	if f, ok := v.(float64); ok {
		return c.fail(v, "%s is a non-integer number", strconv.FormatFloat(f, 'f', -1, 64))
	}
	return c.fail(v, "invalid CertLogic expression")
}

func (c *compiler) operation(x map[string]any, depth int) node {
	if len(x) != 1 {
		return c.fail(x, "expression object must have exactly one key, but it has %d", len(x))
	}
	var op string
	var val any
	for op, val = range x {
	}
	if op == "var" {
		path, ok := val.(string)
		if !ok {
			return c.fail(x, `not of the form { "var": "<path>" }`)
		}
		n, ok := parsePath(path)
		if !ok {
			return c.fail(x, "data access path doesn't have a valid format: %s", path)
		}
		return n
	}
	args, ok := val.([]any)
	if !ok {
		return c.fail(x, `operation not of the form { "<operator>": [ <values...> ] }`)
	}
	ar, ok := arity[op]
	if !ok {
		return c.fail(x, "unrecognised operator: %q", op)
	}
	if len(args) < ar[0] || ar[1] >= 0 && len(args) > ar[1] {
		want := strconv.Itoa(ar[0])
		switch {
		case ar[1] < 0:
			want = "at least " + want
		case ar[1] != ar[0]:
			want = fmt.Sprintf("%d or %d", ar[0], ar[1])
		}
		return c.fail(x, "an operation with operator %q must have %s operands, not %d", op, want, len(args))
	}
	switch op {
	case "plusTime":
		amount, ok := asInt(args[1])
		if !ok {
			return c.fail(x, "the amount of a plusTime operation must be an integer literal")
		}
		unit, _ := args[2].(string)
		if !timeUnits[unit] {
			return c.fail(x, `the time unit of a plusTime operation must be one of "year", "month", "day", "hour"`)
		}
		c.nodes += 2
		return plusTime{arg: c.compile(args[0], depth+1), amount: amount, unit: unit}
	case "extractFromUVCI":
		index, ok := asInt(args[1])
		if !ok {
			return c.fail(x, "the index of an extractFromUVCI operation must be an integer literal")
		}
		c.nodes++
		return uvci{arg: c.compile(args[0], depth+1), index: index}
	}
	ns := make([]node, len(args))
	for i, a := range args {
		ns[i] = c.compile(a, depth+1)
	}
	switch op {
	case "if":
		return ifThenElse{ns[0], ns[1], ns[2]}
	case "===":
		return eq{ns[0], ns[1]}
	case "in":
		return in{ns[0], ns[1]}
	case "+":
		return plus{ns[0], ns[1]}
	case "and":
		return and{ns}
	case "!":
		return not{ns[0]}
	case "reduce":
		return reduce{ns[0], ns[1], ns[2]}
	case "dccDateOfBirth":
		return dob{ns[0]}
	}
	return compare{op: op, args: ns, dates: !strings.ContainsAny(op[:1], "<>")}
}

// parsePath splits a var path into its fragments: "" is the whole data
// context; otherwise fragments are non-empty and separated by single dots.
func parsePath(path string) (node, bool) {
	if path == "" {
		return varAccess{}, true
	}
	parts := strings.Split(path, ".")
	v := varAccess{keys: parts, index: make([]int, len(parts))}
	for i, p := range parts {
		if p == "" || strings.ContainsAny(p, " \t\r\n") {
			return nil, false
		}
		v.index[i] = -1
		if n, err := strconv.Atoi(p); err == nil && n >= 0 && strconv.Itoa(n) == p {
			v.index[i] = n
		}
	}
	return v, true
}
