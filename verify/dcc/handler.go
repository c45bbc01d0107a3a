package dcc

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/veraison/go-cose"
)

// Prefix is the context identifier of a DCC in its QR code.
const Prefix = "HC1:"

// Handler verifies EU Digital COVID Certificates. It holds no state and is
// safe for concurrent use.
type Handler struct{}

var (
	_ verify.OptionsHandler = (*Handler)(nil)
	_ verify.StepsHandler   = (*Handler)(nil)
)

// required are the steps a DCC must pass to be accepted.
var required = []verify.Step{
	verify.StepUnprefix, verify.StepBase45, verify.StepCompression, verify.StepCOSE, verify.StepDecode,
	verify.StepSchema, verify.StepSignature, verify.StepKeyUsage, verify.StepValidity, verify.StepRevocation,
}

// RequiredSteps implements verify.StepsHandler.
func (*Handler) RequiredSteps() []verify.Step { return required }

// New returns the DCC handler.
func New() *Handler { return &Handler{} }

// Format implements verify.Handler.
func (*Handler) Format() verify.Format { return verify.FormatDCC }

// Detect implements verify.Handler: a DCC starts with "HC1:".
func (*Handler) Detect(text string) bool { return strings.HasPrefix(text, Prefix) }

// Verify implements verify.Handler with the default options.
func (h *Handler) Verify(texts []string, trust verify.TrustStore, now time.Time) verify.Result {
	return h.VerifyOptions(texts, trust, now, verify.Options{})
}

// VerifyOptions implements verify.OptionsHandler. It runs every step it can
// reach: after a failure, the steps that do not depend on the failed one
// still run and get their own outcome, while the first failure sets the
// reason.
//
// Result.Claims holds "iss", "iat" and "exp" (RFC 3339 text) and "hcert"
// (the payload as JSON-like values), for display.
func (*Handler) VerifyOptions(texts []string, trust verify.TrustStore, now time.Time, opts verify.Options) verify.Result {
	var res verify.Result
	res.Format = verify.FormatDCC
	if len(texts) != 1 || !strings.HasPrefix(texts[0], Prefix) {
		res.Fail(verify.StepUnprefix, verify.ReasonBadPrefix, "not one code starting with HC1:")
		return res
	}
	res.Mark(verify.StepUnprefix, verify.Pass)

	compressed, err := DecodeBase45(texts[0][len(Prefix):])
	if err != nil {
		res.Fail(verify.StepBase45, verify.ReasonBadBase45, err.Error())
		return res
	}
	res.Mark(verify.StepBase45, verify.Pass)

	raw, err := inflate(compressed)
	if err != nil {
		res.Fail(verify.StepCompression, verify.ReasonBadCompression, err.Error())
		return res
	}
	res.Mark(verify.StepCompression, verify.Pass)

	msg, err := parseCOSE(raw)
	if err != nil {
		res.Fail(verify.StepCOSE, verify.ReasonBadCOSE, err.Error())
		return res
	}
	res.Mark(verify.StepCOSE, verify.Pass)
	res.Kid = kidOf(msg)
	if kind := payloadKind(msg.Payload); kind != kindEUDCC {
		// The WHO's payloads in the same envelope: who.go.
		verifyWHO(&res, kind, msg, trust, now)
		return res
	}

	c, err := decodeClaims(msg.Payload)
	switch {
	case errors.Is(err, ErrCBOR):
		res.Fail(verify.StepDecode, verify.ReasonBadCBOR, err.Error())
	case err != nil:
		res.Fail(verify.StepDecode, verify.ReasonBadPayload, err.Error())
	default:
		res.Mark(verify.StepDecode, verify.Pass)
		res.Issuer = c.Issuer
		res.Credential = credential(c)
		res.Claims = map[string]any{
			"iss":   c.Issuer,
			"iat":   c.IssuedAt.Format(time.RFC3339),
			"exp":   c.ExpiresAt.Format(time.RFC3339),
			"hcert": c.HCert,
		}
		if err := ValidateSchema(c.HCert); err != nil {
			res.Fail(verify.StepSchema, verify.ReasonBadSchema, SchemaDetail(err))
		} else {
			res.Mark(verify.StepSchema, verify.Pass)
		}
		checkValueSets(&res, c.HCert, trust, opts)
	}

	key := checkKeys(&res, msg, trust)
	if c == nil {
		return res
	}
	if key != nil {
		if key.Allows(res.Credential.Type) {
			res.Mark(verify.StepKeyUsage, verify.Pass)
		} else {
			res.Fail(verify.StepKeyUsage, verify.ReasonKeyUsage,
				fmt.Sprintf("the signer may not sign a %s certificate", typeName(res.Credential.Type)))
		}
		checkIssuer(&res, c, key, opts)
	}
	checkValidity(&res, c, key, now, opts)
	checkRevocation(&res, msg, trust)
	return res
}

