// Package gdhcntest loads the WHO GDHCN test data (shared/testdata/gdhcn:
// the gdhcn-validator QR vectors, the key material they need and
// case-index.csv) for the conformance tests of the formats it covers and
// of the CLI. Tests only: it reads files.
package gdhcntest

import (
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Case is one row of case-index.csv.
type Case struct {
	// File is the vector's path under the gdhcn folder ("vectors/DVCTest3QR.txt").
	File string
	// Name is the vector's upstream name without suffix ("DVCTest3QR").
	Name string
	// Format is the index's format column: hcert-dcc, hcert-dvc-icvp,
	// legacy-who-ddcc, shc, icao-vds-nc, divoc.
	Format   string
	Issuer   string
	Kid      string
	Upstream string // upstream_expected_status
	Verified string // verified_here
	Note     string
	// Text is the vector's content (the QR text).
	Text string
}

// Dir returns the gdhcn folder: shared/testdata/gdhcn beside the
// repository, found from this source file, so any package's test can call it.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata", "gdhcn")
}

// Path returns a file under the gdhcn folder.
func Path(rel string) string { return filepath.Join(Dir(), filepath.FromSlash(rel)) }

// LoadCases reads case-index.csv and every vector it names.
func LoadCases() ([]Case, error) {
	f, err := os.Open(Path("case-index.csv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("gdhcntest: case-index.csv: %w", err)
	}
	if len(rows) < 2 {
		return nil, errors.New("gdhcntest: case-index.csv is empty")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"file", "format", "issuer", "kid", "upstream_expected_status", "verified_here", "note"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("gdhcntest: case-index.csv has no column %s", h)
		}
	}
	var out []Case
	for _, r := range rows[1:] {
		c := Case{
			File: r[col["file"]], Format: r[col["format"]], Issuer: r[col["issuer"]], Kid: r[col["kid"]],
			Upstream: r[col["upstream_expected_status"]], Verified: r[col["verified_here"]], Note: r[col["note"]],
		}
		base := filepath.Base(c.File)
		base = strings.TrimSuffix(base, ".txt")
		c.Name = strings.TrimSuffix(base, "Contents")
		b, err := os.ReadFile(Path(c.File))
		if err != nil {
			return nil, err
		}
		c.Text = string(b)
		out = append(out, c)
	}
	return out, nil
}

// Registry returns the SPKI (DER) of a row of the PathCheck registry
// extracts: spec is DCC, SHC, ICAO or DIVOC, kid the second column.
func Registry(spec, kid string) ([]byte, error) {
	for _, name := range []string{"registry_normalized.extract.csv", "test_registry_normalized.extract.csv"} {
		f, err := os.Open(Path("trust/Path-Check-trust-registry/" + name))
		if err != nil {
			return nil, err
		}
		r := csv.NewReader(f)
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("gdhcntest: %s: %w", name, err)
		}
		for _, row := range rows {
			if len(row) >= 8 && row[0] == spec && row[1] == kid {
				return base64.StdEncoding.DecodeString(row[7])
			}
		}
	}
	return nil, fmt.Errorf("gdhcntest: no registry row %s,%s", spec, kid)
}
