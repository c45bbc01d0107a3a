package shc

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chot-dev/chot/verify"
)

// Handler verifies SMART Health Cards. It implements verify.Handler and is
// safe for concurrent use.
type Handler struct{}

var _ verify.StepsHandler = (*Handler)(nil)

// required are the steps a card must pass to be accepted. Unprefix and
// numeric are skipped for a bare JWS or a card file, revocation when the
// issuer publishes no list for the key.
var required = []verify.Step{
	verify.StepCOSE, verify.StepCompression, verify.StepDecode, verify.StepSignature,
	verify.StepKeyUsage, verify.StepValidity,
}

// RequiredSteps implements verify.StepsHandler.
func (*Handler) RequiredSteps() []verify.Step { return required }

// New returns a Handler.
func New() *Handler { return &Handler{} }

// Format implements verify.Handler.
func (*Handler) Format() verify.Format { return verify.FormatSHC }

// Detect implements verify.Handler: a numeric QR text (shc:/…), a compact
// JWS whose header names alg or zip, or a .smart-health-card file's JSON.
func (*Handler) Detect(text string) bool {
	switch {
	case strings.HasPrefix(text, Prefix):
		return true
	case strings.HasPrefix(text, "{"):
		return len(text) <= maxTextLen && strings.Contains(text, `"verifiableCredential"`)
	default:
		return looksLikeJWS(text)
	}
}

// Verify implements verify.Handler. texts is one code, the chunks of a
// chunked card in any order, or one .smart-health-card file. After a failure
// the later steps that can still run do (for display), while the first
// failure sets the reason. It never panics: a bug is reported as
// ReasonInternal.
func (*Handler) Verify(texts []string, trust verify.TrustStore, now time.Time) (res verify.Result) {
	defer func() {
		if p := recover(); p != nil {
			res = verify.Result{Format: verify.FormatSHC}
			res.Reject(verify.ReasonInternal, fmt.Sprintf("internal error: %v", p))
		}
	}()
	res.Format = verify.FormatSHC
	if trust == nil {
		trust = verify.EmptyTrust{}
	}
	if len(texts) == 0 {
		res.Reject(verify.ReasonNoQR, "no code")
		return res
	}
	total := 0
	for _, t := range texts {
		total += len(t)
	}
	if total > maxTextLen || len(texts) > maxChunks {
		res.Fail(verify.StepUnprefix, verify.ReasonBadPrefix, fmt.Sprintf("%d texts of %d bytes in all, over the limit", len(texts), total))
		return res
	}
	clean := make([]string, len(texts))
	for i, t := range texts {
		clean[i] = verify.Clean(t)
		if clean[i] != t {
			res.Warnings = append(res.Warnings, "space or byte order mark around the code removed")
		}
	}
	first := clean[0]
	switch {
	case strings.HasPrefix(first, Prefix):
		res.Mark(verify.StepUnprefix, verify.Pass)
		jws, warnings, err := assemble(clean)
		if err != nil {
			reason := verify.ReasonBadNumeric
			if errors.Is(err, ErrIncomplete) {
				reason = verify.ReasonIncomplete
			}
			res.Fail(verify.StepNumeric, reason, err.Error())
			return res
		}
		res.Mark(verify.StepNumeric, verify.Pass)
		res.Warnings = append(res.Warnings, warnings...)
		verifyJWS(&res, jws, trust, now)
	case strings.HasPrefix(first, "{"):
		if len(clean) > 1 {
			res.Fail(verify.StepUnprefix, verify.ReasonIncomplete, "a .smart-health-card file must come alone")
			return res
		}
		return verifyFile(res, first, trust, now)
	case strings.Count(first, ".") == 2:
		if len(clean) > 1 {
			res.Fail(verify.StepUnprefix, verify.ReasonIncomplete, "a compact JWS must come alone")
			return res
		}
		res.Mark(verify.StepUnprefix, verify.Skip)
		res.Mark(verify.StepNumeric, verify.Skip)
		verifyJWS(&res, first, trust, now)
	default:
		res.Fail(verify.StepUnprefix, verify.ReasonBadPrefix, "not a SMART Health Card: no shc:/ prefix, JWS or card file")
	}
	return res
}

// maxFileCards bounds the cards of one .smart-health-card file.
const maxFileCards = 16

// verifyFile verifies every card of a .smart-health-card file (or of the
// FHIR $health-cards-issue Parameters that carry them).
func verifyFile(res verify.Result, text string, trust verify.TrustStore, now time.Time) verify.Result {
	jwss, err := fileCards(text)
	if err != nil {
		res.Fail(verify.StepUnprefix, verify.ReasonBadPrefix, err.Error())
		return res
	}
	warnings := res.Warnings
	var out verify.Result
	for i, jws := range jwss {
		r := verify.Result{Format: verify.FormatSHC}
		r.Mark(verify.StepUnprefix, verify.Pass)
		r.Mark(verify.StepNumeric, verify.Skip)
		verifyJWS(&r, jws, trust, now)
		if len(jwss) > 1 {
			r.Detail = prefixDetail(r.Detail, fmt.Sprintf("card %d of %d", i+1, len(jwss)))
		}
		if r.Failed() {
			r.Warnings = slices.Concat(warnings, r.Warnings)
			return r
		}
		if i == 0 {
			out = r
		}
	}
	out.Warnings = slices.Concat(warnings, out.Warnings)
	if len(jwss) > 1 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("file holds %d cards, all verified; the result shows the first", len(jwss)))
	}
	return out
}

func prefixDetail(detail, p string) string {
	if detail == "" {
		return ""
	}
	return p + ": " + detail
}

