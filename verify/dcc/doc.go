// Package dcc verifies the EU Digital COVID Certificate (DCC, "HC1:" codes).
//
// The chain a scanned text goes through, each link a verify.Step of the
// Result: the "HC1:" context prefix (unprefix), Base45 (base45), zlib with a
// size cap (compression), COSE_Sign1 (cose), the CWT claims and the hcert
// payload (decode), the eHealth Network JSON schema 1.3.0 (schema), the
// signature against the trust store's key for the kid (signature), the key's
// extended key usage (key_usage), the time window (validity) and the
// revocation hashes (revocation).
//
// New returns the verify.Handler; Issue and NewTestDSC mint credentials and
// signer certificates for tests and the demo.
//
// # Caveats
//
// The validity step follows the reference test harness of the EU test data:
// besides iat ≤ now ≤ exp it requires that the signer's certificate was valid
// when the credential was issued and still is at its expiry (notBefore ≤ iat,
// exp ≤ notAfter). Validation of business rules (how long a test counts, dose
// rules) is site policy, not this package's business.
package dcc
