package trust

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
)

type listEntry struct {
	Kid             string `json:"kid"`
	Country         string `json:"country"`
	RawData         string `json:"rawData"`
	CertificateType string `json:"certificateType,omitempty"`
	Thumbprint      string `json:"thumbprint,omitempty"`
}

// dscListJSON synthesizes a signer list as a national backend publishes it.
func dscListJSON(t testing.TB, entries []listEntry) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"certificates": entries})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func listEntries(t testing.TB) []listEntry {
	var out []listEntry
	for i, der := range dccCerts(t) {
		out = append(out, listEntry{
			Kid:             base64.StdEncoding.EncodeToString(DCCKid(der)),
			Country:         strings.SplitN(dccCertFiles[i], "/", 2)[0],
			RawData:         base64.StdEncoding.EncodeToString(der),
			CertificateType: "DSC",
		})
	}
	return out
}

func TestParseDSCList(t *testing.T) {
	good := listEntries(t)
	withCSCA := append([]listEntry{{Kid: "AAAAAAAAAAA=", Country: "XX", RawData: "bm90IGEgY2VydA==", CertificateType: "CSCA"}}, good...)
	badKid := append([]listEntry(nil), good...)
	badKid[1].Kid = good[0].Kid
	badRaw := append([]listEntry(nil), good...)
	badRaw[2].RawData = "!!"

	tests := []struct {
		name    string
		data    []byte
		want    int
		errText string
	}{
		{"list", dscListJSON(t, good), 4, ""},
		{"CSCA entries skipped", dscListJSON(t, withCSCA), 4, ""},
		{"bare array", func() []byte { b, _ := json.Marshal(good); return b }(), 4, ""},
		{"signature line first", append([]byte("MEUCIQDsig+line\n"), dscListJSON(t, good)...), 4, ""},
		{"kid mismatch skips the entry", dscListJSON(t, badKid), 3, ""},
		{"bad rawData skips the entry", dscListJSON(t, badRaw), 3, ""},
		{"no usable DSC names the first", dscListJSON(t, badRaw[2:3]), 0, "entry 0"},
		{"not JSON", []byte("{certificates"), 0, "DSC list"},
		{"only CSCA", dscListJSON(t, withCSCA[:1]), 0, "no DSC"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDSCList(tc.data)
			if tc.errText != "" {
				if !errors.Is(err, ErrImport) || !strings.Contains(err.Error(), tc.errText) {
					t.Fatalf("got %v, want ErrImport mentioning %q", err, tc.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Fatalf("got %d keys, want %d", len(got), tc.want)
			}
			for i, e := range got {
				if e.Format != verify.FormatDCC || !bytes.Equal(e.Kid, DCCKid(e.Cert)) || !strings.HasPrefix(dccCertFiles[slices.IndexFunc(good, func(g listEntry) bool {
					return g.RawData == base64.StdEncoding.EncodeToString(e.Cert)
				})], e.Issuer) {
					t.Errorf("entry %d: %s %x %q", i, e.Format, e.Kid, e.Issuer)
				}
			}
		})
	}
}

func TestImportCertificates(t *testing.T) {
	ders := dccCerts(t)
	var pemData []byte
	for _, d := range ders[:2] {
		pemData = append(pemData, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d})...)
	}
	tests := []struct {
		name    string
		data    []byte
		country string
		want    []string // issuers
	}{
		{"DER", ders[3], "", []string{"CH"}},
		{"PEM, two", pemData, "", []string{"AT", "BE"}},
		{"country override", ders[0], "XA", []string{"XA"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ImportCertificates(tc.data, tc.country)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d keys, want %d", len(got), len(tc.want))
			}
			for i, e := range got {
				if e.Issuer != tc.want[i] {
					t.Errorf("key %d: issuer %q, want %q", i, e.Issuer, tc.want[i])
				}
			}
		})
	}
	if _, err := ImportCertificates([]byte("no cert"), ""); !errors.Is(err, ErrNoKey) {
		t.Fatalf("garbage: got %v, want ErrNoKey", err)
	}
}

