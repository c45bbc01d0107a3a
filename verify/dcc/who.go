package dcc

import (
	"errors"
	"fmt"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"github.com/chot-dev/chot/verify"
)

// The WHO's payloads in the HCERT envelope (smart-trust hcert_spec.md
// v1.1.1, hcert.fsh): the same HC1: text, COSE_Sign1 and kid as the EU DCC,
// but another sub-claim of -260, and claims the EU DCC requires are
// optional (the DVC has no exp; iss may be an alpha-3 code).

// payload is which credential a CWT carries.
type payload int

// The payloads, by -260 sub-claim.
const (
	kindEUDCC  payload = iota // -260 → 1, or not recognisably anything else
	kindDDCCVS                // -260 → 3: DDCC:VS (vaccination)
	kindDDCCTR                // -260 → 4: DDCC:TR (test result)
	kindDVC                   // -260 → -6: DVC, the digital ICVP
	kindVHL                   // -260 → 5: a Verifiable Health Link, not a credential
	kindLegacy                // no -260: the first WHO DDCC, core data set as the whole CWT
)

// Sub-claims of -260 besides the EU DCC's 1.
const (
	hcertDDCCVS = 3
	hcertDDCCTR = 4
	hcertVHL    = 5
	hcertDVC    = -6
)

// cwtShape is what payloadKind reads: the -260 sub-claims, raw, and
// whether text keys sit at the top (the legacy core data set).
type cwtShape map[any]cbor.RawMessage

// payloadKind classifies a CWT. Anything it cannot read (malformed CBOR,
// no map) is kindEUDCC, so that the EU path reports the error as before.
// A -260 with the EU DCC's 1 is the EU DCC whatever else it holds.
func payloadKind(b []byte) payload {
	var top cwtShape
	if err := decMode.Unmarshal(b, &top); err != nil {
		return kindEUDCC
	}
	hc, ok := top[int64(claimHCert)]
	if !ok {
		for k := range top {
			if _, text := k.(string); text {
				return kindLegacy
			}
		}
		return kindEUDCC
	}
	var sub map[int64]cbor.RawMessage
	if err := decMode.Unmarshal(hc, &sub); err != nil {
		return kindEUDCC
	}
	for _, c := range []struct {
		key  int64
		kind payload
	}{{hcertDCC, kindEUDCC}, {hcertDDCCVS, kindDDCCVS}, {hcertDDCCTR, kindDDCCTR}, {hcertDVC, kindDVC}, {hcertVHL, kindVHL}} {
		if _, ok := sub[c.key]; ok {
			return c.kind
		}
	}
	return kindEUDCC
}

// whoClaims is a decoded WHO CWT: every claim optional.
type whoClaims struct {
	Issuer              string
	IssuedAt, ExpiresAt time.Time // zero when absent
	// Content is the payload as JSON-like values: the -260 sub-claim, or
	// the whole CWT for the legacy form.
	Content map[string]any
}

// subClaim of each kind, for decoding and messages.
var subClaim = map[payload]int64{kindDDCCVS: hcertDDCCVS, kindDDCCTR: hcertDDCCTR, kindDVC: hcertDVC, kindVHL: hcertVHL}

// decodeWHO decodes the claims of a WHO payload. iss, iat and exp are
// optional; present, they must be well formed (a NaN exp, as one upstream
// vector has, is ErrClaims).
func decodeWHO(b []byte, kind payload) (*whoClaims, error) {
	var top map[any]any
	if err := decMode.Unmarshal(b, &top); err != nil {
		return nil, fmt.Errorf("%w: CWT: %w", ErrCBOR, err)
	}
	c := &whoClaims{}
	if kind == kindLegacy {
		v, err := toJSON(top, 0)
		if err != nil {
			return nil, fmt.Errorf("%w: legacy DDCC: %w", ErrClaims, err)
		}
		c.Content = v.(map[string]any)
		return c, nil
	}
	if iss, ok := top[int64(claimIss)]; ok {
		s, ok := iss.(string)
		if !ok {
			return nil, fmt.Errorf("%w: iss is %T, not text", ErrClaims, iss)
		}
		c.Issuer = s
	}
	var err error
	if v, ok := top[int64(claimIat)]; ok {
		if c.IssuedAt, err = numericDate(v, "iat"); err != nil {
			return nil, err
		}
	}
	if v, ok := top[int64(claimExp)]; ok {
		if c.ExpiresAt, err = numericDate(v, "exp"); err != nil {
			return nil, err
		}
	}
	if !c.IssuedAt.IsZero() && !c.ExpiresAt.IsZero() && c.ExpiresAt.Before(c.IssuedAt) {
		return nil, fmt.Errorf("%w: exp before iat", ErrClaims)
	}
	hc, _ := top[int64(claimHCert)].(map[any]any)
	p, ok := hc[subClaim[kind]]
	if !ok {
		return nil, fmt.Errorf("%w: no -260 → %d", ErrClaims, subClaim[kind])
	}
	if kind == kindVHL {
		return c, nil
	}
	if _, ok := p.(map[any]any); !ok {
		return nil, fmt.Errorf("%w: -260 → %d is %T, not a map", ErrClaims, subClaim[kind], p)
	}
	v, err := toJSON(p, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: -260 → %d: %w", ErrClaims, subClaim[kind], err)
	}
	c.Content = v.(map[string]any)
	return c, nil
}

