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

// OptionsHandler is a Handler that applies Options (the signer validity
// setting, the issuer binding). The Verifier calls VerifyOptions instead of
// Verify when a handler has it.
type OptionsHandler interface {
	Handler
	VerifyOptions(texts []string, trust TrustStore, now time.Time, opts Options) Result
}

// StepsHandler is a Handler that names the steps its format requires: the
// Verifier accepts only when each of them passed, whatever else happened. A
// handler without it requires StepSignature and StepValidity.
type StepsHandler interface {
	Handler
	RequiredSteps() []Step
}

// defaultRequired are the steps every format must pass.
var defaultRequired = []Step{StepSignature, StepValidity}

// Input is one verification request.
type Input struct {
	// Texts holds the scanned text: one code, or the chunks of one SMART
	// Health Card in any order.
	Texts []string
	// Trust holds the trusted keys and revocations; nil trusts nothing.
	Trust TrustStore
	// Now is the time to judge validity against. It must be set.
	Now time.Time
	// Policy holds the site's acceptance rules. Without it every credential
	// is refused with no_policy, unless CredentialOnly is set.
	Policy *Policy
	// CredentialOnly judges the credential alone when Policy is nil: format,
	// signature, key usage, validity, revocation. For the technician's
	// `chot verify` without --policy and for a format's tests; a checkpoint
	// never sets it.
	CredentialOnly bool
	// Options are the handler settings when Policy is nil; with a Policy, the
	// policy's own settings apply, and these fill the ones it leaves empty.
	Options Options
}

// options returns the handler settings in force.
func (in *Input) options() Options {
	o := in.Policy.Options()
	if o.SignerValidity == "" {
		o.SignerValidity = in.Options.SignerValidity
	}
	if o.IssuerBinding == "" {
		o.IssuerBinding = in.Options.IssuerBinding
	}
	if o.ValueSets == "" {
		o.ValueSets = in.Options.ValueSets
	}
	return o
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
func checkIn(res *Result, p *Policy) bool {
	if res.Reason != ReasonUnsigned || p == nil || !p.CheckIn || res.Credential == nil ||
		res.Credential.Type != TypeIdentity {
		return false
	}
	for s, o := range res.Steps {
		if o == Fail && s != StepSignature {
			return false
		}
	}
	res.Reason, res.Detail, res.Decision = "", "", ""
	res.Mark(StepSignature, Skip)
	res.Warnings = append(res.Warnings, "unsigned identity document: logged as a check-in, not verified")
	return true
}

// Verify verifies one credential. It never panics: a panic in a handler is
// reported as ReasonInternal.
//
// It fails closed: it accepts only when every step the format requires
// (StepsHandler) passed and the policy step passed, not merely when no step
// failed. Without a policy (and without CredentialOnly), or with a setting it
// does not know, every credential is refused with no_policy; the handler
// still runs, so the result names the format, issuer and kid for the log.
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
		res.Fail(StepUnprefix, ReasonBadPrefix, "unknown format: not HC1:, shc:/, a VDS-NC seal, a DIVOC ZIP nor a CCCD")
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
	opts := in.options()
	noPolicy := ""
	switch err := opts.Check(); {
	case err != nil:
		noPolicy = "the policy has an unknown setting: " + err.Error()
		opts = Options{}
	case in.Policy == nil && !in.CredentialOnly:
		noPolicy = "no site policy in force (none installed, or the configured mode is not in it): every credential is refused"
	}
	if oh, ok := h.(OptionsHandler); ok {
		res = oh.VerifyOptions(texts, trust, in.Now, opts)
	} else {
		res = h.Verify(texts, trust, in.Now)
	}
	if res.Format == FormatUnknown {
		// A handler of several payloads (HC1: carries the EU DCC and the
		// WHO's) names the one it found.
		res.Format = h.Format()
	}
	if noPolicy != "" {
		res.Mark(StepPolicy, Fail)
		res.Reject(ReasonNoPolicy, noPolicy)
		res.Rule = "" // the handler's own finding (a value set) is not the reason
		return res
	}
	checkedIn := checkIn(&res, in.Policy)
	if res.Failed() {
		res.Decision = Reject
		return res
	}
	if in.Policy == nil || res.Credential == nil {
		if in.Policy != nil {
			// A policy, but nothing it could judge: fail closed.
			res.Fail(StepPolicy, ReasonBadPayload, "no decoded credential for the policy to judge")
			return res
		}
		res.Mark(StepPolicy, Skip)
	} else if ref := in.Policy.Judge(&res, in.Now); ref != nil {
		res.Fail(StepPolicy, ReasonPolicy, ref.Detail)
		res.Rule, res.RuleDescription = ref.Rule, ref.Description
		return res
	} else {
		res.Mark(StepPolicy, Pass)
	}
	required := defaultRequired
	if sh, ok := h.(StepsHandler); ok {
		required = sh.RequiredSteps()
	}
	for _, s := range required {
		if s == StepSignature && checkedIn && res.Steps[s] == Skip {
			continue // the site's check-in mode takes unsigned identity documents
		}
		if res.Steps[s] != Pass {
			res.Reject(ReasonInternal, fmt.Sprintf("the %s format requires step %s, which did not pass (%q)", h.Format(), s, res.Steps[s]))
			return res
		}
	}
	res.Decision = Accept
	res.Reason = ReasonOK
	return res
}