// checkKeys looks the kid up and verifies the signature. It returns the key
// that verified or, if none did, the first key with the kid (so validity and
// key usage can still be judged against the signer the code names), or nil.
func checkKeys(res *verify.Result, msg *cose.Sign1Message, trust verify.TrustStore) *verify.Key {
	keys := trust.Keys(verify.FormatDCC, res.Issuer, res.Kid)
	k := res.CheckSignature(keys, fmt.Sprintf("no trusted key with kid %x", res.Kid),
		func(k *verify.Key) error { return checkSignature(msg, k) })
	if k == nil && len(keys) > 0 {
		return keys[0]
	}
	return k
}

// checkValidity requires iat ≤ now ≤ exp and, when the signer is known, that
// its certificate was valid when the credential was issued (notBefore ≤ iat
// ≤ notAfter). With the strict signer validity it also requires that the
// certificate outlives the credential (exp ≤ notAfter).
func checkValidity(res *verify.Result, c *claims, key *verify.Key, now time.Time, opts verify.Options) {
	var reason verify.Reason
	var detail string
	switch {
	case now.Before(c.IssuedAt):
		reason, detail = verify.ReasonNotYetValid, "issued after now (iat "+c.IssuedAt.Format(time.RFC3339)+")"
	case now.After(c.ExpiresAt):
		reason, detail = verify.ReasonExpired, "expired at "+c.ExpiresAt.Format(time.RFC3339)
	case key != nil && !key.NotBefore.IsZero() && c.IssuedAt.Before(key.NotBefore):
		reason, detail = verify.ReasonNotYetValid, "issued before its signer's certificate was valid"
	case key != nil && !key.NotAfter.IsZero() && c.IssuedAt.After(key.NotAfter):
		reason, detail = verify.ReasonExpired, "issued after its signer's certificate expired"
	case opts.Strict() && key != nil && !key.NotAfter.IsZero() && c.ExpiresAt.After(key.NotAfter):
		reason, detail = verify.ReasonExpired, "expires after its signer's certificate (signer validity strict)"
	default:
		res.Mark(verify.StepValidity, verify.Pass)
		return
	}
	res.Fail(verify.StepValidity, reason, detail)
}

// checkIssuer binds the certificate to its signer: the DSC's country (the
// trust list's, or the certificate's subject C) must be the DCC's issuing
// country (the CWT iss when it is a country code, as the specification
// says; otherwise, as Georgia's iss is the ministry's name, the entry's co).
// A key without a country is not judged. A mismatch refuses with issuer_mismatch or, with the
// warn binding, adds a warning.
func checkIssuer(res *verify.Result, c *claims, key *verify.Key, opts verify.Options) {
	country := c.Issuer
	if !isCountryCode(country) {
		country = entryCountry(res.Credential)
	}
	if key.Issuer == "" || country == "" || strings.EqualFold(key.Issuer, country) {
		return
	}
	msg := fmt.Sprintf("signed by a DSC of %s, but issued by %s", key.Issuer, country)
	if opts.WarnOnly() {
		res.Warnings = append(res.Warnings, msg)
		return
	}
	res.Fail(verify.StepKeyUsage, verify.ReasonIssuerMismatch, msg)
}

func isCountryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// entryCountry is the co of the certificate's entry.
func entryCountry(cred *verify.Credential) string {
	switch {
	case cred.Vaccination != nil:
		return cred.Vaccination.Country
	case cred.Test != nil:
		return cred.Test.Country
	case cred.Recovery != nil:
		return cred.Recovery.Country
	}
	return ""
}

// checkRevocation asks the trust store about the UCI, country+UCI and
// signature hashes.
func checkRevocation(res *verify.Result, msg *cose.Sign1Message, trust verify.TrustStore) {
	cred := res.Credential
	country := entryCountry(cred)
	for _, q := range revocationQueries(res.Issuer, res.Kid, cred, country, signatureHashInput(msg)) {
		if trust.Revoked(q) {
			res.Fail(verify.StepRevocation, verify.ReasonRevoked, "revoked ("+q.Kind+" hash listed)")
			return
		}
	}
	res.Mark(verify.StepRevocation, verify.Pass)
}

func typeName(t verify.CredType) string {
	if t == verify.TypeUnknown {
		return "mixed or unknown"
	}
	return string(t)
}
