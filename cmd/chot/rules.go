package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/rules"
	"github.com/chot-dev/chot/verify/trust"
)

// maxRulesInput caps a rule or data file read by `chot rules`.
const maxRulesInput = 16 << 20

// rulesCommands are the subcommands of `chot rules`.
var rulesCommands = map[string]command{
	"eval":  {"evaluate one CertLogic rule or expression: --rule FILE --data FILE", cmdRulesEval},
	"check": {"validate EU rule files (or bare CertLogic expressions): FILE...", cmdRulesCheck},
}

func cmdRules(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stderr, "usage: chot rules SUBCOMMAND [flags] [args]\n\nsubcommands:")
		for _, n := range []string{"check", "eval"} {
			fmt.Fprintf(e.stderr, "  %-6s %s\n", n, rulesCommands[n].summary)
		}
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c, ok := rulesCommands[args[0]]
	if !ok {
		return fail(e, "rules: unknown subcommand %q", args[0])
	}
	return c.run(ctx, e, args[1:])
}

// readInput reads a file, or stdin for "-", up to maxRulesInput.
func readInput(e *env, path string) ([]byte, error) {
	var r io.Reader = e.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxRulesInput+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxRulesInput {
		return nil, fmt.Errorf("%s: over %d bytes", path, maxRulesInput)
	}
	return b, nil
}

// oneRule unwraps a rule file that is an array of rules: one rule is taken,
// several are an error (eval takes one). Anything else is returned as is.
func oneRule(b []byte) ([]byte, error) {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || t[0] != '[' {
		return b, nil
	}
	var list []json.RawMessage
	if json.Unmarshal(t, &list) != nil || len(list) == 0 || !isRuleJSON(list[0]) {
		return b, nil // a bare expression (an array literal)
	}
	if len(list) > 1 {
		return nil, fmt.Errorf("holds %d rules; eval takes one (chot rules check lists them)", len(list))
	}
	return list[0], nil
}

// isRuleJSON tells an EU rule (an object with a Logic) from a bare
// expression.
func isRuleJSON(b []byte) bool {
	var probe map[string]json.RawMessage
	if json.Unmarshal(b, &probe) != nil {
		return false
	}
	_, ok := probe["Logic"]
	return ok
}

func cmdRulesEval(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "rules eval")
	rulePath := fs.String("rule", "", "an EU rule JSON (its Logic is evaluated) or a bare CertLogic expression; - for stdin")
	dataPath := fs.String("data", "", `the data the rule sees, e.g. {"payload": …, "external": …}; - for stdin`)
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	if *rulePath == "" || *dataPath == "" || fs.NArg() > 0 || *rulePath == "-" && *dataPath == "-" {
		return fail(e, "rules eval: usage: chot rules eval --rule FILE --data FILE")
	}
	rb, err := readInput(e, *rulePath)
	if err != nil {
		return fail(e, "rules eval: %v", err)
	}
	var expr *rules.Expr
	if rb, err = oneRule(rb); err != nil {
		return fail(e, "rules eval: %s: %v", *rulePath, err)
	}
	if isRuleJSON(rb) {
		r, err := rules.ParseRule(rb)
		if err != nil {
			return fail(e, "rules eval: %s: %v", *rulePath, err)
		}
		expr = r.Expr()
	} else if expr, err = rules.CompileJSON(rb); err != nil {
		return fail(e, "rules eval: %s: %v", *rulePath, err)
	}
	db, err := readInput(e, *dataPath)
	if err != nil {
		return fail(e, "rules eval: %v", err)
	}
	data, err := rules.ParseJSON(db)
	if err != nil {
		return fail(e, "rules eval: %s: not JSON: %v", *dataPath, err)
	}
	v, err := expr.Eval(data)
	if err != nil {
		return fail(e, "rules eval: %v", err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return fail(e, "rules eval: %v", err)
	}
	fmt.Fprintf(e.stdout, "%s\n", out)
	return exitOK
}

func cmdRulesCheck(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "rules check")
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	if fs.NArg() == 0 {
		return fail(e, "rules check: usage: chot rules check FILE...")
	}
	code := exitOK
	for _, path := range fs.Args() {
		b, err := readInput(e, path)
		if err == nil {
			err = checkRuleFile(e, path, b)
		}
		if err != nil {
			fmt.Fprintf(e.stdout, "INVALID %s: %v\n", path, err)
			code = exitUsage
		}
	}
	return code
}

// checkRuleFile validates a rule file, or a bare expression, and prints
// what it holds.
func checkRuleFile(e *env, path string, b []byte) error {
	t := bytes.TrimSpace(b)
	isRules := len(t) > 0 && t[0] == '[' && bytes.Contains(t, []byte(`"Logic"`)) || isRuleJSON(t)
	if !isRules {
		x, err := rules.CompileJSON(t)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "ok %s: a CertLogic expression of %d nodes\n", path, x.Nodes())
		return nil
	}
	rs, err := rules.ParseRules(t)
	if err != nil {
		return err
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.Identifier
	}
	noun := "rules"
	if len(rs) == 1 {
		noun = "rule"
	}
	fmt.Fprintf(e.stdout, "ok %s: %d %s (%s)\n", path, len(rs), noun, strings.Join(ids, ", "))
	return nil
}

// bindBundleRules lets a policy file's rule_sets use the rule sets of the
// trust bundle given with --trust; without one they stay unbound, and the
// mode refuses every credential (verify.RuleSetsNotLoaded).
func bindBundleRules(p *verify.Policy, ts verify.TrustStore) {
	if s, ok := ts.(*trust.Store); ok && p != nil && len(p.RuleSets) > 0 && s.Rules() != nil {
		p.Rules = s.Rules()
	}
}
