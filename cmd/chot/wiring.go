package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/chot-dev/chot/scanner"
	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/dcc"
	"github.com/chot-dev/chot/verify/shc"
	"github.com/chot-dev/chot/verify/trust"
)

// newVerifier is the verifier every command uses: the same formats, in the
// same order, as chotd.
func newVerifier() *verify.Verifier { return verify.New(dcc.New(), shc.New()) }

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
}

// loadTrust builds the trust store from the flags: a signed bundle, loose
// keys, or both merged.
func loadTrust(f trustFlags, now time.Time) (verify.TrustStore, error) {
	var stores []*trust.Store
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
	if len(stores) == 0 {
		return verify.EmptyTrust{}, nil
	}
	return trust.Merge(stores...), nil
}
