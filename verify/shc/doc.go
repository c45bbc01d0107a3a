// Package shc verifies SMART Health Cards (https://spec.smarthealth.cards).
//
// A card reaches the kiosk as the numeric text of a QR code (shc:/…, or the
// deprecated chunked form shc:/N/M/…), as a bare compact JWS, or as the
// content of a .smart-health-card file ({"verifiableCredential":[…]}).
// [Handler] turns it into a [verify.Result]: numeric decoding and chunk
// reassembly, the JWS header (alg ES256, kid, zip DEF), raw DEFLATE with a size
// cap, the claims (iss, nbf, exp, vc), the ES256 signature against the keys
// the trust store binds to (iss, kid), the validity window and revocation by
// rid.
//
// [ParseJWKS], [ParseCRL] and [LoadIssuerDir] import an issuer's published keys
// and revocation lists; [JWKS] writes the key set an issuer publishes. Test
// cards are minted by verify/shc/shcmint, which production binaries do not
// link.
//
// # Decisions
//
//   - Chunked QR codes are deprecated but accepted: the signature covers the
//     whole JWS, so the way it was split is transport. A chunk header that is
//     inconsistent (N outside 1..M, M < 2, chunks missing, repeated or mixed
//     with an unchunked code) is refused as incomplete. Chunks over the
//     spec's 1191 characters, more chunks than the length needs and a single
//     code over 1195 characters are warnings.
//   - A .smart-health-card file may hold several cards: every one must verify,
//     otherwise the file is refused with the first failure (Detail names the
//     card). The Result describes the first card; a warning says how many
//     there were.
//   - nbf and exp are JSON numbers of seconds, possibly fractional. A value
//     above 1e11 (year 5138) is taken for milliseconds and refused as
//     bad_payload, as is exp before nbf. A card without nbf is accepted with a
//     warning; for revocation it counts as issued at the epoch, so a
//     "rid.timestamp" entry revokes it (fail-secure).
//   - Credential.ID is "iss#rid" when the card has a rid (the issuer derives
//     it from its patient record, so it is stable across re-issues); without
//     one it is "iss#h:" and the hex SHA-256 of the holder's name and birth
//     date. The caller HMACs it before storing it.
//   - Vaccination: the latest Immunization decides Product (FHIR token
//     "system|code", e.g. http://hl7.org/fhir/sid/cvx|207) and Date. Dose is
//     protocolApplied.doseNumberPositiveInt if given, else the number of
//     Immunization entries; Doses is seriesDosesPositiveInt if given, else
//     the primary series of a few well-known CVX products (see
//     primarySeries), else 0. Completes needs Doses > 0 and Dose ≥ Doses, so
//     a policy with RequireComplete refuses cards whose series is unknown.
//   - Test: only an Observation with a SARS-CoV-2 LOINC code makes the card a
//     test (the tests a checkpoint judges); it gives Kind (TestNAAT or
//     TestRAT), Sampled (effectiveDateTime) and Detected (SNOMED 260373001
//     "detected" or 10828004 "positive"; 260415000 "not detected" or
//     260385009 "negative"). Any other result (none, inconclusive) and any
//     other lab result (a blood panel, as in spec example 02) leaves the type
//     unknown, so a policy that lists accepted types refuses it.
//   - Keys are bound to (iss, kid): a card signed by a trusted key but
//     naming another iss is unknown_key. A DER-encoded signature (not the
//     64 bytes of JOSE r‖s) is bad_signature. A header without alg, kid or
//     zip "DEF" is bad_jws, whatever the payload; a payload that does not
//     inflate, or inflates past MaxPayload, is bad_compression.
//   - vc.type must hold https://smarthealth.cards#health-card (else
//     bad_payload): a credential that does not claim to be a health card is
//     not one, even if the issuer's key signed it.
//   - Space and a byte order mark around a code, or a byte order mark at the
//     start of the payload, are removed with a warning.
//   - ParseJWKS skips the keys that break the SHC rules (kty EC, crv P-256,
//     alg ES256, use sig, no private part, kid = RFC 7638 thumbprint, a
//     consistent x5c whose leaf names the issuer URL) and returns the others
//     with an error joining one *KeyError per refused key. Callers that want
//     all or nothing (verify/trust, LoadIssuerDir) treat the error as fatal.
//   - A key with crlVersion needs its crl/<kid>.json with ctr equal to it;
//     LoadIssuerDir fails otherwise rather than trust the key without its
//     revocations.
//
// # Caveats
//
// FHIR content is read, not validated against FHIR profiles. x5c chains in a
// JWKS are checked for consistency (chain signatures, leaf key = JWK, URI SAN
// = issuer), never anchored to a root: the JWKS itself is what is trusted.
package shc
