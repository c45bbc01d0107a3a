package verify

// Step names one stage of the verification chain. A Result records the outcome
// of every stage it reached, so a test can compare each stage with an expected
// outcome (the DCC conformance suite's EXPECTED* flags) and a technician can see
// where a code broke.
type Step string

// The stages, in order. Not every format has every stage.
const (
	StepUnprefix    Step = "unprefix"    // the context prefix (HC1:, shc:/) was found and removed
	StepBase45      Step = "base45"      // DCC: Base45 decoded
	StepNumeric     Step = "numeric"     // SHC: numeric QR text decoded, chunks reassembled
	StepCOSE        Step = "cose"        // DCC: COSE_Sign1 parsed; SHC: compact JWS parsed
	StepCompression Step = "compression" // inflated within the size cap
	StepDecode      Step = "decode"      // the claims and the payload decoded
	StepSchema      Step = "schema"      // the payload matches its schema
	StepValueSet    Step = "valueset"    // DCC: each coded field is in its value set (skipped without value sets)
	StepSignature   Step = "signature"   // a trusted key with a matching kid verified the signature
	StepValidity    Step = "validity"    // iat/nbf ≤ now ≤ exp, and within the signer's validity
	StepKeyUsage    Step = "key_usage"   // the signer may sign this credential type
	StepRevocation  Step = "revocation"  // not on a revocation list
	StepPolicy      Step = "policy"      // the site's acceptance rules
)

// Outcome is what happened at one step.
type Outcome string

// Outcomes. A step that was not reached (an earlier step it depends on
// failed) is absent from Result.Steps rather than marked.
const (
	Pass Outcome = "pass"
	Fail Outcome = "fail"
	Skip Outcome = "skip" // reached but not applicable (no policy given, no revocation data)
)
