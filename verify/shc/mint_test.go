package shc

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/shc/shcmint"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// testCard is a two-dose Moderna card.
func testCard(iss string, nbf time.Time) *shcmint.Card {
	return &shcmint.Card{
		Issuer: iss, NotBefore: nbf,
		Family: "Doe", Given: []string{"Jane"}, BirthDate: "1980-02-03",
		Immunizations: []shcmint.Immunization{
			{CVX: "207", Date: "2025-01-10", Lot: "L1"},
			{CVX: "207", Date: "2025-02-07", Lot: "L2"},
		},
	}
}

func TestMintVaccination(t *testing.T) {
	const iss = "https://example.org/issuer"
	key := newKey(t)
	trust := trustKey(t, iss, &key.PublicKey)
	nbf := time.Date(2026, 3, 1, 10, 0, 0, 123e6, time.UTC)
	v := newVerifier()
	tests := []struct {
		name string
		imms []shcmint.Immunization
		want verify.Vaccination
	}{
		{"two doses of a two-dose vaccine",
			[]shcmint.Immunization{{CVX: "207", Date: "2025-01-10"}, {CVX: "207", Date: "2025-02-07"}},
			verify.Vaccination{Product: systemCVX + "|207", Dose: 2, Doses: 2, Completes: true, Date: time.Date(2025, 2, 7, 0, 0, 0, 0, time.UTC)}},
		{"one dose of a two-dose vaccine",
			[]shcmint.Immunization{{CVX: "208", Date: "2025-01-10"}},
			verify.Vaccination{Product: systemCVX + "|208", Dose: 1, Doses: 2, Date: time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)}},
		{"single-dose vaccine",
			[]shcmint.Immunization{{CVX: "212", Date: "2025-01-10"}},
			verify.Vaccination{Product: systemCVX + "|212", Dose: 1, Doses: 1, Completes: true, Date: time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)}},
		{"unknown series",
			[]shcmint.Immunization{{CVX: "213", Date: "2025-01-10"}},
			verify.Vaccination{Product: systemCVX + "|213", Dose: 1, Date: time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)}},
		{"protocolApplied wins, order of entries does not matter",
			[]shcmint.Immunization{{CVX: "213", Date: "2025-03-01", Dose: 3, Series: 3}, {CVX: "213", Date: "2025-01-10", Dose: 1, Series: 3}},
			verify.Vaccination{Product: systemCVX + "|213", Dose: 3, Doses: 3, Completes: true, Date: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			card := testCard(iss, nbf)
			card.Immunizations = tt.imms
			jws, err := shcmint.Mint(card, key)
			if err != nil {
				t.Fatal(err)
			}
			res := run(v, shcmint.QRTexts(jws), trust, nbf)
			wantReason(t, res, verify.ReasonOK)
			c := res.Credential
			if c.Type != verify.TypeVaccination || *c.Vaccination != tt.want {
				t.Errorf("type %q vaccination %+v, want %+v", c.Type, c.Vaccination, tt.want)
			}
			if !c.IssuedAt.Equal(nbf) {
				t.Errorf("IssuedAt %v, want %v", c.IssuedAt, nbf)
			}
			if !strings.HasPrefix(c.ID, iss+"#h:") {
				t.Errorf("ID %q, want the holder hash form", c.ID)
			}
			// RequireComplete refuses an incomplete or unknown series.
			pol := &verify.Policy{Vaccination: verify.VaccinationRules{RequireComplete: true}}
			res = v.Verify(verify.Input{Texts: []string{jws}, Trust: trust, Now: nbf, Policy: pol, CredentialOnly: pol == nil})
			if got := res.Decision == verify.Accept; got != tt.want.Completes {
				t.Errorf("with RequireComplete: %s %s, want accepted=%v", res.Reason, res.Rule, tt.want.Completes)
			}
		})
	}
}

