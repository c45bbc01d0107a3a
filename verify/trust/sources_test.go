package trust

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAddSources builds from real files: a DSC from a file and the same DSC
// in the union list is one key; each list is recorded and reported; the SHC
// issuer's keys and revocations and a revocation file are taken; a missing
// or bad file fails the whole import, naming it.
func TestAddSources(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	list, err := ImportDSCList(readFile(t, unionList))
	if err != nil {
		t.Fatal(err)
	}
	cert := write("dsc.der", list.Keys[0].Cert)
	revs := write("revs.txt", []byte("# kind: rid\n# issuer: "+shcIssuer+"\nabc\nxyz.1687450765\n"))
	var reported []string
	src := Sources{
		Certs: []string{cert}, DSCLists: []string{unionList, unionList},
		JWKS: []string{shcIssuer + "=" + shcJWKS}, Revocations: []string{revs},
		Report: func(f string, l *ListImport) { reported = append(reported, f) },
	}
	b := &Bundle{}
	if err := b.AddSources(src); err != nil {
		t.Fatal(err)
	}
	shcKeys, shcRevs, err := ImportIssuerDir(shcIssuer, shcJWKS)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(list.Keys) + len(shcKeys); len(b.Keys) != want {
		t.Errorf("%d keys, want %d (duplicates dropped)", len(b.Keys), want)
	}
	if string(b.Keys[0].Cert) != string(list.Keys[0].Cert) {
		t.Error("the certificate file's key is not first")
	}
	if len(b.Sources) != 2 || len(reported) != 2 || reported[0] != unionList {
		t.Errorf("sources %d, reported %v: want the list twice", len(b.Sources), reported)
	}
	if want := len(shcRevs) + 1; len(b.Revocations) != want {
		t.Errorf("%d revocation entries, want %d", len(b.Revocations), want)
	}

	bad := write("bad.txt", []byte("# kind: NAME\n00112233445566778899aabbccddeeff\n"))
	for _, tc := range []struct {
		name string
		src  Sources
		want string
	}{
		{"missing certificate", Sources{Certs: []string{filepath.Join(dir, "none.der")}}, "none.der"},
		{"not a certificate", Sources{Certs: []string{revs}}, revs},
		{"bad revocation file", Sources{Revocations: []string{bad}}, bad},
		{"unsigned trust list", Sources{TrustLists: []string{unionList}}, "refused, nothing from it trusted"},
		{"jwks without issuer", Sources{JWKS: []string{shcJWKS}}, "ISSUER"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := (&Bundle{}).AddSources(tc.src)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one naming %q", err, tc.want)
			}
		})
	}
}

// TestReadRuleSets: the files of one name are joined, names keep the order
// they first appear in, and a malformed argument or file fails.
func TestReadRuleSets(t *testing.T) {
	vn := filepath.Join("..", "..", "configs", "rules", "vn-entry.json")
	rs, err := SplitRules(readFile(t, vn))
	if err != nil {
		t.Fatal(err)
	}
	sets, err := ReadRuleSets([]string{"b=" + vn, "a=" + vn, "b=" + vn})
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) != 2 || sets[0].Name != "b" || sets[1].Name != "a" || len(sets[0].Rules) != 2*len(rs) || len(sets[1].Rules) != len(rs) {
		t.Errorf("sets %d: %+v", len(sets), sets)
	}
	for _, arg := range []string{"novalue", "=" + vn, "a=", "a=" + shcJWKS, "a=" + filepath.Join(t.TempDir(), "none.json")} {
		if _, err := ReadRuleSets([]string{arg}); err == nil {
			t.Errorf("%q: no error", arg)
		}
	}
}
