package verify

// Reason is a stable, machine-readable code for a decision. The codes are part
// of the CLI's JSON contract and of the pass log: never rename one.
type Reason string

// The reason codes, in the order the checks run.
const (
	ReasonOK             Reason = "ok"
	ReasonNoQR           Reason = "no_qr"           // no code found in the image
	ReasonBadPrefix      Reason = "bad_prefix"      // unknown or missing context prefix (HC1:, shc:/)
	ReasonBadBase45      Reason = "bad_base45"      // DCC: Base45 text does not decode
	ReasonBadNumeric     Reason = "bad_numeric"     // SHC: numeric QR text does not decode
	ReasonIncomplete     Reason = "incomplete"      // SHC: chunks of a multi-QR card missing or inconsistent
	ReasonBadCompression Reason = "bad_compression" // inflate failed, or the inflated size is over the cap
	ReasonBadCBOR        Reason = "bad_cbor"        // DCC: CBOR of the CWT or the payload is malformed
	ReasonBadCOSE        Reason = "bad_cose"        // DCC: not a COSE_Sign1 message
	ReasonBadJWS         Reason = "bad_jws"         // SHC: not a compact JWS, or a bad header
	ReasonBadPayload     Reason = "bad_payload"     // the signed payload lacks required claims or is not JSON
	ReasonBadSchema      Reason = "bad_schema"      // the payload does not match its schema
	ReasonUnknownKey     Reason = "unknown_key"     // no trusted key for (format, issuer, kid)
	ReasonBadSignature   Reason = "bad_signature"   // the signature does not verify
	ReasonKeyUsage       Reason = "key_usage"       // the key may not sign this credential type
	ReasonExpired        Reason = "expired"         // now is past exp, or past the signer's validity
	ReasonNotYetValid    Reason = "not_yet_valid"   // now is before iat/nbf, or before the signer's validity
	ReasonRevoked        Reason = "revoked"         // on a revocation list of the trust data
	ReasonPolicy         Reason = "policy"          // a site rule refused it; Result.Rule names the rule
	ReasonTrustExpired   Reason = "trust_expired"   // the trust data itself is past expires_at
	ReasonUnsigned       Reason = "unsigned"        // the code carries no signature (an ID card QR) and the site has no check-in mode
	ReasonObsolete       Reason = "obsolete"        // a withdrawn format (the legacy WHO DDCC CWT without -260)
	ReasonInternal       Reason = "internal"        // a bug: a panic in a handler was caught, or a required step did not pass
	ReasonNoPolicy       Reason = "no_policy"       // no site policy in force (none installed, an unknown mode or setting): everything is refused
	ReasonIssuerMismatch Reason = "issuer_mismatch" // DCC: the signer's country is not the certificate's issuing country
	ReasonBadValue       Reason = "bad_value"       // a coded field is not in its value set; Result.Rule names the value set
)

// Reasons lists every reason code, for documentation and for tests that check
// the contract.
var Reasons = []Reason{
	ReasonOK, ReasonNoQR, ReasonBadPrefix, ReasonBadBase45, ReasonBadNumeric,
	ReasonIncomplete, ReasonBadCompression, ReasonBadCBOR, ReasonBadCOSE,
	ReasonBadJWS, ReasonBadPayload, ReasonBadSchema, ReasonUnknownKey,
	ReasonBadSignature, ReasonKeyUsage, ReasonExpired, ReasonNotYetValid,
	ReasonRevoked, ReasonPolicy, ReasonTrustExpired, ReasonInternal,
	ReasonUnsigned, ReasonObsolete,
	ReasonNoPolicy, ReasonIssuerMismatch, ReasonBadValue,
}

// Class groups reasons the way the checkpoint sounds them: staff hear one
// pattern per class.
type Class string

// Reason classes.
const (
	ClassAccept  Class = "accept"
	ClassUnread  Class = "unreadable" // the code could not be decoded at all
	ClassInvalid Class = "invalid"    // forged, unknown key, key usage, malformed payload
	ClassTime    Class = "time"       // expired or not yet valid
	ClassRevoked Class = "revoked"
	ClassPolicy  Class = "policy"
)

// Class returns the sound class of r.
func (r Reason) Class() Class {
	switch r {
	case ReasonOK:
		return ClassAccept
	case ReasonNoQR, ReasonBadPrefix, ReasonBadBase45, ReasonBadNumeric, ReasonIncomplete,
		ReasonBadCompression, ReasonBadCBOR, ReasonBadCOSE, ReasonBadJWS:
		return ClassUnread
	case ReasonExpired, ReasonNotYetValid, ReasonTrustExpired:
		return ClassTime
	case ReasonRevoked:
		return ClassRevoked
	case ReasonPolicy, ReasonNoPolicy:
		return ClassPolicy
	default:
		return ClassInvalid
	}
}
