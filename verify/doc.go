// Package verify decides whether one scanned credential is valid.
//
// It is pure: the caller hands it the scanned text, a [TrustStore] with the
// cached keys and revocations, the time to judge against and the site
// [Policy]; it hands back a [Result] with a stable [Reason] code. It opens
// no files, makes no network calls and never reads the wall clock.
//
// It fails closed: a credential is accepted only when every step its format
// requires passed ([StepsHandler]) and the policy accepted it. Without a
// policy every credential is refused with [ReasonNoPolicy], unless the
// caller asks to judge the credential alone ([Input.CredentialOnly], the
// technician's CLI).
//
// Each credential format lives in its own package (verify/dcc, verify/shc) and
// plugs into a [Verifier] as a [Handler]; the Verifier detects the format by the
// text's prefix and dispatches. The packages of the formats import this one for
// its types, so this package never imports them: callers wire them in with
// [New].
package verify
