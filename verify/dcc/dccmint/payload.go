package dccmint

import (
	"strings"
	"time"
)

// Payload is a DCC payload (the hcert), as the schema names its fields. It is
// what Issue signs; verify/dcc reads payloads as generic values instead, so
// that it sees exactly what was signed.
type Payload struct {
	Version     string            `json:"ver"`
	Name        Name              `json:"nam"`
	DateOfBirth string            `json:"dob"`
	Vaccination []VaccinationData `json:"v,omitempty"`
	Test        []TestData        `json:"t,omitempty"`
	Recovery    []RecoveryData    `json:"r,omitempty"`
}

// Name is the holder's name. FamilyStd and GivenStd are the ICAO 9303
// transliterations (A-Z and <).
type Name struct {
	Family    string `json:"fn,omitempty"`
	FamilyStd string `json:"fnt"`
	Given     string `json:"gn,omitempty"`
	GivenStd  string `json:"gnt,omitempty"`
}

// VaccinationData is one "v" entry.
type VaccinationData struct {
	Target       string `json:"tg"`
	Vaccine      string `json:"vp"`
	Product      string `json:"mp"`
	Manufacturer string `json:"ma"`
	Dose         int    `json:"dn"`
	Doses        int    `json:"sd"`
	Date         string `json:"dt"`
	Country      string `json:"co"`
	Issuer       string `json:"is"`
	ID           string `json:"ci"`
}

// TestData is one "t" entry.
type TestData struct {
	Target  string `json:"tg"`
	Type    string `json:"tt"`
	Name    string `json:"nm,omitempty"`
	Device  string `json:"ma,omitempty"`
	Sampled string `json:"sc"`
	Result  string `json:"tr"`
	Centre  string `json:"tc"`
	Country string `json:"co"`
	Issuer  string `json:"is"`
	ID      string `json:"ci"`
}

// RecoveryData is one "r" entry.
type RecoveryData struct {
	Target        string `json:"tg"`
	FirstPositive string `json:"fr"`
	Country       string `json:"co"`
	Issuer        string `json:"is"`
	ValidFrom     string `json:"df"`
	ValidUntil    string `json:"du"`
	ID            string `json:"ci"`
}

// Codes of the DCC value sets that the constructors below use.
const (
	DiseaseCOVID19   = "840539006"     // SNOMED CT: COVID-19
	VaccineMRNA      = "1119349007"    // SNOMED CT: SARS-CoV-2 mRNA vaccine
	ProductComirnaty = "EU/1/20/1528"  // Comirnaty
	MAHBioNTech      = "ORG-100030215" // BioNTech Manufacturing GmbH
	TestNotDetected  = "260415000"     // SNOMED CT: not detected
	TestDetected     = "260373001"     // SNOMED CT: detected
	SchemaVersion    = "1.3.0"
)

// Holder names the person for the constructors.
type Holder struct {
	Family, Given string
	DateOfBirth   string // YYYY-MM-DD, YYYY-MM or YYYY
}

func (h Holder) name() Name {
	return Name{Family: h.Family, FamilyStd: transliterate(h.Family), Given: h.Given, GivenStd: transliterate(h.Given)}
}

// NewVaccination returns a payload for dose of doses of Comirnaty given on
// date in country, with certificate id uci.
func NewVaccination(h Holder, dose, doses int, date time.Time, country, issuer, uci string) Payload {
	return Payload{
		Version: SchemaVersion, Name: h.name(), DateOfBirth: h.DateOfBirth,
		Vaccination: []VaccinationData{{
			Target: DiseaseCOVID19, Vaccine: VaccineMRNA, Product: ProductComirnaty, Manufacturer: MAHBioNTech,
			Dose: dose, Doses: doses, Date: date.Format(time.DateOnly),
			Country: country, Issuer: issuer, ID: uci,
		}},
	}
}

// NewTest returns a payload for a test of kind (verify.TestNAAT or
// verify.TestRAT) sampled at sampled, with the result detected or not.
func NewTest(h Holder, kind string, sampled time.Time, detected bool, centre, country, issuer, uci string) Payload {
	result := TestNotDetected
	if detected {
		result = TestDetected
	}
	return Payload{
		Version: SchemaVersion, Name: h.name(), DateOfBirth: h.DateOfBirth,
		Test: []TestData{{
			Target: DiseaseCOVID19, Type: kind, Sampled: sampled.UTC().Format(time.RFC3339),
			Result: result, Centre: centre, Country: country, Issuer: issuer, ID: uci,
		}},
	}
}

// NewRecovery returns a payload for a recovery after a first positive test
// on firstPositive, valid from validFrom until validUntil.
func NewRecovery(h Holder, firstPositive, validFrom, validUntil time.Time, country, issuer, uci string) Payload {
	return Payload{
		Version: SchemaVersion, Name: h.name(), DateOfBirth: h.DateOfBirth,
		Recovery: []RecoveryData{{
			Target: DiseaseCOVID19, FirstPositive: firstPositive.Format(time.DateOnly),
			ValidFrom: validFrom.Format(time.DateOnly), ValidUntil: validUntil.Format(time.DateOnly),
			Country: country, Issuer: issuer, ID: uci,
		}},
	}
}

// transliterate makes a crude ICAO 9303 form: upper case A-Z, anything else
// becomes "<". Good enough for test names.
func transliterate(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z':
			return r
		}
		return '<'
	}, s)
}
