package shc

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/chot-dev/chot/verify"
)

// FHIR code systems.
const (
	systemCVX    = "http://hl7.org/fhir/sid/cvx"
	systemLOINC  = "http://loinc.org"
	systemSNOMED = "http://snomed.info/sct"
	// diseaseCOVID is SNOMED's COVID-19, as the DCC value sets name it.
	diseaseCOVID = "840539006"
)

// primarySeries gives the doses of the primary series of well-known COVID-19
// vaccines by CVX code, for cards that do not say (most do not).
var primarySeries = map[string]int{
	"207": 2, // Moderna
	"208": 2, // Pfizer-BioNTech
	"210": 2, // AstraZeneca
	"211": 2, // Novavax
	"212": 1, // Janssen
	"510": 2, // Sinopharm BIBP
	"511": 2, // CoronaVac
}

// naat and antigen list SARS-CoV-2 LOINC test codes by kind.
var (
	naat    = []string{"94306-8", "94309-2", "94500-6", "94531-1", "94533-7", "94534-5", "94559-2", "94565-9", "94756-4", "94757-2", "94759-8", "94760-6", "94845-5", "95406-5", "95409-9"}
	antigen = []string{"94558-4", "95209-3", "96119-3", "97097-0"}
)

// SNOMED results that mean the agent was, or was not, found.
var (
	detectedCodes    = []string{"260373001", "10828004"}  // detected, positive
	notDetectedCodes = []string{"260415000", "260385009"} // not detected, negative
)

type coding struct {
	System string `json:"system"`
	Code   string `json:"code"`
}

type codeable struct {
	Coding []coding `json:"coding"`
}

// token is the FHIR "system|code" form of the first coding.
func (c codeable) token() string {
	if len(c.Coding) == 0 {
		return ""
	}
	return c.Coding[0].System + "|" + c.Coding[0].Code
}

func (c codeable) code(system string) string {
	for _, cd := range c.Coding {
		if cd.System == system {
			return cd.Code
		}
	}
	return ""
}

type resource struct {
	ResourceType string `json:"resourceType"`
	// Patient
	Name []struct {
		Family string   `json:"family"`
		Given  []string `json:"given"`
		Text   string   `json:"text"`
	} `json:"name"`
	BirthDate string `json:"birthDate"`
	// Immunization
	Status             string   `json:"status"`
	VaccineCode        codeable `json:"vaccineCode"`
	OccurrenceDateTime string   `json:"occurrenceDateTime"`
	ProtocolApplied    []struct {
		DoseNumber  int `json:"doseNumberPositiveInt"`
		SeriesDoses int `json:"seriesDosesPositiveInt"`
	} `json:"protocolApplied"`
	// Observation
	Code                 codeable  `json:"code"`
	EffectiveDateTime    string    `json:"effectiveDateTime"`
	ValueCodeableConcept *codeable `json:"valueCodeableConcept"`
}

type bundle struct {
	Entry []struct {
		Resource resource `json:"resource"`
	} `json:"entry"`
}

// credential reads the FHIR bundle of c. A bundle it cannot read yields a
// credential of unknown type rather than an error: the signature, not the
// FHIR, decides validity; policy decides what an unknown type is worth.
func credential(c *claims, payload []byte) *verify.Credential {
	cred := &verify.Credential{IssuedAt: c.nbf, ExpiresAt: c.exp}
	var b bundle
	_ = json.Unmarshal(c.VC.CredentialSubject.FHIRBundle, &b)
	var imms, obs []*resource
	for i := range b.Entry {
		r := &b.Entry[i].Resource
		switch r.ResourceType {
		case "Patient":
			if cred.Holder == nil {
				cred.Holder = holder(r)
			}
		case "Immunization":
			if r.Status == "" || r.Status == "completed" {
				imms = append(imms, r)
			}
		case "Observation":
			obs = append(obs, r)
		}
	}
	switch {
	case len(imms) > 0:
		// Only COVID-19 vaccines count for COVID-19 rules: a card of other
		// immunizations (influenza) has no vaccination a rule can accept.
		cred.Type = verify.TypeVaccination
		var covid []*resource
		for _, r := range imms {
			if isCOVIDVaccine(r.VaccineCode) {
				covid = append(covid, r)
			}
		}
		if len(covid) > 0 {
			cred.Vaccination = vaccination(covid)
			cred.Disease = diseaseCOVID
		}
	case len(obs) > 0:
		if t := labTest(obs); t != nil {
			cred.Type = verify.TypeTest
			cred.Test = t
			cred.Disease = diseaseCOVID
		}
	}
	cred.ID = cardID(c, cred.Holder, payload)
	return cred
}

