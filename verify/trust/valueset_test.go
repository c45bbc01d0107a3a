package trust

import (
	"crypto/ed25519"
	"path/filepath"
	"slices"
	"testing"
)

// TestValueSets imports the EU value sets 2.12.0 into a bundle and back.
func TestValueSets(t *testing.T) {
	sets, skipped, err := ImportValueSetDir(filepath.Join(testdata, "valuesets"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(skipped)
	if want := []string{"test-manf-example.json", "vaccine-encoding-instructions.json"}; !slices.Equal(skipped, want) {
		t.Errorf("skipped %v, want %v", skipped, want)
	}
	byID := map[string]ValueSetEntry{}
	for _, s := range sets {
		byID[s.ID] = s
	}
	for id, n := range map[string]int{"disease-agent-targeted": 1, "sct-vaccines-covid-19": 9, "vaccines-covid-19-names": 39,
		"vaccines-covid-19-auth-holders": 31, "covid-19-lab-test-type": 2, "covid-19-lab-result": 2, "country-2-codes": 250} {
		if got := len(byID[id].Codes) + len(byID[id].Inactive); got != n {
			t.Errorf("%s: %d codes, want %d", id, got, n)
		}
	}
	if !slices.Equal(byID["sct-vaccines-covid-19"].Inactive, []string{"J07BX03"}) {
		t.Errorf("inactive vaccines %v, want J07BX03", byID["sct-vaccines-covid-19"].Inactive)
	}
	b := testBundle(t, 1)
	b.ValueSets = sets
	opened, err := Open(signed(t, b, testRoot(1)), []ed25519.PublicKey{pub(testRoot(1))}, 0, t0)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewStore(opened)
	if err != nil {
		t.Fatal(err)
	}
	vs := s.ValueSet("country-2-codes")
	if vs == nil {
		t.Fatal("no country value set in the store")
	}
	if in, active := vs.Has("VN"); !in || !active {
		t.Error("VN not an active country code")
	}
	if in, _ := vs.Has("XY"); in {
		t.Error("XY is a country code")
	}
	if in, active := s.ValueSet("sct-vaccines-covid-19").Has("J07BX03"); !in || active {
		t.Error("J07BX03 should be in the set, inactive")
	}
	if len(s.ValueSetCodes()["vaccines-covid-19-names"]) != 39 {
		t.Error("rules would not see the 39 products")
	}
	dup := testBundle(t, 2)
	dup.ValueSets = []ValueSetEntry{sets[0], sets[0]}
	if _, err := dup.Payload(); err == nil {
		t.Error("a bundle with a value set twice was built")
	}
}
