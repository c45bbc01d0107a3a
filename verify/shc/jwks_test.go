package shc

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/shc/shcmint"
)

// TestParseJWKSFiles imports every key file of the validation SDK. The x5c
// test keys name https://smarthealth.cards/examples/issuer in their
// certificates.
func TestParseJWKSFiles(t *testing.T) {
	tests := []struct {
		file   string
		keys   int    // accepted keys
		reason string // KeyError reason, "" when all are accepted
		jwks   bool   // the set itself is unreadable (ErrJWKS)
	}{
		{file: "valid_key.json", keys: 1},
		{file: "valid_keys.json", keys: 3},
		{file: "valid_key_with_x5c.json", keys: 1},
		{file: "valid_2_chain.public.json", keys: 1},
		{file: "issuer.jwks.public.not.smart.json", keys: 1},
		{file: "wrong_alg_key.json", reason: "alg"},
		{file: "wrong_curve_key.json", reason: "crv"},
		{file: "wrong_kty_key.json", reason: "kty"},
		{file: "wrong_use_key.json", reason: "use"},
		{file: "wrong_kid_key.json", reason: "kid_thumbprint"},
		{file: "cert_mismatch.public.json", reason: "cert_mismatch"},
		{file: "invalid_chain.public.json", reason: "invalid_chain"},
		{file: "invalid_DNS_SAN.public.json", reason: "invalid_DNS_SAN"},
		{file: "invalid_no_SAN.public.json", reason: "invalid_no_SAN"},
		{file: "badjwks/.well-known/jwks.json", jwks: true},
		{file: "badcrl/public.json", keys: 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			keys, err := ParseJWKS(otherIssuer, []byte(readFile(t, testdata("validation-sdk", tt.file))))
			if len(keys) != tt.keys {
				t.Errorf("%d keys, want %d", len(keys), tt.keys)
			}
			switch {
			case tt.jwks:
				if !errors.Is(err, ErrJWKS) {
					t.Errorf("err %v, want ErrJWKS", err)
				}
			case tt.reason == "":
				if err != nil {
					t.Errorf("err %v, want none", err)
				}
			default:
				var ke *KeyError
				if !errors.As(err, &ke) || !errors.Is(err, ErrBadKey) {
					t.Fatalf("err %v, want a KeyError", err)
				}
				if ke.Reason != tt.reason {
					t.Errorf("reason %q (%v), want %q", ke.Reason, err, tt.reason)
				}
				if ke.Kid == "" || !strings.Contains(err.Error(), ke.Kid) {
					t.Errorf("error %q does not name the key", err)
				}
			}
			for _, k := range keys {
				if k.Format != verify.FormatSHC || k.Issuer != otherIssuer || k.Algorithm != "ES256" || len(k.Kid) == 0 {
					t.Errorf("key %+v", k)
				}
			}
		})
	}
}

// TestParseJWKSMixed: a set with one bad key keeps the good ones and names
// the bad one.
func TestParseJWKSMixed(t *testing.T) {
	good := readFile(t, testdata("validation-sdk", "valid_keys.json"))
	bad := readFile(t, testdata("validation-sdk", "wrong_use_key.json"))
	goodKeys := good[strings.Index(good, "[")+1 : strings.LastIndex(good, "]")]
	badKeys := bad[strings.Index(bad, "[")+1 : strings.LastIndex(bad, "]")]
	keys, err := ParseJWKS(otherIssuer, []byte(`{"keys":[`+goodKeys+`,`+badKeys+`]}`))
	if len(keys) != 3 {
		t.Errorf("%d keys, want 3", len(keys))
	}
	var ke *KeyError
	if !errors.As(err, &ke) || ke.Index != 3 || ke.Reason != "use" {
		t.Errorf("err %v, want key 3 refused for use", err)
	}
}

// TestParseJWKSSANIssuer: the spec's x5c key is accepted for the issuer its
// certificate names, refused for another.
func TestParseJWKSSANIssuer(t *testing.T) {
	data := []byte(readFile(t, specJWKSPath()))
	keys, vers, err := ParseJWKSWithCRLVersion(specIssuer, data)
	if err != nil || len(keys) != 2 {
		t.Fatalf("%d keys, %v; want 2 and no error", len(keys), err)
	}
	if vers["3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s"] != 1 || len(vers) != 1 {
		t.Errorf("crl versions %v, want only 3Kfdg…: 1", vers)
	}
	var ke *KeyError
	if _, err := ParseJWKS(specIssuer+"/other", data); !errors.As(err, &ke) || ke.Reason != "san_mismatch" {
		t.Errorf("as another issuer: %v, want san_mismatch", err)
	}
}

// TestJWKSRoundTrip: JWKS writes what ParseJWKS reads, with the thumbprint kid.
func TestJWKSRoundTrip(t *testing.T) {
	key := newKey(t)
	b, err := JWKS(&key.PublicKey, 3)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), `"d"`) {
		t.Fatalf("JWKS leaks the private key: %s", b)
	}
	keys, vers, err := ParseJWKSWithCRLVersion("https://example.org/issuer", b)
	if err != nil || len(keys) != 1 {
		t.Fatalf("%d keys, %v", len(keys), err)
	}
	if string(keys[0].Kid) != Thumbprint(&key.PublicKey) || vers[string(keys[0].Kid)] != 3 {
		t.Errorf("kid %s crlVersion %v", keys[0].Kid, vers)
	}
	if !key.PublicKey.Equal(keys[0].Public) {
		t.Error("the parsed key differs")
	}
}

// TestIssuerBinding: a card signed by a trusted key, but naming another
// issuer, is unknown_key.
func TestIssuerBinding(t *testing.T) {
	key := newKey(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	card := testCard("https://evil.example/issuer", now.Add(-time.Hour))
	jws, err := shcmint.Mint(card, key)
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier()
	wantReason(t, run(v, []string{jws}, trustKey(t, "https://good.example/issuer", &key.PublicKey), now), verify.ReasonUnknownKey)
	wantReason(t, run(v, []string{jws}, trustKey(t, "https://evil.example/issuer", &key.PublicKey), now), verify.ReasonOK)
}

// TestKeyBoundsAndUsage: a key limited in time or in credential types, as a
// trust bundle may carry it, is enforced.
func TestKeyBoundsAndUsage(t *testing.T) {
	const iss = "https://example.org/issuer"
	key := newKey(t)
	nbf := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	jws, err := shcmint.Mint(testCard(iss, nbf), key)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(k *verify.Key)
		want verify.Reason
	}{
		{"unbounded", func(*verify.Key) {}, verify.ReasonOK},
		{"types allow", func(k *verify.Key) { k.Types = []verify.CredType{verify.TypeVaccination} }, verify.ReasonOK},
		{"types refuse", func(k *verify.Key) { k.Types = []verify.CredType{verify.TypeTest} }, verify.ReasonKeyUsage},
		{"retired before issue", func(k *verify.Key) { k.NotAfter = nbf.Add(-time.Second) }, verify.ReasonExpired},
		{"valid after issue", func(k *verify.Key) { k.NotBefore = nbf.Add(time.Second) }, verify.ReasonNotYetValid},
		{"other algorithm", func(k *verify.Key) { k.Algorithm = "ES384" }, verify.ReasonBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kl := trustKey(t, iss, &key.PublicKey)
			tt.edit(kl.List[0])
			wantReason(t, run(newVerifier(), []string{jws}, kl, nbf.Add(time.Minute)), tt.want)
		})
	}
}