func TestMintLabTest(t *testing.T) {
	const iss = "https://example.org/issuer"
	key := newKey(t)
	sampled := time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC)
	card := &shcmint.Card{Issuer: iss, NotBefore: sampled.Add(2 * time.Hour), Expires: sampled.Add(72 * time.Hour), Rid: "r1",
		Family: "Doe", Given: []string{"Jane"}, BirthDate: "1980-02-03",
		Lab: &shcmint.LabResult{LOINC: "94309-2", Sampled: sampled}}
	jws, err := shcmint.Mint(card, key)
	if err != nil {
		t.Fatal(err)
	}
	res := run(newVerifier(), []string{jws}, trustKey(t, iss, &key.PublicKey), sampled.Add(3*time.Hour))
	wantReason(t, res, verify.ReasonOK)
	c := res.Credential
	want := verify.Test{Kind: verify.TestNAAT, Sampled: sampled, TestName: systemLOINC + "|94309-2"}
	if c.Type != verify.TypeTest || *c.Test != want || c.ID != iss+"#r1" || !c.ExpiresAt.Equal(card.Expires) {
		t.Errorf("credential %+v test %+v, want %+v", c, c.Test, want)
	}
	wantReason(t, run(newVerifier(), []string{jws}, trustKey(t, iss, &key.PublicKey), card.Expires.Add(time.Second)), verify.ReasonExpired)
}

// TestChunking: a card too long for one QR code is chunked, and the chunks
// reassemble in any order.
func TestChunking(t *testing.T) {
	const iss = "https://example.org/issuer"
	key := newKey(t)
	nbf := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	card := testCard(iss, nbf)
	for i := range 40 {
		card.Immunizations = append(card.Immunizations, shcmint.Immunization{CVX: "207", Date: "2024-01-01", Lot: fmt.Sprintf("%x", sha256.Sum256([]byte{byte(i)}))[:24]})
	}
	jws, err := shcmint.Mint(card, key)
	if err != nil {
		t.Fatal(err)
	}
	texts := shcmint.QRTexts(jws)
	if len(jws) <= MaxSingleJWS || len(texts) < 2 {
		t.Fatalf("JWS of %d characters in %d codes; want a chunked card", len(jws), len(texts))
	}
	for i, tx := range texts {
		if n := len(tx) - len("shc:/1/2/"); n > 2*MaxChunkJWS {
			t.Errorf("chunk %d holds %d digits", i, n)
		}
	}
	trust := trustKey(t, iss, &key.PublicKey)
	texts[0], texts[len(texts)-1] = texts[len(texts)-1], texts[0]
	res := run(newVerifier(), texts, trust, nbf)
	wantReason(t, res, verify.ReasonOK)
	for _, w := range res.Warnings {
		if strings.Contains(w, "too small") || strings.Contains(w, "over the spec") {
			t.Errorf("unexpected warning %q", w)
		}
	}
	wantReason(t, run(newVerifier(), shcmint.Chunk(jws, 5), trust, nbf), verify.ReasonOK)
}

