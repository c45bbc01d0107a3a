package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/trust"
)

// formatFlags are the trust files of the formats beyond the DCC and SHC:
// ICAO VDS-NC country signing CAs and their CRLs, and DIVOC keys. `chot
// verify` and `chot trust build` take them.
type formatFlags struct {
	cscas, crls, keys multiFlag
}

// register adds --csca, --crl and the DIVOC key flag (keyFlag: "key" for
// verify, "divoc-key" for trust build, whose --key is the root key).
func (f *formatFlags) register(fs *flag.FlagSet, keyFlag string) {
	fs.Var(&f.cscas, "csca", "trust this ICAO country signing CA (DER or PEM) for VDS-NC seals; repeatable")
	fs.Var(&f.crls, "crl", "apply this CRL of a --csca (DER or PEM; its signature must verify with that CSCA); repeatable")
	fs.Var(&f.keys, keyFlag, "trust this DIVOC signer: VERIFICATION_METHOD=FILE (did:india=india.pem; a PEM public key or certificate), "+
		"bound to that method only; repeatable")
}

func (f *formatFlags) files() trust.FormatFiles {
	return trust.FormatFiles{CSCAs: f.cscas, CRLs: f.crls, DIVOCKeys: f.keys}
}

func (f *formatFlags) empty() bool { return f.files().Empty() }

// entries imports the files, warning of a stale CRL on warn.
func (f *formatFlags) entries(now time.Time, warn io.Writer) ([]trust.KeyEntry, []trust.RevocationEntry, error) {
	return f.files().Import(now, func(msg string) {
		if warn != nil {
			fmt.Fprintf(warn, "chot: warning: %s\n", msg)
		}
	})
}

// addTo merges the files' keys into the store `chot verify` built.
func (f *formatFlags) addTo(s verify.TrustStore, now time.Time, warn io.Writer) (verify.TrustStore, error) {
	if f.empty() {
		return s, nil
	}
	keys, revs, err := f.entries(now, warn)
	if err != nil {
		return nil, err
	}
	own, err := trust.NewStore(&trust.Bundle{Keys: keys, Revocations: revs})
	if err != nil {
		return nil, err
	}
	switch x := s.(type) {
	case *trust.Store:
		return trust.Merge(x, own), nil
	case verify.EmptyTrust:
		return own, nil
	}
	return nil, fmt.Errorf("cannot merge the VDS-NC and DIVOC keys with a %T", s)
}

// addToBundle imports the files into a bundle being built.
func (f *formatFlags) addToBundle(b *trust.Bundle, now time.Time, warn io.Writer) error {
	if f.empty() {
		return nil
	}
	keys, revs, err := f.entries(now, warn)
	if err != nil {
		return err
	}
	b.Keys = append(b.Keys, keys...)
	b.Revocations = append(b.Revocations, revs...)
	return nil
}

// sigNone is the signature state of a code that carries none (a CCCD).
const sigNone = "none"

// displayText is the scanned text as `chot verify --json` echoes it. A
// CCCD's is the holder's name, birth date and address: only the ID number
// is shown, as the pass log keeps only its keyed hash.
func displayText(f verify.Format, text string) string {
	if f != verify.FormatCCCD {
		return text
	}
	id, _, _ := strings.Cut(text, "|")
	return id + "|(name, birth date, address withheld)"
}
