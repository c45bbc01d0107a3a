package trust

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/big"
)

// The German DSC gateway (de.dscg.ubirch.com for the RKI, de.test.dscg…
// for the acceptance gateway) publishes its list as two lines:
//
//	<base64 of the 64-byte ECDSA P-256 signature r‖s (IEEE P1363)>\n<JSON list>[\n]
//
// The signature is over exactly the bytes of the JSON line (SHA-256), not
// the line feeds. Apps pin the gateway's list-signing key.

// isGatewayList reports whether data is a line that is not JSON, then JSON.
func isGatewayList(data []byte) bool {
	sig, rest, ok := bytes.Cut(data, []byte("\n"))
	if !ok {
		return false
	}
	sig = bytes.TrimSpace(sig)
	rest = bytes.TrimSpace(rest)
	// The signature line is judged by the import, so that a damaged one is
	// a failed signature rather than an unknown format.
	return len(sig) > 0 && sig[0] != '{' && sig[0] != '[' && len(rest) > 0 && (rest[0] == '{' || rest[0] == '[')
}

// ImportGatewayList checks the German gateway's signed DSC list against the
// pinned keys (PEM, as ParseListKeys reads them) and imports it as
// ImportDSCList does. A signature that does not verify with any key, a
// signature line that is not 64 bytes, or more than two lines is
// ErrListSignature: nothing is taken.
func ImportGatewayList(data, keyPEM []byte) (*ListImport, error) {
	keys, err := ParseListKeys(keyPEM)
	if err != nil {
		return nil, err
	}
	sigLine, body, ok := bytes.Cut(data, []byte("\n"))
	if !ok {
		return nil, fmt.Errorf("%w: no signature line", ErrListSignature)
	}
	sigLine = bytes.TrimSuffix(sigLine, []byte("\r"))
	// The JSON line as signed: without the trailing line feed, if any.
	body = bytes.TrimSuffix(body, []byte("\n"))
	if bytes.IndexByte(body, '\n') >= 0 {
		return nil, fmt.Errorf("%w: more than two lines", ErrListSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(string(sigLine))
	if err != nil || len(sig) != 64 {
		return nil, fmt.Errorf("%w: the signature line is not 64 bytes of base64 (r‖s)", ErrListSignature)
	}
	digest := sha256.Sum256(body)
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	for _, k := range keys {
		pub, ok := k.(*ecdsa.PublicKey)
		if !ok || pub.Curve.Params().BitSize != 256 {
			continue
		}
		if ecdsa.Verify(pub, digest[:], r, s) {
			l, err := ImportDSCList(body)
			if err != nil {
				return nil, err
			}
			l.Kind, l.Signature, l.SignedBy = KindGatewayDSCList, ListVerified, KeyFingerprint(pub)
			return l, nil
		}
	}
	fps := make([]string, len(keys))
	for i, k := range keys {
		fps[i] = KeyFingerprint(k)
	}
	return nil, fmt.Errorf("%w: the German gateway list's ECDSA P-256 signature fails with key %v (wrong key, or the list was altered)", ErrListSignature, fps)
}

// importGatewayList is the registered form of ImportGatewayList: without a
// key it cannot check the signature, so it refuses unless unsigned lists are
// allowed, and then marks the import unsigned.
func importGatewayList(data, key []byte, opts TrustListOptions) (*ListImport, error) {
	if key == nil {
		if !opts.AllowUnsigned {
			return nil, fmt.Errorf("%w: the German gateway list is signed, but no --trustlist-key was given to check it", ErrListUnsigned)
		}
		l, err := ImportDSCList(data)
		if err != nil {
			return nil, err
		}
		l.Kind, l.Signature = KindGatewayDSCList, ListUnsigned
		return l, nil
	}
	return ImportGatewayList(data, key)
}
