// Package jsonld canonicalises JSON-LD documents with URDNA2015 (RDF
// Dataset Canonicalization) for the linked-data signatures chot checks: the
// DIVOC credentials' RsaSignature2018 / Ed25519Signature2018 and the WHO
// GDHCN DID trust list's JsonWebSignature2020.
//
// Contexts are pinned: the loader serves the copies embedded here and
// refuses every other URL, so a document can never make chot fetch
// anything, and a context changed upstream cannot change what a signature
// covers. The copies and their sources are in contexts/NOTICE.
//
// # Caveats
//
//   - github.com/piprate/json-gold, which does the canonicalisation, links
//     net/http for its default loader; chot always passes its own loader,
//     and a test checks that an unpinned context is refused, not fetched.
package jsonld

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"path"
	"sync"

	"github.com/piprate/json-gold/ld"
)

//go:embed contexts/*.json contexts/*.jsonld
var contexts embed.FS

// ErrContext means a document names a context that is not pinned.
var ErrContext = errors.New("jsonld: context not pinned")

// Pinned maps each context URL chot accepts to its embedded copy. Some
// URLs share a file: the DIVOC v2 contexts of India's and Indonesia's
// issuers, mapped as the WHO's verifier maps them (these URLs serve no
// context themselves), and the GDHCN DEV context, whose URL says DEV where
// the signer's file says dev.
var Pinned = map[string]string{
	"https://www.w3.org/2018/credentials/v1":                   "W32018CredentialsV1.json",
	"https://cowin.gov.in/credentials/vaccination/v1":          "DIVOCVaccinationContextV1.json",
	"https://cowin.gov.in/credentials/vaccination/v2":          "DIVOCVaccinationContextV2.json",
	"https://www.pedulilindungi.id/credentials/vaccination/v2": "DIVOCVaccinationContextV2.json",
	"https://divoc.prod/vaccine/credentials/vaccination/v1":    "DIVOCVaccinationContextV2.json",
	"https://divoc.lgcc.gov.lk/credentials/vaccination/v1":     "DIVOCVaccinationContextV2.json",
	"https://w3id.org/security/v1":                             "security-v1.jsonld",
	"https://w3id.org/security/v2":                             "security-v2.jsonld",
	"https://w3id.org/security/suites/ed25519-2018/v1":         "suites-ed25519-2018.jsonld",
	"https://www.w3.org/ns/did/v1":                             "did_v1.json",
	"https://w3id.org/security/suites/jws-2020/v1":             "jws-2020_v1.json",
	"https://smart.who.int/trust/tng-context/v1-DEV.jsonld":    "v1-dev.jsonld",
	"https://smart.who.int/trust/tng-context/v1-UAT.jsonld":    "v1-uat.jsonld",
	"https://smart.who.int/trust/tng-context/v1.jsonld":        "v1.jsonld",
}

// loader serves the pinned contexts, parsed afresh for each request (the
// processor may modify what it is given).
type loader struct{}

var _ ld.DocumentLoader = loader{}

// LoadDocument implements ld.DocumentLoader.
func (loader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	file, ok := Pinned[u]
	if !ok {
		return nil, ld.NewJsonLdError(ld.LoadingRemoteContextFailed, fmt.Errorf("%w: %s", ErrContext, u))
	}
	doc, err := parsed(file)
	if err != nil {
		return nil, err
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: copyValue(doc)}, nil
}

// parsedContexts holds each embedded context decoded once; the loader
// hands out copies, as the processor may modify what it is given.
var parsedContexts = sync.OnceValues(func() (map[string]any, error) {
	out := map[string]any{}
	for _, file := range Pinned {
		if _, done := out[file]; done {
			continue
		}
		b, err := contexts.ReadFile(path.Join("contexts", file))
		if err != nil {
			return nil, ld.NewJsonLdError(ld.LoadingDocumentFailed, err)
		}
		doc, err := ld.DocumentFromReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		out[file] = doc
	}
	return out, nil
})

func parsed(file string) (any, error) {
	all, err := parsedContexts()
	if err != nil {
		return nil, err
	}
	return all[file], nil
}
