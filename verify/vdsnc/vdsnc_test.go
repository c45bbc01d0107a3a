package vdsnc

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gowebpki/jcs"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/gdhcntest"
)

var clock = time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC)

const (
	auCSCA = "trust/ddcc-trust/production-keys/australia/public-keys/aus_csca6_kc-cs.cer"
	auLink = "trust/ddcc-trust/production-keys/australia/public-keys/aus_csca6_link.cer"
	jpCSCA = "trust/ddcc-trust/production-keys/japan/JP#arTykoK9lkf2%2FyoC95RNdJ6XhGM%3D.pem"
	auCRL  = "trust/vds-nc-reader-library-android/extracted/Data.kt.crlData.crl"
	jpCRL  = "trust/vds-nc-reader-library-android/extracted/Data.kt.JAPAN_CRL.crl"
	auSeal = "vectors/ICAOAUQR1Contents.txt"
	jpSeal = "vectors/ICAOJPQR1Contents.txt"
)

func read(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(gdhcntest.Path(rel))
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := pem.Decode(b); p != nil {
		return p.Bytes
	}
	return b
}

func cscaKey(t testing.TB, rel string) *verify.Key {
	t.Helper()
	k, err := KeyFromCSCA(read(t, rel), "")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestJapanCSCAExplicitParameters(t *testing.T) {
	der := read(t, jpCSCA)
	if _, err := x509.ParseCertificate(der); err == nil {
		t.Fatal("x509 parses the JP CSCA now: the lenient path is no longer tested")
	}
	k := cscaKey(t, jpCSCA)
	pub, ok := k.Public.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P384() || k.Issuer != "JPN" ||
		base64.StdEncoding.EncodeToString(k.Kid) != "arTykoK9lkf2/yoC95RNdJ6XhGM=" {
		t.Fatalf("JP CSCA key %+v", k)
	}
	// The same certificate with one parameter altered is refused.
	bad := bytes.Clone(der)
	p384b := elliptic.P384().Params().B.Bytes()
	i := bytes.Index(bad, p384b)
	if i < 0 {
		t.Fatal("no curve b in the certificate")
	}
	bad[i+10] ^= 1
	if _, err := ParseCSCA(bad); err == nil {
		t.Error("a CSCA with altered curve parameters parsed")
	}
}

func TestVectors(t *testing.T) {
	au, jp := cscaKey(t, auCSCA), cscaKey(t, jpCSCA)
	var revs []verify.Revocation
	for _, f := range []string{auCRL, jpCRL} {
		crl, err := ParseCRL(read(t, f), []*verify.Key{au, jp})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !crl.Stale(clock) || len(crl.Revocations) != 0 {
			t.Errorf("%s: stale %v, %d entries; want stale and empty, as SOURCE.md says", f, crl.Stale(clock), len(crl.Revocations))
		}
		revs = append(revs, crl.Revocations...)
	}
	if _, err := ParseCRL(read(t, auCRL), []*verify.Key{jp}); err == nil {
		t.Error("the AU CRL was taken without the AU CSCA")
	}
	both := &verify.KeyList{List: []*verify.Key{au, jp}, Revocations: revs}
	auText := string(read(t, auSeal))
	jpText := string(read(t, jpSeal))
	pretty := prettyData(t, auText)
	tests := []struct {
		name   string
		text   string
		trust  verify.TrustStore
		now    time.Time
		reason verify.Reason
		typ    verify.CredType
	}{
		{"AU", auText, both, clock, verify.ReasonOK, verify.TypeVaccination},
		{"JP (explicit-parameter CSCA)", jpText, both, clock, verify.ReasonOK, verify.TypeVaccination},
		{"AU pretty-printed: JCS", pretty, both, clock, verify.ReasonOK, verify.TypeVaccination},
		{"AU with the link certificate as CSCA", auText, &verify.KeyList{List: []*verify.Key{cscaKey(t, auLink)}}, clock, verify.ReasonOK, verify.TypeVaccination},
		{"AU, no CSCA", auText, &verify.KeyList{List: []*verify.Key{jp}}, clock, verify.ReasonUnknownKey, verify.TypeVaccination},
		{"AU data altered", strings.Replace(auText, "VB0009990012", "VB0009990013", 1), both, clock, verify.ReasonBadSignature, verify.TypeVaccination},
		{"JP claims AUS", strings.Replace(jpText, `"is":"JPN"`, `"is":"AUS"`, 1), both, clock, verify.ReasonBadSignature, verify.TypeVaccination},
		{"AU before its BSC", auText, both, time.Date(2021, 8, 1, 0, 0, 0, 0, time.UTC), verify.ReasonNotYetValid, verify.TypeVaccination},
		{"not JSON", `{"data":{"hdr":1},"sig":`, both, clock, verify.ReasonBadPayload, ""},
	}
	v := verify.New(New())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := v.Verify(verify.Input{Texts: []string{tt.text}, Trust: tt.trust, Now: tt.now, CredentialOnly: true})
			if res.Reason != tt.reason || res.Format != verify.FormatVDSNC {
				t.Fatalf("got %s %s (%s), want %s", res.Format, res.Reason, res.Detail, tt.reason)
			}
			if tt.typ != "" && (res.Credential == nil || res.Credential.Type != tt.typ) {
				t.Errorf("credential %+v, want %s", res.Credential, tt.typ)
			}
		})
	}
}

