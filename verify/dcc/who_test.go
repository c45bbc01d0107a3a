package dcc

import (
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/veraison/go-cose"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/dcc/dccmint"
	"github.com/chot-dev/chot/verify/gdhcntest"
	"github.com/chot-dev/chot/verify/trust"
)

// issueCWT signs arbitrary CWT claims, for payloads dccmint.Issue does not make.
func (s *signer) issueCWT(t testing.TB, claims map[any]any) string {
	t.Helper()
	payload, err := dccmint.MarshalCBOR(claims)
	if err != nil {
		t.Fatal(err)
	}
	alg, err := dccmint.Algorithm(s.key.Public())
	if err != nil {
		t.Fatal(err)
	}
	cs, err := cose.NewSigner(alg, s.key)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := cose.Sign1(rand.Reader, cs, cose.Headers{Protected: cose.ProtectedHeader{
		cose.HeaderLabelAlgorithm: alg, cose.HeaderLabelKeyID: s.kid,
	}}, payload, nil)
	if err != nil {
		t.Fatal(err)
	}
	text, err := dccmint.EncodeHC1(msg)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func dvc(tg, dt string) map[any]any {
	return map[any]any{
		"n": "Test Person", "dob": "1990-01-01", "nid": "X123",
		"v": map[any]any{"tg": tg, "vp": "XM0N24", "dt": dt, "dn": "firstDose", "bo": "LOT1"},
	}
}

func TestWHOPayloads(t *testing.T) {
	s := newSigner(t, ecKey(t, elliptic.P256()))
	testOnly := newSigner(t, ecKey(t, elliptic.P256()), verify.TypeTest)
	iat := t0.AddDate(0, -1, 0)
	ddccVS := map[any]any{
		"name": "Test Person", "birthDate": "1990-01-01",
		"certificate": map[any]any{"hcid": map[any]any{"value": "HCID-1"}},
		"vaccination": map[any]any{
			"date": "2025-01-05", "dose": int64(2), "total_doses": int64(2),
			"vaccine": map[any]any{"code": "1119349007", "system": "http://snomed.info/sct"},
			"country": map[any]any{"code": "XXA"}, "disease": map[any]any{"code": "840539006"},
		},
	}
	ddccTR := map[any]any{
		"name": "Test Person", "birthDate": "1990-01-01", "hcid": "HCID-2",
		"test": map[any]any{
			"date": "2025-02-28T08:00:00Z", "type": map[any]any{"code": verify.TestNAAT},
			"result": map[any]any{"code": "260415000"}, "pathogen": map[any]any{"code": "840539006"},
		},
	}
	yf := verify.Policy{}
	tests := []struct {
		name     string
		signer   *signer
		claims   map[any]any
		policy   *verify.Policy
		format   verify.Format
		typ      verify.CredType
		reason   verify.Reason
		rule     string
		steps    map[verify.Step]verify.Outcome
		noHolder bool
	}{
		{name: "DDCC:VS", signer: s, claims: map[any]any{1: "XXA", 6: iat.Unix(), 4: t0.AddDate(1, 0, 0).Unix(), -260: map[any]any{3: ddccVS}},
			format: verify.FormatDDCC, typ: verify.TypeVaccination, reason: verify.ReasonOK},
		{name: "DDCC:TR", signer: s, claims: map[any]any{1: "XXA", 6: iat.Unix(), -260: map[any]any{4: ddccTR}},
			format: verify.FormatDDCC, typ: verify.TypeTest, reason: verify.ReasonOK},
		{name: "DVC yellow fever, no exp, policy", signer: s, claims: map[any]any{1: "XXA", 6: iat.Unix(), -260: map[any]any{-6: dvc("1D47", "2024-01-01")}},
			policy: &yf, format: verify.FormatDVC, typ: verify.TypeICVP, reason: verify.ReasonOK},
		{name: "DVC dose 5 days ago", signer: s, claims: map[any]any{1: "XXA", 6: iat.Unix(), -260: map[any]any{-6: dvc("1D47", t0.AddDate(0, 0, -5).Format(time.DateOnly))}},
			policy: &yf, format: verify.FormatDVC, typ: verify.TypeICVP, reason: verify.ReasonPolicy, rule: verify.RuleICVPMinDays},
		{name: "DVC against COVID-19 is no ICVP", signer: s, claims: map[any]any{1: "XXA", 6: iat.Unix(), -260: map[any]any{-6: dvc("RA01", "2024-01-01")}},
			policy: &yf, format: verify.FormatDVC, typ: verify.TypeICVP, reason: verify.ReasonPolicy, rule: verify.RuleICVPDisease},
		{name: "DVC by a test-only DSC", signer: testOnly, claims: map[any]any{1: "XXA", 6: iat.Unix(), -260: map[any]any{-6: dvc("1D47", "2024-01-01")}},
			format: verify.FormatDVC, typ: verify.TypeICVP, reason: verify.ReasonKeyUsage},
		{name: "DVC without v", signer: s, claims: map[any]any{6: iat.Unix(), -260: map[any]any{-6: map[any]any{"n": "A", "dob": "1990"}}},
			format: verify.FormatDVC, typ: verify.TypeICVP, reason: verify.ReasonBadSchema},
		{name: "DVC expired", signer: s, claims: map[any]any{6: iat.Unix(), 4: t0.AddDate(0, 0, -1).Unix(), -260: map[any]any{-6: dvc("1D47", "2024-01-01")}},
			format: verify.FormatDVC, typ: verify.TypeICVP, reason: verify.ReasonExpired},
		{name: "DVC iat in the future", signer: s, claims: map[any]any{6: t0.AddDate(0, 0, 1).Unix(), -260: map[any]any{-6: dvc("1D47", "2024-01-01")}},
			format: verify.FormatDVC, typ: verify.TypeICVP, reason: verify.ReasonNotYetValid},
		{name: "VHL link", signer: s, claims: map[any]any{6: iat.Unix(), -260: map[any]any{5: "vhlink:/eyJ1cmwiOiJodHRwczovL2V4YW1wbGUifQ"}},
			format: verify.FormatDDCC, reason: verify.ReasonBadPayload, noHolder: true},
		{name: "legacy core data set", signer: s, claims: map[any]any{"name": "Test Person", "birthDate": "1990-01-01", "vaccine": map[any]any{"code": "x"}},
			format: verify.FormatDDCC, reason: verify.ReasonObsolete, noHolder: true,
			steps: map[verify.Step]verify.Outcome{verify.StepSignature: verify.Pass}},
	}
	v := verify.New(New())
	trustAll := &verify.KeyList{List: []*verify.Key{s.k, testOnly.k}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := tt.signer.issueCWT(t, tt.claims)
			res := v.Verify(verify.Input{Texts: []string{text}, Trust: trustAll, Now: t0, Policy: tt.policy, CredentialOnly: tt.policy == nil})
			if res.Format != tt.format || res.Reason != tt.reason || res.Rule != tt.rule {
				t.Fatalf("got %s %s/%s rule %q (%s), want %s %s rule %q", res.Format, res.Decision, res.Reason, res.Rule, res.Detail, tt.format, tt.reason, tt.rule)
			}
			if (tt.reason == verify.ReasonOK) != (res.Decision == verify.Accept) {
				t.Errorf("decision %s with reason %s", res.Decision, res.Reason)
			}
			if tt.typ != "" && (res.Credential == nil || res.Credential.Type != tt.typ) {
				t.Errorf("credential %+v, want type %s", res.Credential, tt.typ)
			}
			if tt.noHolder && res.Credential != nil {
				t.Errorf("credential %+v for a refused payload, want none", res.Credential)
			}
			for st, o := range tt.steps {
				if res.Steps[st] != o {
					t.Errorf("step %s = %s, want %s", st, res.Steps[st], o)
				}
			}
		})
	}
}

