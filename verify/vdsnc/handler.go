// Package vdsnc verifies ICAO Visible Digital Seals for non-constrained
// environments (VDS-NC, ICAO Doc 9303 and the VDS-NC guide): the JSON seal
// Australia and Japan put in their vaccination and test certificates.
//
// The QR holds {"data": {"hdr": {"is", "t", "v"}, "msg": {...}}, "sig":
// {"alg", "cer", "sigvl"}}. The signature (ES256/384/512, raw r‖s) is over
// the RFC 8785 (JCS) canonical form of data, by the barcode signer
// certificate (BSC) in cer, which must carry the extended key usage
// 2.23.136.1.1.14.2 and chain to a trusted country signing CA (CSCA): the
// BSC's authority key identifier names the CSCA (the kid of a vdsnc key),
// whose key must verify the BSC. Types icao.vacc (vaccination) and icao.test.
//
// CSCAs are trust anchors, held as keys of format vdsnc (KeyFromCSCA); a
// CSCA Go's x509 refuses, such as Japan's with explicit P-384 parameters, is
// read by hand (ParseCSCA). CRLs (ParseCRL) become revocation entries of
// kind "serial".
package vdsnc

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chot-dev/chot/verify"
)

// Types of seal chot reads.
const (
	TypeVacc = "icao.vacc"
	TypeTest = "icao.test"
)

// KindSerial is the revocation kind of a CSCA's CRL: the BSC's serial
// number (big-endian bytes), under the CSCA's kid.
const KindSerial = "serial"

// EKUHealthSigner is the extended key usage of a health BSC.
var EKUHealthSigner = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 14, 2}

// Handler verifies VDS-NC seals. It is safe for concurrent use; its only
// state is a bounded cache of the barcode signer certificates each trusted
// CSCA key has verified.
type Handler struct {
	chains chains
}

var _ verify.Handler = (*Handler)(nil)
var _ verify.StepsHandler = (*Handler)(nil)

// RequiredSteps implements verify.StepsHandler: every step of the seal.
func (*Handler) RequiredSteps() []verify.Step {
	return []verify.Step{verify.StepUnprefix, verify.StepDecode, verify.StepSchema, verify.StepSignature,
		verify.StepKeyUsage, verify.StepValidity, verify.StepRevocation}
}

// New returns the VDS-NC handler.
func New() *Handler { return &Handler{} }

// Format implements verify.Handler.
func (*Handler) Format() verify.Format { return verify.FormatVDSNC }

// Detect implements verify.Handler: a JSON object with data, hdr and sig.
func (*Handler) Detect(text string) bool {
	return strings.HasPrefix(text, "{") && len(text) <= MaxLen &&
		strings.Contains(text, `"sig"`) && strings.Contains(text, `"hdr"`) && strings.Contains(text, `"data"`)
}

// Verify implements verify.Handler.
func (h *Handler) Verify(texts []string, trust verify.TrustStore, now time.Time) verify.Result {
	var res verify.Result
	res.Format = verify.FormatVDSNC
	if len(texts) != 1 {
		res.Fail(verify.StepUnprefix, verify.ReasonBadPrefix, "a VDS-NC is one code")
		return res
	}
	res.Mark(verify.StepUnprefix, verify.Pass)
	s, d, err := parseSeal(texts[0])
	if err != nil {
		res.Fail(verify.StepDecode, verify.ReasonBadPayload, err.Error())
		return res
	}
	der, err := decodeB64URL(s.Sig.Cer)
	var bsc *x509.Certificate
	if err == nil {
		bsc, err = x509.ParseCertificate(der)
	}
	if err != nil {
		res.Fail(verify.StepDecode, verify.ReasonBadPayload, "sig.cer is no certificate: "+err.Error())
		return res
	}
	res.Mark(verify.StepDecode, verify.Pass)
	res.Issuer = d.Hdr.Is
	res.Kid = bsc.AuthorityKeyId
	res.Credential = credential(d)
	res.Claims = map[string]any{"hdr": map[string]any{"is": d.Hdr.Is, "t": d.Hdr.T}, "msg": d.Msg}
	if err := checkShape(d); err != nil {
		res.Fail(verify.StepSchema, verify.ReasonBadSchema, err.Error())
	} else {
		res.Mark(verify.StepSchema, verify.Pass)
	}

	csca := h.checkChain(&res, s, bsc, trust)
	checkUsage(&res, d, bsc, csca)
	checkValidity(&res, bsc, csca, now)
	q := verify.RevocationQuery{Format: verify.FormatVDSNC, Issuer: d.Hdr.Is, Kid: bsc.AuthorityKeyId,
		Kind: KindSerial, Value: bsc.SerialNumber.Bytes()}
	if trust.Revoked(q) {
		res.Fail(verify.StepRevocation, verify.ReasonRevoked, "the barcode signer is on its CSCA's CRL")
	} else {
		res.Mark(verify.StepRevocation, verify.Pass)
	}
	return res
}

