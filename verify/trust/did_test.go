package trust

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify/gdhcntest"
)

const whoSigningDID = "trust/tng-participants-dev/WHO/signing/DID/did.json"

func readGDHCN(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(gdhcntest.Path(rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// didDocs lists the v2 DID documents of the DEV snapshot.
func didDocs(t testing.TB) []string {
	t.Helper()
	var out []string
	root := gdhcntest.Path("trust/tng-cdn-dev/v2")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "did.json" {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDIDDocumentsVerify checks the proof of v2 DID documents against the
// pinned WHO DEV signing key: one in 40 by default, all 884 with
// CHOT_GDHCN_ALL=1 (about 5 s on the 2-core machine, without -race).
func TestDIDDocumentsVerify(t *testing.T) {
	signers, err := ParseDIDSigners(readGDHCN(t, whoSigningDID))
	if err != nil || len(signers) != 1 {
		t.Fatalf("signers %v, %v", signers, err)
	}
	docs := didDocs(t)
	if len(docs) != 884 {
		t.Fatalf("%d v2 documents, want 884", len(docs))
	}
	step := 40
	if os.Getenv("CHOT_GDHCN_ALL") != "" {
		step = 1
	}
	start := time.Now()
	n, keys, skipped := 0, 0, 0
	for i := 0; i < len(docs); i += step {
		b, err := os.ReadFile(docs[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := VerifyDIDDocument(b, signers); err != nil {
			t.Errorf("%s: %v", docs[i], err)
			continue
		}
		_, imp, err := ParseDIDDocument(b)
		if err != nil {
			t.Errorf("%s: %v", docs[i], err)
			continue
		}
		n++
		keys += len(imp.Keys)
		skipped += len(imp.Skipped)
	}
	t.Logf("%d of %d v2 DID documents verified in %v: %d DSC keys taken, %d entries skipped",
		n, len(docs), time.Since(start).Round(time.Millisecond), keys, skipped)
}

func TestDIDListImport(t *testing.T) {
	who := readGDHCN(t, whoSigningDID)
	doc := readGDHCN(t, "trust/tng-cdn-dev/v2/trustlist/DCC/XCL/DSC/did.json")
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(other.Public())
	otherPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	// A DID document naming the WHO signing id, with another key.
	pt, _ := other.PublicKey.Bytes()
	otherDID := fmt.Sprintf(`{"id":%[1]q,"verificationMethod":[{"id":%[1]q,"type":"JsonWebKey2020","publicKeyJwk":{"kty":"EC","crv":"P-256","x":%[2]q,"y":%[3]q}}]}`,
		"did:web:raw.githubusercontent.com:WorldHealthOrganization:tng-participants-dev:main:WHO:signing:DID",
		base64.RawURLEncoding.EncodeToString(pt[1:33]), base64.RawURLEncoding.EncodeToString(pt[33:]))
	altered := strings.Replace(string(doc), `"#XCL"`, `"#XXA"`, 1)
	if altered == string(doc) {
		t.Fatal("nothing altered")
	}
	tests := []struct {
		name  string
		data  []byte
		key   []byte
		allow bool
		err   error
	}{
		{"pinned WHO DID document", doc, who, false, nil},
		{"one field altered", []byte(altered), who, false, ErrListSignature},
		{"another PEM key", doc, otherPEM, false, ErrListSignature},
		{"another key under the WHO id", doc, []byte(otherDID), false, ErrListSignature},
		{"no key", doc, nil, false, ErrListUnsigned},
		{"no key, unsigned allowed", doc, nil, true, nil},
		{"deprecated v1 list: signed by signerinfo, not the pinned key", readGDHCN(t, "trust/tng-cdn-dev/trustlist/did.json"), who, false, ErrListSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ImportTrustList(tt.data, tt.key, TrustListOptions{AllowUnsigned: tt.allow})
			if !errors.Is(err, tt.err) {
				t.Fatalf("got %v, want %v", err, tt.err)
			}
			if err != nil {
				if l != nil {
					t.Errorf("a refused list gave %+v", l)
				}
				return
			}
			if l.Kind != KindDIDList || len(l.Keys) == 0 {
				t.Fatalf("import %+v", l)
			}
			want := ListVerified
			if tt.allow {
				want = ListUnsigned
			}
			if l.Signature != want {
				t.Errorf("signature %s, want %s", l.Signature, want)
			}
			for _, k := range l.Keys {
				if k.Issuer != "XL" { // the DSCs' subject country; the participant is XCL
					t.Errorf("key %x issuer %q, want XL", k.Kid, k.Issuer)
				}
				if _, err := k.Key(); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// TestDIDListUsage checks that the root list's SCA and DECA keys are left
// out, with their reason, and DSCs taken.
func TestDIDListUsage(t *testing.T) {
	_, imp, err := ParseDIDDocument(readGDHCN(t, "trust/tng-cdn-dev/v2/trustlist/DDCC/XXA/SCA/did.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(imp.Keys) != 0 || len(imp.Skipped) == 0 || !strings.Contains(imp.Skipped[0].Reason, "not a document signer") {
		t.Errorf("SCA document: %d keys, skipped %+v", len(imp.Keys), imp.Skipped)
	}
}