// v1Key returns the key of the deprecated v1 DEV DID list with this vm id.
func v1Key(t *testing.T, id string) *verify.Key {
	t.Helper()
	b, err := os.ReadFile(gdhcntest.Path("trust/tng-cdn-dev/trustlist/did.json"))
	if err != nil {
		t.Fatal(err)
	}
	_, imp, err := trust.ParseDIDDocument(b)
	if err != nil {
		t.Fatal(err)
	}
	frag := id[strings.IndexByte(id, '#')+1:]
	kid, _ := base64.StdEncoding.DecodeString(frag)
	for i := range imp.Keys {
		if string(imp.Keys[i].Kid) == string(kid) {
			k, err := imp.Keys[i].Key()
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
	}
	t.Fatalf("no key %s in the v1 list", id)
	return nil
}

// TestWHOVectors runs the upstream HC1 vectors of the WHO payloads. The
// suite over every row of case-index.csv is in verify/gdhcntest.
func TestWHOVectors(t *testing.T) {
	xcl := v1Key(t, "did:web:tng-cdn-dev.who.int:trustlist:xcl#UUuJcwmjoJM=")
	spki, err := gdhcntest.Registry("DCC", "MTE=")
	if err != nil {
		t.Fatal(err)
	}
	e := trust.KeyEntry{Format: verify.FormatDCC, Kid: []byte("11"), Alg: "ES256", SPKI: spki}
	mte, err := e.Key()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file   string
		at     time.Time
		reason verify.Reason
		sig    verify.Outcome
	}{
		{"vectors/DVCTest3QR.txt", time.Unix(1727101283, 0), verify.ReasonOK, verify.Pass},
		{"vectors/DVCTest2QR.txt", time.Unix(1727065422, 0), verify.ReasonBadSignature, verify.Fail},
		{"vectors/DVCTestQR.txt", time.Unix(1727065422, 0), verify.ReasonBadSignature, verify.Fail},
		{"vectors/WHOQR1Contents.txt", time.Date(2021, 7, 9, 0, 0, 0, 0, time.UTC), verify.ReasonObsolete, verify.Pass},
		{"vectors/WHOQR2Contents.txt", time.Date(2021, 7, 9, 0, 0, 0, 0, time.UTC), verify.ReasonObsolete, verify.Pass},
	}
	v := verify.New(New())
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(gdhcntest.Path(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			res := v.Verify(verify.Input{Texts: []string{string(b)}, Trust: &verify.KeyList{List: []*verify.Key{xcl, mte}}, Now: tt.at, CredentialOnly: true})
			if res.Reason != tt.reason || res.Steps[verify.StepSignature] != tt.sig {
				t.Errorf("got %s %s (%s), signature %s; want %s, signature %s", res.Format, res.Reason, res.Detail, res.Steps[verify.StepSignature], tt.reason, tt.sig)
			}
		})
	}
}

