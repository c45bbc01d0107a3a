package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/store"
	"github.com/chot-dev/chot/verify/trust"
)

// trustTestdata is the shared test data folder, outside the repository.
var trustTestdata = filepath.Join("..", "..", "..", "shared", "testdata")

// trustRun runs the CLI in-process at the fixed time now.
func trustRun(t *testing.T, now time.Time, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), &env{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb, args: args,
		now: func() time.Time { return now },
	})
	return code, out.String(), errb.String()
}

// trustDSC extracts the signer certificate of a DCC test case.
func trustDSC(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(trustTestdata, "dcc", name))
	if err != nil {
		t.Fatal(err)
	}
	var tc struct{ TESTCTX struct{ CERTIFICATE string } }
	if err := json.Unmarshal(b, &tc); err != nil {
		t.Fatal(err)
	}
	der, err := base64.StdEncoding.DecodeString(tc.TESTCTX.CERTIFICATE)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestTrustCLI(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	now := time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC)

	at := trustDSC(t, "AT/2DCode/raw/1.json")
	be := trustDSC(t, "BE/2DCode/raw/1.json")
	if err := os.WriteFile(p("at.der"), at, 0o600); err != nil {
		t.Fatal(err)
	}
	list, _ := json.Marshal(map[string]any{"certificates": []map[string]string{
		{"kid": base64.StdEncoding.EncodeToString(trust.DCCKid(be)), "country": "BE", "rawData": base64.StdEncoding.EncodeToString(be), "certificateType": "DSC"},
		// The same DSC as --cert: kept once.
		{"kid": base64.StdEncoding.EncodeToString(trust.DCCKid(at)), "country": "AT", "rawData": base64.StdEncoding.EncodeToString(at), "certificateType": "DSC"},
	}})
	if err := os.WriteFile(p("list.json"), list, 0o600); err != nil {
		t.Fatal(err)
	}
	revs := "# kind: UCI\n00112233445566778899aabbccddeeff\n"
	if err := os.WriteFile(p("revs.txt"), []byte(revs), 0o600); err != nil {
		t.Fatal(err)
	}
	policy := "version: 1\nmodes:\n  travel:\n    accept: [vaccination, test]\n  venue: {}\n"
	if err := os.WriteFile(p("policy.yaml"), []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	jwks := "https://spec.smarthealth.cards/examples/issuer=" +
		filepath.Join(trustTestdata, "shc", "spec-examples", "issuer", ".well-known", "jwks.json")

	mustRun := func(args ...string) string {
		t.Helper()
		code, out, errOut := trustRun(t, now, args...)
		if code != exitOK {
			t.Fatalf("chot %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}

	mustRun("trust", "keygen", "--out", p("root.key"))
	mustRun("trust", "keygen", "--out", p("other.key"))
	if code, _, _ := trustRun(t, now, "trust", "keygen", "--out", p("root.key")); code != exitUsage {
		t.Errorf("keygen over an existing key: exit %d, want %d", code, exitUsage)
	}
	build := func(version string, extra ...string) []string {
		return append([]string{"trust", "build", "--version", version, "--valid", "720h", "--stale", "168h",
			"--cert", p("at.der"), "--dsc-list", p("list.json"), "--jwks", jwks,
			"--revocations", p("revs.txt"), "--policy", p("policy.yaml")}, extra...)
	}
	out := mustRun(build("3", "--key", p("root.key"), "--out", p("b3.cbor"))...)
	if !strings.Contains(out, "version 3, 4 keys, 5 revocation values") {
		t.Errorf("build output: %s", out)
	}
	// Unsigned build, then sign: the offline signing flow.
	mustRun(build("4", "--out", p("b4.payload"))...)
	mustRun("trust", "sign", "--key", p("root.key"), p("b4.payload"), p("b4.cbor"))

	t.Run("inspect json", func(t *testing.T) {
		out := mustRun("trust", "inspect", "--root", p("root.pub"), "--json", p("b3.cbor"))
		var s bundleSummary
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if s.Version != 3 || !s.Signed || s.Signature != "valid" || s.State != "fresh" || s.Keys != 4 ||
			!s.IssuedAt.Equal(now) || !s.ExpiresAt.Equal(now.Add(720*time.Hour)) || len(s.Policy) != 2 || s.Policy[0].Mode != "travel" {
			t.Errorf("summary %+v", s)
		}
		want := []keyCount{{"dcc", "AT", 1}, {"dcc", "BE", 1}, {"shc", "https://spec.smarthealth.cards/examples/issuer", 2}}
		if len(s.KeysBy) != len(want) {
			t.Fatalf("keys by %+v, want %+v", s.KeysBy, want)
		}
		for i := range want {
			if s.KeysBy[i] != want[i] {
				t.Errorf("keys by %d: %+v, want %+v", i, s.KeysBy[i], want[i])
			}
		}
		if len(s.Revoked) != 2 || s.Revoked[0] != (revCount{"dcc", "UCI", 1}) || s.Revoked[1] != (revCount{"shc", "rid", 4}) {
			t.Errorf("revocations %+v", s.Revoked)
		}
	})
	t.Run("inspect text, stale at --at", func(t *testing.T) {
		out := mustRun("trust", "inspect", "--at", "2026-12-05T00:00:00Z", p("b4.cbor"))
		for _, w := range []string{"version      4", "state        stale", "travel", "accepts vaccination, test", "venue"} {
			if !strings.Contains(out, w) {
				t.Errorf("missing %q in\n%s", w, out)
			}
		}
	})
	t.Run("inspect wrong root", func(t *testing.T) {
		code, out, _ := trustRun(t, now, "trust", "inspect", "--root", p("other.pub"), "--json", p("b3.cbor"))
		if code != exitReject || !strings.Contains(out, `"signature":"invalid"`) {
			t.Errorf("exit %d, %s", code, out)
		}
	})

	imports := []struct {
		name      string
		args      []string
		code      int
		errorText string
	}{
		{"accepted", []string{"--root", p("root.pub"), "--installed-version", "2", p("b3.cbor")}, exitOK, "version 3 checked"},
		{"rollback equal", []string{"--root", p("root.pub"), "--installed-version", "3", p("b3.cbor")}, exitReject, "not newer"},
		{"rollback lower", []string{"--root", p("root.pub"), "--installed-version", "4", p("b3.cbor")}, exitReject, "not newer"},
		{"wrong root", []string{"--root", p("other.pub"), p("b3.cbor")}, exitReject, "signature"},
		{"expired", []string{"--root", p("root.pub"), "--at", "2027-01-01T00:00:00Z", p("b3.cbor")}, exitReject, "expired"},
		{"unsigned payload", []string{"--root", p("root.pub"), p("b4.payload")}, exitReject, "malformed"},
		{"missing root flag", []string{p("b3.cbor")}, exitUsage, "usage"},
	}
	for _, tc := range imports {
		t.Run("import "+tc.name, func(t *testing.T) {
			code, _, errOut := trustRun(t, now, append([]string{"trust", "import"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.errorText) {
				t.Errorf("exit %d, want %d; stderr %q, want %q in it", code, tc.code, errOut, tc.errorText)
			}
		})
	}

	t.Run("import into a device store", func(t *testing.T) {
		db := p("chot.db")
		args := []string{"trust", "import", "--root", p("root.pub"), "--db", db, p("b3.cbor")}
		if code, _, errOut := trustRun(t, now, args...); code != exitOK || !strings.Contains(errOut, "version 3 installed") {
			t.Fatalf("first import: exit %d, %q", code, errOut)
		}
		// The store now holds version 3: the same bundle again is a rollback.
		if code, _, errOut := trustRun(t, now, args...); code != exitReject || !strings.Contains(errOut, "nothing installed") {
			t.Errorf("second import: exit %d, %q; want refused", code, errOut)
		}
		st, err := store.Open(db, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		got, _ := st.Bundle()
		want, _ := os.ReadFile(p("b3.cbor"))
		if st.BundleVersion() != 3 || !bytes.Equal(got, want) {
			t.Errorf("store holds version %d (%d bytes), want version 3 and the file's bytes", st.BundleVersion(), len(got))
		}
	})

	t.Run("sign refuses a signed bundle", func(t *testing.T) {
		code, _, _ := trustRun(t, now, "trust", "sign", "--key", p("root.key"), p("b3.cbor"), p("x.cbor"))
		if code != exitUsage {
			t.Errorf("exit %d, want %d", code, exitUsage)
		}
	})
	t.Run("unknown subcommand", func(t *testing.T) {
		if code, _, _ := trustRun(t, now, "trust", "frobnicate"); code != exitUsage {
			t.Errorf("exit %d", code)
		}
	})
}
