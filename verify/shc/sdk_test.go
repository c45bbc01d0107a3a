package shc

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
)

// sdkNow is after every nbf of the validation SDK's signed files
// (2021-2022); none of them expires.
var sdkNow = time.Date(2023, 7, 1, 12, 0, 0, 0, time.UTC)

// otherIssuer is the iss of the SDK's jws_too_long files, signed with the
// spec example key.
const otherIssuer = "https://smarthealth.cards/examples/issuer"

// TestValidationSDK runs every signed card of the validation SDK against the
// spec issuer's keys, and expects the reason SOURCE.md gives.
func TestValidationSDK(t *testing.T) {
	tests := []struct {
		files []string
		want  verify.Reason
		// alias also trusts the spec keys as otherIssuer.
		alias bool
		// warn must appear among the warnings.
		warn string
	}{
		{files: []string{"test-example-00-d-jws-bad-fhir-metadata.txt"}, want: verify.ReasonOK},
		{files: []string{"test-example-00-d-jws-trailing_chars.txt"}, want: verify.ReasonOK},
		{files: []string{"test-example-00-d-jws-utf8_bom_prefix.txt"}, want: verify.ReasonOK, warn: "byte order mark"},
		{files: []string{"test-example-00-e-file-trailing_chars.smart-health-card"}, want: verify.ReasonOK},
		{files: []string{"test-example-00-e-file.wrong-extension"}, want: verify.ReasonOK},
		{files: []string{"test-example-1195-byte-qrnumeric.txt"}, want: verify.ReasonOK},
		{files: []string{"test-example-00-e-file-multi-jws.smart-health-card"}, want: verify.ReasonOK, warn: "2 cards"},
		{files: []string{"test-example-00-fhirhealthcard.json"}, want: verify.ReasonOK},
		{files: []string{"test-example-00-fhirhealthcard-multi-jws.json"}, want: verify.ReasonOK, warn: "cards"},
		{files: []string{"test-example-00-fhirhealthcard-with-resource-link.json"}, want: verify.ReasonOK, warn: "2 cards"},
		// The numeric text is wrapped in tabs and newlines: cleaned, accepted.
		{files: []string{"test-example-00-f-qr-code-numeric-value-0-trailing_chars.txt"}, want: verify.ReasonOK},
		// An old-draft card (iat, no nbf) whose vc.type is "#wrong-health-card":
		// SOURCE.md counts it accepted, as upstream only flags the length. A
		// kiosk refuses a credential that does not claim to be a health card.
		{files: []string{"test-example-00-d-jws-jws_too_long.txt"}, want: verify.ReasonBadPayload},
		{files: []string{"test-example-00-e-file-jws_too_long.smart-health-card"}, want: verify.ReasonBadPayload, alias: true},
		{files: []string{"test-example-00-e-file-bad_jwks.smart-health-card"}, want: verify.ReasonUnknownKey},
		{files: []string{"test-example-00-e-file-invalid_issuer_url.smart-health-card"}, want: verify.ReasonUnknownKey},
		{files: []string{"test-example-00-e-file-invalid_issuer_url_http.smart-health-card"}, want: verify.ReasonUnknownKey},
		{files: []string{"test-example-00-e-file-issuer_url_with_trailing_slash.smart-health-card"}, want: verify.ReasonUnknownKey},
		{files: []string{"test-example-00-d-jws-issuer-not-valid-with-smart-key.txt"}, want: verify.ReasonUnknownKey},
		{files: []string{"test-example-00-d-jws-issuer-kid-mismatch.txt"}, want: verify.ReasonUnknownKey},
		{files: []string{"test-example-00-d-jws-wrong_jws_header_kid.txt"}, want: verify.ReasonUnknownKey},
		// Bad payload compression. The no_deflate header lacks zip altogether.
		{files: []string{"test-example-00-d-jws-no_deflate.txt"}, want: verify.ReasonBadJWS},
		{files: []string{"test-example-00-e-file-no_deflate.smart-health-card"}, want: verify.ReasonBadJWS},
		{files: []string{"test-example-00-e-file-invalid_deflate.smart-health-card"}, want: verify.ReasonBadCompression},
		// Signature and header failures.
		{files: []string{"test-example-00-d-jws-invalid-signature.txt"}, want: verify.ReasonBadSignature},
		{files: []string{"test-example-00-d-jws-der-signature.txt"}, want: verify.ReasonBadSignature},
		{files: []string{"test-example-00-d-jws-der-signature-r-neg.txt"}, want: verify.ReasonBadSignature},
		{files: []string{"test-example-00-d-jws-der-signature-s-neg.txt"}, want: verify.ReasonBadSignature},
		{files: []string{"test-example-00-d-jws-der-signature-rs-neg.txt"}, want: verify.ReasonBadSignature},
		{files: []string{"test-example-00-d-jws-no_jws_header_alg.txt"}, want: verify.ReasonBadJWS},
		{files: []string{"test-example-00-d-jws-no_jws_header_kid.txt"}, want: verify.ReasonBadJWS},
		{files: []string{"test-example-00-d-jws-no_jws_header_zip.txt"}, want: verify.ReasonBadJWS},
		// One of the two cards lacks alg: the whole file is refused.
		{files: []string{"test-example-00-e-file-multi-jws-issues.smart-health-card"}, want: verify.ReasonBadJWS},
		// Numeric QR text.
		{files: []string{"test-example-00-f-qr-code-numeric-value-0-wrong_qr_header.txt"}, want: verify.ReasonBadPrefix},
		{files: []string{"test-example-00-f-qr-code-numeric-value-0-odd-count.txt"}, want: verify.ReasonBadNumeric},
		{files: []string{"test-example-00-f-qr-code-numeric-value-0-number-too-big.txt"}, want: verify.ReasonBadNumeric},
		{files: []string{"test-example-00-f-qr-code-numeric-value-0-index-out-of-range.txt"}, want: verify.ReasonIncomplete},
		{files: []string{"test-example-00-f-qr-code-numeric-value-0-wrong-multi-chunk.txt"}, want: verify.ReasonIncomplete},
		// Chunk sizes off the spec's rules: readable and signed, so warned about.
		{files: chunkFiles("test-example-00-f-qr-code-numeric-value-%d-qr_chunk_too_small.txt", 17), want: verify.ReasonOK, warn: "too small"},
		{files: chunkFiles("test-example-02-f-qr-code-numeric-value-%d-qr_chunk_too_big.txt", 2), want: verify.ReasonOK, warn: "over the spec's 1191"},
		// Only some of the 17 chunks.
		{files: chunkFiles("test-example-00-f-qr-code-numeric-value-%d-qr_chunk_too_small.txt", 16), want: verify.ReasonIncomplete},
	}
	v := newVerifier()
	plain := specTrust(t)
	aliased := specTrust(t, otherIssuer)
	for _, tt := range tests {
		name := strings.TrimPrefix(tt.files[0], "test-example-")
		if tt.alias {
			name += "/trusted-as-" + otherIssuer
		}
		t.Run(name, func(t *testing.T) {
			var texts []string
			for _, f := range tt.files {
				texts = append(texts, readFile(t, testdata("validation-sdk", f)))
			}
			slices.Reverse(texts) // the order chunks are given in must not matter
			trust := plain
			if tt.alias {
				trust = aliased
			}
			res := run(v, texts, trust, sdkNow)
			wantReason(t, res, tt.want)
			if tt.warn != "" && !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, tt.warn) }) {
				t.Errorf("warnings %q lack %q", res.Warnings, tt.warn)
			}
		})
	}
}

