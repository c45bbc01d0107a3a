package trust

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// FormatFiles are the trust files of the formats beyond the DCC and SHC:
// ICAO VDS-NC country signing CAs and their CRLs, and DIVOC signer keys.
type FormatFiles struct {
	// CSCAs are ICAO country signing CA files (DER or PEM).
	CSCAs []string
	// CRLs are CRLs of those CSCAs (DER or PEM); each must verify with one.
	CRLs []string
	// DIVOCKeys are VERIFICATION_METHOD=FILE (did:india=india.pem): a DIVOC
	// key is bound to the one verification method it signs as.
	DIVOCKeys []string
}

// Empty reports whether f names no file.
func (f FormatFiles) Empty() bool { return len(f.CSCAs)+len(f.CRLs)+len(f.DIVOCKeys) == 0 }

// Import reads the files. Any file that cannot be read or parsed fails the
// whole import. A CRL past its next update is still applied (its entries
// stay revoked) and passed to warn, if set, with a message.
func (f FormatFiles) Import(now time.Time, warn func(msg string)) ([]KeyEntry, []RevocationEntry, error) {
	var keys []KeyEntry
	for _, file := range f.CSCAs {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, nil, err
		}
		es, err := ImportCSCAs(data, "")
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", file, err)
		}
		keys = append(keys, es...)
	}
	var revs []RevocationEntry
	for _, file := range f.CRLs {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, nil, err
		}
		e, crl, err := ImportCRL(data, keys)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", file, err)
		}
		if crl.Stale(now) && warn != nil {
			warn(fmt.Sprintf("CRL %s of %s is stale: next update was %s (applied anyway: %d serials)",
				file, e.Issuer, crl.NextUpdate.UTC().Format(time.DateOnly), len(e.Values)))
		}
		if len(e.Values) > 0 {
			revs = append(revs, e)
		}
	}
	for _, arg := range f.DIVOCKeys {
		method, file, ok := strings.Cut(arg, "=")
		if !ok || !strings.HasPrefix(method, "did:") || file == "" {
			return nil, nil, fmt.Errorf("DIVOC key %q: want VERIFICATION_METHOD=FILE (did:india=india.pem): "+
				"a DIVOC key is bound to the verification method it signs as", arg)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, nil, err
		}
		e, err := ImportDIVOCKey(method, data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", file, err)
		}
		keys = append(keys, e)
	}
	return keys, revs, nil
}
