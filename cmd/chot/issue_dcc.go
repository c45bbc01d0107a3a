package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/dcc/dccmint"
	"github.com/chot-dev/chot/verify/trust"
)

// cmdIssueDCC mints an EU Digital COVID Certificate for tests and demos:
//
//	chot issue dcc --key dsc-key.pem --cert dsc.pem --gen-key --type vaccination \
//	    --dose 2/2 --png pass.png
func cmdIssueDCC(_ context.Context, e *env, args []string) int {
	f := newFlags(e, "issue dcc")
	var (
		keyFile, certFile, typ, country, iatText, expText string
		dose, dateText, name, dob, uci, testKind, pngFile string
		ekuText, out, forgeKid                            string
		genKey, positive                                  bool
		scale                                             int
	)
	f.StringVar(&keyFile, "key", "", "the signer's P-256 private key (PEM); required")
	f.StringVar(&certFile, "cert", "", "the signer's certificate (DSC, PEM); required")
	f.BoolVar(&genKey, "gen-key", false, "create --key and a self-signed --cert if they do not exist")
	f.StringVar(&ekuText, "eku", "", "with --gen-key: types the new DSC may sign, comma-separated (default: any)")
	f.StringVar(&typ, "type", "vaccination", "vaccination, test or recovery")
	f.StringVar(&country, "country", "XX", "issuing country (iss and co)")
	f.StringVar(&iatText, "iat", "", "issue time (RFC 3339); default now")
	f.StringVar(&expText, "exp", "", "expiry time (RFC 3339); default iat + 365 days")
	f.StringVar(&dose, "dose", "2/2", "vaccination: dose N of M")
	f.StringVar(&dateText, "date", "", "vaccination date, test sample time or first positive test; default a day before iat")
	f.StringVar(&name, "name", "Erika Mustermann", "holder's name: given names, then the family name last")
	f.StringVar(&dob, "dob", "1970-01-01", "holder's birth date, YYYY-MM-DD")
	f.StringVar(&uci, "uci", "", "unique certificate identifier; default a random URN:UVCI")
	f.StringVar(&testKind, "test-kind", "rat", "test: naat (PCR) or rat (antigen)")
	f.BoolVar(&positive, "positive", false, "test: the result is positive")
	f.StringVar(&pngFile, "png", "", "also write the QR code as a PNG to this file")
	f.IntVar(&scale, "scale", 4, "with --png: pixels per QR module")
	f.StringVar(&out, "out", "", "write the HC1: text to this file instead of stdout")
	f.StringVar(&forgeKid, "forge-kid", "", "make a forgery: name this other certificate's kid while signing with --key (for tests and the demo)")
	if c := parseFlags(f, args); c >= 0 {
		return c
	}
	if keyFile == "" || certFile == "" {
		return fail(e, "issue dcc: --key and --cert are required")
	}
	now := e.now()
	iat, err := optTime(iatText, now)
	if err != nil {
		return fail(e, "issue dcc: --iat: %v", err)
	}
	exp, err := optTime(expText, iat.AddDate(0, 0, 365))
	if err != nil {
		return fail(e, "issue dcc: --exp: %v", err)
	}
	date, err := optTime(dateText, iat.AddDate(0, 0, -1))
	if err != nil {
		return fail(e, "issue dcc: --date: %v", err)
	}
	key, err := loadOrCreateKey(keyFile, genKey)
	if err != nil {
		return fail(e, "issue dcc: %v", err)
	}
	der, err := loadOrCreateDSC(certFile, genKey, key, country, now, ekuText)
	if err != nil {
		return fail(e, "issue dcc: %v", err)
	}
	if uci == "" {
		b := make([]byte, 12)
		rand.Read(b)
		uci = "URN:UVCI:01:" + country + ":" + strings.ToUpper(hex.EncodeToString(b))
	}
	h := dccmint.Holder{DateOfBirth: dob}
	if words := strings.Fields(name); len(words) > 0 {
		h.Family, h.Given = words[len(words)-1], strings.Join(words[:len(words)-1], " ")
	}
	const issuer = "chot test issuer"
	var p dccmint.Payload
	switch typ {
	case "vaccination":
		n, m, ok := strings.Cut(dose, "/")
		dn, err1 := strconv.Atoi(n)
		sd, err2 := strconv.Atoi(m)
		if !ok || err1 != nil || err2 != nil || dn < 1 || sd < 1 {
			return fail(e, "issue dcc: --dose %q: want N/M", dose)
		}
		p = dccmint.NewVaccination(h, dn, sd, date, country, issuer, uci)
	case "test":
		kind := map[string]string{"naat": verify.TestNAAT, "pcr": verify.TestNAAT, "rat": verify.TestRAT}[testKind]
		if kind == "" {
			return fail(e, "issue dcc: --test-kind %q: want naat or rat", testKind)
		}
		p = dccmint.NewTest(h, kind, date, positive, "chot test centre", country, issuer, uci)
	case "recovery":
		p = dccmint.NewRecovery(h, date, date.AddDate(0, 0, 11), date.AddDate(0, 0, 180), country, issuer, uci)
	default:
		return fail(e, "issue dcc: --type %q: want vaccination, test or recovery", typ)
	}
	kid := trust.DCCKid(der)
	if forgeKid != "" {
		b, err := os.ReadFile(forgeKid)
		if err != nil {
			return fail(e, "issue dcc: --forge-kid: %v", err)
		}
		ders, err := trust.ParseCertificates(b)
		if err != nil {
			return fail(e, "issue dcc: --forge-kid: %v", err)
		}
		kid = trust.DCCKid(ders[0])
	}
	text, err := dccmint.Issue(p, dccmint.IssueOptions{Issuer: country, IssuedAt: iat, ExpiresAt: exp, Kid: kid, Signer: key})
	if err != nil {
		return fail(e, "issue dcc: %v", err)
	}
	if pngFile != "" {
		if err := writeQRPNG(pngFile, text, scale); err != nil {
			return fail(e, "issue dcc: --png: %v", err)
		}
	}
	if out != "" {
		if err := os.WriteFile(out, []byte(text+"\n"), 0o644); err != nil {
			return fail(e, "issue dcc: %v", err)
		}
		return exitOK
	}
	fmt.Fprintln(e.stdout, text)
	return exitOK
}

