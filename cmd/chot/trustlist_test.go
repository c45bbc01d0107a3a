package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/dcc/dcctest"
)

var covpassDir = filepath.Join("..", "..", "..", "shared", "testdata", "trustlists", "covpass-ios")

// TestVerifyTrustList: `chot verify --trustlist FILE --trustlist-key KEY`
// takes the German gateway's signed list only with its own key, refuses it
// with exit 2 (nothing trusted) otherwise, and says how many keys it took.
func TestVerifyTrustList(t *testing.T) {
	list := filepath.Join(covpassDir, "DEMO-CA-dsc.signed.6a5457e9.json")
	demo := filepath.Join(covpassDir, "DEMO-CA-pubkey.pem")
	prod := filepath.Join(covpassDir, "PROD_RKI-CA-pubkey.pem")
	data, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	altered := filepath.Join(t.TempDir(), "altered.json")
	i := bytes.LastIndex(data, []byte(`"country":"`)) + len(`"country":"`)
	data[i] ^= 0x01 // one letter of a country code
	if err := os.WriteFile(altered, data, 0o644); err != nil {
		t.Fatal(err)
	}
	data[i] ^= 0x01
	data[3] ^= 0x01 // the signature line
	sigDamaged := filepath.Join(t.TempDir(), "sig.json")
	if err := os.WriteFile(sigDamaged, data, 0o644); err != nil {
		t.Fatal(err)
	}
	unsigned := filepath.Join(covpassDir, "DEMO-CA-dsc.e35bb2d7.json")
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"own key", []string{"--trustlist", list, "--trustlist-key", demo}, exitReject, "58 taken, 0 skipped"},
		{"production key", []string{"--trustlist", list, "--trustlist-key", prod}, exitUsage, "nothing from it trusted"},
		{"one byte altered", []string{"--trustlist", altered, "--trustlist-key", demo}, exitUsage, "signature does not verify"},
		{"signature line damaged", []string{"--trustlist", sigDamaged, "--trustlist-key", demo}, exitUsage, "signature does not verify"},
		{"no key", []string{"--trustlist", list}, exitUsage, "--trustlist-unsigned"},
		{"unsigned list refused", []string{"--trustlist", unsigned, "--trustlist-key", demo}, exitUsage, "not signed"},
		{"unsigned list on the operator's word", []string{"--trustlist", unsigned, "--trustlist-unsigned"}, exitReject, "UNSIGNED"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"verify", "--at", "2021-07-01T00:00:00Z"}, tc.args...)
			args = append(args, "--text", "HC1:6BF")
			code, _, stderr := runCLI(t, "", args...)
			if code != tc.code || !strings.Contains(stderr, tc.inStderr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.inStderr)
			}
		})
	}
}

// TestTrustBuildRecordsSources: a bundle built from trust lists records
// each, and inspect shows an unsigned one as such.
func TestTrustBuildRecordsSources(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "b.cbor")
	code, _, stderr := runCLI(t, "", "trust", "build", "--version", "1", "--out", out, "--at", "2021-07-01T00:00:00Z",
		"--trustlist", filepath.Join(covpassDir, "DEMO-CA-dsc.signed.6a5457e9.json"),
		"--trustlist-key", filepath.Join(covpassDir, "DEMO-CA-pubkey.pem"))
	if code != exitOK || !strings.Contains(stderr, "58 taken") {
		t.Fatalf("build: exit %d, %s", code, stderr)
	}
	code, stdout, _ := runCLI(t, "", "trust", "inspect", "--at", "2021-07-01T00:00:00Z", out)
	if code != exitOK || !strings.Contains(stdout, "de-gateway-signed, verified by 42d0361d255ff255, 58 taken, 0 skipped") {
		t.Fatalf("inspect: exit %d:\n%s", code, stdout)
	}
	code, _, stderr = runCLI(t, "", "trust", "build", "--version", "1", "--out", out, "--at", "2021-07-01T00:00:00Z",
		"--trustlist", filepath.Join(covpassDir, "DEMO-CA-dsc.e35bb2d7.json"), "--trustlist-unsigned")
	if code != exitOK {
		t.Fatalf("build unsigned: exit %d, %s", code, stderr)
	}
	if _, stdout, _ = runCLI(t, "", "trust", "inspect", "--at", "2021-07-01T00:00:00Z", out); !strings.Contains(stdout, "UNSIGNED") {
		t.Fatalf("inspect of an unsigned source:\n%s", stdout)
	}
}