func TestImportJWKS(t *testing.T) {
	data, err := os.ReadFile(shcJWKS)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ImportJWKS(shcIssuer, data)
	if err != nil {
		t.Fatal(err)
	}
	kids := map[string]bool{}
	for _, e := range got {
		if e.Format != verify.FormatSHC || e.Issuer != shcIssuer || e.Alg != "ES256" || len(e.SPKI) == 0 {
			t.Errorf("entry %+v", e)
		}
		kids[string(e.Kid)] = true
	}
	for _, k := range []string{"3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s", "EBKOr72QQDcTBUuVzAzkfBTGew0ZA16GuWty64nS-sw"} {
		if !kids[k] {
			t.Errorf("kid %s missing", k)
		}
	}
	bad, err := os.ReadFile(filepath.Join(testdata, "shc", "validation-sdk", "wrong_curve_key.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ImportJWKS(shcIssuer, bad); !errors.Is(err, ErrImport) {
		t.Fatalf("wrong curve: got %v, want ErrImport", err)
	}
}

func TestImportIssuerDir(t *testing.T) {
	keys, revs, err := ImportIssuerDir(shcIssuer, shcJWKS)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || len(revs) != 1 {
		t.Fatalf("got %d keys, %d revocation groups; want 2, 1", len(keys), len(revs))
	}
	r := revs[0]
	if r.Kind != KindRID || string(r.Kid) != "3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s" || len(r.Values) != 4 || len(r.Before) != 4 {
		t.Fatalf("revocations %+v", r)
	}
	if string(r.Values[0]) != "vwAjHdarZuc" || r.Before[0].Unix() != 1687450765 || !r.Before[1].IsZero() {
		t.Errorf("first rids: %q %v, %q %v", r.Values[0], r.Before[0], r.Values[1], r.Before[1])
	}
}

func TestParseRevocations(t *testing.T) {
	uci := sha256.Sum256([]byte("URN:UVCI:01:AT:TEST"))
	sig := sha256.Sum256([]byte("a signature"))
	kid := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	b64kid := base64.StdEncoding.EncodeToString(kid)
	tests := []struct {
		name   string
		data   string
		want   []RevocationEntry
		errTxt string
	}{
		{
			name: "text hex and base64",
			data: "# DCC revocations\n# kind: UCI\n# kid: " + b64kid + "\n" +
				hex.EncodeToString(uci[:16]) + "\n\n" + base64.StdEncoding.EncodeToString(uci[:16]) + "\n" + hex.EncodeToString(uci[:]) + "\n",
			want: []RevocationEntry{{Format: verify.FormatDCC, Kid: kid, Kind: KindUCI, Values: [][]byte{uci[:16], uci[:16], uci[:16]}}},
		},
		{
			name: "text rid",
			data: "# kind: rid\n# issuer: " + shcIssuer + "\nabc\nxyz.1687450765\n",
			want: []RevocationEntry{{Format: verify.FormatSHC, Issuer: shcIssuer, Kind: KindRID,
				Values: [][]byte{[]byte("abc"), []byte("xyz")}, Before: []time.Time{{}, time.Unix(1687450765, 0).UTC()}}},
		},
		{
			name: "EU batch",
			data: `{"country":"AT","expires":"2027-01-01T00:00:00Z","kid":"` + b64kid + `","hashType":"SIGNATURE","entries":[{"hash":"` +
				base64.StdEncoding.EncodeToString(sig[:16]) + `"}]}`,
			want: []RevocationEntry{{Format: verify.FormatDCC, Kid: kid, Kind: KindSignature, Values: [][]byte{sig[:16]}}},
		},
		{
			name: "EU batches",
			data: `[{"hashType":"UCI","entries":[{"hash":"` + base64.StdEncoding.EncodeToString(uci[:16]) + `"}]},{"hashType":"COUNTRYCODEUCI","entries":[]}]`,
			want: []RevocationEntry{{Format: verify.FormatDCC, Kind: KindUCI, Values: [][]byte{uci[:16]}}, {Format: verify.FormatDCC, Kind: KindCountryCodeUCI}},
		},
		{name: "no kind header", data: "00112233445566778899aabbccddeeff\n", errTxt: "kind"},
		{name: "unknown kind", data: "# kind: NAME\n00112233445566778899aabbccddeeff\n", errTxt: "NAME"},
		{name: "short hash", data: "# kind: UCI\nabcd\n", errTxt: "line 2"},
		{name: "bad rid timestamp", data: "# kind: rid\nabc.x\n", errTxt: "timestamp"},
		{name: "bad hashType", data: `{"hashType":"MD5","entries":[]}`, errTxt: "MD5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRevocations([]byte(tc.data))
			if tc.errTxt != "" {
				if !errors.Is(err, ErrImport) || !strings.Contains(err.Error(), tc.errTxt) {
					t.Fatalf("got %v, want ErrImport mentioning %q", err, tc.errTxt)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d entries, want %d", len(got), len(tc.want))
			}
			for i := range got {
				g, w := got[i], tc.want[i]
				if g.Format != w.Format || g.Issuer != w.Issuer || !bytes.Equal(g.Kid, w.Kid) || g.Kind != w.Kind ||
					len(g.Values) != len(w.Values) || len(g.Before) != len(w.Before) {
					t.Fatalf("entry %d: got %+v, want %+v", i, g, w)
				}
				for j := range g.Values {
					if !bytes.Equal(g.Values[j], w.Values[j]) {
						t.Errorf("value %d: got %x, want %x", j, g.Values[j], w.Values[j])
					}
				}
				for j := range g.Before {
					if !g.Before[j].Equal(w.Before[j]) {
						t.Errorf("before %d: got %v, want %v", j, g.Before[j], w.Before[j])
					}
				}
				if err := g.check(); err != nil {
					t.Errorf("entry %d does not go into a bundle: %v", i, err)
				}
			}
		})
	}
}

func TestLoadKeys(t *testing.T) {
	dir := t.TempDir()
	ders := dccCerts(t)
	certFile := filepath.Join(dir, "ch.der")
	listFile := filepath.Join(dir, "list.json")
	if err := os.WriteFile(certFile, ders[3], 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(listFile, dscListJSON(t, listEntries(t)[:3]), 0o600); err != nil {
		t.Fatal(err)
	}
	jwks, err := ParseIssuerFiles([]string{shcIssuer + "=" + shcJWKS})
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadKeys([]string{certFile}, []string{listFile}, jwks)
	if err != nil {
		t.Fatal(err)
	}
	if s.KeyCount() != 6 || s.RevocationCount() != 4 || s.Version() != 0 {
		t.Fatalf("got %d keys, %d revocations, version %d; want 6, 4, 0", s.KeyCount(), s.RevocationCount(), s.Version())
	}
	for _, d := range ders {
		if ks := s.Keys(verify.FormatDCC, "", DCCKid(d)); len(ks) != 1 || ks[0].Cert == nil {
			t.Errorf("kid %x: got %d keys", DCCKid(d), len(ks))
		}
	}
	if _, err := LoadKeys([]string{filepath.Join(dir, "missing.der")}, nil, nil); err == nil {
		t.Error("missing file: no error")
	}
	for _, bad := range []string{"nofile", "=x", "https://a/="} {
		if _, err := ParseIssuerFiles([]string{bad}); err == nil {
			t.Errorf("ParseIssuerFiles(%q): no error", bad)
		}
	}
}
