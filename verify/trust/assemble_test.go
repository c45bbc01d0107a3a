package trust

import (
	"testing"

	"github.com/chot-dev/chot/verify"
)

func TestAddKeysDeduplicates(t *testing.T) {
	a := KeyEntry{Format: verify.FormatDCC, Issuer: "DE", Kid: []byte("kid1"), Cert: []byte("cert-a")}
	aAgain := a
	sameKidOtherCert := KeyEntry{Format: verify.FormatDCC, Issuer: "DE", Kid: []byte("kid1"), Cert: []byte("cert-b")}
	shc := KeyEntry{Format: verify.FormatSHC, Issuer: "https://issuer", Kid: []byte("kid1"), SPKI: []byte("spki")}
	var b Bundle
	if n := b.AddKeys(a, aAgain, sameKidOtherCert); n != 2 {
		t.Errorf("first add: %d added, want 2 (a duplicate dropped)", n)
	}
	if n := b.AddKeys(shc, a); n != 1 {
		t.Errorf("second add: %d added, want 1 (a is already held)", n)
	}
	if len(b.Keys) != 3 || string(b.Keys[0].Cert) != "cert-a" || b.Keys[2].Format != verify.FormatSHC {
		t.Errorf("keys %+v: want a, the other cert, the SHC key, in order", b.Keys)
	}
}
