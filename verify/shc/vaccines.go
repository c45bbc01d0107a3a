package shc

// COVID-19 vaccine codes: an immunization counts for a COVID-19 rule only if
// its vaccineCode is one of these. Anything else (influenza, CVX 88; a code
// chot does not know) is not a COVID-19 vaccination, and a policy refuses the
// card by its disease rule.

// covidCVX lists every CVX code of a COVID-19 vaccine: the CDC's US codes
// (207–230, 300–302, the 2023–2024 formulations 308–313) and its non-US
// codes (500–521), as the CDC's CVX table and vaccine group "COVID-19" list
// them; 213 and 500 are the unspecified products.
var covidCVX = map[string]bool{
	"207": true, "208": true, "210": true, "211": true, "212": true, "213": true,
	"217": true, "218": true, "219": true, "221": true, "225": true, "226": true,
	"227": true, "228": true, "229": true, "230": true,
	"300": true, "301": true, "302": true,
	"308": true, "309": true, "310": true, "311": true, "312": true, "313": true,
	"500": true, "501": true, "502": true, "503": true, "504": true, "505": true,
	"506": true, "507": true, "508": true, "509": true, "510": true, "511": true,
	"512": true, "513": true, "514": true, "515": true, "516": true, "517": true,
	"518": true, "519": true, "520": true, "521": true,
}

// covidSNOMED lists SNOMED CT codes of COVID-19 vaccines: the EU DCC value
// set sct-vaccines-covid-19 (2.12.0, the international edition's concepts)
// and the Canadian edition's product concepts that SMART Health Cards from
// Canadian provinces carry.
var covidSNOMED = map[string]bool{
	// EU DCC vaccine-prophylaxis (valuesets/vaccine-prophylaxis.json).
	"1119305005": true, "1119349007": true, "1162643001": true, "1157024006": true,
	"29061000087103": true, "28531000087107": true, "30141000087107": true, "1187593009": true,
	// Canadian Vaccine Catalogue (SNOMED CT Canadian edition).
	"28581000087106": true, // Pfizer-BioNTech Comirnaty
	"28571000087109": true, // Moderna Spikevax
	"28761000087108": true, // AstraZeneca Vaxzevria
	"28961000087105": true, // Covishield
	"28951000087107": true, // Janssen
	"29171000087106": true, // Novavax
	"31431000087100": true, // CanSinoBIO
	"31341000087103": true, // Sputnik V
	"31311000087104": true, // Sinovac CoronaVac
	"31301000087101": true, // Sinopharm
	"33361000087101": true, // Pfizer-BioNTech, paediatric
}

// CVX code systems: the FHIR one, and the temporary one early cards used.
const systemCVXTemp = "http://hl7.org/fhir/sid/cvx-TEMPORARY-CODE-SYSTEM"

// isCOVIDVaccine reports whether an immunization's vaccineCode names a
// COVID-19 vaccine.
func isCOVIDVaccine(c codeable) bool {
	for _, cd := range c.Coding {
		switch cd.System {
		case systemCVX, systemCVXTemp:
			if covidCVX[cd.Code] {
				return true
			}
		case systemSNOMED:
			if covidSNOMED[cd.Code] {
				return true
			}
		}
	}
	return false
}
