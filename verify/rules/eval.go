package rules

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// MaxSteps bounds one evaluation: operations evaluated, reduce iterations
// included. Real rules take a few dozen.
const MaxSteps = 100000

// ErrEval means an evaluation failed: a type mismatch the validation could
// not see (an "in" over a non-array, a comparison of non-integers, a date
// string plusTime cannot read), or MaxSteps reached. For a rule this is a
// refusal, never an acceptance.
var ErrEval = errors.New("rules: evaluation error")

// Eval evaluates x on data (a value as ParseJSON gives it). It never panics.
func (x *Expr) Eval(data any) (v any, err error) {
	e := evaluator{}
	return x.root.eval(&e, data)
}

type evaluator struct{ steps int }

func (e *evaluator) step() error {
	e.steps++
	if e.steps > MaxSteps {
		return fmt.Errorf("%w: more than %d steps", ErrEval, MaxSteps)
	}
	return nil
}

func evalErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrEval, fmt.Sprintf(format, args...))
}

type node interface {
	eval(e *evaluator, data any) (any, error)
}

type lit struct{ v any }

func (n lit) eval(*evaluator, any) (any, error) { return n.v, nil }

type array struct{ items []node }

func (n array) eval(e *evaluator, data any) (any, error) {
	out := make([]any, len(n.items))
	for i, it := range n.items {
		v, err := it.eval(e, data)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// varAccess drills into the data context; anything missing is null.
type varAccess struct {
	keys  []string
	index []int // array index of each fragment, -1 if it is not one
}

func (n varAccess) eval(_ *evaluator, data any) (any, error) {
	cur := data
	for i, k := range n.keys {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[k]
		case []any:
			j := n.index[i]
			if j < 0 || j >= len(x) {
				return nil, nil
			}
			cur = x[j]
		default:
			return nil, nil
		}
	}
	return cur, nil
}

type ifThenElse struct{ guard, then, els node }

func (n ifThenElse) eval(e *evaluator, data any) (any, error) {
	if err := e.step(); err != nil {
		return nil, err
	}
	g, err := n.guard.eval(e, data)
	if err != nil {
		return nil, err
	}
	t, f := truthiness(g)
	switch {
	case t:
		return n.then.eval(e, data)
	case f:
		return n.els.eval(e, data)
	}
	return nil, evalErr("if-guard evaluates to %s, neither truthy nor falsy", describe(g))
}

// eval2 evaluates two operands.
func eval2(e *evaluator, data any, a, b node) (any, any, error) {
	if err := e.step(); err != nil {
		return nil, nil, err
	}
	x, err := a.eval(e, data)
	if err != nil {
		return nil, nil, err
	}
	y, err := b.eval(e, data)
	if err != nil {
		return nil, nil, err
	}
	return x, y, nil
}

type eq struct{ a, b node }

func (n eq) eval(e *evaluator, data any) (any, error) {
	x, y, err := eval2(e, data, n.a, n.b)
	if err != nil {
		return nil, err
	}
	return equal(x, y), nil
}

type in struct{ a, b node }

func (n in) eval(e *evaluator, data any) (any, error) {
	x, y, err := eval2(e, data, n.a, n.b)
	if err != nil {
		return nil, err
	}
	list, ok := y.([]any)
	if !ok {
		return nil, evalErr(`right-hand side of an "in" operation must be an array, not %s`, describe(y))
	}
	if xs, ok := x.(string); ok { // value sets: the common case
		for _, v := range list {
			if vs, ok := v.(string); ok && vs == xs {
				return true, nil
			}
		}
		return false, nil
	}
	for _, v := range list {
		if equal(x, v) {
			return true, nil
		}
	}
	return false, nil
}

type plus struct{ a, b node }

func (n plus) eval(e *evaluator, data any) (any, error) {
	x, y, err := eval2(e, data, n.a, n.b)
	if err != nil {
		return nil, err
	}
	l, ok1 := asInt(x)
	r, ok2 := asInt(y)
	if !ok1 || !ok2 {
		return nil, evalErr(`operands of "+" must be integers, not %s and %s`, describe(x), describe(y))
	}
	s := l + r
	if s > maxSafeInt || s < -maxSafeInt {
		return nil, evalErr(`"+" overflows`)
	}
	return s, nil
}

// and returns the first falsy operand, or the last; operands are evaluated
// lazily, in order, and each must be truthy or falsy.
type and struct{ args []node }

func (n and) eval(e *evaluator, data any) (any, error) {
	if err := e.step(); err != nil {
		return nil, err
	}
	var v any
	for _, a := range n.args {
		var err error
		if v, err = a.eval(e, data); err != nil {
			return nil, err
		}
		t, f := truthiness(v)
		if f {
			return v, nil
		}
		if !t {
			return nil, evalErr(`an operand of "and" evaluates to %s, neither truthy nor falsy`, describe(v))
		}
	}
	return v, nil
}

type not struct{ arg node }

func (n not) eval(e *evaluator, data any) (any, error) {
	if err := e.step(); err != nil {
		return nil, err
	}
	v, err := n.arg.eval(e, data)
	if err != nil {
		return nil, err
	}
	t, f := truthiness(v)
	if !t && !f {
		return nil, evalErr(`the operand of "!" evaluates to %s, neither truthy nor falsy`, describe(v))
	}
	return f, nil
}

// compare is <, >, <=, >= over integers and after, before, not-after,
// not-before over date-times, binary or ternary (a op b and b op c).
type compare struct {
	op    string
	args  []node
	dates bool
}

func (n compare) eval(e *evaluator, data any) (any, error) {
	if err := e.step(); err != nil {
		return nil, err
	}
	var vals [3]int64
	for i, a := range n.args {
		v, err := a.eval(e, data)
		if err != nil {
			return nil, err
		}
		if n.dates {
			d, ok := v.(DateTime)
			if !ok {
				return nil, evalErr("all operands of %q must be date-times, not %s", n.op, describe(v))
			}
			vals[i] = d.t.UnixMilli()
			continue
		}
		x, ok := asInt(v)
		if !ok {
			return nil, evalErr("all operands of %q must be integers, not %s", n.op, describe(v))
		}
		vals[i] = x
	}
	ok := cmp(n.op, vals[0], vals[1])
	if len(n.args) == 3 {
		ok = ok && cmp(n.op, vals[1], vals[2])
	}
	return ok, nil
}

func cmp(op string, a, b int64) bool {
	switch op {
	case "<", "before":
		return a < b
	case ">", "after":
		return a > b
	case "<=", "not-after":
		return a <= b
	default: // ">=", "not-before"
		return a >= b
	}
}

// reduce is a left fold over an array; over null it is the initial value.
type reduce struct{ operand, lambda, initial node }

func (n reduce) eval(e *evaluator, data any) (any, error) {
	if err := e.step(); err != nil {
		return nil, err
	}
	op, err := n.operand.eval(e, data)
	if err != nil {
		return nil, err
	}
	acc, err := n.initial.eval(e, data)
	if err != nil {
		return nil, err
	}
	if op == nil {
		return acc, nil
	}
	list, ok := op.([]any)
	if !ok {
		return nil, evalErr("the operand of reduce must be an array or null, not %s", describe(op))
	}
	for _, cur := range list {
		if err := e.step(); err != nil {
			return nil, err
		}
		if acc, err = n.lambda.eval(e, map[string]any{"current": cur, "accumulator": acc}); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

// uvci is extractFromUVCI: the index-th fragment of a UCI split on / # :,
// after an optional URN:UVCI: prefix; null when there is none.
type uvci struct {
	arg   node
	index int64
}

func (n uvci) eval(e *evaluator, data any) (any, error) {
	if err := e.step(); err != nil {
		return nil, err
	}
	v, err := n.arg.eval(e, data)
	if err != nil || v == nil {
		return nil, err
	}
	s, ok := v.(string)
	if !ok {
		return nil, evalErr("the operand of extractFromUVCI must be a string or null, not %s", describe(v))
	}
	s = strings.TrimPrefix(s, "URN:UVCI:")
	i := int64(0)
	start := 0
	for j := 0; j <= len(s); j++ {
		if j < len(s) && s[j] != '/' && s[j] != '#' && s[j] != ':' {
			continue
		}
		if i == n.index {
			return s[start:j], nil
		}
		i++
		start = j + 1
	}
	return nil, nil
}

// evalString counts a step, evaluates arg and requires a string; what names
// the operand in the error.
func evalString(e *evaluator, data any, arg node, what string) (string, error) {
	if err := e.step(); err != nil {
		return "", err
	}
	v, err := arg.eval(e, data)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", evalErr("%s must be a string, not %s", what, describe(v))
	}
	return s, nil
}

type plusTime struct {
	arg    node
	amount int64
	unit   string
}

func (n plusTime) eval(e *evaluator, data any) (any, error) {
	s, err := evalString(e, data, n.arg, "the date argument of plusTime")
	if err != nil {
		return nil, err
	}
	t, err := parseDateTime(s)
	if err != nil {
		return nil, err
	}
	if n.amount > math.MaxInt32 || n.amount < math.MinInt32 {
		return nil, evalErr("plusTime amount %d out of range", n.amount)
	}
	a := int(n.amount)
	switch n.unit {
	case "year":
		t = t.AddDate(a, 0, 0)
	case "month":
		t = t.AddDate(0, a, 0)
	case "day":
		t = t.AddDate(0, 0, a)
	case "hour":
		t = t.Add(timeHours(a))
	}
	if t.Year() < -271820 || t.Year() > 275759 {
		return nil, evalErr("plusTime result out of range")
	}
	return DateTime{t}, nil
}

type dob struct{ arg node }

func (n dob) eval(e *evaluator, data any) (any, error) {
	s, err := evalString(e, data, n.arg, "the operand of dccDateOfBirth")
	if err != nil {
		return nil, err
	}
	t, err := parseDOB(s)
	if err != nil {
		return nil, err
	}
	return DateTime{t}, nil
}
