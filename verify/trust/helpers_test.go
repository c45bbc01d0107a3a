package trust

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
)

// testdata is the shared test data folder, outside the repository.
var testdata = filepath.Join("..", "..", "..", "shared", "testdata")

// shcIssuer is the SHC specification's example issuer.
const shcIssuer = "https://spec.smarthealth.cards/examples/issuer"

var shcJWKS = filepath.Join(testdata, "shc", "spec-examples", "issuer", ".well-known", "jwks.json")

// dccCertFiles are DCC test cases whose signer certificates the tests use:
// ECDSA P-256 (AT, BE, BG) and RSA (CH).
var dccCertFiles = []string{"AT/2DCode/raw/1.json", "BE/2DCode/raw/1.json", "BG/2DCode/raw/1.json", "CH/2DCode/raw/1.json"}

// dccCert reads the DSC (DER) of one DCC test case.
func dccCert(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, "dcc", name))
	if err != nil {
		t.Fatal(err)
	}
	var tc struct {
		TESTCTX struct {
			CERTIFICATE string
		}
	}
	if err := json.Unmarshal(b, &tc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	der, err := base64.StdEncoding.DecodeString(tc.TESTCTX.CERTIFICATE)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return der
}

func dccCerts(t testing.TB) [][]byte {
	var out [][]byte
	for _, f := range dccCertFiles {
		out = append(out, dccCert(t, f))
	}
	return out
}

// testRoot returns a fixed root key made from seed.
func testRoot(seed byte) ed25519.PrivateKey {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	return ed25519.NewKeyFromSeed(s)
}

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

// t0 is the test bundles' issue time.
var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// testBundle builds a bundle from real sources: DCC test DSCs, the SHC spec
// issuer's keys and revocation list, a DCC hash list and a policy.
func testBundle(t testing.TB, version uint64) *Bundle {
	t.Helper()
	b := &Bundle{
		Version:    version,
		IssuedAt:   t0,
		StaleAfter: t0.Add(7 * 24 * time.Hour),
		ExpiresAt:  t0.Add(30 * 24 * time.Hour),
		Policy: &verify.PolicySet{Modes: map[string]*verify.Policy{
			"travel": {Accept: []verify.CredType{verify.TypeVaccination}, Vaccination: verify.VaccinationRules{RequireComplete: true}},
		}},
	}
	for _, der := range dccCerts(t) {
		es, err := ImportCertificates(der, "")
		if err != nil {
			t.Fatal(err)
		}
		b.Keys = append(b.Keys, es...)
	}
	keys, revs, err := ImportIssuerDir(shcIssuer, shcJWKS)
	if err != nil {
		t.Fatal(err)
	}
	b.Keys = append(b.Keys, keys...)
	b.Revocations = append(b.Revocations, revs...)
	b.Revocations = append(b.Revocations, RevocationEntry{
		Format: verify.FormatDCC, Kind: KindUCI,
		Values: [][]byte{make([]byte, 16), []byte("0123456789abcdef")},
	})
	return b
}

func signed(t testing.TB, b *Bundle, root ed25519.PrivateKey) []byte {
	t.Helper()
	data, err := Sign(b, root)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
