// Package shcmint makes test SMART Health Cards: it builds card payloads
// (Card), signs them into compact JWS (Mint, SignPayload) and renders them
// as shc:/ QR texts, single or chunked (QRTexts, Chunk). It is for `chot
// issue shc`, the demo and the tests: chot verifies cards, it never issues
// real ones, and the production binaries (chotd, chot-hub) do not link this
// package (internal/archtest enforces who may import it).
//
// It does not import verify/shc, so that the verifier's internal tests can
// use it without an import cycle, and so that what the tests sign is
// encoded (numeric mode, DEFLATE, the kid) by code other than the decoder
// under test.
package shcmint
