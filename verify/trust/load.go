package trust

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/chot-dev/chot/verify"
)

// LoadKeys builds a Store from loose trust files, as `chot verify` takes
// them: DSC certificates (DER or PEM), DCC signer lists, and SHC jwks.json
// files by issuer URL (each with the crl/<kid>.json revocation lists beside
// it). Any failure fails the whole load.
func LoadKeys(certFiles, dscListFiles []string, jwks map[string]string) (*Store, error) {
	var keys []*verify.Key
	var revs []verify.Revocation
	addEntries := func(es []KeyEntry) error {
		for i := range es {
			k, err := es[i].Key()
			if err != nil {
				return err
			}
			keys = append(keys, k)
		}
		return nil
	}
	for _, f := range certFiles {
		es, err := readImport(f, func(b []byte) ([]KeyEntry, error) { return ImportCertificates(b, "") })
		if err == nil {
			err = addEntries(es)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	for _, f := range dscListFiles {
		es, err := readImport(f, ParseDSCList)
		if err == nil {
			err = addEntries(es)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	issuers := make([]string, 0, len(jwks))
	for iss := range jwks {
		issuers = append(issuers, iss)
	}
	slices.Sort(issuers)
	for _, iss := range issuers {
		es, rs, err := ImportIssuerDir(iss, jwks[iss])
		if err == nil {
			err = addEntries(es)
		}
		if err != nil {
			return nil, err
		}
		for i := range rs {
			revs = append(revs, rs[i].revocations()...)
		}
	}
	return NewKeyStore(keys, revs), nil
}

func readImport(path string, parse func([]byte) ([]KeyEntry, error)) ([]KeyEntry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parse(b)
}

// ParseIssuerFiles turns "ISSUER_URL=FILE" arguments (the --jwks flag) into
// a map from issuer URL to file. The issuer URL may itself hold '=', so the
// last '=' splits.
func ParseIssuerFiles(args []string) (map[string]string, error) {
	out := make(map[string]string, len(args))
	for _, a := range args {
		i := strings.LastIndexByte(a, '=')
		if i <= 0 || i == len(a)-1 {
			return nil, fmt.Errorf("trust: %q: want ISSUER_URL=FILE", a)
		}
		iss := a[:i]
		if _, dup := out[iss]; dup {
			return nil, fmt.Errorf("trust: issuer %s given twice", iss)
		}
		out[iss] = a[i+1:]
	}
	return out, nil
}

// LoadBundleFile opens the signed bundle at path against the root keys in
// rootFile (see ParsePublicKeys), with no installed version, at now.
func LoadBundleFile(path, rootFile string, now time.Time) (*Store, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	roots, err := ReadRoots(rootFile)
	if err != nil {
		return nil, err
	}
	b, err := Open(data, roots, 0, now)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return NewStore(b)
}

// ReadRoots reads pinned root public keys from a file.
func ReadRoots(path string) ([]ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	roots, err := ParsePublicKeys(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return roots, nil
}

// Report is what one trust list file gave: its name and the import.
type Report struct {
	File string
	*ListImport
}

// LoadLists builds a Store from trust list files: DCC signer lists taken as
// they are (dscLists, the --dsc-list flag: no signature is checked, and the
// report says so) and published trust lists whose own signature is checked
// against the pinned keys in keyPEM (trustLists, the --trustlist flag; see
// ImportTrustList). A bad entry is skipped and reported; a list that fails
// its signature, or cannot be read, fails the whole load, and nothing is
// trusted.
func LoadLists(dscLists, trustLists []string, key []byte, opts TrustListOptions) (*Store, []Report, error) {
	var keys []*verify.Key
	var reports []Report
	take := func(f string, l *ListImport) error {
		for i := range l.Keys {
			k, err := l.Keys[i].Key()
			if err != nil {
				return fmt.Errorf("%s: key %d: %w", f, i, err)
			}
			keys = append(keys, k)
		}
		reports = append(reports, Report{File: f, ListImport: l})
		return nil
	}
	for _, f := range dscLists {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		l, err := ImportDSCList(b)
		if err == nil {
			err = take(f, l)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	for _, f := range trustLists {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		l, err := ImportTrustList(b, key, opts)
		if err == nil {
			err = take(f, l)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	return NewKeyStore(keys, nil), reports, nil
}