func holder(r *resource) *verify.Holder {
	h := &verify.Holder{DateOfBirth: r.BirthDate}
	if len(r.Name) > 0 {
		n := r.Name[0]
		if n.Text != "" {
			h.Name = n.Text
		} else {
			h.Name = strings.TrimSpace(strings.Join(append(slices.Clone(n.Given), n.Family), " "))
		}
	}
	return h
}

// vaccination sums up the immunizations: the latest decides.
func vaccination(imms []*resource) *verify.Vaccination {
	slices.SortStableFunc(imms, func(a, b *resource) int {
		return fhirTime(a.OccurrenceDateTime).Compare(fhirTime(b.OccurrenceDateTime))
	})
	last := imms[len(imms)-1]
	v := &verify.Vaccination{
		Product: last.VaccineCode.token(),
		Date:    fhirTime(last.OccurrenceDateTime),
		Dose:    len(imms),
	}
	for _, p := range last.ProtocolApplied {
		if p.DoseNumber > 0 {
			v.Dose = p.DoseNumber
		}
		if p.SeriesDoses > 0 {
			v.Doses = p.SeriesDoses
		}
	}
	if v.Doses == 0 {
		for _, r := range imms {
			if n := primarySeries[r.VaccineCode.code(systemCVX)]; n > 0 {
				v.Doses = n
				break
			}
		}
	}
	v.Completes = v.Doses > 0 && v.Dose >= v.Doses
	return v
}

// labTest picks the SARS-CoV-2 test with a positive or negative result
// among the observations, if any. Other
// lab results (a blood panel) are not tests a checkpoint judges: the card
// then has no type, and a policy that lists accepted types refuses it.
func labTest(obs []*resource) *verify.Test {
	for _, r := range obs {
		code := r.Code.code(systemLOINC)
		var kind string
		switch {
		case slices.Contains(naat, code):
			kind = verify.TestNAAT
		case slices.Contains(antigen, code):
			kind = verify.TestRAT
		default:
			continue
		}
		if r.ValueCodeableConcept == nil {
			continue
		}
		result := r.ValueCodeableConcept.code(systemSNOMED)
		if !slices.Contains(detectedCodes, result) && !slices.Contains(notDetectedCodes, result) {
			continue // no result, or inconclusive: not a test to judge
		}
		return &verify.Test{
			Kind:     kind,
			Sampled:  fhirTime(r.EffectiveDateTime),
			TestName: r.Code.token(),
			Detected: slices.Contains(detectedCodes, result),
		}
	}
	return nil
}

// fhirTime parses a FHIR date or dateTime (YYYY, YYYY-MM, YYYY-MM-DD, or
// RFC 3339); zero if it cannot.
func fhirTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", time.DateOnly, "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// cardID is the stable identifier of the card for anti-passback.
func cardID(c *claims, h *verify.Holder, payload []byte) string {
	if c.VC.Rid != "" {
		return c.Iss + "#" + c.VC.Rid
	}
	sum := sha256.New()
	if h != nil && (h.Name != "" || h.DateOfBirth != "") {
		sum.Write([]byte(strings.ToLower(h.Name) + "\x00" + h.DateOfBirth))
	} else {
		sum.Write(payload)
	}
	return c.Iss + "#h:" + hex.EncodeToString(sum.Sum(nil))
}
