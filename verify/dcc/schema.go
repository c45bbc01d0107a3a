package dcc

// NOTICE: schema/<version>/D?C.combined-schema.json are the eHealth
// Network's EU DCC JSON schemas, every release from 1.0.0 to 1.3.3, copied
// unchanged from github.com/ehn-dcc-development/eu-dcc-schema (the
// combined schema of each release tag), published by the eHealth Network
// under the Apache License 2.0 (schema/LICENSE).

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed schema
var schemaFS embed.FS

// ErrSchema means a payload does not match the DCC schema of its version.
var ErrSchema = errors.New("dcc: payload does not match the DCC schema")

// release is one embedded schema release, compiled on first use.
type release struct {
	version [3]int
	name    string // "1.3.0"
	file    string
	compile func() (*jsonschema.Schema, error)
}

// releases are the embedded schema releases, oldest first.
var releases = mustReleases()

func mustReleases() []*release {
	dirs, err := fs.ReadDir(schemaFS, "schema")
	if err != nil {
		panic(fmt.Sprintf("dcc: embedded schemas: %v", err))
	}
	var out []*release
	for _, d := range dirs {
		v, ok := parseVersion(d.Name())
		if !d.IsDir() || !ok {
			continue
		}
		files, _ := fs.Glob(schemaFS, path.Join("schema", d.Name(), "*.combined-schema.json"))
		if len(files) != 1 {
			panic(fmt.Sprintf("dcc: embedded schema %s: %d combined schemas", d.Name(), len(files)))
		}
		r := &release{version: v, name: d.Name(), file: files[0]}
		r.compile = sync.OnceValues(r.load)
		out = append(out, r)
	}
	if len(out) == 0 {
		panic("dcc: no embedded schema")
	}
	// ReadDir sorts by name, which for these versions is their order.
	return out
}

func (r *release) load() (*jsonschema.Schema, error) {
	b, err := schemaFS.ReadFile(r.file)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("dcc: schema %s: %w", r.name, err)
	}
	id := "https://id.uvci.eu/" + path.Base(r.file)
	c := jsonschema.NewCompiler()
	if err := c.AddResource(id, doc); err != nil {
		return nil, fmt.Errorf("dcc: schema %s: %w", r.name, err)
	}
	s, err := c.Compile(id)
	if err != nil {
		return nil, fmt.Errorf("dcc: schema %s: %w", r.name, err)
	}
	return s, nil
}

// parseVersion reads "M.m.p" of decimal numbers.
func parseVersion(s string) ([3]int, bool) {
	var v [3]int
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 999 || p == "" || p[0] == '+' {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

func less(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// SchemaReleases lists the embedded schema releases, oldest first.
func SchemaReleases() []string {
	out := make([]string, len(releases))
	for i, r := range releases {
		out[i] = r.name
	}
	return out
}

// SchemaRelease returns the schema release a payload of version ver is
// judged by: that release if it is one, else the newest release of the
// same major version not newer than ver (a patch the schemas did not
// publish, 1.3.4 → 1.3.3), else the newest release (whose ver pattern then
// refuses a malformed ver).
func SchemaRelease(ver string) string { return releaseFor(ver).name }

func releaseFor(ver string) *release {
	newest := releases[len(releases)-1]
	v, ok := parseVersion(ver)
	if !ok {
		return newest
	}
	var best *release
	for _, r := range releases {
		if r.version[0] == v[0] && !less(v, r.version) {
			best = r
		}
	}
	if best == nil {
		return newest
	}
	return best
}

// SchemaDetail describes a ValidateSchema error without the offending
// values (they may be a name or a birth date, and details get logged): the
// location and the keyword of each failure, at most five.
func SchemaDetail(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		if errors.Is(err, ErrSchema) {
			return strings.TrimPrefix(err.Error(), "dcc: ") // names fields, never values
		}
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
// map[string]any, []any, string, bool, nil and Go numbers) against the EU
// DCC JSON schema of its "ver" (SchemaRelease). A payload that fails its
// own release passes if a later release of the same major version takes it:
// issuers label payloads with an older ver than the rules they follow (the
// Netherlands' "1.0.0" payloads carry the partial dates of birth of 1.1.0),
// and each release only ever relaxed what a genuine certificate needs. The
// error is that of the payload's own release. Formats ("date", "date-time")
// are annotations, as in the reference harness, not assertions.
func ValidateSchema(hcert any) error {
	ver := ""
	if m, ok := hcert.(map[string]any); ok {
		ver, _ = m["ver"].(string)
	}
	if err := oneGroup(hcert); err != nil {
		return err
	}
	own := releaseFor(ver)
	err := ValidateSchemaRelease(hcert, own.name)
	if err == nil || !errors.Is(err, ErrSchema) {
		return err
	}
	for _, r := range releases {
		if r.version[0] == own.version[0] && less(own.version, r.version) && ValidateSchemaRelease(hcert, r.name) == nil {
			return nil
		}
	}
	return err
}

// oneGroup requires exactly one of v, t and r: a DCC is one vaccination,
// test or recovery certificate (eHN guidelines; from 1.3.0 the schema says
// so itself, the earlier releases left it to the rules).
func oneGroup(hcert any) error {
	m, ok := hcert.(map[string]any)
	if !ok {
		return nil // the schema refuses it
	}
	var present []string
	for _, g := range groups {
		if e, ok := m[g.key]; ok && e != nil { // a null group is the schema's to refuse
			present = append(present, g.key)
		}
	}
	if len(present) > 1 {
		return fmt.Errorf("%w: holds %s: a DCC carries exactly one of v, t and r", ErrSchema, strings.Join(present, ", "))
	}
	return nil
}

// ValidateSchemaRelease checks a payload against one schema release.
func ValidateSchemaRelease(hcert any, name string) error {
	for _, r := range releases {
		if r.name != name {
			continue
		}
		s, err := r.compile()
		if err != nil {
			return err
		}
		if err := s.Validate(hcert); err != nil {
			return fmt.Errorf("%w %s: %w", ErrSchema, r.name, err)
		}
		return nil
	}
	return fmt.Errorf("dcc: no schema release %q", name)
}
