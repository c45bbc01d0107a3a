package trust

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// Sources are the files a bundle is built from (`chot trust build`).
type Sources struct {
	// Certs are DCC DSC files (DER or PEM); DSCLists DCC signer lists, taken
	// as they are.
	Certs, DSCLists []string
	// TrustLists are published lists whose own signature must check with
	// ListKey (see ImportTrustList, Options).
	TrustLists []string
	ListKey    []byte
	Options    TrustListOptions
	// JWKS are SHC issuers' keys, ISSUER_URL=FILE (see ParseIssuerFiles;
	// crl/<kid>.json beside each is read).
	JWKS []string
	// Revocations are revocation list files (see ParseRevocations).
	Revocations []string
	// Report, if set, is told what each list gave, as it is taken.
	Report func(file string, l *ListImport)
}

// AddSources imports every source into b, dropping duplicate keys (the same
// DSC from a file and a list), and records each list in b.Sources. Any file
// that cannot be read or parsed fails the whole import; a trust list whose
// signature fails is refused and nothing from it is trusted.
func (b *Bundle) AddSources(src Sources) error {
	for _, f := range src.Certs {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		es, err := ImportCertificates(data, "")
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		b.AddKeys(es...)
	}
	addList := func(f string, l *ListImport) {
		b.AddKeys(l.Keys...)
		b.Sources = append(b.Sources, l.Source(f))
		if src.Report != nil {
			src.Report(f, l)
		}
	}
	for _, f := range src.DSCLists {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		l, err := ImportDSCList(data)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		addList(f, l)
	}
	for _, f := range src.TrustLists {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		l, err := ImportTrustList(data, src.ListKey, src.Options)
		if err != nil {
			return fmt.Errorf("%s: refused, nothing from it trusted: %w", f, err)
		}
		addList(f, l)
	}
	issuers, err := ParseIssuerFiles(src.JWKS)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(issuers))
	for iss := range issuers {
		names = append(names, iss)
	}
	sort.Strings(names)
	for _, iss := range names {
		es, rs, err := ImportIssuerDir(iss, issuers[iss])
		if err != nil {
			return err
		}
		b.AddKeys(es...)
		b.Revocations = append(b.Revocations, rs...)
	}
	for _, f := range src.Revocations {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		rs, err := ParseRevocations(data)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		b.Revocations = append(b.Revocations, rs...)
	}
	return nil
}

// ReadRuleSets reads `NAME=FILE` arguments (`chot trust build --rules`)
// into rule sets, in the order the names first appear; the files of one
// name are joined. Every rule is checked (SplitRules).
func ReadRuleSets(args []string) ([]RuleSet, error) {
	var sets []RuleSet
	index := map[string]int{}
	for _, f := range args {
		name, path, ok := strings.Cut(f, "=")
		if !ok || name == "" || path == "" {
			return nil, fmt.Errorf("--rules %q: want NAME=FILE", f)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		rs, err := SplitRules(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		i, ok := index[name]
		if !ok {
			i = len(sets)
			index[name] = i
			sets = append(sets, RuleSet{Name: name})
		}
		sets[i].Rules = append(sets[i].Rules, rs...)
	}
	return sets, nil
}
