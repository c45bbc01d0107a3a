package shcmint

import (
	"bytes"
	"compress/flate"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// The wire constants of a SMART Health Card, as verify/shc reads them (a
// test of verify/shc checks that the two agree).
const (
	// Prefix starts the text of every SMART Health Card QR code.
	Prefix = "shc:/"
	// MaxSingleJWS is the longest JWS the spec puts in one QR code (version 22).
	MaxSingleJWS = 1195
	// MaxChunkJWS is the longest JWS part of one chunk of a chunked card.
	MaxChunkJWS = 1191
	// MaxChunks bounds the chunks Chunk makes: the verifier reads no more.
	MaxChunks = 64
	// MaxRidLen is the longest revocation id a card may carry.
	MaxRidLen = 24
	// TypeHealthCard is the VC type every card carries.
	TypeHealthCard = "https://smarthealth.cards#health-card"

	systemCVX    = "http://hl7.org/fhir/sid/cvx"
	systemLOINC  = "http://loinc.org"
	systemSNOMED = "http://snomed.info/sct"
)

// header is the protected JWS header of a card.
type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Zip string `json:"zip"`
}

var b64 = base64.RawURLEncoding

// Deflate compresses b with raw DEFLATE at the best level, as issuers do.
func Deflate(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression) // the level is valid
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// EncodeNumeric is the inverse of shc.DecodeNumeric. It expects the JWS
// alphabet (base64url and dots), characters 45 to 122.
func EncodeNumeric(jws string) string {
	var b strings.Builder
	b.Grow(2 * len(jws))
	for i := 0; i < len(jws); i++ {
		v := int(jws[i]) - 45
		b.WriteByte(byte('0' + v/10))
		b.WriteByte(byte('0' + v%10))
	}
	return b.String()
}

// thumbprint is the RFC 7638 JWK thumbprint of a P-256 key: the SHC kid
// (shc.Thumbprint on the verifier's side).
func thumbprint(pub *ecdsa.PublicKey) string {
	x, y := make([]byte, 32), make([]byte, 32)
	if b, err := pub.Bytes(); err == nil && len(b) == 65 {
		x, y = b[1:33], b[33:]
	}
	canon := `{"crv":"P-256","kty":"EC","x":"` + b64.EncodeToString(x) + `","y":"` + b64.EncodeToString(y) + `"}`
	sum := sha256.Sum256([]byte(canon))
	return b64.EncodeToString(sum[:])
}

// ridChars is the alphabet of a rid: base64url without padding.
var ridChars = regexp.MustCompile(`^[A-Za-z0-9_-]*$`)

// checkRid requires 1 to MaxRidLen base64url characters, as the verifier
// does (a test of verify/shc checks that the two agree).
func checkRid(rid string) error {
	if rid == "" || len(rid) > MaxRidLen {
		return fmt.Errorf("length %d, want 1 to %d", len(rid), MaxRidLen)
	}
	if !ridChars.MatchString(rid) {
		return errors.New("not base64url")
	}
	return nil
}
