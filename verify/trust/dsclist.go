package trust

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chot-dev/chot/verify"
)

// Skipped is one entry of a trust list an importer left out, and why. The
// rest of the list is still taken: one bad entry never voids a list.
type Skipped struct {
	// Index is the entry's position in the list, from 0.
	Index   int    `json:"index"`
	Kid     string `json:"kid,omitempty"`
	Country string `json:"country,omitempty"`
	Reason  string `json:"reason"`
}

// Signature states of an imported list (ListImport.Signature).
const (
	ListVerified   = "verified"    // checked against a pinned list-signing key
	ListUnsigned   = "unsigned"    // no signature; taken because the operator said so
	ListNotChecked = "not_checked" // a signature line was present and ignored (--dsc-list)
)

// ListImport is what an importer took from one trust list.
type ListImport struct {
	// Kind names the list's format: KindDSCList, KindGatewayDSCList, or a
	// kind registered with RegisterTrustListKind.
	Kind string `json:"kind"`
	// Signature is ListVerified, ListUnsigned or ListNotChecked.
	Signature string `json:"signature"`
	// SignedBy is the fingerprint (KeyFingerprint) of the key that verified
	// the list's signature, when it was verified.
	SignedBy string     `json:"signed_by,omitempty"`
	Keys     []KeyEntry `json:"-"`
	Skipped  []Skipped  `json:"skipped,omitempty"`
}

// Source is the bundle's record of where its keys came from: one per list
// imported, so that a device and `chot trust inspect` can say how many keys
// each list gave, how many it skipped, and whether its signature was checked.
func (l *ListImport) Source(name string) SourceEntry {
	return SourceEntry{Name: name, Kind: l.Kind, Signature: l.Signature, SignedBy: l.SignedBy,
		Taken: len(l.Keys), Skipped: len(l.Skipped)}
}

// Kinds of trust list built in.
const (
	KindDSCList        = "dsc-list"          // {"certificates":[…]} or the bare array, no signature
	KindGatewayDSCList = "de-gateway-signed" // the German gateway's base64 r‖s line, then the JSON
)

// dscList is a DCC signer list as national backends publish it (the German
// trust list, the EU gateway's /trustList/DSC).
type dscList struct {
	Certificates []dscListEntry `json:"certificates"`
}

type dscListEntry struct {
	Kid             string `json:"kid"`
	Country         string `json:"country"`
	RawData         string `json:"rawData"`
	CertificateType string `json:"certificateType"`
}

// ParseDSCList reads a DCC signer list as ImportDSCList does and returns its
// keys. Entries that cannot be used are skipped; use ImportDSCList to learn
// which and why. A signature line before the JSON (as the German list has
// it) is skipped, not checked: use ImportGatewayList to check it.
func ParseDSCList(data []byte) ([]KeyEntry, error) {
	l, err := ImportDSCList(data)
	if err != nil {
		return nil, err
	}
	return l.Keys, nil
}

// ImportDSCList reads a DCC signer list {"certificates":[{"kid", "country",
// "rawData", "certificateType", …}]}, or the bare array as the EU gateway's
// /trustList answers it. rawData is the base64 DER. Entries whose
// certificateType is set and is not "DSC" are left out silently (CSCAs,
// upload certificates). An entry whose rawData does not decode or parse, or
// whose kid is not DCCKid(rawData), is skipped and reported in Skipped; the
// others are taken. Several entries may share a kid: each is kept, and the
// verifier tries each. The error wraps ErrImport: JSON that does not parse,
// or a list with DSC entries none of which is usable.
//
// A signature line before the JSON is skipped, not checked (Signature
// ListNotChecked); without one, Signature is ListUnsigned.
func ImportDSCList(data []byte) (*ListImport, error) {
	data = bytes.TrimSpace(data)
	l := &ListImport{Kind: KindDSCList, Signature: ListUnsigned}
	if len(data) > 0 && data[0] != '{' && data[0] != '[' {
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = bytes.TrimSpace(data[i+1:])
			l.Signature = ListNotChecked
		}
	}
	var list dscList
	var err error
	if len(data) > 0 && data[0] == '[' {
		err = json.Unmarshal(data, &list.Certificates)
	} else {
		err = json.Unmarshal(data, &list)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: DSC list: %w", ErrImport, err)
	}
	dscs := 0
	for i, c := range list.Certificates {
		if c.CertificateType != "" && !strings.EqualFold(c.CertificateType, "DSC") {
			continue
		}
		dscs++
		e, why := dscEntry(c)
		if why != "" {
			l.Skipped = append(l.Skipped, Skipped{Index: i, Kid: c.Kid, Country: c.Country, Reason: why})
			continue
		}
		l.Keys = append(l.Keys, e)
	}
	if dscs == 0 && len(list.Certificates) > 0 {
		return nil, fmt.Errorf("%w: DSC list has no DSC entries", ErrImport)
	}
	if dscs > 0 && len(l.Keys) == 0 {
		return nil, fmt.Errorf("%w: DSC list: none of its %d DSCs is usable (first: entry %d, kid %s: %s)",
			ErrImport, dscs, l.Skipped[0].Index, l.Skipped[0].Kid, l.Skipped[0].Reason)
	}
	return l, nil
}

// dscEntry turns one list entry into a key entry, or says why not.
func dscEntry(c dscListEntry) (KeyEntry, string) {
	der, err := base64.StdEncoding.DecodeString(c.RawData)
	if err != nil {
		return KeyEntry{}, fmt.Sprintf("rawData is not base64: %v", err)
	}
	k, err := KeyFromDSC(der, c.Country)
	if err != nil {
		return KeyEntry{}, err.Error()
	}
	if c.Kid != "" {
		kid, err := base64.StdEncoding.DecodeString(c.Kid)
		if err != nil || !bytes.Equal(kid, k.Kid) {
			return KeyEntry{}, fmt.Sprintf("kid %s, but the certificate's is %s", c.Kid, base64.StdEncoding.EncodeToString(k.Kid))
		}
	}
	return KeyEntry{Format: verify.FormatDCC, Issuer: k.Issuer, Kid: k.Kid, Cert: der}, ""
}
