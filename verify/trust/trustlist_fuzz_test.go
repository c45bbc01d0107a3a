package trust

import (
	"bytes"
	"path/filepath"
	"testing"
)

// FuzzImportTrustList feeds published trust lists, mangled, to the
// importer with the DEMO key: it must never panic, never call a list
// verified unless the signature checks, and every key it takes must parse.
// Seeds: the German gateway's signed lists and an unsigned one.
func FuzzImportTrustList(f *testing.F) {
	key := readFile(f, demoKey)
	for _, name := range []string{"DEMO-CA-dsc.signed.6a5457e9.json", "PROD_RKI-dsc.signed.5da6a808.json"} {
		f.Add(readFile(f, filepath.Join(covpass, name)), false)
	}
	f.Add([]byte(`{"certificates":[{"kid":"AAAAAAAAAAA=","country":"XX","rawData":"MAo=","certificateType":"DSC"}]}`), true)
	f.Fuzz(func(t *testing.T, data []byte, unsigned bool) {
		l, err := ImportTrustList(data, key, TrustListOptions{AllowUnsigned: unsigned})
		if err != nil {
			return
		}
		if l.Signature == ListVerified {
			if err := gatewaySignatureOK(data, key); err != nil {
				t.Fatalf("verified, but the signature does not check: %v", err)
			}
		} else if !unsigned {
			t.Fatalf("an unverified list (%s) taken without AllowUnsigned", l.Signature)
		}
		for i := range l.Keys {
			if _, err := l.Keys[i].Key(); err != nil {
				t.Fatalf("key %d does not parse: %v", i, err)
			}
		}
	})
}

// gatewaySignatureOK re-checks a gateway list's signature the long way.
func gatewaySignatureOK(data, key []byte) error {
	_, err := ImportGatewayList(bytes.Clone(data), key)
	return err
}
