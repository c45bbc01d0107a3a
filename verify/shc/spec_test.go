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

// specExample is one of the spec's four examples, as SOURCE.md describes them.
type specExample struct {
	n       string
	nbf     float64
	exp     float64 // 0: none
	kid     string
	rid     string
	chunks  int
	revoked bool
}

var specExamples = []specExample{
	{n: "00", nbf: 1687450764.656, kid: "3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s", rid: "MKyCxh7p6uQ", chunks: 1},
	{n: "01", nbf: 1687450764.657, kid: "EBKOr72QQDcTBUuVzAzkfBTGew0ZA16GuWty64nS-sw", chunks: 1},
	{n: "02", nbf: 1687450764.657, kid: "3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s", rid: "YjKhdFoxL_g", chunks: 3},
	{n: "03", nbf: 1687450764.657, exp: 1718986764.657, kid: "3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s", rid: "vwAjHdarZuc", chunks: 1, revoked: true},
}

// inputs returns the example's card in each of its forms: JWS, file, QR text(s).
func (e specExample) inputs(t *testing.T) map[string][]string {
	dir := testdata("spec-examples")
	in := map[string][]string{
		"jws":  {readFile(t, filepath.Join(dir, "example-"+e.n+"-d-jws.txt"))},
		"file": {readFile(t, filepath.Join(dir, "example-"+e.n+"-e-file.smart-health-card"))},
	}
	var qr []string
	for i := range e.chunks {
		qr = append(qr, readFile(t, filepath.Join(dir, fmt.Sprintf("example-%s-f-qr-code-numeric-value-%d.txt", e.n, i))))
	}
	in["qr"] = qr
	return in
}

func TestSpecExamples(t *testing.T) {
	trust := specTrust(t)
	v := newVerifier()
	for _, e := range specExamples {
		for form, texts := range e.inputs(t) {
			t.Run(e.n+"/"+form, func(t *testing.T) {
				nbf := unix(e.nbf)
				res := run(v, texts, trust, nbf.Add(time.Hour))
				want := verify.ReasonOK
				if e.revoked {
					want = verify.ReasonRevoked
				}
				wantReason(t, res, want)
				if res.Format != verify.FormatSHC || res.Issuer != specIssuer || string(res.Kid) != e.kid {
					t.Errorf("format %q issuer %q kid %q, want shc %q %q", res.Format, res.Issuer, res.Kid, specIssuer, e.kid)
				}
				if res.Steps[verify.StepSignature] != verify.Pass {
					t.Errorf("signature step %q, want pass", res.Steps[verify.StepSignature])
				}
				if got := res.Credential.IssuedAt; !got.Equal(nbf) {
					t.Errorf("IssuedAt %v, want %v", got, nbf)
				}
				wantID := specIssuer + "#" + e.rid
				if e.rid == "" {
					wantID = specIssuer + "#h:"
				}
				if !strings.HasPrefix(res.Credential.ID, wantID) {
					t.Errorf("ID %q, want prefix %q", res.Credential.ID, wantID)
				}

				// Just before nbf: not yet valid. The milliseconds count.
				wantReason(t, run(v, texts, trust, nbf.Add(-time.Millisecond)), verify.ReasonNotYetValid)
				wantReason(t, run(v, texts, trust, nbf), want)
				if e.exp > 0 {
					exp := unix(e.exp)
					wantReason(t, run(v, texts, trust, exp), want)
					wantReason(t, run(v, texts, trust, exp.Add(time.Millisecond)), verify.ReasonExpired)
				}
			})
		}
	}
}

