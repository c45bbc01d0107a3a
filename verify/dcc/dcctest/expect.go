package dcctest

import (
	"encoding/csv"
	"fmt"
	"os"

	"github.com/chot-dev/chot/verify"
)

// StepOfFlag maps the EXPECTED* flags that are one verification step each
// (without the EXPECTED prefix) to that step. The others (VALIDJSON,
// VALIDOBJECT, ENCODE, PICTUREDECODE) are checked by their own tests.
var StepOfFlag = map[string]verify.Step{
	"UNPREFIX":         verify.StepUnprefix,
	"B45DECODE":        verify.StepBase45,
	"COMPRESSION":      verify.StepCompression,
	"DECODE":           verify.StepDecode,
	"VERIFY":           verify.StepSignature,
	"EXPIRATIONCHECK":  verify.StepValidity,
	"KEYUSAGE":         verify.StepKeyUsage,
	"SCHEMAVALIDATION": verify.StepSchema,
}

// KnownWrong reads the list of upstream expectations that are wrong
// (verify/dcc/testdata/known-wrong.csv: case,flag,reason): case path → flag
// → reason.
func KnownWrong(path string) (map[string]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make(map[string]map[string]string)
	for i, row := range rows {
		if i == 0 {
			continue // header
		}
		if len(row) != 3 || row[2] == "" {
			return nil, fmt.Errorf("%s: row %d: want case,flag,reason", path, i+1)
		}
		if out[row[0]] == nil {
			out[row[0]] = make(map[string]string)
		}
		out[row[0]][row[1]] = row[2]
	}
	return out, nil
}
