package dcc

// NOTICE: schema/DCC.combined-schema.json is the eHealth Network's EU DCC JSON
// schema, version 1.3.0, copied unchanged from
// github.com/ehn-dcc-development/eu-dcc-schema (DCC.combined-schema.json),
// published by the eHealth Network under the Apache License 2.0.

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed schema/DCC.combined-schema.json
var schemaJSON []byte

const schemaURL = "https://id.uvci.eu/DCC.combined-schema.json"

// ErrSchema means a payload does not match the DCC JSON schema.
var ErrSchema = errors.New("dcc: payload does not match the DCC schema")

// dccSchema is compiled once; validation walks the decoded payload directly,
// with no JSON round trip.
var dccSchema = mustCompileSchema()

func mustCompileSchema() *jsonschema.Schema {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		panic(fmt.Sprintf("dcc: embedded schema: %v", err))
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaURL, doc); err != nil {
		panic(fmt.Sprintf("dcc: embedded schema: %v", err))
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		panic(fmt.Sprintf("dcc: embedded schema: %v", err))
	}
	return s
}

// SchemaDetail describes a ValidateSchema error without the offending
// values (they may be a name or a birth date, and details get logged): the
// location and the keyword of each failure, at most five.
func SchemaDetail(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return "payload does not match the DCC schema"
	}
	var parts []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			kw := "?"
			if e.ErrorKind != nil {
				kw = strings.Join(e.ErrorKind.KeywordPath(), "/")
			}
			parts = append(parts, "/"+strings.Join(e.InstanceLocation, "/")+" ("+kw+")")
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	if len(parts) > 5 {
		parts = append(parts[:5], "…")
	}
	return "payload does not match the DCC schema at " + strings.Join(parts, ", ")
}

// ValidateSchema checks a DCC payload (the hcert, as JSON-like values:
// map[string]any, []any, string, bool, nil and Go numbers) against the EU DCC
// JSON schema 1.3.0. Formats ("date", "date-time") are annotations, as in the
// reference harness, not assertions.
func ValidateSchema(hcert any) error {
	if err := dccSchema.Validate(hcert); err != nil {
		return fmt.Errorf("%w: %w", ErrSchema, err)
	}
	return nil
}
