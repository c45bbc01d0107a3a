package dcc

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
)

func TestSchemaReleases(t *testing.T) {
	want := []string{"1.0.0", "1.0.1", "1.1.0", "1.2.0", "1.2.1", "1.3.0", "1.3.1", "1.3.2", "1.3.3"}
	if got := SchemaReleases(); !slices.Equal(got, want) {
		t.Fatalf("releases %v, want %v", got, want)
	}
	// The released files, by the hashes of dcc-schema/SOURCE.md (not the
	// 1.3.0 pre-release that still required tc).
	hashes := map[string]string{"1.0.0": "6bfa0d854cca2599", "1.0.1": "56e9926cd68bf581", "1.1.0": "663a3119e6be7e1d",
		"1.2.0": "42b8fcf1f345f262", "1.2.1": "c31d1e479f6379a8", "1.3.0": "e11d095ffddbe416", "1.3.1": "64b6703defad6284",
		"1.3.2": "0723534406d9389f", "1.3.3": "3f5103800f622312"}
	for _, r := range releases {
		b, err := schemaFS.ReadFile(r.file)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:8]); got != hashes[r.name] {
			t.Errorf("schema %s: sha256 %s…, want %s…", r.name, got, hashes[r.name])
		}
	}
	for ver, want := range map[string]string{
		"1.0.0": "1.0.0", "1.2.1": "1.2.1", "1.3.0": "1.3.0", "1.3.3": "1.3.3",
		"1.3.4": "1.3.3", "1.2.5": "1.2.1", "1.4.0": "1.3.3", "1.0.9": "1.0.1",
		"": "1.3.3", "1x3y0": "1.3.3", "2.0.0": "1.3.3", "0.9.0": "1.3.3",
	} {
		if got := SchemaRelease(ver); got != want {
			t.Errorf("SchemaRelease(%q) = %s, want %s", ver, got, want)
		}
	}
}

// naatWithoutTC is a NAAT test as Fiji issues it: no test centre (tc), which
// the released 1.3.0 schema made optional.
func naatWithoutTC(ver string) map[string]any {
	return map[string]any{
		"ver": ver, "dob": "1990-01-01",
		"nam": map[string]any{"fnt": "DOE", "gnt": "JANE"},
		"t": []any{map[string]any{
			"tg": "840539006", "tt": "LP6464-4", "nm": "PCR", "sc": "2022-03-01T08:00:00Z",
			"tr": "260415000", "co": "FJ", "is": "Ministry of Health", "ci": "URN:UVCI:01:FJ:1",
		}},
	}
}

func TestValidateSchemaByVersion(t *testing.T) {
	partialDOB := naatWithoutTC("1.0.0")
	partialDOB["dob"] = "1963"
	partialDOB["t"].([]any)[0].(map[string]any)["tc"] = "Centre"
	twoVaccinations := map[string]any{
		"ver": "1.2.1", "dob": "1990-01-01", "nam": map[string]any{"fnt": "DOE"},
		"v": []any{vaccEntry(1), vaccEntry(2)},
	}
	threeGroups := map[string]any{
		"ver": "1.2.1", "dob": "1990-01-01", "nam": map[string]any{"fnt": "DOE"},
		"v": []any{vaccEntry(1)}, "t": naatWithoutTC("1.2.1")["t"], "r": []any{},
	}
	twoVaccinations130 := map[string]any{}
	for k, v := range twoVaccinations {
		twoVaccinations130[k] = v
	}
	twoVaccinations130["ver"] = "1.3.0"
	tests := []struct {
		name string
		p    map[string]any
		ok   bool
	}{
		{"1.3.0 test without tc", naatWithoutTC("1.3.0"), true},
		{"1.3.3 test without tc", naatWithoutTC("1.3.3"), true},
		{"1.2.1 label without tc: 1.3.0 made it optional", naatWithoutTC("1.2.1"), true},
		{"1.0.0 label, partial dob of 1.1.0: a later release takes it", partialDOB, true},
		{"two vaccinations under 1.2.1 (no maxItems then)", twoVaccinations, true},
		{"two vaccinations under 1.3.0", twoVaccinations130, false},
		{"v, t and r together", threeGroups, false},
	}
	// Each release is its own: 1.2.1 requires tc, 1.3.0 does not.
	if err := ValidateSchemaRelease(naatWithoutTC("1.2.1"), "1.2.1"); !errors.Is(err, ErrSchema) {
		t.Errorf("release 1.2.1 took a test without tc: %v", err)
	}
	if err := ValidateSchemaRelease(naatWithoutTC("1.3.0"), "1.3.0"); err != nil {
		t.Errorf("release 1.3.0 refused a test without tc: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateSchema(tt.p)
			if (err == nil) != tt.ok {
				t.Fatalf("got %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrSchema) {
				t.Fatalf("%v is not ErrSchema", err)
			}
		})
	}
}

func vaccEntry(dose int) map[string]any {
	return map[string]any{
		"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215",
		"dn": int64(dose), "sd": int64(2), "dt": "2021-06-01", "co": "XX", "is": "Ministry", "ci": "URN:UVCI:01:XX:1",
	}
}
