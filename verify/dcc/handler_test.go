package dcc

import (
	"bytes"
	"compress/zlib"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/dcc/dccmint"
	"github.com/chot-dev/chot/verify/trust"
	"github.com/veraison/go-cose"
)

var (
	t0     = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	holder = dccmint.Holder{Family: "Muster", Given: "Erika", DateOfBirth: "1980-01-02"}
)

// signer is a test signer: a key and its self-signed DSC.
type signer struct {
	key crypto.Signer
	der []byte
	kid []byte
	k   *verify.Key
}

func newSigner(t testing.TB, key crypto.Signer, types ...verify.CredType) *signer {
	t.Helper()
	der, err := dccmint.NewTestDSC(key, "XX", t0.AddDate(-1, 0, 0), t0.AddDate(2, 0, 0), types...)
	if err != nil {
		t.Fatal(err)
	}
	k, err := trust.KeyFromDSC(der, "")
	if err != nil {
		t.Fatal(err)
	}
	return &signer{key: key, der: der, kid: trust.DCCKid(der), k: k}
}

// withIssuer is k bound to another country.
func withIssuer(k *verify.Key, country string) *verify.Key {
	c := *k
	c.Issuer = country
	return &c
}

func ecKey(t testing.TB, c elliptic.Curve) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (s *signer) issue(t testing.TB, p dccmint.Payload, iat, exp time.Time) string {
	t.Helper()
	text, err := dccmint.Issue(p, dccmint.IssueOptions{Issuer: "XX", IssuedAt: iat, ExpiresAt: exp, Kid: s.kid, Signer: s.key})
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// signRaw signs an arbitrary CWT payload with the given headers and returns
// the tagged COSE_Sign1.
func (s *signer) signRaw(t testing.TB, payload []byte, hdr cose.Headers) []byte {
	t.Helper()
	alg, err := dccmint.Algorithm(s.key.Public())
	if err != nil {
		t.Fatal(err)
	}
	sg, err := cose.NewSigner(alg, s.key)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := cose.Sign1(rand.Reader, sg, hdr, payload, nil)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func (s *signer) headers() cose.Headers {
	alg, _ := dccmint.Algorithm(s.key.Public())
	return cose.Headers{Protected: cose.ProtectedHeader{cose.HeaderLabelAlgorithm: alg, cose.HeaderLabelKeyID: s.kid}}
}

func mustCBOR(t testing.TB, v any) []byte {
	t.Helper()
	b, err := dccmint.MarshalCBOR(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hc1(t testing.TB, msg []byte) string {
	t.Helper()
	text, err := dccmint.EncodeHC1(msg)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func zlibText(t testing.TB, data []byte) string {
	t.Helper()
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return Prefix + dccmint.EncodeBase45(b.Bytes())
}

func vacc() dccmint.Payload {
	return dccmint.NewVaccination(holder, 2, 2, t0.AddDate(0, -1, 0), "XX", "Test Ministry", "URN:UVCI:01:XX:ABC123#X")
}

func TestVerify(t *testing.T) {
	es := newSigner(t, ecKey(t, elliptic.P256()))
	es384 := newSigner(t, ecKey(t, elliptic.P384()))
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ps := newSigner(t, rsaKey)
	testOnly := newSigner(t, ecKey(t, elliptic.P256()), verify.TypeTest)
	other := newSigner(t, ecKey(t, elliptic.P256()))
	iat, exp := t0.Add(-time.Hour), t0.AddDate(0, 6, 0)
	valid := es.issue(t, vacc(), iat, exp)
	forged := (&signer{key: other.key, kid: es.kid}).issue(t, vacc(), iat, exp)

	claims := func(iat, exp any, hcert any) []byte {
		m := map[int]any{claimIss: "XX", claimHCert: map[int]any{hcertDCC: hcert}}
		if iat != nil {
			m[claimIat] = iat
		}
		if exp != nil {
			m[claimExp] = exp
		}
		return mustCBOR(t, m)
	}
	rawMsg := es.signRaw(t, claims(iat.Unix(), exp.Unix(), vacc()), es.headers())
	unprotectedKid := es.signRaw(t, claims(iat.Unix(), exp.Unix(), vacc()), cose.Headers{
		Protected:   cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmES256},
		Unprotected: cose.UnprotectedHeader{cose.HeaderLabelKeyID: es.kid},
	})
	bomb := make([]byte, 1<<20)

	tests := []struct {
		name   string
		texts  []string
		trust  []*verify.Key
		revoke []verify.Revocation
		now    time.Time
		reason verify.Reason
		// steps that must have this outcome; others are not checked
		steps map[verify.Step]verify.Outcome
		typ   verify.CredType
		opts  verify.Options
		warn  string // a warning that must be present
	}{
		{name: "ES256 vaccination", texts: []string{valid}, trust: []*verify.Key{es.k}, reason: verify.ReasonOK, typ: verify.TypeVaccination,
			steps: map[verify.Step]verify.Outcome{verify.StepSchema: verify.Pass, verify.StepSignature: verify.Pass, verify.StepValidity: verify.Pass, verify.StepKeyUsage: verify.Pass, verify.StepRevocation: verify.Pass}},
		{name: "ES384", texts: []string{es384.issue(t, vacc(), iat, exp)}, trust: []*verify.Key{es384.k}, reason: verify.ReasonOK},
		{name: "PS256", texts: []string{ps.issue(t, vacc(), iat, exp)}, trust: []*verify.Key{ps.k}, reason: verify.ReasonOK},
		{name: "test with test-only DSC", texts: []string{testOnly.issue(t, dccmint.NewTest(holder, verify.TestRAT, t0.Add(-2*time.Hour), false, "Centre", "XX", "Ministry", "URN:UVCI:01:XX:T1"), iat, exp)},
			trust: []*verify.Key{testOnly.k}, reason: verify.ReasonOK, typ: verify.TypeTest},
		{name: "recovery", texts: []string{es.issue(t, dccmint.NewRecovery(holder, t0.AddDate(0, -2, 0), t0.AddDate(0, -1, -20), t0.AddDate(0, 4, 0), "XX", "Ministry", "URN:UVCI:01:XX:R1"), iat, exp)},
			trust: []*verify.Key{es.k}, reason: verify.ReasonOK, typ: verify.TypeRecovery},
		{name: "vaccination with test-only DSC", texts: []string{testOnly.issue(t, vacc(), iat, exp)}, trust: []*verify.Key{testOnly.k}, reason: verify.ReasonKeyUsage,
			steps: map[verify.Step]verify.Outcome{verify.StepSignature: verify.Pass, verify.StepKeyUsage: verify.Fail, verify.StepValidity: verify.Pass}},
		{name: "unknown key", texts: []string{valid}, trust: []*verify.Key{other.k}, reason: verify.ReasonUnknownKey,
			steps: map[verify.Step]verify.Outcome{verify.StepSignature: verify.Fail, verify.StepValidity: verify.Pass}},
		{name: "forged with the right kid", texts: []string{forged}, trust: []*verify.Key{es.k}, reason: verify.ReasonBadSignature,
			steps: map[verify.Step]verify.Outcome{verify.StepSignature: verify.Fail, verify.StepKeyUsage: verify.Pass, verify.StepValidity: verify.Pass}},
		{name: "forged and expired: first failure wins", texts: []string{forged}, trust: []*verify.Key{es.k}, now: exp.Add(time.Second), reason: verify.ReasonBadSignature,
			steps: map[verify.Step]verify.Outcome{verify.StepSignature: verify.Fail, verify.StepValidity: verify.Fail}},
		{name: "ES256 with an RSA key of the same kid", texts: []string{valid}, reason: verify.ReasonBadSignature,
			trust: []*verify.Key{{Format: verify.FormatDCC, Kid: es.kid, Public: rsaKey.Public()}}},
		{name: "PS256 with an EC key of the same kid", texts: []string{ps.issue(t, vacc(), iat, exp)}, reason: verify.ReasonBadSignature,
			trust: []*verify.Key{{Format: verify.FormatDCC, Kid: ps.kid, Public: es.key.Public()}}},
		{name: "second key with the kid verifies", texts: []string{valid}, reason: verify.ReasonOK,
			trust: []*verify.Key{{Format: verify.FormatDCC, Kid: es.kid, Public: other.key.Public()}, es.k}},
		{name: "expired", texts: []string{valid}, trust: []*verify.Key{es.k}, now: exp.Add(time.Second), reason: verify.ReasonExpired},
		{name: "not yet valid", texts: []string{valid}, trust: []*verify.Key{es.k}, now: iat.Add(-time.Second), reason: verify.ReasonNotYetValid},
		{name: "at exp exactly", texts: []string{valid}, trust: []*verify.Key{es.k}, now: exp, reason: verify.ReasonOK},
		{name: "exp after the DSC: the DCC's exp governs", texts: []string{es.issue(t, vacc(), iat, t0.AddDate(3, 0, 0))}, trust: []*verify.Key{es.k}, reason: verify.ReasonOK},
		{name: "exp after the DSC, strict", texts: []string{es.issue(t, vacc(), iat, t0.AddDate(3, 0, 0))}, trust: []*verify.Key{es.k}, reason: verify.ReasonExpired,
			opts: verify.Options{SignerValidity: verify.SignerStrict}},
		{name: "DSC expired since, signing time", texts: []string{es.issue(t, vacc(), iat, t0.AddDate(3, 0, 0))}, trust: []*verify.Key{es.k}, now: t0.AddDate(2, 1, 0), reason: verify.ReasonOK},
		{name: "iat after the DSC expired", texts: []string{es.issue(t, vacc(), t0.AddDate(2, 0, 1), t0.AddDate(3, 0, 0))}, trust: []*verify.Key{es.k}, now: t0.AddDate(2, 1, 0), reason: verify.ReasonExpired},
		{name: "DSC country is not the issuer's", texts: []string{valid}, trust: []*verify.Key{withIssuer(es.k, "DE")}, reason: verify.ReasonIssuerMismatch,
			steps: map[verify.Step]verify.Outcome{verify.StepSignature: verify.Pass, verify.StepKeyUsage: verify.Fail}},
		{name: "DSC country mismatch, warn", texts: []string{valid}, trust: []*verify.Key{withIssuer(es.k, "DE")}, reason: verify.ReasonOK,
			opts: verify.Options{IssuerBinding: verify.BindingWarn}, warn: "signed by a DSC of DE, but issued by XX"},
		{name: "DSC country matches, case aside", texts: []string{valid}, trust: []*verify.Key{withIssuer(es.k, "xx")}, reason: verify.ReasonOK},
		{name: "iat before the DSC", texts: []string{es.issue(t, vacc(), t0.AddDate(-2, 0, 0), exp)}, trust: []*verify.Key{es.k}, reason: verify.ReasonNotYetValid},
		{name: "revoked UCI", texts: []string{valid}, trust: []*verify.Key{es.k}, reason: verify.ReasonRevoked,
			revoke: []verify.Revocation{{Format: verify.FormatDCC, Kind: HashUCI, Value: RevocationHash([]byte("URN:UVCI:01:XX:ABC123#X"))}}},
		{name: "revoked country+UCI", texts: []string{valid}, trust: []*verify.Key{es.k}, reason: verify.ReasonRevoked,
			revoke: []verify.Revocation{{Format: verify.FormatDCC, Kind: HashCountryCodeUCI, Value: RevocationHash([]byte("XXURN:UVCI:01:XX:ABC123#X"))}}},
		{name: "revoked signature", texts: []string{valid}, trust: []*verify.Key{es.k}, reason: verify.ReasonRevoked,
			revoke: []verify.Revocation{{Format: verify.FormatDCC, Kind: HashSignature, Value: sigHash(t, valid)}}},
		{name: "other UCI revoked", texts: []string{valid}, trust: []*verify.Key{es.k}, reason: verify.ReasonOK,
			revoke: []verify.Revocation{{Format: verify.FormatDCC, Kind: HashUCI, Value: RevocationHash([]byte("URN:UVCI:01:XX:OTHER"))}}},
		{name: "untagged COSE", texts: []string{hc1(t, rawMsg[1:])}, trust: []*verify.Key{es.k}, reason: verify.ReasonOK},
		{name: "CWT tag 61 around tag 18", texts: []string{hc1(t, append([]byte{0xd8, 0x3d}, rawMsg...))}, trust: []*verify.Key{es.k}, reason: verify.ReasonOK},
		{name: "kid only unprotected", texts: []string{hc1(t, unprotectedKid)}, trust: []*verify.Key{es.k}, reason: verify.ReasonOK},
		{name: "float iat and exp", texts: []string{hc1(t, es.signRaw(t, claims(float64(iat.Unix()), float64(exp.Unix())+0.5, vacc()), es.headers()))},
			trust: []*verify.Key{es.k}, reason: verify.ReasonOK},
		{name: "no iat", texts: []string{hc1(t, es.signRaw(t, claims(nil, exp.Unix(), vacc()), es.headers()))}, trust: []*verify.Key{es.k}, reason: verify.ReasonBadPayload,
			steps: map[verify.Step]verify.Outcome{verify.StepDecode: verify.Fail, verify.StepSignature: verify.Pass}},
		{name: "no exp", texts: []string{hc1(t, es.signRaw(t, claims(iat.Unix(), nil, vacc()), es.headers()))}, trust: []*verify.Key{es.k}, reason: verify.ReasonBadPayload},
		{name: "iat is text", texts: []string{hc1(t, es.signRaw(t, claims("yesterday", exp.Unix(), vacc()), es.headers()))}, trust: []*verify.Key{es.k}, reason: verify.ReasonBadPayload},
		{name: "no hcert", texts: []string{hc1(t, es.signRaw(t, mustCBOR(t, map[int]any{claimIss: "XX", claimIat: iat.Unix(), claimExp: exp.Unix()}), es.headers()))}, trust: []*verify.Key{es.k}, reason: verify.ReasonBadPayload},
		{name: "payload not a map", texts: []string{hc1(t, es.signRaw(t, claims(iat.Unix(), exp.Unix(), []int{1}), es.headers()))}, trust: []*verify.Key{es.k}, reason: verify.ReasonBadPayload},
		{name: "payload with bytes", texts: []string{hc1(t, es.signRaw(t, claims(iat.Unix(), exp.Unix(), map[string]any{"ver": []byte{1}}), es.headers()))}, trust: []*verify.Key{es.k}, reason: verify.ReasonBadPayload},
		{name: "CWT not CBOR", texts: []string{hc1(t, es.signRaw(t, []byte{0xff, 0x00}, es.headers()))}, trust: []*verify.Key{es.k}, reason: verify.ReasonBadCBOR,
			steps: map[verify.Step]verify.Outcome{verify.StepCOSE: verify.Pass, verify.StepDecode: verify.Fail, verify.StepSignature: verify.Pass}},
		{name: "schema: no name", texts: []string{hc1(t, es.signRaw(t, claims(iat.Unix(), exp.Unix(), map[string]any{"ver": "1.3.0", "dob": "1980", "v": []any{}}), es.headers()))},
			trust: []*verify.Key{es.k}, reason: verify.ReasonBadSchema, steps: map[verify.Step]verify.Outcome{verify.StepSchema: verify.Fail, verify.StepSignature: verify.Pass}},
		{name: "wrong prefix", texts: []string{"HC2:" + valid[4:]}, reason: verify.ReasonBadPrefix},
		{name: "two texts", texts: []string{valid, valid}, reason: verify.ReasonBadPrefix},
		{name: "bad base45", texts: []string{"HC1:abc"}, reason: verify.ReasonBadBase45},
		{name: "empty after prefix", texts: []string{"HC1:"}, reason: verify.ReasonBadCompression},
		{name: "not compressed", texts: []string{Prefix + dccmint.EncodeBase45(rawMsg)}, reason: verify.ReasonBadCompression},
		{name: "truncated zlib", texts: []string{func() string { b, _ := DecodeBase45(valid[4:]); return Prefix + dccmint.EncodeBase45(b[:len(b)/2]) }()}, reason: verify.ReasonBadCompression},
		{name: "zlib bomb", texts: []string{zlibText(t, bomb)}, reason: verify.ReasonBadCompression},
		{name: "just over the cap", texts: []string{zlibText(t, bomb[:MaxInflated+1])}, reason: verify.ReasonBadCompression},
		{name: "at the cap: not COSE", texts: []string{zlibText(t, bomb[:MaxInflated])}, reason: verify.ReasonBadCOSE},
		{name: "tag 17 (COSE_Mac0)", texts: []string{hc1(t, append([]byte{0xd1}, rawMsg[1:]...))}, reason: verify.ReasonBadCOSE},
		{name: "array of 3", texts: []string{hc1(t, mustCBOR(t, []any{[]byte{}, map[int]any{}, []byte{1}}))}, reason: verify.ReasonBadCOSE},
		{name: "trailing bytes", texts: []string{hc1(t, append(append([]byte{}, rawMsg...), 0x00))}, reason: verify.ReasonBadCOSE},
		{name: "nested arrays", texts: []string{zlibText(t, bytes.Repeat([]byte{0x81}, 10000))}, reason: verify.ReasonBadCOSE},
	}
	v := verify.New(New())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := tt.now
			if now.IsZero() {
				now = t0
			}
			res := v.Verify(verify.Input{Texts: tt.texts, Trust: &verify.KeyList{List: tt.trust, Revocations: tt.revoke}, Now: now,
				CredentialOnly: true, Options: tt.opts})
			if tt.warn != "" && !slices.Contains(res.Warnings, tt.warn) {
				t.Errorf("warnings %q, want %q", res.Warnings, tt.warn)
			}
			if res.Reason != tt.reason {
				t.Fatalf("reason %q (%s), want %q; steps %v", res.Reason, res.Detail, tt.reason, res.Steps)
			}
			if (res.Decision == verify.Accept) != (tt.reason == verify.ReasonOK) {
				t.Errorf("decision %q with reason %q", res.Decision, res.Reason)
			}
			for s, want := range tt.steps {
				if got := res.Steps[s]; got != want {
					t.Errorf("step %s: got %q, want %q", s, got, want)
				}
			}
			if tt.typ != "" && (res.Credential == nil || res.Credential.Type != tt.typ) {
				t.Errorf("credential %+v, want type %s", res.Credential, tt.typ)
			}
		})
	}
}

// sigHash is the SIGNATURE revocation hash of an HC1 text: r of an ECDSA
// signature.
func sigHash(t *testing.T, text string) []byte {
	t.Helper()
	b, err := DecodeBase45(strings.TrimPrefix(text, Prefix))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := inflate(b)
	if err != nil {
		t.Fatal(err)
	}
	var m cose.Sign1Message
	if err := m.UnmarshalCBOR(raw); err != nil {
		t.Fatal(err)
	}
	return RevocationHash(m.Signature[:len(m.Signature)/2])
}

func TestCredential(t *testing.T) {
	es := newSigner(t, ecKey(t, elliptic.P256()))
	iat, exp := t0.Add(-time.Hour), t0.AddDate(0, 6, 0)
	text := es.issue(t, vacc(), iat, exp)
	res := New().Verify([]string{text}, &verify.KeyList{List: []*verify.Key{es.k}}, t0)
	c := res.Credential
	if c == nil {
		t.Fatalf("no credential: %s %s", res.Reason, res.Detail)
	}
	want := verify.Vaccination{Product: dccmint.ProductComirnaty, Dose: 2, Doses: 2, Date: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), Country: "XX", Completes: true}
	if *c.Vaccination != want {
		t.Errorf("vaccination %+v, want %+v", *c.Vaccination, want)
	}
	if c.ID != "URN:UVCI:01:XX:ABC123#X" || c.Disease != dccmint.DiseaseCOVID19 || !c.IssuedAt.Equal(iat.Truncate(time.Second)) || !c.ExpiresAt.Equal(exp) {
		t.Errorf("credential %+v", c)
	}
	if c.Holder == nil || c.Holder.Name != "Erika Muster" || c.Holder.DateOfBirth != "1980-01-02" {
		t.Errorf("holder %+v", c.Holder)
	}
	if res.Issuer != "XX" || !bytes.Equal(res.Kid, es.kid) {
		t.Errorf("issuer %q kid %x", res.Issuer, res.Kid)
	}
	h, ok := res.Claims["hcert"].(map[string]any)
	if !ok || h["ver"] != dccmint.SchemaVersion {
		t.Errorf("claims %v", res.Claims)
	}
}