// TestWHOSharedKidAndPS256 checks two things the HCERT spec requires of
// the WHO payloads as of the DCC: a PS256 signer verifies, and when several
// DSCs share a kid every one is tried (the first one listed here is not
// the signer).
func TestWHOSharedKidAndPS256(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ps := newSigner(t, rk)
	other := newSigner(t, ecKey(t, elliptic.P256()))
	decoy := *other.k
	decoy.Kid = ps.kid // another DSC filed under the signer's kid
	claims := map[any]any{1: "XXA", 6: t0.AddDate(0, -1, 0).Unix(), -260: map[any]any{-6: dvc("1D47", "2024-01-01")}}
	text := ps.issueCWT(t, claims)
	v := verify.New(New())
	res := v.Verify(verify.Input{Texts: []string{text}, Trust: &verify.KeyList{List: []*verify.Key{&decoy, ps.k}}, Now: t0, CredentialOnly: true})
	if res.Decision != verify.Accept || res.Format != verify.FormatDVC {
		t.Fatalf("PS256 DVC behind a decoy with the same kid: %s %s (%s)", res.Format, res.Reason, res.Detail)
	}
	res = v.Verify(verify.Input{Texts: []string{text}, Trust: &verify.KeyList{List: []*verify.Key{&decoy}}, Now: t0, CredentialOnly: true})
	if res.Reason != verify.ReasonBadSignature {
		t.Fatalf("only the decoy: %s, want bad_signature", res.Reason)
	}
}
