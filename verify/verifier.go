package verify

import (
	"fmt"
	"strings"
	"time"
)

// Handler verifies one credential format. verify/dcc and verify/shc provide
// one each.
type Handler interface {
	// Format names the format.
	Format() Format
	// Detect reports whether the text, already trimmed of surrounding space,
	// is of this format.
	Detect(text string) bool
	// Verify checks the credential carried by texts (one text, or the chunks
	// of a multi-QR SMART Health Card) against trust at time now. It fills
	// every step it reaches; it does not apply site policy.
	Verify(texts []string, trust TrustStore, now time.Time) Result
}

// Input is one verification request.
type Input struct {
	// Texts holds the scanned text: one code, or the chunks of one SMART
	// Health Card in any order.
	Texts []string
	// Trust holds the trusted keys and revocations; nil trusts nothing.
	Trust TrustStore
	// Now is the time to judge validity against. It must be set.
	Now time.Time
	// Policy, if set, holds the site's acceptance rules; without it only the
	// credential itself is judged.
	Policy *Policy
}

// Verifier detects the format of a scanned text and dispatches to its handler.
// It is safe for concurrent use.
type Verifier struct {
	handlers []Handler
}

// New returns a Verifier for the given formats.
func New(handlers ...Handler) *Verifier {
	return &Verifier{handlers: handlers}
}

// Detect returns the handler for text, or nil.
func (v *Verifier) Detect(text string) Handler {
	t := Clean(text)
	for _, h := range v.handlers {
		if h.Detect(t) {
			return h
		}
	}
	return nil
}

// Clean trims the surrounding space and a UTF-8 byte order mark that phone
// apps and text files add around a code.
func Clean(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "\ufeff")
	return strings.TrimSpace(s)
}

// checkIn turns an unsigned identity document into a check-in when the
// site's policy has that mode: the signature step is skipped instead of
// failed, and the policy still judges it. Without the mode it stays refused
// as unsigned.
func checkIn(res *Result, p *Policy) {
	if res.Reason != ReasonUnsigned || p == nil || !p.CheckIn || res.Credential == nil ||
		res.Credential.Type != TypeIdentity {
		return
	}
	for s, o := range res.Steps {
		if o == Fail && s != StepSignature {
			return
		}
	}
	res.Reason, res.Detail, res.Decision = "", "", ""
	res.Mark(StepSignature, Skip)
	res.Warnings = append(res.Warnings, "unsigned identity document: logged as a check-in, not verified")
}

// Verify verifies one credential. It never panics: a panic in a handler is
// reported as ReasonInternal.
func (v *Verifier) Verify(in Input) (res Result) {
	if len(in.Texts) == 0 {
		res.Reject(ReasonNoQR, "no code")
		return res
	}
	texts := make([]string, len(in.Texts))
	for i, t := range in.Texts {
		texts[i] = Clean(t)
	}
	h := v.Detect(texts[0])
	if h == nil {
		res.Fail(StepUnprefix, ReasonBadPrefix, "unknown format: no HC1: or shc:/ prefix")
		return res
	}
	trust := in.Trust
	if trust == nil {
		trust = EmptyTrust{}
	}
	defer func() {
		if p := recover(); p != nil {
			res = Result{Format: h.Format()}
			res.Reject(ReasonInternal, fmt.Sprintf("internal error: %v", p))
		}
	}()
	res = h.Verify(texts, trust, in.Now)
	if res.Format == FormatUnknown {
		// A handler of several payloads (HC1: carries the EU DCC and the
		// WHO's) names the one it found.
		res.Format = h.Format()
	}
	checkIn(&res, in.Policy)
	if res.Failed() {
		res.Decision = Reject
		return res
	}
	if in.Policy == nil || res.Credential == nil {
		res.Mark(StepPolicy, Skip)
	} else if ref := in.Policy.Judge(&res, in.Now); ref != nil {
		res.Fail(StepPolicy, ReasonPolicy, ref.Detail)
		res.Rule, res.RuleDescription = ref.Rule, ref.Description
		return res
	} else {
		res.Mark(StepPolicy, Pass)
	}
	res.Decision = Accept
	res.Reason = ReasonOK
	return res
}
