// Package trust holds chot's cached trust data: the signed trust bundle of
// ARCHITECTURE.md (a COSE_Sign1 by an Ed25519 root over a CBOR map of keys,
// revocations and policy), its checks (signature against pinned roots, version
// rollback, expiry) and the importers a hub operator uses to build one: DER/PEM
// DSC certificates, a DCC DSC-list JSON, SHC jwks.json with its issuer URL and
// revocation lists.
//
// The wire format is in FORMAT.md beside this file.
//
// A hub builds a Bundle from the importers (ImportCertificates, ParseDSCList,
// ImportJWKS, ImportIssuerDir, ParseRevocations) and signs it (Sign, or
// Payload then SignPayload on an offline machine). A device checks a
// received bundle with Open, or in one step with Atomic.Install, which also
// persists it and swaps the verifier's Store; at boot it reads its installed
// bundle back with OpenInstalled. A Store answers the verifier's key and
// revocation lookups from map indexes.
//
// # Caveats
//
//   - Time is always an argument. A device without a real-time clock must
//     pass its best estimate; a clock far in the past makes an expired bundle
//     look valid, one far in the future refuses every bundle.
//   - Unknown keys in the payload are ignored, so a newer hub can add
//     informational fields; a change old devices must not ignore bumps
//     FormatVersion.
//   - ParseDSCList and ImportDSCList skip, and do not check, the signature
//     line some national lists carry before the JSON. ImportTrustList checks
//     it (the German gateway's list, ImportGatewayList) against a pinned key,
//     and takes an unsigned list only when the operator says so; other kinds
//     (the WHO DID list) plug in with RegisterTrustListKind.
//   - One bad entry never voids a list: it is skipped and reported
//     (ListImport.Skipped). Certificates with a negative serial number, which
//     crypto/x509 refuses since Go 1.23, are read by ParseDSC without GODEBUG.
//   - The keys a Store returns are shared between goroutines: never modify
//     them.
package trust
