// Package dcctest loads the EU DCC conformance test data
// (github.com/eu-digital-green-certificates/dgc-testdata, kept under
// shared/testdata/dcc) for the tests of verify/dcc, the CLI and the scanner.
package dcctest

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/chot-dev/chot/verify"
)

// Case is one test case of the suite.
type Case struct {
	// Path is the file's path under the root, with forward slashes
	// ("common/2DCode/raw/CO1.json", "QR").
	Path        string
	Description string
	// Prefix is the text the QR code holds (the PREFIX field).
	Prefix string
	// Cert is the DER of the Document Signer Certificate (TESTCTX.CERTIFICATE).
	Cert []byte
	// Clock is TESTCTX.VALIDATIONCLOCK, parsed with verify.ParseTime.
	Clock time.Time
	// Expected maps each EXPECTED* flag present, without the "EXPECTED"
	// prefix ("VERIFY", "UNPREFIX", "PICTUREDECODE", ...), to its value.
	// Junk keys (EXPTECTEDEXPIRED, a nested EXPECTEDRESULTS) are dropped.
	Expected map[string]bool
	// PNG is the QR picture (the 2DCODE field, or _2DCODE), nil if absent.
	PNG []byte
	// JSON is the payload as plain JSON, nil if absent.
	JSON json.RawMessage
	// CBOR, COSE and Compressed are the hex-decoded fields, nil if absent.
	CBOR, COSE, Compressed []byte
	// Base45 is the BASE45 field, "" if absent.
	Base45 string
}

// notCases are files under the root that look like cases but are not.
var notCases = map[string]bool{"6.json": true}

// extraCases are cases without the .json extension.
var extraCases = []string{"QR"}

type rawCase struct {
	JSON       json.RawMessage `json:"JSON"`
	CBOR       string          `json:"CBOR"`
	COSE       string          `json:"COSE"`
	Compressed string          `json:"COMPRESSED"`
	Base45     string          `json:"BASE45"`
	Prefix     string          `json:"PREFIX"`
	PNG        string          `json:"2DCODE"`
	PNGAlt     string          `json:"_2DCODE"`
	TestCtx    struct {
		Certificate     string `json:"CERTIFICATE"`
		ValidationClock string `json:"VALIDATIONCLOCK"`
		Description     string `json:"DESCRIPTION"`
	} `json:"TESTCTX"`
	Expected map[string]json.RawMessage `json:"EXPECTEDRESULTS"`
}

// LoadCases reads every case under root (the dgc-testdata folder), sorted by
// path.
func LoadCases(root string) ([]Case, error) {
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".json") {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if !notCases[filepath.ToSlash(rel)] {
			paths = append(paths, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dcctest: %w", err)
	}
	paths = append(paths, extraCases...)
	sort.Strings(paths)
	var cases []Case
	var errs []error
	for _, p := range paths {
		c, err := LoadCase(root, p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		cases = append(cases, c)
	}
	return cases, errors.Join(errs...)
}

// LoadCase reads the case at path rel under root.
func LoadCase(root, rel string) (Case, error) {
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return Case{}, fmt.Errorf("dcctest: %w", err)
	}
	var r rawCase
	if err := json.Unmarshal(b, &r); err != nil {
		return Case{}, fmt.Errorf("dcctest: %s: %w", rel, err)
	}
	c := Case{
		Path:        rel,
		Description: r.TestCtx.Description,
		Prefix:      r.Prefix,
		Base45:      r.Base45,
		Expected:    make(map[string]bool),
	}
	if len(r.JSON) > 0 && string(r.JSON) != "null" {
		c.JSON = r.JSON
	}
	if c.Cert, err = base64.StdEncoding.DecodeString(r.TestCtx.Certificate); err != nil {
		return Case{}, fmt.Errorf("dcctest: %s: CERTIFICATE: %w", rel, err)
	}
	if r.TestCtx.ValidationClock != "" {
		if c.Clock, err = verify.ParseTime(r.TestCtx.ValidationClock); err != nil {
			return Case{}, fmt.Errorf("dcctest: %s: %w", rel, err)
		}
	}
	png := r.PNG
	if png == "" {
		png = r.PNGAlt
	}
	if png != "" {
		if c.PNG, err = base64.StdEncoding.DecodeString(png); err != nil {
			return Case{}, fmt.Errorf("dcctest: %s: 2DCODE: %w", rel, err)
		}
	}
	for _, h := range []struct {
		in  string
		out *[]byte
	}{{r.CBOR, &c.CBOR}, {r.COSE, &c.COSE}, {r.Compressed, &c.Compressed}} {
		if h.in == "" {
			continue
		}
		if *h.out, err = hex.DecodeString(h.in); err != nil {
			return Case{}, fmt.Errorf("dcctest: %s: hex field: %w", rel, err)
		}
	}
	for k, v := range r.Expected {
		name, ok := strings.CutPrefix(k, "EXPECTED")
		if !ok || name == "RESULTS" {
			continue
		}
		var b bool
		if json.Unmarshal(v, &b) == nil {
			c.Expected[name] = b
		}
	}
	return c, nil
}

// Root returns the path of the DCC test data from a package directory depth
// levels below the repository root: ../shared/testdata/dcc relative to the
// repository.
func Root(depth int) string {
	parts := make([]string, 0, depth+4)
	for range depth + 1 {
		parts = append(parts, "..")
	}
	return filepath.Join(append(parts, "shared", "testdata", "dcc")...)
}
