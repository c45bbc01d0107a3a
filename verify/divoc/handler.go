// Package divoc verifies DIVOC certificates (India's CoWIN, and Sri Lanka,
// Indonesia, Jamaica, the Philippines): a ZIP in the QR code (raw "PK…"
// bytes, or "B64:" and its base64) holding certificate.json, a W3C
// Verifiable Credential with a linked-data proof: RsaSignature2018 (JWS
// PS256) or Ed25519Signature2018 (JWS EdDSA), a detached JWS with b64:false
// over the URDNA2015 canonical forms of the proof options and of the
// document. The JSON-LD contexts are pinned (verify/jsonld): none is ever
// fetched.
//
// The key is bound strictly to the proof's verificationMethod: a key of
// format divoc whose kid is that DID text ("did:india"). No other key is
// tried, so a credential signed with Jamaica's key that names India's is
// refused rather than accepted as Indian.
package divoc

import (
	"fmt"
	"strings"
	"time"

	"github.com/chot-dev/chot/verify"
)

// Handler verifies DIVOC certificates. It holds no state.
type Handler struct{}

var _ verify.Handler = (*Handler)(nil)
var _ verify.StepsHandler = (*Handler)(nil)

// RequiredSteps implements verify.StepsHandler. Revocation is not among
// them: DIVOC's is an online service, and the step is skipped.
func (*Handler) RequiredSteps() []verify.Step {
	return []verify.Step{verify.StepUnprefix, verify.StepCompression, verify.StepDecode, verify.StepSchema,
		verify.StepSignature, verify.StepValidity}
}

// New returns the DIVOC handler.
func New() *Handler { return &Handler{} }

// Format implements verify.Handler.
func (*Handler) Format() verify.Format { return verify.FormatDIVOC }

// Detect implements verify.Handler: "B64:" or a ZIP's local file header.
func (*Handler) Detect(text string) bool {
	return strings.HasPrefix(text, Prefix) || strings.HasPrefix(text, zipMagic)
}

// Verify implements verify.Handler.
func (*Handler) Verify(texts []string, trust verify.TrustStore, now time.Time) verify.Result {
	var res verify.Result
	res.Format = verify.FormatDIVOC
	if len(texts) != 1 {
		res.Fail(verify.StepUnprefix, verify.ReasonBadPrefix, "a DIVOC certificate is one code")
		return res
	}
	res.Mark(verify.StepUnprefix, verify.Pass)
	b, err := unzip(texts[0])
	if err != nil {
		res.Fail(verify.StepCompression, verify.ReasonBadCompression, err.Error())
		return res
	}
	res.Mark(verify.StepCompression, verify.Pass)
	doc, err := decodeJSON(b)
	if err != nil {
		res.Fail(verify.StepDecode, verify.ReasonBadPayload, err.Error())
		return res
	}
	res.Mark(verify.StepDecode, verify.Pass)
	res.Issuer, _ = doc["issuer"].(string)
	res.Credential = credential(doc)
	res.Claims = map[string]any{"credential": withoutProof(doc)}
	if err := checkShape(doc); err != nil {
		res.Fail(verify.StepSchema, verify.ReasonBadSchema, err.Error())
	} else {
		res.Mark(verify.StepSchema, verify.Pass)
	}

	p, err := parseProof(doc)
	if err != nil {
		res.Fail(verify.StepSignature, verify.ReasonBadSignature, err.Error())
	} else {
		res.Kid = []byte(p.Method)
		keys := trust.Keys(verify.FormatDIVOC, res.Issuer, res.Kid)
		res.CheckSignature(keys, fmt.Sprintf("no trusted key for verification method %s", p.Method), p.check)
	}
	checkValidity(&res, now)
	// DIVOC revocation is an online service; the bundle carries none.
	res.Mark(verify.StepRevocation, verify.Skip)
	return res
}

// checkValidity requires issuanceDate ≤ now and, when the credential has
// one, now ≤ expirationDate.
func checkValidity(res *verify.Result, now time.Time) {
	c := res.Credential
	switch {
	case c.IssuedAt.IsZero():
		res.Fail(verify.StepValidity, verify.ReasonBadPayload, "no issuanceDate")
	case now.Before(c.IssuedAt):
		res.Fail(verify.StepValidity, verify.ReasonNotYetValid, "issued after now ("+c.IssuedAt.Format(time.RFC3339)+")")
	case !c.ExpiresAt.IsZero() && now.After(c.ExpiresAt):
		res.Fail(verify.StepValidity, verify.ReasonExpired, "expired at "+c.ExpiresAt.Format(time.RFC3339))
	default:
		res.Mark(verify.StepValidity, verify.Pass)
	}
}

func withoutProof(doc map[string]any) map[string]any {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		if k != "proof" {
			out[k] = v
		}
	}
	return out
}
