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

var _ verify.Handler = (*Handler)(nil)

// New returns the DCC handler.
func New() *Handler { return &Handler{} }

// Format implements verify.Handler.
func (*Handler) Format() verify.Format { return verify.FormatDCC }

// Detect implements verify.Handler: a DCC starts with "HC1:".
func (*Handler) Detect(text string) bool { return strings.HasPrefix(text, Prefix) }

// Verify implements verify.Handler. It runs every step it can reach: after a
// failure, the steps that do not depend on the failed one still run and get
// their own outcome, while the first failure sets the reason.
//
// Result.Claims holds "iss", "iat" and "exp" (RFC 3339 text) and "hcert"
// (the payload as JSON-like values), for display.
func (*Handler) Verify(texts []string, trust verify.TrustStore, now time.Time) verify.Result {
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
	}
	checkValidity(&res, c, key, now)
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
// its certificate covers the credential's life: notBefore ≤ iat and
// exp ≤ notAfter.
func checkValidity(res *verify.Result, c *claims, key *verify.Key, now time.Time) {
	var reason verify.Reason
	var detail string
	switch {
	case now.Before(c.IssuedAt):
		reason, detail = verify.ReasonNotYetValid, "issued after now (iat "+c.IssuedAt.Format(time.RFC3339)+")"
	case now.After(c.ExpiresAt):
		reason, detail = verify.ReasonExpired, "expired at "+c.ExpiresAt.Format(time.RFC3339)
	case key != nil && !key.NotBefore.IsZero() && c.IssuedAt.Before(key.NotBefore):
		reason, detail = verify.ReasonNotYetValid, "issued before its signer's certificate was valid"
	case key != nil && !key.NotAfter.IsZero() && c.ExpiresAt.After(key.NotAfter):
		reason, detail = verify.ReasonExpired, "expires after its signer's certificate"
	default:
		res.Mark(verify.StepValidity, verify.Pass)
		return
	}
	res.Fail(verify.StepValidity, reason, detail)
}

// checkRevocation asks the trust store about the UCI, country+UCI and
// signature hashes.
func checkRevocation(res *verify.Result, msg *cose.Sign1Message, trust verify.TrustStore) {
	cred := res.Credential
	country := ""
	switch {
	case cred.Vaccination != nil:
		country = cred.Vaccination.Country
	case cred.Test != nil:
		country = cred.Test.Country
	case cred.Recovery != nil:
		country = cred.Recovery.Country
	}
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
