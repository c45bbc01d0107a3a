package verify

import (
	"encoding/base64"
	"time"
)

// Format names a credential format.
type Format string

// Formats chot knows.
const (
	FormatUnknown Format = ""
	FormatDCC     Format = "dcc" // EU Digital COVID Certificate, HC1:
	FormatSHC     Format = "shc" // SMART Health Card, shc:/ or compact JWS
	// The WHO GDHCN payloads in the HCERT envelope (HC1:), keyed like the DCC.
	FormatDDCC  Format = "ddcc"  // WHO DDCC: -260 → 3 (VS) or 4 (TR), or the legacy core data set CWT
	FormatDVC   Format = "dvc"   // WHO DVC, the digital ICVP: -260 → -6
	FormatVDSNC Format = "vdsnc" // ICAO Visible Digital Seal for non-constrained environments (JSON)
	FormatDIVOC Format = "divoc" // DIVOC W3C Verifiable Credential in a ZIP (India's CoWIN and others)
	FormatCCCD  Format = "cccd"  // Vietnam's citizen ID card QR: unsigned
)

// Decision is accept or reject.
type Decision string

// Decisions.
const (
	Accept Decision = "accept"
	Reject Decision = "reject"
)

// CredType is what a credential attests.
type CredType string

// Credential types. A DCC holds exactly one of vaccination, test or recovery;
// an SHC is classified by its FHIR content.
const (
	TypeUnknown     CredType = ""
	TypeVaccination CredType = "vaccination"
	TypeTest        CredType = "test"
	TypeRecovery    CredType = "recovery"
	// TypeICVP is the International Certificate of Vaccination or
	// Prophylaxis (the WHO DVC): yellow fever at border checkpoints.
	TypeICVP CredType = "icvp"
	// TypeIdentity is an identity document (a CCCD), logged as a check-in.
	TypeIdentity CredType = "identity"
)

// Result is the outcome of verifying one credential.
//
// It may hold personal data in Claims and Credential.Holder, for the CLI to
// show a technician. Whatever is logged must be taken from the other fields:
// the decision, the reason, the format, the type, the issuer, the kid and a
// keyed hash of Credential.ID.
type Result struct {
	Format   Format
	Decision Decision
	Reason   Reason
	// Detail says in a sentence what failed, for people; not stable.
	Detail string
	// Rule names the policy rule that refused, when Reason is ReasonPolicy,
	// or the value set ("valueset.ID"), when Reason is ReasonBadValue.
	Rule string
	// RuleDescription is that rule's description in its author's languages
	// (an EU rule's Description), when it has one.
	RuleDescription []Text
	// Steps holds the outcome of every step that was reached.
	Steps map[Step]Outcome
	// Kid is the key id the credential names (raw bytes for DCC, the JWK
	// thumbprint's text for SHC).
	Kid []byte
	// Issuer is the issuing country (DCC) or issuer URL (SHC).
	Issuer string
	// Credential is the decoded credential, nil if decoding did not get that far.
	Credential *Credential
	// Claims is the decoded payload as generic JSON-like values, for display.
	Claims map[string]any
	// Warnings are non-fatal findings (stale trust data, an unusual but
	// accepted encoding).
	Warnings []string
}

// Credential is a decoded credential in a form that policies can judge,
// whatever its format.
type Credential struct {
	Type CredType
	// ID is the certificate's unique identifier (the DCC UCI, or for an SHC the
	// issuer, the rid and the holder hashed together); only ever stored keyed-hashed.
	ID        string
	IssuedAt  time.Time
	ExpiresAt time.Time // zero if the credential does not expire
	// Disease is the targeted agent (SNOMED 840539006 for COVID-19), if known.
	Disease string

	Vaccination *Vaccination
	Test        *Test
	Recovery    *Recovery
	// Holder is personal data for display only; never logged.
	Holder *Holder
}

// Vaccination is one vaccination event.
type Vaccination struct {
	Product   string // e.g. EU/1/20/1528
	Dose      int    // dn
	Doses     int    // sd: doses in the series
	Date      time.Time
	Country   string
	Completes bool // Dose ≥ Doses
	// ValidFrom and ValidUntil are the vaccination's own validity, when the
	// credential states it (DVC vls/vle); zero if not.
	ValidFrom, ValidUntil time.Time
}

// Test is one test event.
type Test struct {
	// Kind is TestNAAT, TestRAT or the raw code when unknown.
	Kind      string
	Sampled   time.Time
	Detected  bool // a positive result
	Country   string
	TestName  string
	Authority string
}

// Test kinds (the DCC value set's LOINC codes).
const (
	TestNAAT = "LP6464-4"   // nucleic acid amplification (PCR)
	TestRAT  = "LP217198-3" // rapid antigen
)

// Recovery is a recovery statement.
type Recovery struct {
	FirstPositive time.Time
	ValidFrom     time.Time
	ValidUntil    time.Time
	Country       string
}

// Holder is the person the credential names. Display only.
type Holder struct {
	Name        string
	DateOfBirth string
}

// Reject builds a rejecting result.
func (r *Result) Reject(reason Reason, detail string) {
	r.Decision = Reject
	r.Reason = reason
	r.Detail = detail
}

// Mark records the outcome of a step.
func (r *Result) Mark(s Step, o Outcome) {
	if r.Steps == nil {
		r.Steps = make(map[Step]Outcome)
	}
	r.Steps[s] = o
}

// Fail marks step s failed and, if the result has no reason yet, sets the
// reason: the first failure decides, later steps only add their outcome.
func (r *Result) Fail(s Step, reason Reason, detail string) {
	r.Mark(s, Fail)
	if r.Reason == "" || r.Reason == ReasonOK {
		r.Reject(reason, detail)
	}
}

// Failed reports whether any step failed so far.
func (r *Result) Failed() bool {
	return r.Reason != "" && r.Reason != ReasonOK
}

// KidText is the key id as people and the pass log show it: the JWK
// thumbprint as it is for SHC, the verification method for DIVOC, standard base64 of the raw bytes for DCC (as
// the EU gateway's DSC lists print kids).
func (r *Result) KidText() string {
	if len(r.Kid) == 0 {
		return ""
	}
	if r.Format == FormatSHC || r.Format == FormatDIVOC {
		return string(r.Kid)
	}
	return base64.StdEncoding.EncodeToString(r.Kid)
}

// CheckSignature records the signature step for a credential whose kid
// matched keys: it passes with the first key check accepts and returns it;
// if none does, the step fails with bad_signature (the first key's error)
// and it returns nil. No keys at all is unknown_key, with detail.
func (r *Result) CheckSignature(keys []*Key, detail string, check func(*Key) error) *Key {
	if len(keys) == 0 {
		r.Fail(StepSignature, ReasonUnknownKey, detail)
		return nil
	}
	var firstErr error
	for _, k := range keys {
		err := check(k)
		if err == nil {
			r.Mark(StepSignature, Pass)
			return k
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	r.Fail(StepSignature, ReasonBadSignature, firstErr.Error())
	return nil
}
