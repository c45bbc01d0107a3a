package trust

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chot-dev/chot/verify"
)

var (
	trustlists = filepath.Join(testdata, "trustlists")
	covpass    = filepath.Join(trustlists, "covpass-ios")
	unionList  = filepath.Join(trustlists, "dsc_acc_union.json")
	demoKey    = filepath.Join(covpass, "DEMO-CA-pubkey.pem")
	prodKey    = filepath.Join(covpass, "PROD_RKI-CA-pubkey.pem")
)

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// unionEntries reads the merged acceptance list as raw entries.
func unionEntries(t testing.TB) []map[string]any {
	t.Helper()
	var l struct {
		Certificates []map[string]any `json:"certificates"`
	}
	if err := json.Unmarshal(readFile(t, unionList), &l); err != nil {
		t.Fatal(err)
	}
	return l.Certificates
}

// TestParseDSCNegativeSerial reads the Lebanese DSCs whose serial DER reads
// as negative, which crypto/x509 refuses since Go 1.23 unless GODEBUG says
// otherwise. The test sets no GODEBUG; it proves the parse does not depend
// on one.
func TestParseDSCNegativeSerial(t *testing.T) {
	if strings.Contains(os.Getenv("GODEBUG"), "x509negativeserial=1") {
		t.Fatal("run this test without GODEBUG=x509negativeserial=1: it checks chot does not need it")
	}
	refused := map[string]bool{} // kid → crypto/x509 refused it
	for _, line := range strings.Split(string(readFile(t, filepath.Join(trustlists, "dsc_acc_union.x509-refused.tsv"))), "\n") {
		if f := strings.Split(line, "\t"); len(f) > 1 && strings.HasSuffix(f[0], "=") {
			refused[f[0]] = true
		}
	}
	var negative int
	for i, c := range unionEntries(t) {
		kid, _ := c["kid"].(string)
		der, err := base64.StdEncoding.DecodeString(c["rawData"].(string))
		if err != nil {
			t.Fatal(err)
		}
		_, stdErr := x509.ParseCertificate(der)
		cert, err := ParseDSC(der)
		if err != nil {
			t.Errorf("entry %d (kid %s): %v", i, kid, err)
			continue
		}
		if stdErr == nil {
			continue
		}
		negative++
		if !strings.Contains(stdErr.Error(), "negative serial") {
			t.Errorf("entry %d (kid %s): crypto/x509 refuses it for another reason: %v", i, kid, stdErr)
		}
		if !bytes.Equal(cert.Raw, der) || base64.StdEncoding.EncodeToString(DCCKid(cert.Raw)) != kid {
			t.Errorf("entry %d: the kid of the lenient parse is not the published one", i)
		}
		if cert.SerialNumber.Sign() <= 0 || len(cert.Subject.Country) == 0 || cert.Subject.Country[0] != "LB" {
			t.Errorf("entry %d: serial %v, country %v: want the unsigned serial of an LB DSC", i, cert.SerialNumber, cert.Subject.Country)
		}
		if len(refused) > 0 && !refused[kid] {
			t.Errorf("entry %d: kid %s refused by crypto/x509 but not listed in the TSV", i, kid)
		}
	}
	if negative != 16 {
		t.Fatalf("crypto/x509 refused %d DSCs of the union, want 16 (the LB DSCs of SOURCE.md)", negative)
	}
}

// TestImportUnionSurvivesBadEntries imports the merged acceptance list (755
// DSCs, 16 of them refused by crypto/x509) with one entry made garbage and
// one with a wrong kid: every other DSC is taken, the two are reported.
func TestImportUnionSurvivesBadEntries(t *testing.T) {
	entries := unionEntries(t)
	if len(entries) != 755 {
		t.Fatalf("union has %d entries, want 755", len(entries))
	}
	l, err := ImportDSCList(readFile(t, unionList))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Keys) != 755 || len(l.Skipped) != 0 {
		t.Fatalf("as published: %d taken, %d skipped (%v); want all 755", len(l.Keys), len(l.Skipped), l.Skipped)
	}
	entries[10]["rawData"] = base64.StdEncoding.EncodeToString([]byte("not a certificate"))
	entries[20]["kid"] = entries[21]["kid"]
	data, err := json.Marshal(map[string]any{"certificates": entries})
	if err != nil {
		t.Fatal(err)
	}
	l, err = ImportDSCList(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Keys) != 753 || len(l.Skipped) != 2 {
		t.Fatalf("%d taken, %d skipped; want 753 and 2", len(l.Keys), len(l.Skipped))
	}
	for i, want := range []int{10, 20} {
		sk := l.Skipped[i]
		if sk.Index != want || sk.Kid != entries[want]["kid"] || sk.Country != entries[want]["country"] || sk.Reason == "" {
			t.Errorf("skipped %d: %+v, want entry %d with its kid, country and a reason", i, sk, want)
		}
	}
	// The keys go into a bundle and back out into a store.
	b := testBundle(t, 1)
	b.Keys = l.Keys
	b.Sources = []SourceEntry{l.Source("union.json")}
	opened, err := Open(signed(t, b, testRoot(1)), []ed25519.PublicKey{pub(testRoot(1))}, 0, t0)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewStore(opened)
	if err != nil {
		t.Fatal(err)
	}
	if s.KeyCount() != 753 || len(opened.Sources) != 1 || opened.Sources[0].Taken != 753 || opened.Sources[0].Skipped != 2 {
		t.Fatalf("store %d keys, sources %+v", s.KeyCount(), opened.Sources)
	}
}

