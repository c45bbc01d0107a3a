package trust

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/chot-dev/chot/verify"
)

// ValueSetEntry is one value set as the bundle carries it (key 10): the id
// the EU value set file names (valueSetId), its date, and its codes, split
// into active and inactive.
type ValueSetEntry struct {
	ID       string
	Date     string
	Codes    []string // active
	Inactive []string // no longer issued, still valid in older credentials
}

type wireValueSet struct {
	ID       string   `cbor:"1,keyasint"`
	Date     string   `cbor:"2,keyasint,omitempty"`
	Codes    []string `cbor:"3,keyasint,omitempty"`
	Inactive []string `cbor:"4,keyasint,omitempty"`
}

// ValueSet turns the entry into the verifier's value set.
func (e *ValueSetEntry) ValueSet() *verify.ValueSet {
	v := &verify.ValueSet{ID: e.ID, Codes: make(map[string]bool, len(e.Codes)+len(e.Inactive))}
	for _, c := range e.Inactive {
		v.Codes[c] = false
	}
	for _, c := range e.Codes {
		v.Codes[c] = true
	}
	return v
}

// ParseValueSet reads one EU DCC value set file ({"valueSetId",
// "valueSetDate", "valueSetValues": {CODE: {"active", …}}}). A code without
// "active" counts as active.
func ParseValueSet(data []byte) (ValueSetEntry, error) {
	var f struct {
		ID     string `json:"valueSetId"`
		Date   string `json:"valueSetDate"`
		Values map[string]struct {
			Active *bool `json:"active"`
		} `json:"valueSetValues"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return ValueSetEntry{}, fmt.Errorf("%w: value set: %w", ErrImport, err)
	}
	if f.ID == "" || len(f.Values) == 0 {
		return ValueSetEntry{}, fmt.Errorf("%w: value set: no valueSetId or no valueSetValues", ErrImport)
	}
	e := ValueSetEntry{ID: f.ID, Date: f.Date}
	for code, v := range f.Values {
		if v.Active != nil && !*v.Active {
			e.Inactive = append(e.Inactive, code)
		} else {
			e.Codes = append(e.Codes, code)
		}
	}
	sort.Strings(e.Codes)
	sort.Strings(e.Inactive)
	return e, nil
}

// ImportValueSetDir reads every *.json file of dir that is a code-keyed EU
// value set. Left out, and named in skipped: files of another shape
// (vaccine-encoding-instructions.json, keyed by product name) and example
// lists (*-example.json: test-manf-example.json is an example of the rapid
// test devices, whose real list, the JRC's, lives on the EU gateway;
// checking against it would refuse genuine tests of devices it lacks, as
// real Bulgarian, Italian and Lithuanian codes show).
func ImportValueSetDir(dir string) (sets []ValueSetEntry, skipped []string, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, nil, err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		if strings.HasSuffix(f, "-example.json") || isEncodingInstructions(b) {
			skipped = append(skipped, filepath.Base(f))
			continue
		}
		e, err := ParseValueSet(b)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f, err)
		}
		sets = append(sets, e)
	}
	if len(sets) == 0 {
		return nil, nil, fmt.Errorf("%w: %s: no value set files", ErrImport, dir)
	}
	return sets, skipped, nil
}

// isEncodingInstructions recognises the Annex A file, whose values are
// objects with "vaccine-code" rather than codes.
func isEncodingInstructions(b []byte) bool {
	var f struct {
		Values map[string]map[string]json.RawMessage `json:"valueSetValues"`
	}
	if json.Unmarshal(b, &f) != nil {
		return false
	}
	for _, v := range f.Values {
		_, ok := v["vaccine-code"]
		return ok
	}
	return false
}

// LoadValueSets builds a Store holding only the value sets of dir, to merge
// with the keys (`chot verify --valuesets DIR`).
func LoadValueSets(dir string) (*Store, error) {
	sets, _, err := ImportValueSetDir(dir)
	if err != nil {
		return nil, err
	}
	s := NewKeyStore(nil, nil)
	s.addValueSets(sets)
	return s, nil
}

func (s *Store) addValueSets(sets []ValueSetEntry) {
	if s.valueSets == nil {
		s.valueSets = make(map[string]*verify.ValueSet, len(sets))
	}
	for i := range sets {
		s.valueSets[sets[i].ID] = sets[i].ValueSet()
	}
}

// ValueSet implements verify.ValueSetSource.
func (s *Store) ValueSet(id string) *verify.ValueSet { return s.valueSets[id] }

// ValueSetCount is the number of value sets.
func (s *Store) ValueSetCount() int { return len(s.valueSets) }

// ValueSetCodes returns the value sets as id → codes (active and inactive),
// the form verify/rules gives rules as external.valueSets.
func (s *Store) ValueSetCodes() map[string][]string {
	out := make(map[string][]string, len(s.valueSets))
	for id, v := range s.valueSets {
		codes := make([]string, 0, len(v.Codes))
		for c := range v.Codes {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		out[id] = codes
	}
	return out
}

// ValueSet implements verify.ValueSetSource over the current store.
func (a *Atomic) ValueSet(id string) *verify.ValueSet {
	if s := a.Load(); s != nil {
		return s.ValueSet(id)
	}
	return nil
}
