// Package gdhcntrust builds, for each vector of the WHO GDHCN test data,
// the trust its case-index.csv row names (trust_files), as bundle entries:
// for the conformance test of verify/gdhcntest and the CLI's. Tests only.
package gdhcntrust

import (
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/gdhcntest"
	"github.com/chot-dev/chot/verify/trust"
)

// Source is one trust file of a case.
type Source struct {
	// Kind: dsc (a DSC PEM), did-v1 (a key of the deprecated v1 DID list,
	// by vm id), registry (a PathCheck registry row's SPKI), jwks (an SHC
	// issuer's keys), csca, crl, divoc-pem.
	Kind string
	Path string // under the gdhcn folder
	// Spec and Kid name a registry row; Kid the vm id for did-v1.
	Spec, Kid string
	// Issuer binds SHC keys; Method is a DIVOC key's verification method;
	// RawKid is a registry DCC key's kid bytes.
	Issuer, Method, RawKid string
	Alg                    string
}

const (
	euDSC = "trust/ddcc-trust/production-keys/eu/dcc_trustlist/DSC/DCC/"
)

// Sources lists each vector's trust, as its row's trust_files says.
var Sources = map[string][]Source{
	"DIVOCIndonesia":      {{Kind: "registry", Spec: "DIVOC", Kid: "did:indonesia", Alg: "EdDSA"}},
	"DIVOCJamaica":        {{Kind: "registry", Spec: "DIVOC", Kid: "did:india", Alg: "PS256"}, {Kind: "registry", Spec: "DIVOC", Kid: "did:jamaica", Alg: "EdDSA"}},
	"DIVOCQR1":            {{Kind: "divoc-pem", Path: "trust/ddcc-trust/production-keys/india/india.pem", Method: "did:india"}},
	"DVCTest2QR":          {{Kind: "did-v1", Kid: "did:web:tng-cdn-dev.who.int:trustlist:xcl#UUuJcwmjoJM="}},
	"DVCTest3QR":          {{Kind: "did-v1", Kid: "did:web:tng-cdn-dev.who.int:trustlist:xcl#UUuJcwmjoJM="}},
	"DVCTestQR":           {{Kind: "did-v1", Kid: "did:web:tng-cdn-dev.who.int:trustlist:xcl#UUuJcwmjoJM="}},
	"EUColombia":          {{Kind: "dsc", Path: "trust/ddcc-trust/test-keys/eu/yLsRtAaLtMg%3D.pem"}},
	"EUIndonesia":         {{Kind: "dsc", Path: euDSC + "ID/f8470677408a62d8501987ce13adf09036d63c19b23ede5d1271fca0ec1a83ee.pem"}},
	"EUItalyAcceptanceQR": {{Kind: "dsc", Path: "trust/ddcc-trust/test-keys/eu/OTAXaM3aBRM%3D.pem"}},
	"EUQR1":               {{Kind: "dsc", Path: euDSC + "DE/c9609176987c5c9b1bb27cc7edb0ee97da59b1f9460cbfdd2cd59b3e43f47145.pem"}},
	"EUUruguay2": {{Kind: "did-v1", Kid: "did:web:tng-cdn-dev.who.int:trustlist:ury#woowbyJtRFo="},
		{Kind: "dsc", Path: euDSC + "UY/c28a306f226d445a29881f81c56fcd778b346dedd290b6a2be65057286bb1a25.pem"},
		{Kind: "dsc", Path: "trust/ddcc-trust/test-keys/uruguay/woowbyJtRFo%3D.pem"}},
	"EUUruguay": nil,
	"ICAOAUQR1": {{Kind: "csca", Path: "trust/ddcc-trust/production-keys/australia/public-keys/aus_csca6_kc-cs.cer"},
		{Kind: "crl", Path: "trust/vds-nc-reader-library-android/extracted/Data.kt.crlData.crl"}},
	"ICAOJPQR1": {{Kind: "csca", Path: "trust/ddcc-trust/production-keys/japan/JP#arTykoK9lkf2%2FyoC95RNdJ6XhGM%3D.pem"},
		{Kind: "crl", Path: "trust/vds-nc-reader-library-android/extracted/Data.kt.JAPAN_CRL.crl"}},
	"SHCQR1":          {{Kind: "jwks", Path: "../shc/spec-examples/issuer/.well-known/jwks.json", Issuer: "https://spec.smarthealth.cards/examples/issuer"}},
	"SHCSenegal":      {{Kind: "jwks", Path: "trust/ddcc-trust/production-keys/senegal/https%3A%2F%2Fsenegal.tbi.ohms.oracle.com.json", Issuer: "https://senegal.tbi.ohms.oracle.com"}},
	"SHCTestResults":  {{Kind: "registry", Spec: "SHC", Kid: "https://healthcard.walgreens.com#HU_oQtpaUSKgrD7QzeQ9TxED9BtPRFGcD8MqI6og_8A", Alg: "ES256"}},
	"SHCWAVax":        {{Kind: "jwks", Path: "trust/ddcc-trust/production-keys/us/WA/https%3A%2F%2Fwaverify.doh.wa.gov%2Fcreds.json", Issuer: "https://waverify.doh.wa.gov/creds"}},
	"WHOQR1":          {{Kind: "registry", Spec: "DCC", Kid: "MTE=", Alg: "ES256"}},
	"WHOQR2":          {{Kind: "registry", Spec: "DCC", Kid: "MTE=", Alg: "ES256"}},
	"WHOSingaporePCR": {{Kind: "dsc", Path: "trust/ddcc-trust/test-keys/singapore/sg-cert.pem"}},
}