// TestGatewayList checks the German gateway's signed lists against its
// pinned keys: the DEMO key verifies the DEMO lists and refuses the
// production one and vice versa; one altered byte fails; an unsigned list
// is taken only when the operator allows it, and is marked so.
func TestGatewayList(t *testing.T) {
	demo, prod := readFile(t, demoKey), readFile(t, prodKey)
	demoList := readFile(t, filepath.Join(covpass, "DEMO-CA-dsc.signed.6a5457e9.json"))
	sdkList := readFile(t, filepath.Join(covpass, "dsc-with-signature.bf49788d.json"))
	prodList := readFile(t, filepath.Join(covpass, "PROD_RKI-dsc.signed.5da6a808.json"))
	unsigned := readFile(t, filepath.Join(covpass, "DEMO-CA-dsc.e35bb2d7.json"))
	altered := bytes.Clone(demoList)
	i := bytes.Index(altered, []byte(`"country":"`)) + len(`"country":"`)
	altered[i] ^= 0x01 // one letter of a country code
	withLF := append(bytes.Clone(prodList), '\n')

	tests := []struct {
		name    string
		data    []byte
		key     []byte
		opts    TrustListOptions
		taken   int
		sig     string
		wantErr error
	}{
		{"DEMO list, DEMO key", demoList, demo, TrustListOptions{}, 58, ListVerified, nil},
		{"covpass test list, DEMO key", sdkList, demo, TrustListOptions{}, 122, ListVerified, nil},
		{"PROD list, PROD key", prodList, prod, TrustListOptions{}, 2, ListVerified, nil},
		{"PROD list with a trailing LF", withLF, prod, TrustListOptions{}, 2, ListVerified, nil},
		{"DEMO list, PROD key", demoList, prod, TrustListOptions{}, 0, "", ErrListSignature},
		{"PROD list, DEMO key", prodList, demo, TrustListOptions{}, 0, "", ErrListSignature},
		{"one byte altered", altered, demo, TrustListOptions{}, 0, "", ErrListSignature},
		{"wrong key even with unsigned allowed", demoList, prod, TrustListOptions{AllowUnsigned: true}, 0, "", ErrListSignature},
		{"signed list, no key", demoList, nil, TrustListOptions{}, 0, "", ErrListUnsigned},
		{"signed list, no key, unsigned allowed", demoList, nil, TrustListOptions{AllowUnsigned: true}, 58, ListUnsigned, nil},
		{"unsigned list", unsigned, demo, TrustListOptions{}, 0, "", ErrListUnsigned},
		{"unsigned list, allowed", unsigned, demo, TrustListOptions{AllowUnsigned: true}, 610, ListUnsigned, nil},
		{"not a list", []byte("hello\nworld"), demo, TrustListOptions{}, 0, "", ErrListKind},
		{"key file without a key", demoList, []byte("no key"), TrustListOptions{}, 0, "", ErrListKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ImportTrustList(tc.data, tc.key, tc.opts)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || l != nil {
					t.Fatalf("got %v, %v; want %v and nothing taken", l, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Keys) != tc.taken || l.Signature != tc.sig || len(l.Skipped) != 0 {
				t.Fatalf("%d taken (%s), %d skipped; want %d (%s)", len(l.Keys), l.Signature, len(l.Skipped), tc.taken, tc.sig)
			}
			if tc.sig == ListVerified && l.SignedBy != map[bool]string{true: "42d0361d255ff255", false: "39eccdee899eb6f3"}[bytes.Equal(tc.key, demo)] {
				t.Errorf("signed by %s", l.SignedBy)
			}
		})
	}
}

// TestSharedKid: several DSCs may carry the same kid (it is a truncated
// hash); the store returns each, so the verifier can try each.
func TestSharedKid(t *testing.T) {
	l, err := ImportDSCList(readFile(t, filepath.Join(covpass, "DEMO-CA-dsc.e35bb2d7.json")))
	if err != nil {
		t.Fatal(err)
	}
	a, err := l.Keys[0].Key()
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Keys[1].Key()
	if err != nil {
		t.Fatal(err)
	}
	b.Kid = a.Kid
	s := NewKeyStore([]*verify.Key{a, b}, nil)
	if got := s.Keys(verify.FormatDCC, "", a.Kid); len(got) != 2 {
		t.Fatalf("%d keys for the shared kid, want 2", len(got))
	}
}