// verifyWHO verifies a WHO payload, after the envelope's steps: decode,
// shape, signature (keys by kid, as for the DCC), key usage, validity
// and revocation. The legacy DDCC and a VHL link are recognised and refused
// (obsolete, bad_payload); their signature is still checked, for display.
func verifyWHO(res *verify.Result, kind payload, msg *cose.Sign1Message, trust verify.TrustStore, now time.Time) {
	res.Format = verify.FormatDDCC
	if kind == kindDVC {
		res.Format = verify.FormatDVC
	}
	c, err := decodeWHO(msg.Payload, kind)
	switch {
	case errors.Is(err, ErrCBOR):
		res.Fail(verify.StepDecode, verify.ReasonBadCBOR, err.Error())
	case err != nil:
		res.Fail(verify.StepDecode, verify.ReasonBadPayload, err.Error())
	case kind == kindLegacy:
		res.Fail(verify.StepDecode, verify.ReasonObsolete,
			"legacy WHO DDCC (the core data set as the whole CWT, no -260): withdrawn, not an HCERT")
		res.Claims = map[string]any{"payload": "ddcc-legacy"}
	case kind == kindVHL:
		res.Fail(verify.StepDecode, verify.ReasonBadPayload, "a Verifiable Health Link (-260 → 5) is a link, not a credential")
		res.Claims = map[string]any{"payload": "vhl", "iss": c.Issuer}
	default:
		res.Mark(verify.StepDecode, verify.Pass)
		res.Issuer = c.Issuer
		res.Credential = whoCredential(kind, c)
		res.Claims = map[string]any{"payload": payloadName[kind], "iss": c.Issuer, "hcert": c.Content}
		if !c.IssuedAt.IsZero() {
			res.Claims["iat"] = c.IssuedAt.Format(time.RFC3339)
		}
		if !c.ExpiresAt.IsZero() {
			res.Claims["exp"] = c.ExpiresAt.Format(time.RFC3339)
		}
		if err := checkWHOShape(kind, c.Content); err != nil {
			res.Fail(verify.StepSchema, verify.ReasonBadSchema, err.Error())
		} else {
			res.Mark(verify.StepSchema, verify.Pass)
		}
	}
	key := checkKeys(res, msg, trust)
	if res.Credential == nil {
		return
	}
	if key != nil {
		if whoKeyAllows(key, res.Credential.Type) {
			res.Mark(verify.StepKeyUsage, verify.Pass)
		} else {
			res.Fail(verify.StepKeyUsage, verify.ReasonKeyUsage,
				fmt.Sprintf("the signer may not sign a %s certificate", typeName(res.Credential.Type)))
		}
	}
	checkWHOValidity(res, c, key, now)
	checkRevocation(res, msg, trust)
}

var payloadName = map[payload]string{kindDDCCVS: "ddcc-vs", kindDDCCTR: "ddcc-tr", kindDVC: "dvc"}

// whoKeyAllows applies the DSC's DCC extended key usages. The spec leaves
// their meaning for the DVC open: an ICVP is a vaccination, so a DSC
// restricted to other types may not sign one.
func whoKeyAllows(k *verify.Key, t verify.CredType) bool {
	if t == verify.TypeICVP {
		return k.Allows(verify.TypeVaccination) || k.Allows(verify.TypeICVP)
	}
	return k.Allows(t)
}

// checkWHOValidity requires iat ≤ now and now ≤ exp when they are present
// and the signer's certificate valid at the signing time (iat, or now when
// the credential has none). A DVC without exp does not expire: the ICVP
// rules of the site policy judge the vaccination.
func checkWHOValidity(res *verify.Result, c *whoClaims, key *verify.Key, now time.Time) {
	signed := c.IssuedAt
	if signed.IsZero() {
		signed = now
	}
	var reason verify.Reason
	var detail string
	switch {
	case !c.IssuedAt.IsZero() && now.Before(c.IssuedAt):
		reason, detail = verify.ReasonNotYetValid, "issued after now (iat "+c.IssuedAt.Format(time.RFC3339)+")"
	case !c.ExpiresAt.IsZero() && now.After(c.ExpiresAt):
		reason, detail = verify.ReasonExpired, "expired at "+c.ExpiresAt.Format(time.RFC3339)
	case key != nil && !key.NotBefore.IsZero() && signed.Before(key.NotBefore):
		reason, detail = verify.ReasonNotYetValid, "signed before its signer's certificate was valid"
	case key != nil && !key.NotAfter.IsZero() && signed.After(key.NotAfter):
		reason, detail = verify.ReasonExpired, "signed after its signer's certificate expired"
	default:
		res.Mark(verify.StepValidity, verify.Pass)
		return
	}
	res.Fail(verify.StepValidity, reason, detail)
}
