package shc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
)

// specIssuer is the iss of the spec examples.
const specIssuer = "https://spec.smarthealth.cards/examples/issuer"

// testdata returns a path under the shared SHC test data.
func testdata(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "..", "shared", "testdata", "shc"}, parts...)...)
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func specJWKSPath() string {
	return testdata("spec-examples", "issuer", ".well-known", "jwks.json")
}

// specTrust trusts the spec issuer's keys and revocations, and the same keys
// under the extra issuer URLs given.
func specTrust(t testing.TB, alsoAs ...string) *verify.KeyList {
	t.Helper()
	keys, revs, err := LoadIssuerDir(specIssuer, specJWKSPath())
	if err != nil {
		t.Fatalf("LoadIssuerDir: %v", err)
	}
	kl := &verify.KeyList{List: keys, Revocations: revs}
	for _, iss := range alsoAs {
		// The x5c key names the spec issuer in its certificate: it is
		// refused for any other issuer, the other key is kept.
		more, err := ParseJWKS(iss, []byte(readFile(t, specJWKSPath())))
		if !errors.Is(err, ErrBadKey) || len(more) != 1 {
			t.Fatalf("ParseJWKS as %s: %d keys, %v; want 1 key and the x5c one refused", iss, len(more), err)
		}
		kl.List = append(kl.List, more...)
	}
	return kl
}

// newVerifier wires the SHC handler into a verify.Verifier, as chotd does.
func newVerifier() *verify.Verifier { return verify.New(New()) }

func run(v *verify.Verifier, texts []string, trust verify.TrustStore, now time.Time) verify.Result {
	return v.Verify(verify.Input{Texts: texts, Trust: trust, Now: now, CredentialOnly: true})
}

// unix turns fractional seconds into a time, to the millisecond.
func unix(sec float64) time.Time {
	return time.UnixMilli(int64(sec*1000 + 0.5))
}

// newKey makes a P-256 key for a test issuer.
func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// trustKey trusts pub for issuer.
func trustKey(t testing.TB, issuer string, pub *ecdsa.PublicKey) *verify.KeyList {
	t.Helper()
	b, err := JWKS(pub, 0)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ParseJWKS(issuer, b)
	if err != nil {
		t.Fatal(err)
	}
	return &verify.KeyList{List: keys}
}

func wantReason(t *testing.T, res verify.Result, want verify.Reason) {
	t.Helper()
	if res.Reason != want {
		t.Fatalf("reason %q (%s), want %q; steps %v", res.Reason, res.Detail, want, res.Steps)
	}
	if want == verify.ReasonOK && res.Decision != verify.Accept {
		t.Fatalf("decision %q, want accept", res.Decision)
	}
	if want != verify.ReasonOK && res.Decision != verify.Reject {
		t.Fatalf("decision %q, want reject", res.Decision)
	}
}

func jsonNumber(s string) json.Number { return json.Number(s) }