// TestSpecExample02Shuffled gives the three chunks of example 02 in every order.
func TestSpecExample02Shuffled(t *testing.T) {
	trust := specTrust(t)
	v := newVerifier()
	qr := specExamples[2].inputs(t)["qr"]
	now := unix(specExamples[2].nbf).Add(24 * time.Hour)
	for _, order := range [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}} {
		t.Run(fmt.Sprint(order), func(t *testing.T) {
			texts := []string{qr[order[0]], qr[order[1]], qr[order[2]]}
			res := run(v, texts, trust, now)
			wantReason(t, res, verify.ReasonOK)
			if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "deprecated") }) {
				t.Errorf("warnings %q lack the deprecated-chunking one", res.Warnings)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		wantReason(t, run(v, qr[:2], trust, now), verify.ReasonIncomplete)
	})
	t.Run("duplicate", func(t *testing.T) {
		wantReason(t, run(v, []string{qr[0], qr[1], qr[1]}, trust, now), verify.ReasonIncomplete)
	})
}

// TestSpecCredentials checks what the FHIR content becomes.
func TestSpecCredentials(t *testing.T) {
	trust := specTrust(t)
	v := newVerifier()
	get := func(e specExample) *verify.Credential {
		t.Helper()
		res := run(v, e.inputs(t)["jws"], trust, unix(e.nbf).Add(time.Hour))
		if res.Credential == nil {
			t.Fatalf("example %s: no credential (%s: %s)", e.n, res.Reason, res.Detail)
		}
		return res.Credential
	}
	c := get(specExamples[0])
	if c.Type != verify.TypeVaccination || c.Vaccination == nil {
		t.Fatalf("example 00: type %q, want vaccination", c.Type)
	}
	vac := *c.Vaccination
	want := verify.Vaccination{Product: systemCVX + "|229", Dose: 3, Doses: 2, Completes: true, Date: time.Date(2022, 9, 5, 0, 0, 0, 0, time.UTC)}
	if vac != want {
		t.Errorf("example 00 vaccination %+v, want %+v", vac, want)
	}
	if c.Disease != diseaseCOVID {
		t.Errorf("example 00 disease %q, want %q", c.Disease, diseaseCOVID)
	}
	if c.Holder == nil || c.Holder.Name != "John B. Anyperson" || c.Holder.DateOfBirth != "1951-01-20" {
		t.Errorf("example 00 holder %+v", c.Holder)
	}
	// Example 02 is a blood and urine panel, not a SARS-CoV-2 test.
	if c := get(specExamples[2]); c.Type != verify.TypeUnknown || c.Test != nil {
		t.Errorf("example 02: type %q test %+v, want unknown and none", c.Type, c.Test)
	}
	// Example 03 expires.
	if c := get(specExamples[3]); !c.ExpiresAt.Equal(unix(specExamples[3].exp)) {
		t.Errorf("example 03 ExpiresAt %v, want %v", c.ExpiresAt, unix(specExamples[3].exp))
	}
}

// TestSpecRevocationTimestamp: example 03's rid is listed with a timestamp
// just after its nbf; the same list without that entry accepts it.
func TestSpecRevocationTimestamp(t *testing.T) {
	trust := specTrust(t)
	e := specExamples[3]
	texts := e.inputs(t)["qr"]
	v := newVerifier()
	now := unix(e.nbf).Add(time.Hour)
	res := run(v, texts, trust, now)
	wantReason(t, res, verify.ReasonRevoked)
	if res.Steps[verify.StepRevocation] != verify.Fail {
		t.Errorf("revocation step %q, want fail", res.Steps[verify.StepRevocation])
	}
	var kept []verify.Revocation
	for _, r := range trust.Revocations {
		if string(r.Value) != e.rid {
			kept = append(kept, r)
		}
	}
	if len(kept) != len(trust.Revocations)-1 {
		t.Fatalf("the CRL holds %d entries for rid %s, want 1", len(trust.Revocations)-len(kept), e.rid)
	}
	wantReason(t, run(v, texts, &verify.KeyList{List: trust.List, Revocations: kept}, now), verify.ReasonOK)
}

// TestSpecUnknownKey: without trust, every example stops at unknown_key.
func TestSpecUnknownKey(t *testing.T) {
	v := newVerifier()
	for _, e := range specExamples {
		res := run(v, e.inputs(t)["jws"], nil, unix(e.nbf).Add(time.Hour))
		wantReason(t, res, verify.ReasonUnknownKey)
	}
}
