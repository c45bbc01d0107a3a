// Package dcc verifies the EU Digital COVID Certificate (DCC, "HC1:" codes).
//
// The chain a scanned text goes through, each link a verify.Step of the
// Result: the "HC1:" context prefix (unprefix), Base45 (base45), zlib with a
// size cap (compression), COSE_Sign1 (cose), the CWT claims and the hcert
// payload (decode), the eHealth Network JSON schema of the payload's ver, every release 1.0.0–1.3.3 embedded (schema), the
// signature against the trust store's key for the kid (signature), the key's
// extended key usage (key_usage), the time window (validity) and the
// revocation hashes (revocation).
//
// New returns the verify.Handler. Test credentials and signer certificates
// are made by verify/dcc/dccmint, which production binaries do not link.
//
// # Caveats
//
// The validity step requires iat ≤ now ≤ exp and that the signer's
// certificate was valid when the credential was issued (notBefore ≤ iat ≤
// notAfter): the DCC's own exp governs. With the strict signer validity
// (verify.SignerStrict, what the reference test harness of the EU test data
// checks) it also requires exp ≤ notAfter. The issuer binding requires the
// DSC's country to be the DCC's issuing country (refuse, or warn). Validation of business rules (how long a test counts, dose
// rules) is site policy, not this package's business.
package dcc
