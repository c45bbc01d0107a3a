package divoc

import (
	"crypto/x509"
	"os"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/gdhcntest"
)

func vector(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(gdhcntest.Path("vectors/" + name + "Contents.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// registryKey is a DIVOC key of the PathCheck registry extract.
func registryKey(t testing.TB, did, alg string) *verify.Key {
	t.Helper()
	spki, err := gdhcntest.Registry("DIVOC", did)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		t.Fatal(err)
	}
	return &verify.Key{Format: verify.FormatDIVOC, Kid: []byte(did), Algorithm: alg, Public: pub}
}

func indiaPEM(t testing.TB) *verify.Key {
	t.Helper()
	b, err := os.ReadFile(gdhcntest.Path("trust/ddcc-trust/production-keys/india/india.pem"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := KeyFromPEM("did:india", b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestVectors(t *testing.T) {
	india := indiaPEM(t)
	jamaica := registryKey(t, "did:jamaica", "EdDSA")
	indonesia := registryKey(t, "did:indonesia", "EdDSA")
	all := &verify.KeyList{List: []*verify.Key{india, jamaica, indonesia}}
	// Jamaica's key filed under did:india: what a verifier that tried every
	// key would effectively do.
	jamaicaAsIndia := *jamaica
	jamaicaAsIndia.Kid = []byte("did:india")
	at := time.Date(2022, 8, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		trust  verify.TrustStore
		reason verify.Reason
		kid    string
	}{
		{"DIVOCQR1", all, verify.ReasonOK, "did:india"},
		{"DIVOCIndonesia", all, verify.ReasonOK, "did:indonesia"},
		{"DIVOCJamaica", all, verify.ReasonBadSignature, "did:india"},
		{"DIVOCJamaica", &verify.KeyList{List: []*verify.Key{&jamaicaAsIndia}}, verify.ReasonOK, "did:india"},
		{"DIVOCQR1", &verify.KeyList{List: []*verify.Key{jamaica, indonesia}}, verify.ReasonUnknownKey, "did:india"},
	}
	v := verify.New(New())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := v.Verify(verify.Input{Texts: []string{vector(t, tt.name)}, Trust: tt.trust, Now: at, CredentialOnly: true})
			if res.Reason != tt.reason || res.KidText() != tt.kid || res.Format != verify.FormatDIVOC {
				t.Fatalf("got %s %s (%s) kid %s, want %s kid %s", res.Format, res.Reason, res.Detail, res.KidText(), tt.reason, tt.kid)
			}
			if res.Credential == nil || res.Credential.Type != verify.TypeVaccination || res.Credential.ID == "" {
				t.Errorf("credential %+v", res.Credential)
			}
		})
	}
}
