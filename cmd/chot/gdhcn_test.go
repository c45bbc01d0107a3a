package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/gdhcntest"
	"github.com/chot-dev/chot/verify/gdhcntest/gdhcntrust"
	"github.com/chot-dev/chot/verify/trust"
)

// writeRoot makes a root key pair and writes the public key; it returns the
// private key and the public key's path.
func writeRoot(t *testing.T, dir string) (ed25519.PrivateKey, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := trust.MarshalPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "root.pub")
	if err := os.WriteFile(path, pubPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return priv, path
}

// TestVerifyCLIGDHCN runs every vector of the GDHCN data through `chot
// verify --json`, its trust in a signed bundle (every kind of key the
// formats use: DSCs, bare DCC and SHC keys, CSCAs with their CRLs, DIVOC
// keys), and checks that the CLI agrees with the verifier called directly,
// which the conformance test of verify/gdhcntest holds to case-index.csv.
func TestVerifyCLIGDHCN(t *testing.T) {
	cases, err := gdhcntest.LoadCases()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	priv, rootPath := writeRoot(t, dir)
	v := newVerifier()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			at, err := gdhcntrust.Clock(v, c)
			if err != nil {
				t.Fatal(err)
			}
			keys, revs, err := gdhcntrust.Entries(c.Name)
			if err != nil {
				t.Fatal(err)
			}
			b := &trust.Bundle{Version: 1, IssuedAt: at.Add(-time.Hour), StaleAfter: at.Add(time.Hour), ExpiresAt: at.Add(2 * time.Hour),
				Keys: keys, Revocations: revs}
			signed, err := trust.Sign(b, priv)
			if err != nil {
				t.Fatal(err)
			}
			bundle := filepath.Join(dir, c.Name+".bundle")
			if err := os.WriteFile(bundle, signed, 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runCLI(t, "", "verify", "--json", "--trust", bundle, "--root", rootPath,
				"--at", at.Format(time.RFC3339Nano), "--text", c.Text)
			var got verifyOutput
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("exit %d, output %q, stderr %q: %v", code, stdout, stderr, err)
			}
			store, err := trust.NewStore(b)
			if err != nil {
				t.Fatal(err)
			}
			want := v.Verify(verify.Input{Texts: []string{c.Text}, Trust: store, Now: at, CredentialOnly: true})
			wantCode := exitReject
			if want.Decision == verify.Accept {
				wantCode = exitOK
			}
			if code != wantCode || got.Decision != want.Decision || got.Reason != want.Reason || got.Format != want.Format ||
				got.Kid != want.KidText() {
				t.Errorf("CLI exit %d %s %s/%s kid %s; direct %s %s/%s kid %s", code, got.Format, got.Decision, got.Reason, got.Kid,
					want.Format, want.Decision, want.Reason, want.KidText())
			}
			for s, o := range want.Steps {
				if got.Steps[s] != o {
					t.Errorf("CLI step %s = %s, direct %s", s, got.Steps[s], o)
				}
			}
		})
	}
}

// TestVerifyCLIFormatFlags checks the loose trust flags of the new
// formats: --csca with --crl, --key, and a WHO DID trust list with
// --trustlist and its pinned signer.
func TestVerifyCLIFormatFlags(t *testing.T) {
	p := gdhcntest.Path
	text := func(name string) string {
		for _, c := range mustCases(t) {
			if c.Name == name {
				return c.Text
			}
		}
		t.Fatalf("no case %s", name)
		return ""
	}
	au, jp := p("trust/ddcc-trust/production-keys/australia/public-keys/aus_csca6_kc-cs.cer"), p("trust/ddcc-trust/production-keys/japan/JP#arTykoK9lkf2%2FyoC95RNdJ6XhGM%3D.pem")
	auCRL, jpCRL := p("trust/vds-nc-reader-library-android/extracted/Data.kt.crlData.crl"), p("trust/vds-nc-reader-library-android/extracted/Data.kt.JAPAN_CRL.crl")
	india := p("trust/ddcc-trust/production-keys/india/india.pem")
	who := p("trust/tng-participants-dev/WHO/signing/DID/did.json")
	xclDSC := p("trust/tng-cdn-dev/v2/trustlist/DCC/XCL/DSC/did.json")
	tests := []struct {
		name   string
		args   []string
		code   int
		reason verify.Reason
		stderr string
	}{
		{"AU seal, CSCA and stale CRL", []string{"--csca", au, "--crl", auCRL, "--at", "2022-06-01", "--text", text("ICAOAUQR1")}, exitOK, verify.ReasonOK, "CRL"},
		{"JP seal, explicit-parameter CSCA", []string{"--csca", jp, "--crl", jpCRL, "--at", "2022-06-01", "--text", text("ICAOJPQR1")}, exitOK, verify.ReasonOK, "stale"},
		{"AU CRL without the AU CSCA", []string{"--csca", jp, "--crl", auCRL, "--at", "2022-06-01", "--text", text("ICAOAUQR1")}, exitUsage, "", "CRL"},
		{"AU seal, only JP's CSCA", []string{"--csca", jp, "--at", "2022-06-01", "--text", text("ICAOAUQR1")}, exitReject, verify.ReasonUnknownKey, ""},
		{"India with its key", []string{"--key", "did:india=" + india, "--at", "2021-03-04", "--text", text("DIVOCQR1")}, exitOK, verify.ReasonOK, ""},
		{"Jamaica naming India", []string{"--key", "did:india=" + india, "--at", "2022-01-01", "--text", text("DIVOCJamaica")}, exitReject, verify.ReasonBadSignature, ""},
		{"a DIVOC key without its method", []string{"--key", india, "--at", "2021-03-04", "--text", text("DIVOCQR1")}, exitUsage, "", "VERIFICATION_METHOD=FILE"},
		{"DID list with the pinned WHO key", []string{"--trustlist", xclDSC, "--trustlist-key", who, "--at", "2024-09-23", "--text", text("DVCTest3QR")}, exitReject, verify.ReasonUnknownKey, "who-gdhcn-did, signature verified"},
		{"DID list with another key", []string{"--trustlist", xclDSC, "--trustlist-key", india, "--at", "2024-09-23", "--text", text("DVCTest3QR")}, exitUsage, "", "refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", append([]string{"verify", "--json"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d mentioning %q", code, stderr, tt.code, tt.stderr)
			}
			if tt.code == exitUsage {
				return
			}
			var got verifyOutput
			if err := json.Unmarshal([]byte(stdout), &got); err != nil || got.Reason != tt.reason {
				t.Errorf("output %q (%v), want reason %s", stdout, err, tt.reason)
			}
		})
	}
}

