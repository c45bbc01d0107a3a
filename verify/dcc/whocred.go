package dcc

import (
	"errors"
	"fmt"
	"strings"

	"github.com/chot-dev/chot/verify"
)

// ErrWHOShape means a WHO payload lacks a field chot needs to judge it.
var ErrWHOShape = errors.New("dcc: WHO payload lacks required fields")

// whoCredential reads a WHO payload into the format-neutral Credential.
// Fields of the wrong type stay zero; checkWHOShape judges the shape.
//
// DDCC:VS and DDCC:TR carry the DDCC core data set (smart.who.int/ddcc):
// name, birthDate, the certificate's hcid, and a vaccination or test
// event, either nested ("vaccination": {...}) or, as the first WHO codes
// had it, at the top. The DVC (-6) has the short keys of the DVCMin model:
// n, dob, nid, and one vaccination v (a map, not an array).
func whoCredential(kind payload, c *whoClaims) *verify.Credential {
	h := c.Content
	cred := &verify.Credential{IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt}
	switch kind {
	case kindDVC:
		cred.Type = verify.TypeICVP
		cred.Holder = &verify.Holder{Name: str(h, "n"), DateOfBirth: str(h, "dob")}
		v, _ := h["v"].(map[string]any)
		vac := &verify.Vaccination{
			Product:    str(v, "mp"),
			Dose:       doseNumber(v["dn"]),
			Date:       date(str(v, "dt")),
			ValidFrom:  date(str(v, "vls")),
			ValidUntil: date(str(v, "vle")),
			Country:    str(h, "ntl"),
		}
		cred.Vaccination = vac
		cred.Disease = str(v, "tg")
		// No certificate id in the DVC: the holder's national id with the
		// dose, only ever stored keyed-hashed.
		cred.ID = joinID(c.Issuer, str(h, "nid"), str(v, "dt"), str(v, "bo"))
	case kindDDCCVS:
		cred.Type = verify.TypeVaccination
		ddccHolder(cred, h)
		v := section(h, "vaccination")
		vac := &verify.Vaccination{
			Product: code(v, "vaccine"),
			Dose:    num(v, "dose"),
			Doses:   first(num(v, "total_doses"), num(v, "totalDoses")),
			Date:    date(str(v, "date")),
			Country: code(v, "country"),
		}
		if b := code(v, "brand"); b != "" {
			vac.Product = b
		}
		vac.ValidFrom = date(firstStr(str(v, "valid_from"), str(v, "validFrom")))
		vac.Completes = vac.Doses > 0 && vac.Dose >= vac.Doses
		cred.Vaccination = vac
		cred.Disease = code(v, "disease")
	case kindDDCCTR:
		cred.Type = verify.TypeTest
		ddccHolder(cred, h)
		t := section(h, "test")
		cred.Test = &verify.Test{
			Kind:      code(t, "type"),
			Sampled:   date(str(t, "date")),
			Detected:  code(t, "result") == testDetected,
			Country:   code(t, "country"),
			Authority: str(t, "centre"),
		}
		cred.Disease = code(t, "pathogen")
	}
	return cred
}

// ddccHolder sets the holder and the certificate id of a DDCC.
func ddccHolder(cred *verify.Credential, h map[string]any) {
	cred.Holder = &verify.Holder{Name: str(h, "name"), DateOfBirth: str(h, "birthDate")}
	cert, _ := h["certificate"].(map[string]any)
	id := str(h, "hcid")
	if hc, ok := cert["hcid"].(map[string]any); ok {
		id = str(hc, "value")
	} else if s := str(cert, "hcid"); s != "" {
		id = s
	}
	cred.ID = id
}

// section returns the nested event map k, or the payload itself when the
// event's fields sit at the top.
func section(h map[string]any, k string) map[string]any {
	if m, ok := h[k].(map[string]any); ok {
		return m
	}
	return h
}

// code reads a coded field: {"code": ...} or a bare string.
func code(m map[string]any, k string) string {
	switch x := m[k].(type) {
	case string:
		return x
	case map[string]any:
		return str(x, "code")
	}
	return ""
}

// doseNumber reads the DVC's dn: a number, or a word the DVC test codes
// use ("firstDose", "secondDose"); 0 if neither.
func doseNumber(v any) int {
	switch x := v.(type) {
	case int64:
		if x > 0 && x < 100 {
			return int(x)
		}
	case string:
		for i, w := range []string{"first", "second", "third", "fourth", "fifth"} {
			if strings.HasPrefix(strings.ToLower(x), w) {
				return i + 1
			}
		}
	}
	return 0
}

func first(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

func firstStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func joinID(parts ...string) string {
	for _, p := range parts[1:] {
		if p != "" {
			return strings.Join(parts, "|")
		}
	}
	return ""
}

// checkWHOShape checks what the judgement needs: the holder and the
// event with its date. The WHO publishes no schema for these payloads
// that a verifier could pin (the DDCC logical models are FHIR), so this
// is the fields chot reads, not a full schema.
func checkWHOShape(kind payload, h map[string]any) error {
	var missing []string
	need := func(m map[string]any, path string, keys ...string) {
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				missing = append(missing, path+k)
			}
		}
	}
	switch kind {
	case kindDVC:
		need(h, "", "n", "dob", "v")
		v, ok := h["v"].(map[string]any)
		if _, present := h["v"]; present && !ok {
			return fmt.Errorf("%w: v is not a map (the DVC has one vaccination)", ErrWHOShape)
		}
		need(v, "v/", "tg", "dt")
		if s := str(v, "dt"); s != "" && date(s).IsZero() {
			return fmt.Errorf("%w: v/dt is not a date", ErrWHOShape)
		}
	case kindDDCCVS:
		need(h, "", "name", "birthDate")
		need(section(h, "vaccination"), "vaccination/", "date", "dose", "vaccine")
	case kindDDCCTR:
		need(h, "", "name", "birthDate")
		need(section(h, "test"), "test/", "date", "type", "result")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s", ErrWHOShape, strings.Join(missing, ", "))
	}
	return nil
}
