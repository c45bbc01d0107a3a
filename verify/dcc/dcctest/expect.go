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

// FlagOutcome is the outcome a result gives a step flag: the step passed.
// SCHEMAVALIDATION also needs the value-set step not to have failed: the
// suite counts a code outside its value set (PL */7–9) as a schema failure.
func FlagOutcome(flag string, steps map[verify.Step]verify.Outcome) bool {
	s, ok := StepOfFlag[flag]
	if !ok {
		return false
	}
	if flag == "SCHEMAVALIDATION" && steps[verify.StepValueSet] == verify.Fail {
		return false
	}
	return steps[s] == verify.Pass
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
