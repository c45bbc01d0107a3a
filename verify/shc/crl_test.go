package shc

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/shc/shcmint"
)

const testKid = "hrvC0uzB16UXK83BnPo7Glg685b1D6iYOyJd5hpRaAA"

func TestParseCRL(t *testing.T) {
	const iss = "https://example.org/issuer"
	tests := []struct {
		name, json string
		want       []verify.Revocation // nil with err
		err        string
	}{
		{name: "ok", json: `{"kid":"` + testKid + `","method":"rid","ctr":2,"rids":["abc","def.1687450765"]}`,
			want: []verify.Revocation{
				{Format: verify.FormatSHC, Issuer: iss, Kid: []byte(testKid), Kind: "rid", Value: []byte("abc")},
				{Format: verify.FormatSHC, Issuer: iss, Kid: []byte(testKid), Kind: "rid", Value: []byte("def"), Before: time.Unix(1687450765, 0)},
			}},
		{name: "empty", json: `{"kid":"` + testKid + `","method":"rid","ctr":1,"rids":[]}`, want: []verify.Revocation{}},
		{name: "other kid", json: `{"kid":"other","method":"rid","ctr":1,"rids":[]}`, err: "kid"},
		{name: "method", json: `{"kid":"` + testKid + `","method":"uci","ctr":1,"rids":[]}`, err: "method"},
		{name: "no ctr", json: `{"kid":"` + testKid + `","method":"rid","rids":[]}`, err: "ctr"},
		{name: "duplicate", json: `{"kid":"` + testKid + `","method":"rid","ctr":1,"rids":["abc.1","abc"]}`, err: "twice"},
		{name: "padding", json: `{"kid":"` + testKid + `","method":"rid","ctr":1,"rids":["abc=="]}`, err: "base64url"},
		{name: "too long", json: `{"kid":"` + testKid + `","method":"rid","ctr":1,"rids":["` + strings.Repeat("a", 25) + `"]}`, err: "length"},
		{name: "bad timestamp", json: `{"kid":"` + testKid + `","method":"rid","ctr":1,"rids":["abc.x"]}`, err: "timestamp"},
		{name: "not json", json: `[`, err: "bad revocation list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCRL(iss, testKid, []byte(tt.json))
			if tt.err != "" {
				if !errors.Is(err, ErrCRL) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want ErrCRL with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d entries, want %d", len(got), len(tt.want))
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.Format != w.Format || g.Issuer != w.Issuer || string(g.Kid) != string(w.Kid) || g.Kind != w.Kind || string(g.Value) != string(w.Value) || !g.Before.Equal(w.Before) {
					t.Errorf("entry %d: %+v, want %+v", i, g, w)
				}
			}
		})
	}
	if _, err := ParseCRLVersion(iss, testKid, 3, []byte(tests[0].json)); err == nil || !strings.Contains(err.Error(), "crlVersion is 3") {
		t.Errorf("ParseCRLVersion with another version: %v", err)
	}
}

// TestLoadIssuerDirMissingCRL: a key with crlVersion but no CRL file is an error.
func TestLoadIssuerDirMissingCRL(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jwks.json")
	if err := os.WriteFile(path, []byte(readFile(t, specJWKSPath())), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadIssuerDir(specIssuer, path); err == nil || !strings.Contains(err.Error(), "crlVersion 1") {
		t.Fatalf("err %v, want the missing CRL named", err)
	}
	if _, _, err := LoadIssuerDir(specIssuer, filepath.Join(dir, "none.json")); err == nil {
		t.Fatal("no error for a missing jwks.json")
	}
}

// TestRevocationMinted: a minted card with a rid is revoked by a plain entry,
// by a timestamped entry after its nbf, and not by one before.
func TestRevocationMinted(t *testing.T) {
	const iss = "https://example.org/issuer"
	key := newKey(t)
	nbf := time.Date(2026, 3, 1, 10, 0, 0, 500e6, time.UTC)
	card := testCard(iss, nbf)
	card.Rid = "Ab_c-123"
	jws, err := shcmint.Mint(card, key)
	if err != nil {
		t.Fatal(err)
	}
	kid := Thumbprint(&key.PublicKey)
	trust := trustKey(t, iss, &key.PublicKey)
	v := newVerifier()
	now := nbf.Add(time.Hour)
	tests := []struct {
		rids string
		want verify.Reason
	}{
		{`"other"`, verify.ReasonOK},
		{`"Ab_c-123"`, verify.ReasonRevoked},
		{`"Ab_c-123.` + itoa(nbf.Unix()+1) + `"`, verify.ReasonRevoked}, // issued before the timestamp
		{`"Ab_c-123.` + itoa(nbf.Unix()) + `"`, verify.ReasonOK},        // issued 0.5 s after it
	}
	for _, tt := range tests {
		t.Run(tt.rids, func(t *testing.T) {
			revs, err := ParseCRL(iss, kid, []byte(`{"kid":"`+kid+`","method":"rid","ctr":1,"rids":[`+tt.rids+`]}`))
			if err != nil {
				t.Fatal(err)
			}
			res := run(v, []string{jws}, &verify.KeyList{List: trust.List, Revocations: revs}, now)
			wantReason(t, res, tt.want)
		})
	}
	// The list is bound to its issuer: another issuer's list does not revoke.
	revs, err := ParseCRL("https://other.example", kid, []byte(`{"kid":"`+kid+`","method":"rid","ctr":1,"rids":["Ab_c-123"]}`))
	if err != nil {
		t.Fatal(err)
	}
	wantReason(t, run(v, []string{jws}, &verify.KeyList{List: trust.List, Revocations: revs}, now), verify.ReasonOK)
}
