package vdsnc

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/chot-dev/chot/verify"
)

// credential reads the seal's message (VDS-NC guide, "Proof of
// Vaccination" and "Proof of Testing"). A vaccination against yellow fever
// (ICD-11 1D47) is an ICVP.
func credential(d *sealData) *verify.Credential {
	m := d.Msg
	c := &verify.Credential{}
	if pid, ok := m["pid"].(map[string]any); ok {
		c.Holder = &verify.Holder{Name: str(pid, "n"), DateOfBirth: str(pid, "dob")}
	}
	switch d.Hdr.T {
	case TypeVacc:
		c.Type = verify.TypeVaccination
		c.ID = str(m, "uvci")
		// The latest dose of any vaccine in ve.
		var last map[string]any
		var lastVE map[string]any
		for _, e := range list(m, "ve") {
			for _, vd := range list(e, "vd") {
				if last == nil || str(vd, "dvc") >= str(last, "dvc") {
					last, lastVE = vd, e
				}
			}
		}
		if last != nil {
			c.Disease = str(lastVE, "dis")
			c.Vaccination = &verify.Vaccination{
				Product: str(lastVE, "nam"),
				Dose:    num(last, "seq"),
				Date:    day(str(last, "dvc")),
				Country: str(last, "ctr"),
			}
			if strings.HasPrefix(c.Disease, "1D47") || slices.Contains(verify.YellowFever, c.Disease) {
				c.Type = verify.TypeICVP
			}
		}
	case TypeTest:
		c.Type = verify.TypeTest
		c.ID = str(m, "utci")
		tr, _ := m["tr"].(map[string]any)
		dat, _ := m["dat"].(map[string]any)
		sp, _ := m["sp"].(map[string]any)
		t := &verify.Test{Kind: testKind(str(tr, "tc")), Detected: strings.EqualFold(str(tr, "r"), "positive"),
			Country: str(sp, "ctr"), Authority: str(sp, "spn")}
		if ts, err := verify.ParseTime(str(dat, "sc")); err == nil {
			t.Sampled = ts
		}
		c.Test = t
	}
	return c
}

// testKind maps the seal's test type to the DCC's codes where it can.
func testKind(tc string) string {
	l := strings.ToLower(tc)
	switch {
	case strings.Contains(l, "pcr") || strings.Contains(l, "molecular"):
		return verify.TestNAAT
	case strings.Contains(l, "antigen"):
		return verify.TestRAT
	}
	return tc
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func num(m map[string]any, k string) int {
	n, ok := m[k].(json.Number)
	if !ok {
		return 0
	}
	i, err := n.Int64()
	if err != nil || i < 0 || i > 1000 {
		return 0
	}
	return int(i)
}

func list(m map[string]any, k string) []map[string]any {
	a, _ := m[k].([]any)
	var out []map[string]any
	for _, e := range a {
		if em, ok := e.(map[string]any); ok {
			out = append(out, em)
		}
	}
	return out
}

func day(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}
