package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// certlogicSuite is the CertLogic specification's folder.
var certlogicSuite = filepath.Join(trustTestdata, "certlogic")

func writeTemp(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// oneDemoRule writes the demo rule with this Identifier to its own file.
func oneDemoRule(t *testing.T, dir, id string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "configs", "rules", "vn-entry.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rs []json.RawMessage
	if err := json.Unmarshal(b, &rs); err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if strings.Contains(string(r), `"Identifier": "`+id+`"`) {
			return writeTemp(t, dir, id+".json", string(r))
		}
	}
	t.Fatalf("no rule %s", id)
	return ""
}

func TestRulesEval(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	// A case of the specification's test suite, as files.
	suite, err := os.ReadFile(filepath.Join(certlogicSuite, "testSuite", "recognising-minors-with-DCC-DOB.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Cases []struct {
			Expr       json.RawMessage `json:"certLogicExpression"`
			Assertions []struct {
				Data     json.RawMessage `json:"data"`
				Expected json.RawMessage `json:"expected"`
			} `json:"assertions"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(suite, &s); err != nil {
		t.Fatal(err)
	}
	expr := writeTemp(t, dir, "expr.json", string(s.Cases[0].Expr))
	for i, a := range s.Cases[0].Assertions {
		data := writeTemp(t, dir, "data.json", string(a.Data))
		code, out, errs := trustRun(t, now, "rules", "eval", "--rule", expr, "--data", data)
		if code != exitOK || strings.TrimSpace(out) != string(a.Expected) {
			t.Errorf("assertion %d: exit %d, %q (%s), want %s", i, code, out, errs, a.Expected)
		}
	}

	// An EU rule: its Logic is evaluated.
	rule := oneDemoRule(t, dir, "TR-VN-0001")
	for data, want := range map[string]string{
		`{"payload":{"t":[{"tt":"LP217198-3"}]},"external":{}}`: "false",
		`{"payload":{"t":[{"tt":"LP6464-4"}]},"external":{}}`:   "true",
		`{"payload":{"v":[{"dn":2}]},"external":{}}`:            "true",
	} {
		code, out, errs := trustRun(t, now, "rules", "eval", "--rule", rule, "--data", writeTemp(t, dir, "d.json", data))
		if code != exitOK || strings.TrimSpace(out) != want {
			t.Errorf("%s: exit %d, %q (%s), want %s", data, code, out, errs, want)
		}
	}
	// A date-time result prints as ISO 8601 with milliseconds.
	code, out, _ := trustRun(t, now, "rules", "eval", "--rule", writeTemp(t, dir, "pt.json", `{"plusTime":[{"var":"d"},1,"year"]}`),
		"--data", writeTemp(t, dir, "d.json", `{"d":"2020-02-29"}`))
	if code != exitOK || strings.TrimSpace(out) != `"2021-03-01T00:00:00.000Z"` {
		t.Errorf("plusTime: exit %d, %q", code, out)
	}

	bad := []struct{ name, rule, data, want string }{
		{"invalid expression", `{"or":[true,false]}`, `{}`, "unrecognised operator"},
		{"invalid rule", strings.Replace(readFile(t, rule), `"Test"`, `"Exam"`, 1), `{}`, "CertificateType"},
		{"data not JSON", `{"var":"x"}`, `{"x":`, "not JSON"},
		{"evaluation error", `{"in":["a",{"var":"x"}]}`, `{"x":"abc"}`, "evaluation error"},
	}
	for _, tt := range bad {
		code, out, errs := trustRun(t, now, "rules", "eval", "--rule", writeTemp(t, dir, "bad.json", tt.rule), "--data", writeTemp(t, dir, "bd.json", tt.data))
		if code != exitUsage || out != "" || !strings.Contains(errs, tt.want) {
			t.Errorf("%s: exit %d, out %q, err %q; want exit 2 with %q", tt.name, code, out, errs, tt.want)
		}
	}
	// A rule file with one rule in an array is that rule; with several, an error.
	g2 := filepath.Join("..", "..", "configs", "rules", "venue-2g.json")
	adult := writeTemp(t, dir, "adult.json", `{"payload":{"dob":"1990","t":[{"tt":"LP6464-4"}]},"external":{"validationClock":"2026-06-01T00:00:00Z"}}`)
	if code, out, errs := trustRun(t, now, "rules", "eval", "--rule", g2, "--data", adult); code != exitOK || strings.TrimSpace(out) != "false" {
		t.Errorf("2G, an adult's test: exit %d, %q (%s), want false", code, out, errs)
	}
	vn := filepath.Join("..", "..", "configs", "rules", "vn-entry.json")
	if code, _, errs := trustRun(t, now, "rules", "eval", "--rule", vn, "--data", adult); code != exitUsage || !strings.Contains(errs, "holds 7 rules") {
		t.Errorf("a rule set: exit %d, %s", code, errs)
	}
	if code, out, _ := trustRun(t, now, "rules", "eval", "--rule", writeTemp(t, dir, "arr.json", `[1,{"var":"x"}]`), "--data", writeTemp(t, dir, "x.json", `{"x":"y"}`)); code != exitOK || strings.TrimSpace(out) != `[1,"y"]` {
		t.Errorf("an array expression: exit %d, %q", code, out)
	}
	if code, _, _ := trustRun(t, now, "rules", "eval", "--rule", expr); code != exitUsage {
		t.Errorf("no --data: exit %d", code)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRulesCheck(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	vn := filepath.Join("..", "..", "configs", "rules", "vn-entry.json")
	g2 := filepath.Join("..", "..", "configs", "rules", "venue-2g.json")
	code, out, errs := trustRun(t, now, "rules", "check", vn, g2, writeTemp(t, dir, "e.json", `{"!":[{"var":"x"}]}`))
	if code != exitOK || !strings.Contains(out, "7 rules (GR-VN-0001, VR-VN-0001") || !strings.Contains(out, "1 rule (GR-VN-0100)") || !strings.Contains(out, "expression of 2 nodes") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	badRule := strings.Replace(readFile(t, oneDemoRule(t, dir, "VR-VN-0001")), `">="`, `"≥"`, 1)
	code, out, _ = trustRun(t, now, "rules", "check", vn, writeTemp(t, dir, "bad.json", badRule))
	if code != exitUsage || !strings.Contains(out, "INVALID") || !strings.Contains(out, `unrecognised operator: "≥"`) {
		t.Fatalf("bad rule: exit %d: %s", code, out)
	}
}

// TestRulesInBundle: chot trust build takes rule files (and refuses a bad
// one); chot verify applies the bundle's rule sets for a policy mode that
// names them, and a refusal names the rule.
func TestRulesInBundle(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	vn := filepath.Join("..", "..", "configs", "rules", "vn-entry.json")
	policy := writeTemp(t, dir, "policy.yaml", "version: 1\nmodes:\n  entry:\n    test: {max_hours_since_sample: 72}\n    rule_sets: [vn-entry]\n    country: VN\n")
	if code, _, errs := trustRun(t, now, "trust", "keygen", "--out", p("root.key")); code != exitOK {
		t.Fatal(errs)
	}
	dcc := []string{"issue", "dcc", "--key", p("dsc.key"), "--cert", p("dsc.pem"), "--country", "VN", "--type", "test"}
	if code, _, errs := trustRun(t, now, append(dcc, "--gen-key", "--test-kind", "rat", "--date", "2026-06-01T00:00:00Z", "--out", p("rat.txt"))...); code != exitOK {
		t.Fatal(errs)
	}
	if code, _, errs := trustRun(t, now, append(dcc, "--test-kind", "naat", "--date", "2026-06-01T00:00:00Z", "--out", p("pcr.txt"))...); code != exitOK {
		t.Fatal(errs)
	}
	build := []string{"trust", "build", "--version", "1", "--key", p("root.key"), "--cert", p("dsc.pem"), "--policy", policy, "--out", p("b.cose")}
	badRule := writeTemp(t, dir, "bad.json", strings.Replace(readFile(t, vn), `"if"`, `"iff"`, 1))
	if code, _, errs := trustRun(t, now, append(build, "--rules", "vn-entry="+badRule)...); code != exitUsage || !strings.Contains(errs, `unrecognised operator: "iff"`) {
		t.Fatalf("bad rule file: exit %d: %s", code, errs)
	}
	if code, _, errs := trustRun(t, now, build...); code != exitUsage || !strings.Contains(errs, `rule set "vn-entry" not in the bundle`) {
		t.Fatalf("missing rule set: exit %d: %s", code, errs)
	}
	if code, _, errs := trustRun(t, now, append(build, "--rules", "vn-entry="+vn)...); code != exitOK {
		t.Fatalf("build: %s", errs)
	}
	if code, out, errs := trustRun(t, now, "trust", "inspect", "--root", p("root.pub"), p("b.cose")); code != exitOK || !strings.Contains(out, "EU rules vn-entry for VN") {
		t.Errorf("inspect: exit %d: %s %s", code, out, errs)
	}
	verify := func(text string) map[string]any {
		t.Helper()
		_, out, errs := trustRun(t, now, "verify", "--trust", p("b.cose"), "--root", p("root.pub"), "--policy", policy, "--json", text)
		var o map[string]any
		if err := json.Unmarshal([]byte(out), &o); err != nil {
			t.Fatalf("%s: %v (%s)", out, err, errs)
		}
		return o
	}
	if o := verify(p("pcr.txt")); o["decision"] != "accept" {
		t.Errorf("PCR test: %v", o)
	}
	if o := verify(p("rat.txt")); o["decision"] != "reject" || o["reason"] != "policy" || o["rule"] != "TR-VN-0001" {
		t.Errorf("antigen test: %v", o)
	}
	if o := verify(p("rat.txt")); !strings.Contains(fmt.Sprint(o["rule_description"]), "Chỉ chấp nhận xét nghiệm PCR") {
		t.Errorf("antigen test: no Vietnamese description in %v", o["rule_description"])
	}
	// Without the bundle, the mode's rule sets are not loaded: refused.
	_, out, _ := trustRun(t, now, "verify", "--cert", p("dsc.pem"), "--policy", policy, "--json", p("pcr.txt"))
	if !strings.Contains(out, `"rule":"rule_sets"`) {
		t.Errorf("no bundle: %s", out)
	}
}