func TestDetect(t *testing.T) {
	h := New()
	for in, want := range map[string]bool{"HC1:6BF": true, "HC1:": true, "hc1:6BF": false, "HC2:6BF": false, "shc:/123": false, "": false} {
		if got := h.Detect(in); got != want {
			t.Errorf("Detect(%q) = %v, want %v", in, got, want)
		}
	}
	if h.Format() != verify.FormatDCC {
		t.Errorf("format %q", h.Format())
	}
}

// TestSchemaDetailPrivacy: a schema failure names where and which rule,
// never the value (it may be a birth date or a name).
func TestSchemaDetailPrivacy(t *testing.T) {
	es := newSigner(t, ecKey(t, elliptic.P256()))
	p := vacc()
	p.DateOfBirth = "1815-08-24"
	p.Name.FamilyStd = "müller"
	res := New().Verify([]string{es.issue(t, p, t0.Add(-time.Hour), t0.AddDate(0, 1, 0))}, &verify.KeyList{List: []*verify.Key{es.k}}, t0)
	if res.Reason != verify.ReasonBadSchema {
		t.Fatalf("reason %q", res.Reason)
	}
	for _, want := range []string{"/dob (pattern)", "/nam/fnt (pattern)"} {
		if !strings.Contains(res.Detail, want) {
			t.Errorf("detail %q lacks %q", res.Detail, want)
		}
	}
	for _, secret := range []string{"1815", "müller"} {
		if strings.Contains(res.Detail, secret) {
			t.Errorf("detail %q shows %q", res.Detail, secret)
		}
	}
}