// prettyData re-encodes the seal indented, its data keys in another order:
// not the bytes that were signed, the same JCS form.
func prettyData(t *testing.T, text string) string {
	t.Helper()
	var s struct {
		Data map[string]any `json:"data"`
		Sig  map[string]any `json:"sig"`
	}
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(map[string]any{"sig": s.Sig, "data": s.Data}, "", "   ")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text, string(b)) {
		t.Fatal("not re-encoded")
	}
	return string(b)
}

// pki is a made-up CSCA and BSC for the cases no vector has.
type pki struct {
	cscaKey *ecdsa.PrivateKey
	csca    *x509.Certificate
	bscKey  *ecdsa.PrivateKey
	bsc     []byte
	key     *verify.Key
}

func newPKI(t *testing.T, curve elliptic.Curve, eku bool) *pki {
	t.Helper()
	p := &pki{}
	var err error
	if p.cscaKey, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if p.bscKey, err = ecdsa.GenerateKey(curve, rand.Reader); err != nil {
		t.Fatal(err)
	}
	ctmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{Country: []string{"NZ"}, CommonName: "test CSCA"},
		NotBefore: clock.AddDate(-1, 0, 0), NotAfter: clock.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, SubjectKeyId: make([]byte, 20)}
	_, _ = rand.Read(ctmpl.SubjectKeyId)
	cder, err := x509.CreateCertificate(rand.Reader, ctmpl, ctmpl, p.cscaKey.Public(), p.cscaKey)
	if err != nil {
		t.Fatal(err)
	}
	p.csca, _ = x509.ParseCertificate(cder)
	btmpl := &x509.Certificate{SerialNumber: big.NewInt(4242), Subject: pkix.Name{Country: []string{"NZ"}, CommonName: "test BSC"},
		NotBefore: clock.AddDate(0, -1, 0), NotAfter: clock.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	if eku {
		btmpl.UnknownExtKeyUsage = []asn1.ObjectIdentifier{EKUHealthSigner}
	}
	if p.bsc, err = x509.CreateCertificate(rand.Reader, btmpl, p.csca, p.bscKey.Public(), p.cscaKey); err != nil {
		t.Fatal(err)
	}
	if p.key, err = KeyFromCSCA(cder, ""); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *pki) seal(t *testing.T, alg string, data map[string]any) string {
	t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	c, err := jcs.Transform(raw)
	if err != nil {
		t.Fatal(err)
	}
	h := hashOf[alg].New()
	h.Write(c)
	r, s, err := ecdsa.Sign(rand.Reader, p.bscKey, h.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	n := (p.bscKey.Curve.Params().BitSize + 7) / 8
	sig := make([]byte, 2*n)
	r.FillBytes(sig[:n])
	s.FillBytes(sig[n:])
	out, _ := json.Marshal(map[string]any{"data": data, "sig": map[string]any{
		"alg": alg, "cer": base64.RawURLEncoding.EncodeToString(p.bsc), "sigvl": base64.RawURLEncoding.EncodeToString(sig)}})
	return string(out)
}

func testData(yellowFever bool) map[string]any {
	dis := "RA01.0"
	if yellowFever {
		dis = "1D47"
	}
	return map[string]any{
		"hdr": map[string]any{"is": "NZL", "t": "icao.vacc", "v": 1},
		"msg": map[string]any{"uvci": "U1", "pid": map[string]any{"n": "A B", "dob": "1990-01-01"},
			"ve": []any{map[string]any{"dis": dis, "nam": "X", "vd": []any{map[string]any{"dvc": "2022-01-01", "seq": 1, "ctr": "NZL"}}}}},
	}
}

func TestMadeUpSeals(t *testing.T) {
	p256, p384, p521 := newPKI(t, elliptic.P256(), true), newPKI(t, elliptic.P384(), true), newPKI(t, elliptic.P521(), true)
	noEKU := newPKI(t, elliptic.P256(), false)
	revoked := newPKI(t, elliptic.P256(), true)
	crlDER, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1),
		ThisUpdate: clock.AddDate(0, -1, 0), NextUpdate: clock.AddDate(0, 1, 0),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: big.NewInt(4242), RevocationTime: clock.AddDate(0, 0, -2)}}},
		revoked.csca, revoked.cscaKey)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := ParseCRL(crlDER, []*verify.Key{revoked.key})
	if err != nil || crl.Stale(clock) || len(crl.Revocations) != 1 {
		t.Fatalf("CRL %+v, %v", crl, err)
	}
	tests := []struct {
		name   string
		p      *pki
		alg    string
		yf     bool
		reason verify.Reason
		typ    verify.CredType
	}{
		{"ES256", p256, "ES256", false, verify.ReasonOK, verify.TypeVaccination},
		{"ES384", p384, "ES384", false, verify.ReasonOK, verify.TypeVaccination},
		{"ES512", p521, "ES512", false, verify.ReasonOK, verify.TypeVaccination},
		{"yellow fever is an ICVP", p256, "ES256", true, verify.ReasonOK, verify.TypeICVP},
		{"ES384 named with a P-256 key", p256, "ES384", false, verify.ReasonBadSignature, verify.TypeVaccination},
		{"no health EKU", noEKU, "ES256", false, verify.ReasonKeyUsage, verify.TypeVaccination},
		{"BSC on the CRL", revoked, "ES256", false, verify.ReasonRevoked, verify.TypeVaccination},
	}
	test := map[string]any{
		"hdr": map[string]any{"is": "NZL", "t": "icao.test", "v": 1},
		"msg": map[string]any{"utci": "T1", "pid": map[string]any{"n": "A B", "dob": "1990-01-01"},
			"sp":  map[string]any{"spn": "Lab", "ctr": "NZL"},
			"dat": map[string]any{"sc": "2022-05-31T08:00:00Z"},
			"tr":  map[string]any{"tc": "molecular(PCR)", "r": "negative"}},
	}
	v := verify.New(New())
	trust := &verify.KeyList{List: []*verify.Key{p256.key, p384.key, p521.key, noEKU.key, revoked.key}, Revocations: crl.Revocations}
	res := v.Verify(verify.Input{Texts: []string{p256.seal(t, "ES256", test)}, Trust: trust, Now: clock, CredentialOnly: true})
	if res.Reason != verify.ReasonOK || res.Credential.Type != verify.TypeTest || res.Credential.Test.Kind != verify.TestNAAT ||
		res.Credential.Test.Detected || res.Credential.Test.Sampled.IsZero() {
		t.Errorf("icao.test: %s (%s) %+v", res.Reason, res.Detail, res.Credential.Test)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := v.Verify(verify.Input{Texts: []string{tt.p.seal(t, tt.alg, testData(tt.yf))}, Trust: trust, Now: clock, CredentialOnly: true})
			if res.Reason != tt.reason || res.Credential == nil || res.Credential.Type != tt.typ {
				t.Fatalf("got %s (%s) %+v, want %s %s", res.Reason, res.Detail, res.Credential, tt.reason, tt.typ)
			}
		})
	}
}

// TestChainCache checks that a chain verified once is remembered for that
// CSCA key only: the same BSC under another key of the same kid (a forged
// or swapped trust entry) is checked again, and fails.
func TestChainCache(t *testing.T) {
	au, jp := cscaKey(t, auCSCA), cscaKey(t, jpCSCA)
	text := string(read(t, auSeal))
	h := New()
	if r := h.Verify([]string{text}, &verify.KeyList{List: []*verify.Key{au}}, clock); r.Failed() || r.Steps[verify.StepSignature] != verify.Pass {
		t.Fatalf("AU: %s %s", r.Reason, r.Detail)
	}
	impostor := *jp
	impostor.Kid, impostor.Issuer = au.Kid, au.Issuer
	if r := h.Verify([]string{text}, &verify.KeyList{List: []*verify.Key{&impostor}}, clock); r.Reason != verify.ReasonBadSignature {
		t.Fatalf("AU under JP's key with AU's kid: %s, want bad_signature", r.Reason)
	}
	if r := h.Verify([]string{text}, &verify.KeyList{List: []*verify.Key{au}}, clock); r.Failed() || r.Steps[verify.StepSignature] != verify.Pass {
		t.Fatalf("AU again: %s %s", r.Reason, r.Detail)
	}
}
