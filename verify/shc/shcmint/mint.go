package shcmint

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"
)

// Card describes a test card to mint: a patient with immunizations or one
// lab test result.
type Card struct {
	Issuer    string
	NotBefore time.Time
	Expires   time.Time // zero: the card does not expire
	Rid       string    // empty: no rid (the card cannot be revoked)

	Family    string
	Given     []string
	BirthDate string // YYYY-MM-DD

	Immunizations []Immunization
	Lab           *LabResult
}

// Immunization is one vaccine dose.
type Immunization struct {
	CVX  string // e.g. 207
	Date string // YYYY-MM-DD
	Lot  string
	// Dose and Series, when > 0, go into protocolApplied.
	Dose, Series int
}

// LabResult is one lab test Observation.
type LabResult struct {
	LOINC    string // e.g. 94309-2 (PCR) or 94558-4 (antigen)
	Sampled  time.Time
	Detected bool
}

// Payload returns the minified JWS payload of c.
func (c *Card) Payload() ([]byte, error) {
	if c.Issuer == "" || c.NotBefore.IsZero() {
		return nil, errors.New("shcmint: a card needs an issuer and nbf")
	}
	if c.Rid != "" {
		if err := checkRid(c.Rid); err != nil {
			return nil, fmt.Errorf("shcmint: rid: %w", err)
		}
	}
	type m = map[string]any
	entries := []any{m{"fullUrl": "resource:0", "resource": m{
		"resourceType": "Patient",
		"name":         []any{m{"family": c.Family, "given": c.Given}},
		"birthDate":    c.BirthDate,
	}}}
	types := []string{TypeHealthCard}
	for i, im := range c.Immunizations {
		r := m{
			"resourceType":       "Immunization",
			"status":             "completed",
			"vaccineCode":        m{"coding": []any{m{"system": systemCVX, "code": im.CVX}}},
			"patient":            m{"reference": "resource:0"},
			"occurrenceDateTime": im.Date,
		}
		if im.Lot != "" {
			r["lotNumber"] = im.Lot
		}
		if im.Dose > 0 || im.Series > 0 {
			pa := m{}
			if im.Dose > 0 {
				pa["doseNumberPositiveInt"] = im.Dose
			}
			if im.Series > 0 {
				pa["seriesDosesPositiveInt"] = im.Series
			}
			r["protocolApplied"] = []any{pa}
		}
		entries = append(entries, m{"fullUrl": "resource:" + strconv.Itoa(i+1), "resource": r})
	}
	if len(c.Immunizations) > 0 {
		types = append(types, "https://smarthealth.cards#immunization")
	}
	if l := c.Lab; l != nil {
		result := "260415000" // not detected
		if l.Detected {
			result = "260373001"
		}
		entries = append(entries, m{"fullUrl": "resource:" + strconv.Itoa(len(entries)), "resource": m{
			"resourceType":         "Observation",
			"status":               "final",
			"code":                 m{"coding": []any{m{"system": systemLOINC, "code": l.LOINC}}},
			"subject":              m{"reference": "resource:0"},
			"effectiveDateTime":    l.Sampled.UTC().Format(time.RFC3339),
			"valueCodeableConcept": m{"coding": []any{m{"system": systemSNOMED, "code": result}}},
		}})
		types = append(types, "https://smarthealth.cards#laboratory")
	}
	vc := m{
		"type": types,
		"credentialSubject": m{
			"fhirVersion": "4.0.1",
			"fhirBundle":  m{"resourceType": "Bundle", "type": "collection", "entry": entries},
		},
	}
	if c.Rid != "" {
		vc["rid"] = c.Rid
	}
	p := m{"iss": c.Issuer, "nbf": jsonSeconds(c.NotBefore), "vc": vc}
	if !c.Expires.IsZero() {
		p["exp"] = jsonSeconds(c.Expires)
	}
	return json.Marshal(p)
}

// jsonSeconds renders t as seconds with milliseconds, as issuers do.
func jsonSeconds(t time.Time) json.Number {
	ms := t.UnixMilli()
	if ms%1000 == 0 {
		return json.Number(strconv.FormatInt(ms/1000, 10))
	}
	return json.Number(fmt.Sprintf("%d.%03d", ms/1000, ms%1000))
}

// Mint builds and signs c with key, a P-256 signer; the kid is the key's
// thumbprint. It returns the compact JWS.
func Mint(c *Card, key crypto.Signer) (string, error) {
	p, err := c.Payload()
	if err != nil {
		return "", err
	}
	return SignPayload(p, key)
}

// SignPayload compacts a JSON payload, deflates it and signs it with key
// (ES256, JOSE r‖s), with kid the key's thumbprint. Tests use it to re-sign
// the spec's unsigned payloads.
func SignPayload(payload []byte, key crypto.Signer) (string, error) {
	pub, ok := key.Public().(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return "", errors.New("shcmint: sign: want a P-256 key")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, payload); err != nil {
		return "", fmt.Errorf("shcmint: sign: payload: %w", err)
	}
	hdr, err := json.Marshal(header{Zip: "DEF", Alg: "ES256", Kid: thumbprint(pub)})
	if err != nil {
		return "", err
	}
	input := b64.EncodeToString(hdr) + "." + b64.EncodeToString(Deflate(compact.Bytes()))
	digest := sha256.Sum256([]byte(input))
	der, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("shcmint: sign: %w", err)
	}
	var sig struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &sig); err != nil || len(rest) > 0 {
		return "", fmt.Errorf("shcmint: sign: signer returned no ASN.1 ECDSA signature: %v", err)
	}
	rs := make([]byte, 64)
	sig.R.FillBytes(rs[:32])
	sig.S.FillBytes(rs[32:])
	return input + "." + b64.EncodeToString(rs), nil
}

// QRTexts returns the numeric QR text(s) of a JWS: one shc:/ code when it
// fits (MaxSingleJWS), else the deprecated chunked form with as few
// balanced chunks as MaxChunkJWS allows.
func QRTexts(jws string) []string {
	if len(jws) <= MaxSingleJWS {
		return []string{Prefix + EncodeNumeric(jws)}
	}
	return Chunk(jws, (len(jws)+MaxChunkJWS-1)/MaxChunkJWS)
}

// Chunk splits a JWS into n balanced chunks, shc:/i/n/…; n < 2 yields the
// single code.
func Chunk(jws string, n int) []string {
	if n < 2 {
		return []string{Prefix + EncodeNumeric(jws)}
	}
	n = min(n, len(jws), MaxChunks)
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		lo, hi := i*len(jws)/n, (i+1)*len(jws)/n
		out = append(out, fmt.Sprintf("%s%d/%d/%s", Prefix, i+1, n, EncodeNumeric(jws[lo:hi])))
	}
	return out
}
