package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/chot-dev/chot/scanner"
	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/formats"
	"github.com/chot-dev/chot/verify/trust"
)

// newVerifier is the verifier every command uses: the same formats, in the
// same order, as chotd.
func newVerifier() *verify.Verifier { return formats.New() }

// decodeImageFile returns the codes in a picture; none is not an error (the
// verdict is no_qr).
func decodeImageFile(path string) ([]string, error) {
	codes, err := scanner.DecodeFile(path)
	if errors.Is(err, scanner.ErrNoCode) {
		return nil, nil
	}
	return codes, err
}

// trustFlags are the trust sources `chot verify` takes.
type trustFlags struct {
	certs, dscLists, jwks []string
	bundle, root          string
	// trustLists are published lists whose signature is checked against
	// the keys in trustListKey (a file); allowUnsigned takes one without.
	trustLists    []string
	trustListKey  string
	allowUnsigned bool
	reportTo      io.Writer // where what each list gave is said; nil: nowhere
	// valueSets is a folder of EU value set files.
	valueSets string
}

// loadTrust builds the trust store from the flags: a signed bundle, loose
// keys, or both merged. What each list gave and skipped goes to f.reportTo.
func loadTrust(f trustFlags, now time.Time) (verify.TrustStore, error) {
	var stores []*trust.Store
	if len(f.dscLists)+len(f.trustLists) > 0 {
		key, err := readListKey(f.trustListKey, len(f.trustLists) > 0)
		if err != nil {
			return nil, err
		}
		s, reports, err := trust.LoadLists(f.dscLists, f.trustLists, key, trust.TrustListOptions{AllowUnsigned: f.allowUnsigned})
		if errors.Is(err, trust.ErrListUnsigned) {
			return nil, fmt.Errorf("refused, nothing from it trusted: %w (--trustlist-unsigned takes it on your word)", err)
		}
		if err != nil {
			return nil, fmt.Errorf("refused, nothing from it trusted: %w", err)
		}
		if f.reportTo != nil {
			for _, r := range reports {
				printListReport(f.reportTo, r.File, r.ListImport)
			}
		}
		stores = append(stores, s)
		f.dscLists = nil
	}
	if f.bundle != "" {
		if f.root == "" {
			return nil, fmt.Errorf("--trust needs --root, the root public key the bundle is signed by")
		}
		s, err := trust.LoadBundleFile(f.bundle, f.root, now)
		if err != nil {
			return nil, err
		}
		stores = append(stores, s)
	} else if f.root != "" {
		return nil, fmt.Errorf("--root without --trust")
	}
	if len(f.certs)+len(f.dscLists)+len(f.jwks) > 0 {
		issuers, err := trust.ParseIssuerFiles(f.jwks)
		if err != nil {
			return nil, err
		}
		s, err := trust.LoadKeys(f.certs, f.dscLists, issuers)
		if err != nil {
			return nil, err
		}
		stores = append(stores, s)
	}
	if f.valueSets != "" {
		s, err := trust.LoadValueSets(f.valueSets)
		if err != nil {
			return nil, err
		}
		stores = append(stores, s)
	}
	if len(stores) == 0 {
		return verify.EmptyTrust{}, nil
	}
	return trust.Merge(stores...), nil
}

// readListKey reads the --trustlist-key file; "" is no key (nil).
func readListKey(path string, lists bool) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	if !lists {
		return nil, fmt.Errorf("--trustlist-key without --trustlist")
	}
	return os.ReadFile(path)
}

// printListReport says what one trust list gave: its kind, whether its
// signature was checked, how many keys were taken and which entries were
// skipped, and why.
func printListReport(w io.Writer, file string, l *trust.ListImport) {
	sig := "signature verified with key " + l.SignedBy
	switch l.Signature {
	case trust.ListUnsigned:
		sig = "UNSIGNED, taken on the operator's word"
	case trust.ListNotChecked:
		sig = "signature NOT CHECKED"
	}
	fmt.Fprintf(w, "chot: trust list %s: %s, %s: %d taken, %d skipped\n", file, l.Kind, sig, len(l.Keys), len(l.Skipped))
	for _, sk := range l.Skipped {
		fmt.Fprintf(w, "chot:   skipped entry %d, kid %s, country %s: %s\n", sk.Index, orDash(sk.Kid), orDash(sk.Country), sk.Reason)
	}
}
