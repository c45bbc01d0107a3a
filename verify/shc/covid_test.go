package shc

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/shc/shcmint"
)

// venueMode is the venue mode of the shipped site policy (configs/policy.yaml).
func venueMode(t *testing.T) *verify.Policy {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "configs", "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Modes map[string]*verify.Policy `yaml:"modes"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	p := (&verify.PolicySet{Modes: f.Modes}).Mode("venue")
	if p == nil {
		t.Fatal("no venue mode in configs/policy.yaml")
	}
	return p
}

// TestCOVIDVaccinesOnly: an immunization counts for a COVID-19 rule only
// with a COVID-19 vaccine code. A card with one influenza dose (CVX 88) is
// refused in venue mode, which takes any COVID-19 dose; a card with an
// influenza dose and a COVID-19 dose is judged by the COVID-19 dose.
func TestCOVIDVaccinesOnly(t *testing.T) {
	const iss = "https://example.org/issuer"
	key := newKey(t)
	trust := trustKey(t, iss, &key.PublicKey)
	nbf := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	venue := venueMode(t)
	v := newVerifier()
	tests := []struct {
		name     string
		imms     []shcmint.Immunization
		decision verify.Decision
		rule     string
	}{
		{"one influenza dose (CVX 88)", []shcmint.Immunization{{CVX: "88", Date: "2025-10-01"}}, verify.Reject, verify.RuleMissingData},
		{"influenza, quadrivalent (CVX 150)", []shcmint.Immunization{{CVX: "150", Date: "2025-10-01"}}, verify.Reject, verify.RuleMissingData},
		{"one COVID-19 dose (CVX 208)", []shcmint.Immunization{{CVX: "208", Date: "2025-10-01"}}, verify.Accept, ""},
		{"a 2023-2024 formulation (CVX 309)", []shcmint.Immunization{{CVX: "309", Date: "2025-10-01"}}, verify.Accept, ""},
		{"influenza after a COVID-19 dose", []shcmint.Immunization{{CVX: "208", Date: "2025-09-01"}, {CVX: "88", Date: "2025-10-01"}}, verify.Accept, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			card := testCard(iss, nbf)
			card.Immunizations = tt.imms
			jws, err := shcmint.Mint(card, key)
			if err != nil {
				t.Fatal(err)
			}
			res := v.Verify(verify.Input{Texts: shcmint.QRTexts(jws), Trust: trust, Now: nbf, Policy: venue})
			if res.Decision != tt.decision || res.Rule != tt.rule {
				t.Fatalf("%s/%s rule %q (%s), want %s rule %q", res.Decision, res.Reason, res.Rule, res.Detail, tt.decision, tt.rule)
			}
			if tt.decision == verify.Accept && (res.Credential.Disease != diseaseCOVID || res.Credential.Vaccination.Product == systemCVX+"|88") {
				t.Errorf("disease %q, product %q: the influenza dose counted", res.Credential.Disease, res.Credential.Vaccination.Product)
			}
		})
	}
}

// TestCOVIDCodes checks the code lists against the EU value set of
// COVID-19 vaccine SNOMED codes and a few CVX codes that are not COVID-19.
func TestCOVIDCodes(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "testdata", "valuesets", "vaccine-prophylaxis.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vs struct {
		Values map[string]struct {
			System string `json:"system"`
		} `json:"valueSetValues"`
	}
	if err := yaml.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	for code, v := range vs.Values {
		if v.System == systemSNOMED && !covidSNOMED[code] {
			t.Errorf("SNOMED %s of the EU value set is missing", code)
		}
	}
	for _, notCOVID := range []string{"88", "140", "141", "150", "158", "197", "03", "08", "115", "187"} {
		if covidCVX[notCOVID] || isCOVIDVaccine(codeable{Coding: []coding{{System: systemCVX, Code: notCOVID}}}) {
			t.Errorf("CVX %s counted as COVID-19", notCOVID)
		}
	}
	if !isCOVIDVaccine(codeable{Coding: []coding{{System: systemSNOMED, Code: "28581000087106"}}}) {
		t.Error("SNOMED Comirnaty (Canadian edition) not counted")
	}
	if isCOVIDVaccine(codeable{Coding: []coding{{System: "http://example.org/other", Code: "208"}}}) {
		t.Error("a CVX code in another code system counted")
	}
}