// TestBundleValueSets: value sets built into a signed bundle refuse, on the
// device's path (`chot verify --trust`), a code outside its set, by the rule
// naming the set: PL 1.3.0/8, a recovery in country "XY".
func TestBundleValueSets(t *testing.T) {
	cases, err := dcctest.LoadCases(dcctest.Root(2))
	if err != nil {
		t.Fatal(err)
	}
	var c *dcctest.Case
	for i := range cases {
		if cases[i].Path == "PL/1.3.0/2DCode/raw/8.json" {
			c = &cases[i]
		}
	}
	if c == nil {
		t.Fatal("no PL/1.3.0/8 case")
	}
	dir := t.TempDir()
	cert := filepath.Join(dir, "dsc.der")
	if err := os.WriteFile(cert, c.Cert, 0o644); err != nil {
		t.Fatal(err)
	}
	at := c.Clock.UTC().Format(time.RFC3339)
	if code, _, stderr := runCLI(t, "", "trust", "keygen", "--out", filepath.Join(dir, "root.key")); code != exitOK {
		t.Fatal(stderr)
	}
	bundle := filepath.Join(dir, "b.cose")
	vs := filepath.Join(dcctest.Root(2), "..", "valuesets")
	code, _, stderr := runCLI(t, "", "trust", "build", "--version", "1", "--at", at, "--key", filepath.Join(dir, "root.key"),
		"--cert", cert, "--valuesets", vs, "--out", bundle)
	if code != exitOK || !strings.Contains(stderr, "7 taken, 2 left out") {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "", "verify", "--json", "--trust", bundle, "--root", filepath.Join(dir, "root.pub"), "--at", at, "--text", c.Prefix)
	var out verifyOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("exit %d %s %s: %v", code, stdout, stderr, err)
	}
	if code != exitReject || out.Reason != verify.ReasonBadValue || out.Rule != "valueset.country-2-codes" || out.Steps[verify.StepValueSet] != verify.Fail {
		t.Fatalf("exit %d, %s rule %q, steps %v", code, out.Reason, out.Rule, out.Steps)
	}
}

// TestTrustImportSaysWhatListsGave: `chot trust import` of a bundle built
// from the German list says which list its keys came from, how many it gave
// and that its signature was verified.
func TestTrustImportSaysWhatListsGave(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "", "trust", "keygen", "--out", filepath.Join(dir, "root.key")); code != exitOK {
		t.Fatal(stderr)
	}
	out := filepath.Join(dir, "b.cose")
	code, _, stderr := runCLI(t, "", "trust", "build", "--version", "1", "--out", out, "--at", "2021-07-01T00:00:00Z",
		"--key", filepath.Join(dir, "root.key"),
		"--trustlist", filepath.Join(covpassDir, "dsc-with-signature.bf49788d.json"),
		"--trustlist-key", filepath.Join(covpassDir, "DEMO-CA-pubkey.pem"))
	if code != exitOK {
		t.Fatalf("build: %s", stderr)
	}
	code, stdout, stderr := runCLI(t, "", "trust", "import", "--root", filepath.Join(dir, "root.pub"), "--at", "2021-07-01T00:00:00Z", out)
	if code != exitOK || !strings.Contains(stdout, "de-gateway-signed, verified by 42d0361d255ff255, 122 taken, 0 skipped") {
		t.Fatalf("import: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
