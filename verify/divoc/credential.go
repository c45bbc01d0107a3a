package divoc

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/chot-dev/chot/verify"
)

// ErrShape means the credential lacks what chot needs to judge it.
var ErrShape = errors.New("divoc: credential lacks required fields")

// credential reads the VC: the last evidence entry is the event
// (DIVOC's vaccination certificates carry one "Vaccination").
func credential(doc map[string]any) *verify.Credential {
	c := &verify.Credential{
		IssuedAt:  parseTime(str(doc, "issuanceDate")),
		ExpiresAt: parseTime(str(doc, "expirationDate")),
	}
	if s, ok := doc["credentialSubject"].(map[string]any); ok {
		c.Holder = &verify.Holder{Name: str(s, "name"), DateOfBirth: str(s, "dob")}
	}
	ev := lastEvidence(doc)
	if ev == nil {
		return c
	}
	c.ID = str(ev, "certificateId")
	if hasType(ev, "Vaccination") {
		c.Type = verify.TypeVaccination
		v := &verify.Vaccination{
			Product:    str(ev, "vaccine"),
			Dose:       num(ev, "dose"),
			Doses:      num(ev, "totalDoses"),
			Date:       parseTime(str(ev, "date")),
			ValidFrom:  parseTime(str(ev, "effectiveStart")),
			ValidUntil: parseTime(str(ev, "effectiveUntil")),
		}
		v.Completes = v.Doses > 0 && v.Dose >= v.Doses
		if f, ok := ev["facility"].(map[string]any); ok {
			if a, ok := f["address"].(map[string]any); ok {
				v.Country = str(a, "addressCountry")
			}
		}
		c.Vaccination = v
		c.Disease = str(ev, "disease")
	}
	return c
}

func checkShape(doc map[string]any) error {
	if !hasType(doc, "VerifiableCredential") {
		return fmt.Errorf("%w: type lacks VerifiableCredential", ErrShape)
	}
	if _, ok := doc["credentialSubject"].(map[string]any); !ok {
		return fmt.Errorf("%w: no credentialSubject", ErrShape)
	}
	ev := lastEvidence(doc)
	if ev == nil {
		return fmt.Errorf("%w: no evidence", ErrShape)
	}
	if hasType(ev, "Vaccination") && parseTime(str(ev, "date")).IsZero() {
		return fmt.Errorf("%w: the vaccination has no date", ErrShape)
	}
	return nil
}

func lastEvidence(doc map[string]any) map[string]any {
	a, _ := doc["evidence"].([]any)
	if len(a) == 0 {
		return nil
	}
	m, _ := a[len(a)-1].(map[string]any)
	return m
}

// hasType reports whether m's type (a string or a list) includes t.
func hasType(m map[string]any, t string) bool {
	switch x := m["type"].(type) {
	case string:
		return x == t
	case []any:
		return slices.Contains(x, any(t))
	}
	return false
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func num(m map[string]any, k string) int {
	f, ok := m[k].(float64)
	if !ok || f < 0 || f > 1000 || f != float64(int(f)) {
		return 0
	}
	return int(f)
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t
	}
	t, err := verify.ParseTime(s)
	if err != nil {
		return time.Time{}
	}
	return t
}
