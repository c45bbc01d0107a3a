package shc

import (
	"testing"

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
}
