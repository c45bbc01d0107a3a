package shc

import (
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify/shc/shcmint"
)

// TestMintAgrees checks that shcmint, which does not import this package,
// writes what this package reads: the same wire constants, and the kid of
// a signed card is this package's Thumbprint of the key.
func TestMintAgrees(t *testing.T) {
	for _, c := range []struct {
		name      string
		mint, shc any
	}{
		{"Prefix", shcmint.Prefix, Prefix},
		{"MaxSingleJWS", shcmint.MaxSingleJWS, MaxSingleJWS},
		{"MaxChunkJWS", shcmint.MaxChunkJWS, MaxChunkJWS},
		{"MaxChunks", shcmint.MaxChunks, maxChunks},
		{"MaxRidLen", shcmint.MaxRidLen, MaxRidLen},
		{"TypeHealthCard", shcmint.TypeHealthCard, TypeHealthCard},
	} {
		if c.mint != c.shc {
			t.Errorf("%s: shcmint %v, shc %v", c.name, c.mint, c.shc)
		}
	}
	key := newKey(t)
	jws, err := shcmint.SignPayload([]byte(`{"iss":"x"}`), key)
	if err != nil {
		t.Fatal(err)
	}
	j, err := parseJWS(jws)
	if err != nil {
		t.Fatal(err)
	}
	if want := Thumbprint(&key.PublicKey); j.header.Kid != want {
		t.Errorf("kid %q, Thumbprint %q", j.header.Kid, want)
	}
	nbf := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, rid := range []string{"r1", "a_b-C9", strings.Repeat("x", MaxRidLen), strings.Repeat("x", MaxRidLen+1), "a+b", "a=", "é", "a b"} {
		_, mintErr := (&shcmint.Card{Issuer: "https://x", NotBefore: nbf, Rid: rid}).Payload()
		if verr := checkRid(rid); (mintErr == nil) != (verr == nil) {
			t.Errorf("rid %q: shcmint says %v, shc says %v", rid, mintErr, verr)
		}
	}
}
