package vdsnc

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/chot-dev/chot/verify"
)

// ErrCRL means a CRL is unusable: malformed, or signed by no CSCA given.
var ErrCRL = errors.New("vdsnc: CRL")

// CRL is a CSCA's revocation list, checked.
type CRL struct {
	// CSCA is the key that signed it.
	CSCA *verify.Key
	// Revocations are its entries: kind serial under the CSCA's kid.
	Revocations []verify.Revocation
	ThisUpdate  time.Time
	NextUpdate  time.Time
}

// Stale reports whether the CRL is past its nextUpdate at now. A stale CRL
// is still used (revoked stays revoked); the caller warns.
func (c *CRL) Stale(now time.Time) bool { return !c.NextUpdate.IsZero() && now.After(c.NextUpdate) }

// ParseCRL reads a CRL (DER or PEM) and checks its signature against the
// CSCA it names (authority key identifier) among cscas: a CRL no trusted
// CSCA signed is refused, since it could only remove trust it pretends to
// hold. Japan's CSCA has explicit curve parameters, so the signature is
// checked with the key alone.
func ParseCRL(data []byte, cscas []*verify.Key) (*CRL, error) {
	if b, _ := pem.Decode(data); b != nil && b.Type == "X509 CRL" {
		data = b.Bytes
	}
	rl, err := x509.ParseRevocationList(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCRL, err)
	}
	var signer *verify.Key
	var firstErr error
	for _, k := range cscas {
		if k.Format != verify.FormatVDSNC || (len(rl.AuthorityKeyId) > 0 && !bytes.Equal(k.Kid, rl.AuthorityKeyId)) {
			continue
		}
		anchor := &x509.Certificate{PublicKey: k.Public}
		if err := anchor.CheckSignature(rl.SignatureAlgorithm, rl.RawTBSRevocationList, rl.Signature); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		signer = k
		break
	}
	if signer == nil {
		if firstErr != nil {
			return nil, fmt.Errorf("%w: signature does not verify with its CSCA: %w", ErrCRL, firstErr)
		}
		return nil, fmt.Errorf("%w: no CSCA given with key id %x", ErrCRL, rl.AuthorityKeyId)
	}
	out := &CRL{CSCA: signer, ThisUpdate: rl.ThisUpdate, NextUpdate: rl.NextUpdate}
	for _, e := range rl.RevokedCertificateEntries {
		out.Revocations = append(out.Revocations, verify.Revocation{
			Format: verify.FormatVDSNC, Kid: signer.Kid, Kind: KindSerial, Value: e.SerialNumber.Bytes(),
		})
	}
	return out, nil
}
