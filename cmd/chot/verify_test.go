package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/dcc/dcctest"
	"github.com/chot-dev/chot/verify/trust"
)

// runCLI runs chot in-process and returns its exit code and output.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), &env{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, args: args,
		now: func() time.Time { t.Fatal("the CLI read the wall clock although --at was given"); return time.Time{} },
	})
	return code, out.String(), errOut.String()
}

// TestVerifyCLIConformance runs every case of the EU DCC conformance suite
// through `chot verify --json` and checks that the CLI agrees with the
// conformance test: the same result as the verifier called directly, and each
// step flag as expected (but for the cases listed as wrong upstream).
func TestVerifyCLIConformance(t *testing.T) {
	root := dcctest.Root(2)
	cases, err := dcctest.LoadCases(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 582 {
		t.Fatalf("loaded %d cases, want 582", len(cases))
	}
	wrong, err := dcctest.KnownWrong(filepath.Join("..", "..", "verify", "dcc", "testdata", "known-wrong.csv"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	vsDir := filepath.Join(root, "..", "valuesets")
	vs, err := trust.LoadValueSets(vsDir)
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier()
	var compared, agreed int
	for i := range cases {
		c := &cases[i]
		certFile := filepath.Join(dir, "dsc.der")
		if err := os.WriteFile(certFile, c.Cert, 0o644); err != nil {
			t.Fatal(err)
		}
		at := c.Clock.UTC().Format(time.RFC3339Nano)
		code, stdout, stderr := runCLI(t, "", "verify", "--json", "--signer-validity", "strict", "--valuesets", vsDir, "--cert", certFile, "--at", at, "--text", c.Prefix)
		var got verifyOutput
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Errorf("%s: exit %d, output %q, stderr %q: %v", c.Path, code, stdout, stderr, err)
			continue
		}
		key, err := trust.KeyFromDSC(c.Cert, "")
		if err != nil {
			t.Fatalf("%s: %v", c.Path, err)
		}
		want := v.Verify(verify.Input{Texts: []string{c.Prefix}, Trust: trust.Merge(trust.NewKeyStore([]*verify.Key{key}, nil), vs), Now: c.Clock,
			CredentialOnly: true, Options: verify.Options{SignerValidity: verify.SignerStrict}})
		wantCode := exitReject
		if want.Decision == verify.Accept {
			wantCode = exitOK
		}
		if code != wantCode || got.Decision != want.Decision || got.Reason != want.Reason || got.Format != want.Format {
			t.Errorf("%s: CLI exit %d %s/%s, direct %s/%s", c.Path, code, got.Decision, got.Reason, want.Decision, want.Reason)
		}
		for s, o := range want.Steps {
			if got.Steps[s] != o {
				t.Errorf("%s: CLI step %s = %s, direct %s", c.Path, s, got.Steps[s], o)
			}
		}
		for flag, exp := range c.Expected {
			step, ok := dcctest.StepOfFlag[flag]
			if !ok {
				continue
			}
			compared++
			if dcctest.FlagOutcome(flag, got.Steps) == exp {
				agreed++
			} else if _, listed := wrong[c.Path][flag]; !listed {
				t.Errorf("%s: %s expected %v, CLI step %s = %q", c.Path, flag, exp, step, got.Steps[step])
			}
		}
	}
	t.Logf("chot verify --json: %d cases, %d step flags compared, %d agreed, the rest listed as wrong upstream", len(cases), compared, agreed)
}

func TestVerifyCLIUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no input", []string{"verify", "--at", "2021-06-01"}, exitUsage, "usage"},
		{"bad time", []string{"verify", "--at", "yesterday", "--text", "HC1:x"}, exitUsage, "--at"},
		{"missing file", []string{"verify", "--at", "2021-06-01", "/nonexistent.png"}, exitUsage, "no such file"},
		{"root without bundle", []string{"verify", "--at", "2021-06-01", "--root", "r.pub", "--text", "HC1:x"}, exitUsage, "--root without --trust"},
		{"bad jwks flag", []string{"verify", "--at", "2021-06-01", "--jwks", "nofile", "--text", "HC1:x"}, exitUsage, "ISSUER_URL=FILE"},
		{"garbage is a reject, not an error", []string{"verify", "--at", "2021-06-01", "--text", "hello"}, exitReject, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.err) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr, tt.code, tt.err)
			}
		})
	}
}

// TestVerifyCLIStdin checks that stdin takes one code a line and gathers the
// chunks of a SMART Health Card into one credential.
func TestVerifyCLIStdin(t *testing.T) {
	chunks, err := filepath.Glob(filepath.Join(dcctest.Root(2), "..", "shc", "spec-examples", "example-02-f-qr-code-numeric-value-*.txt"))
	if err != nil || len(chunks) != 3 {
		t.Fatalf("SHC example 02 chunks: %v %v", chunks, err)
	}
	var in strings.Builder
	for i := len(chunks) - 1; i >= 0; i-- { // out of order
		b, err := os.ReadFile(chunks[i])
		if err != nil {
			t.Fatal(err)
		}
		in.Write(b)
		in.WriteString("\n")
	}
	in.WriteString("HC1:NOT-A-PASS\n")
	jwks := "https://spec.smarthealth.cards/examples/issuer=" + filepath.Join(dcctest.Root(2), "..", "shc", "spec-examples", "issuer", ".well-known", "jwks.json")
	code, stdout, stderr := runCLI(t, in.String(), "verify", "--json", "--jwks", jwks, "--at", "2023-06-23T00:00:00Z", "-")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != exitReject || len(lines) != 2 {
		t.Fatalf("exit %d, %d results (stderr %q); want 1 (one reject) and 2 results", code, len(lines), stderr)
	}
	var dccOut, shcOut verifyOutput
	_ = json.Unmarshal([]byte(lines[0]), &dccOut)
	_ = json.Unmarshal([]byte(lines[1]), &shcOut)
	if dccOut.Reason != verify.ReasonBadBase45 {
		t.Errorf("broken DCC line: %s, want bad_base45", dccOut.Reason)
	}
	if shcOut.Decision != verify.Accept || shcOut.Format != verify.FormatSHC || shcOut.Signature != sigValid {
		t.Errorf("SHC from 3 chunks: %+v, want an accepted shc with a valid signature", shcOut)
	}
}

func TestSelftestFake(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
		args: []string{"selftest", "--fake"}, now: time.Now})
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out.String(), errOut.String())
	}
	for _, step := range []string{"relay", "sound", "led", "camera"} {
		if !strings.Contains(strings.ToLower(out.String()), step) {
			t.Errorf("no %s step reported:\n%s", step, out.String())
		}
	}
}

func TestSelftestUnknownPins(t *testing.T) {
	var out bytes.Buffer
	code := run(context.Background(), &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out,
		args: []string{"selftest", "--relay", "GPIO999", "--led", "NOPE"}, now: time.Now})
	if code != exitReject || !strings.Contains(out.String(), "GPIO999") || !strings.Contains(out.String(), "NOPE") {
		t.Errorf("exit %d, output %q: want a failure naming both unknown pins", code, out.String())
	}
}