// Entries returns the trust of the named vector: its keys and the CRLs'
// revocations (CRLs checked against the case's CSCAs).
func Entries(name string) ([]trust.KeyEntry, []trust.RevocationEntry, error) {
	srcs, ok := Sources[name]
	if !ok {
		return nil, nil, fmt.Errorf("gdhcntrust: no sources for %s", name)
	}
	var keys []trust.KeyEntry
	var revs []trust.RevocationEntry
	for _, s := range srcs {
		es, r, err := s.entries(keys)
		if err != nil {
			return nil, nil, fmt.Errorf("gdhcntrust: %s: %s %s%s: %w", name, s.Kind, s.Path, s.Kid, err)
		}
		keys = append(keys, es...)
		revs = append(revs, r...)
	}
	return keys, revs, nil
}

func (s Source) entries(sofar []trust.KeyEntry) ([]trust.KeyEntry, []trust.RevocationEntry, error) {
	var data []byte
	if s.Path != "" {
		var err error
		if data, err = os.ReadFile(gdhcntest.Path(s.Path)); err != nil {
			return nil, nil, err
		}
	}
	switch s.Kind {
	case "dsc":
		es, err := trust.ImportCertificates(data, "")
		return es, nil, err
	case "did-v1":
		b, err := os.ReadFile(gdhcntest.Path("trust/tng-cdn-dev/trustlist/did.json"))
		if err != nil {
			return nil, nil, err
		}
		_, imp, err := trust.ParseDIDDocument(b)
		if err != nil {
			return nil, nil, err
		}
		_, frag, _ := strings.Cut(s.Kid, "#")
		kid, _ := base64.StdEncoding.DecodeString(frag)
		for _, k := range imp.Keys {
			if string(k.Kid) == string(kid) {
				return []trust.KeyEntry{k}, nil, nil
			}
		}
		return nil, nil, fmt.Errorf("not in the v1 list")
	case "registry":
		spki, err := gdhcntest.Registry(s.Spec, s.Kid)
		if err != nil {
			return nil, nil, err
		}
		e := trust.KeyEntry{Alg: s.Alg, SPKI: spki}
		switch s.Spec {
		case "DCC":
			e.Format = verify.FormatDCC
			if e.Kid, err = base64.StdEncoding.DecodeString(s.Kid); err != nil {
				return nil, nil, err
			}
		case "SHC":
			iss, kid, _ := strings.Cut(s.Kid, "#")
			e.Format, e.Issuer, e.Kid = verify.FormatSHC, iss, []byte(kid)
		case "DIVOC":
			e.Format, e.Kid = verify.FormatDIVOC, []byte(s.Kid)
		}
		return []trust.KeyEntry{e}, nil, nil
	case "jwks":
		es, err := trust.ImportJWKS(s.Issuer, data)
		return es, nil, err
	case "csca":
		es, err := trust.ImportCSCAs(data, "")
		return es, nil, err
	case "crl":
		e, _, err := trust.ImportCRL(data, sofar)
		if err != nil || len(e.Values) == 0 {
			return nil, nil, err
		}
		return nil, []trust.RevocationEntry{e}, nil
	case "divoc-pem":
		e, err := trust.ImportDIVOCKey(s.Method, data)
		return []trust.KeyEntry{e}, nil, err
	}
	return nil, nil, fmt.Errorf("unknown source kind %q", s.Kind)
}

// Store is the trust of the named vector as a store.
func Store(name string) (*trust.Store, error) {
	keys, revs, err := Entries(name)
	if err != nil {
		return nil, err
	}
	return trust.NewStore(&trust.Bundle{Keys: keys, Revocations: revs})
}

// fixedClock is the time to judge the vectors that carry no usable issue
// time: the legacy DDCC codes (no iat; a date within their signers'
// validity) and EUUruguay (its exp is NaN, so its claims do not decode).
var fixedClock = map[string]time.Time{
	"EUUruguay":       time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC),
	"WHOQR1":          time.Date(2021, 7, 9, 0, 0, 0, 0, time.UTC),
	"WHOQR2":          time.Date(2021, 7, 9, 0, 0, 0, 0, time.UTC),
	"WHOSingaporePCR": time.Date(2022, 7, 28, 0, 0, 0, 0, time.UTC),
}

// VDSNCClock is SOURCE.md's clock for the seals (they state no signing time).
var VDSNCClock = time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC)

// Clock returns the time a case is judged at: its own issue time plus a
// minute (iat for HCERT, nbf for SHC, issuanceDate for DIVOC), VDSNCClock
// for the seals, fixedClock for the rest. v decodes the case to find it.
func Clock(v *verify.Verifier, c gdhcntest.Case) (time.Time, error) {
	if at, ok := fixedClock[c.Name]; ok {
		return at, nil
	}
	if c.Format == "icao-vds-nc" {
		return VDSNCClock, nil
	}
	r := v.Verify(verify.Input{Texts: []string{c.Text}, Now: VDSNCClock, CredentialOnly: true})
	if r.Credential == nil || r.Credential.IssuedAt.IsZero() {
		return time.Time{}, fmt.Errorf("gdhcntrust: %s: no issue time (%s: %s)", c.File, r.Reason, r.Detail)
	}
	return r.Credential.IssuedAt.Add(time.Minute), nil
}