func mustCases(t *testing.T) []gdhcntest.Case {
	t.Helper()
	cases, err := gdhcntest.LoadCases()
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestTrustBuildFormats builds a signed bundle from a WHO DID list, CSCAs
// with CRLs and a DIVOC key with `chot trust build`, and verifies the
// vectors against it as chotd would: offline, from the bundle alone.
func TestTrustBuildFormats(t *testing.T) {
	p := gdhcntest.Path
	dir := t.TempDir()
	code, _, stderr := runCLI(t, "", "trust", "keygen", "--out", filepath.Join(dir, "root.key"))
	if code != exitOK {
		t.Fatalf("keygen: %s", stderr)
	}
	bundle := filepath.Join(dir, "b.cose")
	code, stdout, stderr := runCLI(t, "", "trust", "build", "--version", "1", "--at", "2022-05-01", "--valid", "8760h", "--stale", "4380h",
		"--key", filepath.Join(dir, "root.key"), "--out", bundle,
		"--trustlist", p("trust/tng-cdn-dev/v2/trustlist/DCC/XCL/DSC/did.json"), "--trustlist-key", p("trust/tng-participants-dev/WHO/signing/DID/did.json"),
		"--csca", p("trust/ddcc-trust/production-keys/australia/public-keys/aus_csca6_kc-cs.cer"),
		"--csca", p("trust/ddcc-trust/production-keys/japan/JP#arTykoK9lkf2%2FyoC95RNdJ6XhGM%3D.pem"),
		"--crl", p("trust/vds-nc-reader-library-android/extracted/Data.kt.crlData.crl"),
		"--crl", p("trust/vds-nc-reader-library-android/extracted/Data.kt.JAPAN_CRL.crl"),
		"--divoc-key", "did:india="+p("trust/ddcc-trust/production-keys/india/india.pem"))
	if code != exitOK {
		t.Fatalf("trust build: exit %d, %s %s", code, stdout, stderr)
	}
	for _, tc := range []struct {
		name, at string
		reason   verify.Reason
	}{
		{"ICAOAUQR1", "2022-06-01", verify.ReasonOK},
		{"ICAOJPQR1", "2022-06-01", verify.ReasonOK},
		{"DIVOCQR1", "2022-06-01", verify.ReasonOK},
		{"DIVOCJamaica", "2022-06-01", verify.ReasonBadSignature},
	} {
		var text string
		for _, c := range mustCases(t) {
			if c.Name == tc.name {
				text = c.Text
			}
		}
		_, out, errOut := runCLI(t, "", "verify", "--json", "--trust", bundle, "--root", filepath.Join(dir, "root.pub"), "--at", tc.at, "--text", text)
		var got verifyOutput
		if err := json.Unmarshal([]byte(out), &got); err != nil || got.Reason != tc.reason {
			t.Errorf("%s from the bundle: %q %s (%v), want %s", tc.name, out, errOut, err, tc.reason)
		}
	}
}

// TestVerifyCLICCCD checks Vietnam's ID QR through the CLI: refused as
// unsigned without a policy, a check-in under configs/policy.yaml's
// checkin mode, and the JSON never echoes the name, birth date or address.
func TestVerifyCLICCCD(t *testing.T) {
	const code = "079201004321|025123456|Nguyễn Thị Minh Khai|15031992|Nữ|Số 12, Lê Lợi|20082021"
	policy := filepath.Join("..", "..", "configs", "policy.yaml")
	for _, tc := range []struct {
		args   []string
		code   int
		reason verify.Reason
	}{
		{nil, exitReject, verify.ReasonUnsigned},
		{[]string{"--policy", policy, "--mode", "venue"}, exitReject, verify.ReasonUnsigned},
		{[]string{"--policy", policy, "--mode", "checkin"}, exitOK, verify.ReasonOK},
	} {
		args := append(append([]string{"verify", "--json", "--at", "2021-09-01"}, tc.args...), "--text", code)
		code, stdout, stderr := runCLI(t, "", args...)
		var got verifyOutput
		if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != tc.code || got.Reason != tc.reason || got.Format != verify.FormatCCCD {
			t.Errorf("%v: exit %d, %q (%s), want %d %s", tc.args, code, stdout, stderr, tc.code, tc.reason)
		}
		for _, s := range []string{"Nguy", "15031992", "Lê Lợi", "025123456"} {
			if strings.Contains(stdout+stderr, s) {
				t.Errorf("%v: the output shows %q: %s", tc.args, s, stdout)
			}
		}
	}
}