// TestBadInput: inputs broken at each layer stop at the right reason.
func TestBadInput(t *testing.T) {
	const iss = "https://example.org/issuer"
	key := newKey(t)
	nbf := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	trust := trustKey(t, iss, &key.PublicKey)
	good, err := shcmint.Mint(testCard(iss, nbf), key)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	payload, _ := testCard(iss, nbf).Payload()
	kid := Thumbprint(&key.PublicKey)
	hdr := func(h string) string { return b64.EncodeToString([]byte(h)) }
	// signed builds a JWS over any header and raw payload bytes.
	signed := func(h string, body []byte) string {
		in := hdr(h) + "." + b64.EncodeToString(body)
		return in + "." + b64.EncodeToString(sign(t, key, in))
	}
	bomb := shcmint.Deflate(bytes.Repeat([]byte{' '}, 10<<20))
	qr := shcmint.QRTexts(good)[0]
	tests := []struct {
		name  string
		texts []string
		want  verify.Reason
	}{
		{"good", []string{good}, verify.ReasonOK},
		{"good qr", []string{qr}, verify.ReasonOK},
		{"empty", []string{""}, verify.ReasonBadPrefix},
		{"no texts", nil, verify.ReasonNoQR},
		{"plain words", []string{"hello"}, verify.ReasonBadPrefix},
		{"truncated jws", []string{parts[0] + "." + parts[1]}, verify.ReasonBadPrefix},
		{"four parts", []string{good + ".xx"}, verify.ReasonBadPrefix},
		{"bad base64 payload", []string{parts[0] + ".*" + parts[1][1:] + "." + parts[2]}, verify.ReasonBadJWS},
		{"bad base64 signature", []string{parts[0] + "." + parts[1] + ".@@"}, verify.ReasonBadJWS},
		{"truncated signature", []string{parts[0] + "." + parts[1] + "." + parts[2][:40]}, verify.ReasonBadSignature},
		{"other payload", []string{parts[0] + "." + b64.EncodeToString(shcmint.Deflate(payload[:len(payload)-1])) + "." + parts[2]}, verify.ReasonBadPayload},
		{"wrong alg", []string{signed(`{"zip":"DEF","alg":"ES384","kid":"`+kid+`"}`, shcmint.Deflate(payload))}, verify.ReasonBadJWS},
		{"alg none", []string{signed(`{"zip":"DEF","alg":"none","kid":"`+kid+`"}`, shcmint.Deflate(payload))}, verify.ReasonBadJWS},
		{"zip other", []string{signed(`{"zip":"GZIP","alg":"ES256","kid":"`+kid+`"}`, shcmint.Deflate(payload))}, verify.ReasonBadJWS},
		{"header not json", []string{hdr(`{"alg":`) + "." + parts[1] + "." + parts[2]}, verify.ReasonBadPrefix},
		{"not deflated", []string{signed(`{"zip":"DEF","alg":"ES256","kid":"`+kid+`"}`, payload)}, verify.ReasonBadCompression},
		{"bomb", []string{signed(`{"zip":"DEF","alg":"ES256","kid":"`+kid+`"}`, bomb)}, verify.ReasonBadCompression},
		{"not json", []string{signed(`{"zip":"DEF","alg":"ES256","kid":"`+kid+`"}`, shcmint.Deflate([]byte("not json")))}, verify.ReasonBadPayload},
		{"no iss", []string{signed(`{"zip":"DEF","alg":"ES256","kid":"`+kid+`"}`, shcmint.Deflate([]byte(`{"nbf":1,"vc":{"type":["`+TypeHealthCard+`"],"credentialSubject":{"fhirBundle":{}}}}`)))}, verify.ReasonBadPayload},
		{"no bundle", []string{signed(`{"zip":"DEF","alg":"ES256","kid":"`+kid+`"}`, shcmint.Deflate([]byte(`{"iss":"`+iss+`","nbf":1,"vc":{"type":["`+TypeHealthCard+`"]}}`)))}, verify.ReasonBadPayload},
		{"nbf a string", []string{signed(`{"zip":"DEF","alg":"ES256","kid":"`+kid+`"}`, shcmint.Deflate([]byte(`{"iss":"`+iss+`","nbf":"1","vc":{"type":["`+TypeHealthCard+`"],"credentialSubject":{"fhirBundle":{}}}}`)))}, verify.ReasonBadPayload},
		{"json then junk", []string{signed(`{"zip":"DEF","alg":"ES256","kid":"`+kid+`"}`, shcmint.Deflate(append(append([]byte{}, payload...), "{}"...)))}, verify.ReasonBadPayload},
		{"numeric letters", []string{"shc:/5676x9"}, verify.ReasonBadNumeric},
		{"numeric empty", []string{"shc:/"}, verify.ReasonBadNumeric},
		{"numeric odd", []string{qr[:len(qr)-1]}, verify.ReasonBadNumeric},
		{"numeric 78", []string{"shc:/78" + qr[7:]}, verify.ReasonBadNumeric},
		{"numeric truncated", []string{qr[:len(qr)-20]}, verify.ReasonBadSignature},
		{"chunk header junk", []string{"shc:/a/2/56"}, verify.ReasonIncomplete},
		{"chunk 0", []string{"shc:/0/2/56", "shc:/2/2/56"}, verify.ReasonIncomplete},
		{"chunk totals differ", []string{"shc:/1/2/56", "shc:/2/3/56"}, verify.ReasonIncomplete},
		{"chunk and whole", []string{"shc:/1/2/56", qr}, verify.ReasonIncomplete},
		{"whole and chunk", []string{qr, "shc:/1/2/56"}, verify.ReasonIncomplete},
		{"too many chunks", []string{"shc:/1/65/56"}, verify.ReasonIncomplete},
		{"two jws", []string{good, good}, verify.ReasonIncomplete},
		{"oversized", []string{"shc:/" + strings.Repeat("56", 1<<19)}, verify.ReasonBadPrefix},
		{"file not json", []string{`{"verifiableCredential": [`}, verify.ReasonBadPrefix},
		{"file empty", []string{`{"verifiableCredential": []}`}, verify.ReasonBadPrefix},
		{"file good", []string{`{"verifiableCredential": ["` + good + `"]}`}, verify.ReasonOK},
		{"file with junk card", []string{`{"verifiableCredential": ["` + good + `", "x.y.z"]}`}, verify.ReasonBadJWS},
	}
	v := newVerifier()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantReason(t, run(v, tt.texts, trust, nbf), tt.want)
		})
	}
}

