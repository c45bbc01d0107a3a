package rules

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/dcc/dccmint"
)

// t0 is the tests' clock: inside the demo rules' validity.
var t0 = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

// issuer mints real DCCs with a real DSC, as chot issue dcc does.
type issuer struct {
	key   *ecdsa.PrivateKey
	kid   []byte
	trust verify.TrustStore
}

func newIssuer(t testing.TB) *issuer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// A bare key (verify/trust imports this package: no DSC parsing here).
	kid := []byte("rulestst")
	k := &verify.Key{Format: verify.FormatDCC, Issuer: "DE", Kid: kid, Algorithm: "ES256", Public: key.Public()}
	return &issuer{key: key, kid: kid, trust: &verify.KeyList{List: []*verify.Key{k}}}
}

func (is *issuer) issue(t testing.TB, p dccmint.Payload) string {
	t.Helper()
	text, err := dccmint.Issue(p, dccmint.IssueOptions{Issuer: "DE", IssuedAt: t0.AddDate(0, 0, -2), ExpiresAt: t0.AddDate(0, 6, 0), Kid: is.kid, Signer: is.key})
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// demoLibrary loads the demo's rule sets from configs/rules.
func demoLibrary(t testing.TB) *Library {
	t.Helper()
	sets := map[string][]*Rule{}
	for _, name := range []string{"vn-entry", "venue-2g"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "configs", "rules", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		rs, err := ParseRules(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sets[name] = rs
	}
	return NewLibrary(sets, nil)
}