// checkChain verifies the seal with the BSC and the BSC with a trusted
// CSCA named by its authority key identifier. It returns the CSCA that
// verified, or nil.
func (h *Handler) checkChain(res *verify.Result, s *seal, bsc *x509.Certificate, trust verify.TrustStore) *verify.Key {
	if err := checkSealSignature(s, bsc); err != nil {
		res.Fail(verify.StepSignature, verify.ReasonBadSignature, err.Error())
		return nil
	}
	if len(bsc.AuthorityKeyId) == 0 {
		res.Fail(verify.StepSignature, verify.ReasonUnknownKey, "the barcode signer names no CSCA (no authority key identifier)")
		return nil
	}
	keys := trust.Keys(verify.FormatVDSNC, res.Issuer, bsc.AuthorityKeyId)
	id := sha256.Sum256(bsc.Raw)
	return res.CheckSignature(keys, fmt.Sprintf("no trusted CSCA with key id %x", bsc.AuthorityKeyId), func(k *verify.Key) error {
		if h.chains.verified(id, k) {
			return nil
		}
		anchor := &x509.Certificate{PublicKey: k.Public}
		if err := anchor.CheckSignature(bsc.SignatureAlgorithm, bsc.RawTBSCertificate, bsc.Signature); err != nil {
			return fmt.Errorf("the barcode signer is not signed by the CSCA: %w", err)
		}
		h.chains.add(id, k)
		return nil
	})
}

// checkUsage requires the health-signer EKU and binds the seal's issuing
// country to the BSC's and the CSCA's.
func checkUsage(res *verify.Result, d *sealData, bsc *x509.Certificate, csca *verify.Key) {
	if !slices.ContainsFunc(bsc.UnknownExtKeyUsage, EKUHealthSigner.Equal) {
		res.Fail(verify.StepKeyUsage, verify.ReasonKeyUsage, "the barcode signer lacks the health EKU 2.23.136.1.1.14.2")
		return
	}
	is := d.Hdr.Is
	if len(bsc.Subject.Country) > 0 && Alpha3(bsc.Subject.Country[0]) != is {
		res.Fail(verify.StepKeyUsage, verify.ReasonKeyUsage,
			fmt.Sprintf("seal issued by %s, signer of %s", is, bsc.Subject.Country[0]))
		return
	}
	if csca != nil && csca.Issuer != "" && csca.Issuer != is {
		res.Fail(verify.StepKeyUsage, verify.ReasonKeyUsage, fmt.Sprintf("seal issued by %s, CSCA of %s", is, csca.Issuer))
		return
	}
	res.Mark(verify.StepKeyUsage, verify.Pass)
}

// checkValidity requires now within the BSC's and the CSCA's validity: the
// seal states no signing time.
func checkValidity(res *verify.Result, bsc *x509.Certificate, csca *verify.Key, now time.Time) {
	switch {
	case now.Before(bsc.NotBefore):
		res.Fail(verify.StepValidity, verify.ReasonNotYetValid, "the barcode signer is not valid yet")
	case now.After(bsc.NotAfter):
		res.Fail(verify.StepValidity, verify.ReasonExpired, "the barcode signer expired "+bsc.NotAfter.Format(time.DateOnly))
	case csca != nil && !csca.NotBefore.IsZero() && now.Before(csca.NotBefore):
		res.Fail(verify.StepValidity, verify.ReasonNotYetValid, "the CSCA is not valid yet")
	case csca != nil && !csca.NotAfter.IsZero() && now.After(csca.NotAfter):
		res.Fail(verify.StepValidity, verify.ReasonExpired, "the CSCA expired "+csca.NotAfter.Format(time.DateOnly))
	default:
		res.Mark(verify.StepValidity, verify.Pass)
	}
}

// ErrShape means the seal's data lacks what its type needs.
var ErrShape = errors.New("vdsnc: seal data lacks required fields")

func checkShape(d *sealData) error {
	if len(d.Hdr.Is) != 3 {
		return fmt.Errorf("%w: hdr.is %q is not an alpha-3 code", ErrShape, d.Hdr.Is)
	}
	if string(d.Hdr.V) != "1" {
		return fmt.Errorf("%w: hdr.v %s, want 1", ErrShape, d.Hdr.V)
	}
	if d.Msg == nil {
		return fmt.Errorf("%w: no msg", ErrShape)
	}
	switch d.Hdr.T {
	case TypeVacc:
		ve, _ := d.Msg["ve"].([]any)
		if _, ok := d.Msg["uvci"].(string); !ok || len(ve) == 0 {
			return fmt.Errorf("%w: icao.vacc wants uvci and ve", ErrShape)
		}
	case TypeTest:
		if _, ok := d.Msg["utci"].(string); !ok {
			return fmt.Errorf("%w: icao.test wants utci", ErrShape)
		}
	default:
		return fmt.Errorf("%w: type %q (want icao.vacc or icao.test)", ErrShape, d.Hdr.T)
	}
	if _, ok := d.Msg["pid"].(map[string]any); !ok {
		return fmt.Errorf("%w: no pid", ErrShape)
	}
	return nil
}
