package trust_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/dcc"
	"github.com/chot-dev/chot/verify/shc"
	"github.com/chot-dev/chot/verify/trust"
)

var testdata = filepath.Join("..", "..", "..", "shared", "testdata")

// TestBundleVerifies runs real credentials through the verifier with the
// keys and revocations of a signed, opened bundle.
func TestBundleVerifies(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testdata, "dcc", "AT", "2DCode", "raw", "1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tc struct {
		PREFIX  string
		TESTCTX struct{ CERTIFICATE, VALIDATIONCLOCK string }
	}
	if err := json.Unmarshal(raw, &tc); err != nil {
		t.Fatal(err)
	}
	der, _ := base64.StdEncoding.DecodeString(tc.TESTCTX.CERTIFICATE)
	dccNow, err := time.Parse(time.RFC3339, tc.TESTCTX.VALIDATIONCLOCK)
	if err != nil {
		t.Fatal(err)
	}
	shcText, err := os.ReadFile(filepath.Join(testdata, "shc", "spec-examples", "example-03-f-qr-code-numeric-value-0.txt"))
	if err != nil {
		t.Fatal(err)
	}
	shc00, err := os.ReadFile(filepath.Join(testdata, "shc", "spec-examples", "example-00-f-qr-code-numeric-value-0.txt"))
	if err != nil {
		t.Fatal(err)
	}
	const issuer = "https://spec.smarthealth.cards/examples/issuer"
	shcNow := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

	keys, err := trust.ImportCertificates(der, "")
	if err != nil {
		t.Fatal(err)
	}
	shcKeys, shcRevs, err := trust.ImportIssuerDir(issuer, filepath.Join(testdata, "shc", "spec-examples", "issuer", ".well-known", "jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	issued := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	b := &trust.Bundle{Version: 1, IssuedAt: issued, StaleAfter: issued, ExpiresAt: issued.Add(10 * 365 * 24 * time.Hour),
		Keys: append(keys, shcKeys...), Revocations: shcRevs}
	root := ed25519.NewKeyFromSeed(make([]byte, 32))
	data, err := trust.Sign(b, root)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := trust.Open(data, []ed25519.PublicKey{root.Public().(ed25519.PublicKey)}, 0, dccNow)
	if err != nil {
		t.Fatal(err)
	}
	store, err := trust.NewStore(opened)
	if err != nil {
		t.Fatal(err)
	}
	v := verify.New(dcc.New(), shc.New())
	tests := []struct {
		name   string
		text   string
		trust  verify.TrustStore
		now    time.Time
		reason verify.Reason
	}{
		{"DCC accepted", tc.PREFIX, store, dccNow, verify.ReasonOK},
		{"DCC without bundle", tc.PREFIX, trust.NewKeyStore(nil, nil), dccNow, verify.ReasonUnknownKey},
		{"SHC accepted", string(shc00), store, shcNow, verify.ReasonOK},
		{"SHC revoked by the bundle's rid list", string(shcText), store, shcNow, verify.ReasonRevoked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := v.Verify(verify.Input{Texts: []string{strings.TrimSpace(tc.text)}, Trust: tc.trust, Now: tc.now, CredentialOnly: true})
			want := verify.Accept
			if tc.reason != verify.ReasonOK {
				want = verify.Reject
			}
			if res.Decision != want || res.Reason != tc.reason {
				t.Fatalf("got %s %s (%s), want %s %q", res.Decision, res.Reason, res.Detail, want, tc.reason)
			}
		})
	}
}
