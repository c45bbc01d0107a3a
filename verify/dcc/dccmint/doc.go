// Package dccmint makes test EU Digital COVID Certificates: it builds DCC
// payloads (NewVaccination, NewTest, NewRecovery), signs them into HC1:
// texts (Issue, IssueCOSE, EncodeHC1) and makes self-signed Document Signer
// Certificates (NewTestDSC). It is for `chot issue dcc`, the demo and the
// tests: chot verifies credentials, it never issues real ones, and the
// production binaries (chotd, chot-hub) do not link this package
// (internal/archtest enforces who may import it).
//
// It does not import verify/dcc, so that the verifier's internal tests can
// use it without an import cycle, and so that what the tests sign is
// encoded by code other than the decoder under test.
package dccmint