func chunkFiles(pattern string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf(pattern, i))
	}
	return out
}

// TestValidationSDKBadCRL: the badcrl cards verify against their issuer's
// key, while each issuer directory's malformed CRL is refused on import.
func TestValidationSDKBadCRL(t *testing.T) {
	tests := []struct {
		dir, want string
	}{
		{"duplicate-rid", "listed twice"},
		{"invalid-method", `method "invalid-method"`},
		{"non-base64url-rid", "not base64url"},
		{"too-long-rid", "length 39"},
		{"version-mismatch", "crlVersion is 1"},
	}
	v := newVerifier()
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			dir := testdata("validation-sdk", "badcrl", tt.dir)
			issuer := "https://raw.githubusercontent.com/smart-on-fhir/health-cards-dev-tools/main/testdata/badcrl/" + tt.dir
			jwksPath := filepath.Join(dir, ".well-known", "jwks.json")
			_, _, err := LoadIssuerDir(issuer, jwksPath)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadIssuerDir: %v, want an error with %q", err, tt.want)
			}
			keys, err := ParseJWKS(issuer, []byte(readFile(t, jwksPath)))
			if err != nil {
				t.Fatal(err)
			}
			jws := readFile(t, filepath.Join(dir, "jws-crl-"+tt.dir+".txt"))
			wantReason(t, run(v, []string{jws}, &verify.KeyList{List: keys}, sdkNow), verify.ReasonOK)
		})
	}
}