// fileCards extracts the JWSs of a .smart-health-card file.
func fileCards(text string) ([]string, error) {
	var f struct {
		VerifiableCredential []string `json:"verifiableCredential"`
		ResourceType         string   `json:"resourceType"`
		Parameter            []struct {
			Name        string `json:"name"`
			ValueString string `json:"valueString"`
		} `json:"parameter"`
	}
	if err := json.Unmarshal([]byte(text), &f); err != nil {
		return nil, fmt.Errorf("not a .smart-health-card file: %w", err)
	}
	jwss := f.VerifiableCredential
	if f.ResourceType == "Parameters" {
		for _, p := range f.Parameter {
			if p.Name == "verifiableCredential" {
				jwss = append(jwss, p.ValueString)
			}
		}
	}
	switch {
	case len(jwss) == 0:
		return nil, errors.New("not a .smart-health-card file: no verifiableCredential")
	case len(jwss) > maxFileCards:
		return nil, fmt.Errorf("file holds %d cards, over the limit of %d", len(jwss), maxFileCards)
	}
	return jwss, nil
}

// verifyJWS runs the steps from the JWS on.
func verifyJWS(res *verify.Result, s string, trust verify.TrustStore, now time.Time) {
	j, err := parseJWS(s)
	if err != nil {
		res.Fail(verify.StepCOSE, verify.ReasonBadJWS, err.Error())
		return
	}
	res.Mark(verify.StepCOSE, verify.Pass)
	res.Kid = []byte(j.header.Kid)

	raw, err := inflate(j.payload)
	if err != nil {
		res.Fail(verify.StepCompression, verify.ReasonBadCompression, err.Error())
		return
	}
	res.Mark(verify.StepCompression, verify.Pass)
	if b, ok := bytes.CutPrefix(raw, []byte("\ufeff")); ok {
		raw = b
		res.Warnings = append(res.Warnings, "payload starts with a byte order mark")
	}

	c, err := parseClaims(raw)
	if err != nil {
		res.Fail(verify.StepDecode, verify.ReasonBadPayload, err.Error())
		return
	}
	res.Mark(verify.StepDecode, verify.Pass)
	res.Issuer = c.Iss
	res.Credential = credential(c, raw)
	var generic map[string]any
	if json.Unmarshal(raw, &generic) == nil {
		res.Claims = generic
	}
	if c.nbf.IsZero() {
		res.Warnings = append(res.Warnings, "no nbf: issue time unknown")
	}

	key := checkSignature(res, j, trust)
	if key != nil {
		if key.Allows(res.Credential.Type) {
			res.Mark(verify.StepKeyUsage, verify.Pass)
		} else {
			res.Fail(verify.StepKeyUsage, verify.ReasonKeyUsage, fmt.Sprintf("the key may not sign a %q card", res.Credential.Type))
		}
	}
	checkValidity(res, c, key, now)
	checkRevocation(res, c, j.header.Kid, trust)
}

// checkSignature looks the keys bound to (iss, kid) up and verifies the
// signature. It returns the key that verified, or nil.
func checkSignature(res *verify.Result, j *jws, trust verify.TrustStore) *verify.Key {
	keys := trust.Keys(verify.FormatSHC, res.Issuer, res.Kid)
	return res.CheckSignature(keys, fmt.Sprintf("no trusted key for issuer %s, kid %s", res.Issuer, j.header.Kid),
		func(k *verify.Key) error {
			pub, ok := k.Public.(*ecdsa.PublicKey)
			switch {
			case !ok || pub.Curve != elliptic.P256():
				return errors.New("the trusted key is not a P-256 key")
			case k.Algorithm != "" && k.Algorithm != "ES256":
				return fmt.Errorf("the trusted key is for %s, not ES256", k.Algorithm)
			}
			return verifyES256(pub, j.signingInput, j.sig)
		})
}

// checkValidity requires nbf ≤ now ≤ exp and, when the signer is known and
// bounded, that it was valid when the card was issued.
func checkValidity(res *verify.Result, c *claims, key *verify.Key, now time.Time) {
	var reason verify.Reason
	var detail string
	switch {
	case !c.nbf.IsZero() && now.Before(c.nbf):
		reason, detail = verify.ReasonNotYetValid, "not valid before "+c.nbf.UTC().Format(time.RFC3339Nano)
	case !c.exp.IsZero() && now.After(c.exp):
		reason, detail = verify.ReasonExpired, "expired at "+c.exp.UTC().Format(time.RFC3339Nano)
	case key != nil && !key.NotBefore.IsZero() && c.nbf.Before(key.NotBefore):
		reason, detail = verify.ReasonNotYetValid, "issued before its key was valid"
	case key != nil && !key.NotAfter.IsZero() && c.nbf.After(key.NotAfter):
		reason, detail = verify.ReasonExpired, "issued after its key was retired"
	default:
		res.Mark(verify.StepValidity, verify.Pass)
		return
	}
	res.Fail(verify.StepValidity, reason, detail)
}

// checkRevocation asks the trust store about the card's rid. A card without
// a rid cannot be revoked: the step is skipped.
func checkRevocation(res *verify.Result, c *claims, kid string, trust verify.TrustStore) {
	if c.VC.Rid == "" {
		res.Mark(verify.StepRevocation, verify.Skip)
		return
	}
	q := verify.RevocationQuery{
		Format:   verify.FormatSHC,
		Issuer:   c.Iss,
		Kid:      []byte(kid),
		Kind:     RevocationKind,
		Value:    []byte(c.VC.Rid),
		IssuedAt: c.nbf,
	}
	if trust.Revoked(q) {
		res.Fail(verify.StepRevocation, verify.ReasonRevoked, "rid "+c.VC.Rid+" is on the issuer's revocation list")
		return
	}
	res.Mark(verify.StepRevocation, verify.Pass)
}
