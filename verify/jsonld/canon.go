package jsonld

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"github.com/piprate/json-gold/ld"
)

// ErrCanonical means a document could not be canonicalised: a context not
// pinned, or JSON-LD the processor refuses.
var ErrCanonical = errors.New("jsonld: cannot canonicalise")

// Canonicalize returns the URDNA2015 canonical N-Quads of doc (decoded
// JSON: map[string]any and the like), resolving contexts only from the
// pinned copies. doc is not modified. A panic of the processor (json-gold
// v0.9.1 asserts types it has not checked: an "evidence" entry whose key is
// "" and value a number, under the CoWIN context, panics in expandObject)
// is ErrCanonical, not a crash.
func Canonicalize(doc map[string]any) (s string, err error) {
	defer func() {
		if p := recover(); p != nil {
			s, err = "", fmt.Errorf("%w: the JSON-LD processor failed: %v", ErrCanonical, p)
		}
	}()
	opts := ld.NewJsonLdOptions("")
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.DocumentLoader = loader{}
	out, err := ld.NewJsonLdProcessor().Normalize(deepCopy(doc), opts)
	if err != nil {
		if strings.Contains(err.Error(), ErrContext.Error()) {
			return "", fmt.Errorf("%w: %w", ErrContext, err)
		}
		return "", fmt.Errorf("%w: %w", ErrCanonical, err)
	}
	s, ok := out.(string)
	if !ok {
		return "", fmt.Errorf("%w: normalisation gave %T", ErrCanonical, out)
	}
	if s == "" {
		return "", fmt.Errorf("%w: the document says nothing (no terms its contexts define)", ErrCanonical)
	}
	return s, nil
}

// SigningInput is what a linked-data proof with a detached, unencoded JWS
// (b64:false) signs: the JWS header as it came (base64url), ".", then
// SHA-256 of the canonical proof options followed by SHA-256 of the
// canonical document.
func SigningInput(header string, options, document string) []byte {
	ho := sha256.Sum256([]byte(options))
	hd := sha256.Sum256([]byte(document))
	out := make([]byte, 0, len(header)+1+2*sha256.Size)
	out = append(out, header...)
	out = append(out, '.')
	out = append(out, ho[:]...)
	return append(out, hd[:]...)
}

// deepCopy copies decoded JSON, so the processor's changes stay its own.
func deepCopy(v map[string]any) map[string]any {
	out := make(map[string]any, len(v))
	for k, e := range v {
		out[k] = copyValue(e)
	}
	return out
}

func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return deepCopy(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}
