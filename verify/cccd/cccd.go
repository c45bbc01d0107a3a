// Package cccd recognises the QR code of Vietnam's citizen identity card
// (Căn cước công dân, CCCD): seven fields separated by "|": the 12-digit
// ID number, the old 9-digit ID number (may be empty), the full name, the
// birth date (DDMMYYYY), the sex, the address and the card's issue date
// (DDMMYYYY). It is what Vietnam's movement-control checkpoints scanned in
// 2021.
//
// The code carries no signature. The handler checks its shape and reports
// it as format cccd, type identity, refused with reason unsigned; a site
// policy with the check-in mode (verify.Policy.CheckIn) turns it into an
// identity check-in. Either way the Result holds nothing but the ID number
// (as Credential.ID, which the checkpoint only stores as a keyed hash):
// the name, the birth date and the address are read to check the shape and
// then dropped, so no log, sync, export or page can show them.
package cccd

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chot-dev/chot/verify"
)

// Fields is the number of fields of a CCCD QR.
const Fields = 7

// maxLen bounds the text: real codes are under 200 bytes.
const maxLen = 512

// Issuer is the issuing country, as alpha-3.
const Issuer = "VNM"

// Handler recognises CCCD QR codes. It holds no state.
type Handler struct{}

var _ verify.Handler = (*Handler)(nil)
var _ verify.StepsHandler = (*Handler)(nil)

// RequiredSteps implements verify.StepsHandler. The signature step never
// passes: only the check-in mode, which skips it, lets a CCCD through.
func (*Handler) RequiredSteps() []verify.Step {
	return []verify.Step{verify.StepUnprefix, verify.StepDecode, verify.StepSchema, verify.StepSignature, verify.StepValidity}
}

// New returns the CCCD handler.
func New() *Handler { return &Handler{} }

// Format implements verify.Handler.
func (*Handler) Format() verify.Format { return verify.FormatCCCD }

// Detect implements verify.Handler: seven fields, the first 12 digits.
func (*Handler) Detect(text string) bool {
	if len(text) > maxLen || strings.Count(text, "|") != Fields-1 {
		return false
	}
	id, _, _ := strings.Cut(text, "|")
	return digits(id, 12)
}

// Verify implements verify.Handler.
func (*Handler) Verify(texts []string, _ verify.TrustStore, now time.Time) verify.Result {
	var res verify.Result
	res.Format = verify.FormatCCCD
	if len(texts) != 1 || !(&Handler{}).Detect(texts[0]) {
		res.Fail(verify.StepUnprefix, verify.ReasonBadPrefix, "not one CCCD code (7 fields, a 12-digit ID first)")
		return res
	}
	res.Mark(verify.StepUnprefix, verify.Pass)
	f := strings.Split(texts[0], "|")
	res.Mark(verify.StepDecode, verify.Pass)
	res.Issuer = Issuer
	res.Credential = &verify.Credential{Type: verify.TypeIdentity, ID: f[0]}
	if err := checkFields(f); err != nil {
		res.Fail(verify.StepSchema, verify.ReasonBadSchema, err.Error())
	} else {
		res.Mark(verify.StepSchema, verify.Pass)
	}
	if issued, err := ddmmyyyy(f[6]); err == nil {
		res.Credential.IssuedAt = issued
		if now.Before(issued) {
			res.Fail(verify.StepValidity, verify.ReasonNotYetValid, "issue date after now")
		} else {
			res.Mark(verify.StepValidity, verify.Pass)
		}
	}
	res.Fail(verify.StepSignature, verify.ReasonUnsigned, "a CCCD QR carries no signature: an identity check-in only")
	return res
}

// checkFields checks the shape without keeping anything: the error names
// the field, never its value.
func checkFields(f []string) error {
	if f[1] != "" && !digits(f[1], 9) {
		return fmt.Errorf("field 2 (old ID number) is not 9 digits")
	}
	if strings.TrimSpace(f[2]) == "" || !utf8.ValidString(f[2]) {
		return fmt.Errorf("field 3 (name) is empty or not UTF-8")
	}
	if _, err := ddmmyyyy(f[3]); err != nil {
		return fmt.Errorf("field 4 (birth date): %w", err)
	}
	switch f[4] {
	case "Nam", "Nữ", "Nu", "Male", "Female":
	default:
		return fmt.Errorf("field 5 (sex) is not Nam or Nữ")
	}
	if !utf8.ValidString(f[5]) {
		return fmt.Errorf("field 6 (address) is not UTF-8")
	}
	if _, err := ddmmyyyy(f[6]); err != nil {
		return fmt.Errorf("field 7 (issue date): %w", err)
	}
	return nil
}

// ddmmyyyy parses a CCCD date.
func ddmmyyyy(s string) (time.Time, error) {
	if !digits(s, 8) {
		return time.Time{}, fmt.Errorf("not DDMMYYYY")
	}
	t, err := time.Parse("02012006", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a date")
	}
	return t, nil
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
