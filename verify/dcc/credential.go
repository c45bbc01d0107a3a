package dcc

import (
	"time"

	"github.com/chot-dev/chot/verify"
)

// testDetected is the SNOMED CT code of a positive test result.
const testDetected = "260373001"

// credential turns the decoded claims into the format-neutral Credential.
// Fields that are missing or of the wrong type stay zero: the schema step
// judges the payload's shape, this only reads it.
func credential(c *claims) *verify.Credential {
	cred := &verify.Credential{
		Type:      typeOf(c.HCert),
		IssuedAt:  c.IssuedAt,
		ExpiresAt: c.ExpiresAt,
	}
	if nam, ok := c.HCert["nam"].(map[string]any); ok {
		cred.Holder = &verify.Holder{Name: joinName(str(nam, "gn"), str(nam, "fn"))}
		if cred.Holder.Name == "" {
			cred.Holder.Name = joinName(str(nam, "gnt"), str(nam, "fnt"))
		}
	}
	if dob := str(c.HCert, "dob"); dob != "" {
		if cred.Holder == nil {
			cred.Holder = &verify.Holder{}
		}
		cred.Holder.DateOfBirth = dob
	}
	var e map[string]any
	switch cred.Type {
	case verify.TypeVaccination:
		e = entry(c.HCert, "v")
		v := &verify.Vaccination{
			Product: str(e, "mp"),
			Dose:    num(e, "dn"),
			Doses:   num(e, "sd"),
			Date:    date(str(e, "dt")),
			Country: str(e, "co"),
		}
		v.Completes = v.Doses > 0 && v.Dose >= v.Doses
		cred.Vaccination = v
	case verify.TypeTest:
		e = entry(c.HCert, "t")
		t := &verify.Test{
			Kind:      str(e, "tt"),
			Sampled:   date(str(e, "sc")),
			Detected:  str(e, "tr") == testDetected,
			Country:   str(e, "co"),
			TestName:  str(e, "nm"),
			Authority: str(e, "tc"),
		}
		if t.TestName == "" {
			t.TestName = str(e, "ma")
		}
		cred.Test = t
	case verify.TypeRecovery:
		e = entry(c.HCert, "r")
		cred.Recovery = &verify.Recovery{
			FirstPositive: date(str(e, "fr")),
			ValidFrom:     date(str(e, "df")),
			ValidUntil:    date(str(e, "du")),
			Country:       str(e, "co"),
		}
	}
	cred.ID = str(e, "ci")
	cred.Disease = str(e, "tg")
	return cred
}

// typeOf returns the credential type: the one group of v, t, r present
// with at least one entry, or TypeUnknown when there is none or more than one.
func typeOf(h map[string]any) verify.CredType {
	var t verify.CredType
	n := 0
	for _, g := range groups {
		if _, ok := h[g.key]; ok {
			n++
			if entry(h, g.key) != nil {
				t = g.typ
			}
		}
	}
	if n != 1 {
		return verify.TypeUnknown
	}
	return t
}

var groups = []struct {
	key string
	typ verify.CredType
}{{"v", verify.TypeVaccination}, {"t", verify.TypeTest}, {"r", verify.TypeRecovery}}

// entry returns the last entry of group k (a payload with several entries
// fails the schema, but its type is still that of the group), or nil.
func entry(h map[string]any, k string) map[string]any {
	a, ok := h[k].([]any)
	if !ok || len(a) == 0 {
		return nil
	}
	m, _ := a[len(a)-1].(map[string]any)
	return m
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func num(m map[string]any, k string) int {
	switch x := m[k].(type) {
	case int64:
		return int(x)
	case float64:
		if x >= 0 && x < 1<<31 {
			return int(x)
		}
	}
	return 0
}

// date parses an RFC 3339 date-time or a plain date; zero if neither.
func date(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	if len(s) == len(time.DateOnly) {
		t, _ := time.Parse(time.DateOnly, s)
		return t
	}
	if t, err := verify.ParseTime(s); err == nil {
		return t
	}
	return time.Time{}
}

func joinName(given, family string) string {
	switch {
	case given == "":
		return family
	case family == "":
		return given
	}
	return given + " " + family
}