// sign makes a JOSE ES256 signature over in.
func sign(t *testing.T, key *ecdsa.PrivateKey, in string) []byte {
	t.Helper()
	h := sha256.Sum256([]byte(in))
	r, s, err := ecdsa.Sign(rand.Reader, key, h[:])
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:])
	return out
}

// TestHandlerDirect: the handler alone (without verify.Verifier) cleans its
// input, warns about it, and never leaves a failure without a reason.
func TestHandlerDirect(t *testing.T) {
	h := New()
	trust := specTrust(t)
	e := specExamples[0]
	jws := readFile(t, testdata("spec-examples", "example-00-d-jws.txt"))
	res := h.Verify([]string{"\ufeff " + jws + "\n"}, trust, unix(e.nbf))
	if res.Failed() || res.Steps[verify.StepRevocation] != verify.Pass {
		t.Fatalf("%s: %s; steps %v", res.Reason, res.Detail, res.Steps)
	}
	if len(res.Warnings) == 0 {
		t.Error("no warning about the removed space")
	}
	if !h.Detect(jws) || !h.Detect(`{"verifiableCredential":[]}`) || !h.Detect("shc:/00") || h.Detect("HC1:NCF") || h.Detect("a.b.c") {
		t.Error("Detect")
	}
	var claims map[string]any
	if b, _ := json.Marshal(res.Claims); json.Unmarshal(b, &claims) != nil || claims["iss"] != specIssuer {
		t.Errorf("claims %v", res.Claims)
	}
}

// TestLabResultCodes: only a recognised positive or negative result makes a
// SARS-CoV-2 Observation a test.
func TestLabResultCodes(t *testing.T) {
	const iss = "https://example.org/issuer"
	key := newKey(t)
	sampled := time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC)
	card := &shcmint.Card{Issuer: iss, NotBefore: sampled, Lab: &shcmint.LabResult{LOINC: "94558-4", Sampled: sampled}}
	payload, err := card.Payload()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		code     string
		typ      verify.CredType
		detected bool
	}{
		{"260415000", verify.TypeTest, false},
		{"260385009", verify.TypeTest, false},
		{"260373001", verify.TypeTest, true},
		{"10828004", verify.TypeTest, true},
		{"419984006", verify.TypeUnknown, false}, // inconclusive
	}
	trust := trustKey(t, iss, &key.PublicKey)
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			jws, err := shcmint.SignPayload(bytes.ReplaceAll(payload, []byte("260415000"), []byte(tt.code)), key)
			if err != nil {
				t.Fatal(err)
			}
			res := run(newVerifier(), []string{jws}, trust, sampled)
			wantReason(t, res, verify.ReasonOK)
			c := res.Credential
			if c.Type != tt.typ || (c.Test != nil) != (tt.typ == verify.TypeTest) || (c.Test != nil && c.Test.Detected != tt.detected) {
				t.Errorf("type %q test %+v, want %q detected=%v", c.Type, c.Test, tt.typ, tt.detected)
			}
		})
	}
}
