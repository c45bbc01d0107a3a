package jsonld

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestPinnedOnly(t *testing.T) {
	doc := map[string]any{
		"@context": []any{"https://www.w3.org/2018/credentials/v1", "https://attacker.example/ctx"},
		"type":     "VerifiableCredential",
	}
	if _, err := Canonicalize(doc); !errors.Is(err, ErrContext) {
		t.Fatalf("unpinned context: %v, want ErrContext", err)
	}
	for u := range Pinned {
		if _, err := (loader{}).LoadDocument(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

func TestCanonicalize(t *testing.T) {
	doc := map[string]any{
		"@context":     "https://www.w3.org/2018/credentials/v1",
		"type":         []any{"VerifiableCredential"},
		"issuer":       "https://issuer.example",
		"issuanceDate": "2021-01-01T00:00:00Z",
	}
	a, err := Canonicalize(doc)
	if err != nil {
		t.Fatal(err)
	}
	// Key order does not matter; the document is not modified.
	b, err := Canonicalize(map[string]any{"issuanceDate": "2021-01-01T00:00:00Z", "issuer": "https://issuer.example",
		"type": []any{"VerifiableCredential"}, "@context": "https://www.w3.org/2018/credentials/v1"})
	if err != nil || a != b {
		t.Fatalf("%q vs %q (%v)", a, b, err)
	}
	if !strings.Contains(a, "<https://www.w3.org/2018/credentials#issuer> <https://issuer.example>") {
		t.Errorf("N-Quads %q", a)
	}
	if _, ok := doc["@context"].(string); !ok {
		t.Error("the document was modified")
	}
}

// TestProcessorPanicIsAnError: a document on which json-gold panics (found
// by FuzzCredentialJSON: an evidence entry {"": 0} under the CoWIN context)
// is ErrCanonical.
func TestProcessorPanicIsAnError(t *testing.T) {
	var doc map[string]any
	err := json.Unmarshal([]byte(`{"@context":["https://www.w3.org/2018/credentials/v1","https://cowin.gov.in/credentials/vaccination/v1"],`+
		`"type":["VerifiableCredential"],"evidence":[{"":0}]}`), &doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Canonicalize(doc); !errors.Is(err, ErrCanonical) {
		t.Fatalf("err %v, want ErrCanonical", err)
	}
}