// loadOrCreateDSC reads a DSC (PEM or DER) for key or, when create is set
// and the file does not exist, writes a self-signed one valid from a year
// before now to two years after, restricted to the types in ekuText.
func loadOrCreateDSC(path string, create bool, key *ecdsa.PrivateKey, country string, now time.Time, ekuText string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		var types []verify.CredType
		for _, t := range strings.Split(ekuText, ",") {
			if t = strings.TrimSpace(t); t != "" {
				types = append(types, verify.CredType(t))
			}
		}
		der, err := dccmint.NewTestDSC(key, country, now.AddDate(-1, 0, 0), now.AddDate(2, 0, 0), types...)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
			return nil, err
		}
		return der, nil
	}
	if err != nil {
		return nil, err
	}
	ders, err := trust.ParseCertificates(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cert, err := x509.ParseCertificate(ders[0])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("%s: the certificate is not for --key", path)
	}
	return ders[0], nil
}

// writeQRPNG renders text as a QR code (error correction Q, as the DCC
// specification recommends) with scale pixels per module.
func writeQRPNG(path, text string, scale int) error {
	if scale < 1 {
		scale = 1
	}
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0,
		map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_ERROR_CORRECTION: "Q", gozxing.EncodeHintType_MARGIN: 4})
	if err != nil {
		return err
	}
	w, h := m.GetWidth(), m.GetHeight()
	img := image.NewGray(image.Rect(0, 0, w*scale, h*scale))
	for y := range h * scale {
		for x := range w * scale {
			c := color.Gray{Y: 255}
			if m.Get(x/scale, y/scale) {
				c.Y = 0
			}
			img.SetGray(x, y, c)
		}
	}
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(fh, img); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}
