package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/shc"
	"github.com/chot-dev/chot/verify/shc/shcmint"
)

// cmdIssueSHC mints a SMART Health Card for tests and demos:
//
//	chot issue shc --key issuer.pem --gen-key --iss https://example.org/issuer \
//	    --jwks jwks.json --name "Jane Doe" --dob 1980-02-03 --vaccine 207:2025-01-10 --vaccine 207:2025-02-07
func cmdIssueSHC(_ context.Context, e *env, args []string) int {
	f := newFlags(e, "issue shc")
	var (
		vaccines                           multiFlag
		keyFile, iss, jwksOut, out, format string
		nbfText, expText, rid, name, dob   string
		testLOINC, sampledText             string
		genKey, positive                   bool
		crlVersion, chunks                 int
	)
	f.StringVar(&keyFile, "key", "", "the issuer's P-256 private key (PEM, PKCS#8 or SEC 1); required")
	f.BoolVar(&genKey, "gen-key", false, "create --key if it does not exist")
	f.StringVar(&iss, "iss", "", "the issuer URL (the card's iss); required")
	f.StringVar(&jwksOut, "jwks", "", "also write the issuer's jwks.json to this file")
	f.IntVar(&crlVersion, "crl-version", 0, "crlVersion to advertise in --jwks (0: none)")
	f.StringVar(&nbfText, "nbf", "", "issue time (RFC 3339); default now")
	f.StringVar(&expText, "exp", "", "expiry time (RFC 3339); default none")
	f.StringVar(&rid, "rid", "", "revocation id (base64url, up to 24 characters); default none")
	f.StringVar(&name, "name", "Test Person", "holder's name: given names, then the family name last")
	f.StringVar(&dob, "dob", "1970-01-01", "holder's birth date, YYYY-MM-DD")
	f.Var(&vaccines, "vaccine", "a dose, CVX:DATE (e.g. 207:2025-01-10); repeatable")
	f.StringVar(&testLOINC, "test", "", "a SARS-CoV-2 test result instead: its LOINC code (94309-2 PCR, 94558-4 antigen)")
	f.StringVar(&sampledText, "sampled", "", "with --test: sample time (RFC 3339); default nbf")
	f.BoolVar(&positive, "positive", false, "with --test: the result is positive")
	f.StringVar(&format, "format", "qr", "output: qr (shc:/ text, one line per chunk), jws, or file (.smart-health-card JSON)")
	f.IntVar(&chunks, "chunks", 0, "with --format qr: split into this many chunks (deprecated by the spec; default only when too long)")
	f.StringVar(&out, "out", "", "write the card to this file instead of stdout")
	if c := parseFlags(f, args); c >= 0 {
		return c
	}
	if keyFile == "" || iss == "" {
		return fail(e, "issue shc: --key and --iss are required")
	}
	if (len(vaccines) == 0) == (testLOINC == "") {
		return fail(e, "issue shc: give --vaccine (one or more) or --test")
	}
	key, err := loadOrCreateKey(keyFile, genKey)
	if err != nil {
		return fail(e, "issue shc: %v", err)
	}
	card := &shcmint.Card{Issuer: iss, Rid: rid, BirthDate: dob}
	if card.NotBefore, err = optTime(nbfText, e.now()); err != nil {
		return fail(e, "issue shc: --nbf: %v", err)
	}
	if card.Expires, err = optTime(expText, time.Time{}); err != nil {
		return fail(e, "issue shc: --exp: %v", err)
	}
	if words := strings.Fields(name); len(words) > 0 {
		card.Family, card.Given = words[len(words)-1], words[:len(words)-1]
	}
	for _, v := range vaccines {
		cvx, date, ok := strings.Cut(v, ":")
		if _, err := time.Parse(time.DateOnly, date); !ok || cvx == "" || err != nil {
			return fail(e, "issue shc: --vaccine %q: want CVX:YYYY-MM-DD", v)
		}
		card.Immunizations = append(card.Immunizations, shcmint.Immunization{CVX: cvx, Date: date})
	}
	if testLOINC != "" {
		sampled, err := optTime(sampledText, card.NotBefore)
		if err != nil {
			return fail(e, "issue shc: --sampled: %v", err)
		}
		card.Lab = &shcmint.LabResult{LOINC: testLOINC, Sampled: sampled, Detected: positive}
	}
	jws, err := shcmint.Mint(card, key)
	if err != nil {
		return fail(e, "issue shc: %v", err)
	}
	var text string
	switch format {
	case "qr":
		texts := shcmint.QRTexts(jws)
		if chunks > 1 {
			texts = shcmint.Chunk(jws, chunks)
		}
		text = strings.Join(texts, "\n") + "\n"
	case "jws":
		text = jws + "\n"
	case "file":
		b, err := json.MarshalIndent(map[string][]string{"verifiableCredential": {jws}}, "", "  ")
		if err != nil {
			return fail(e, "issue shc: %v", err)
		}
		text = string(b) + "\n"
	default:
		return fail(e, "issue shc: --format %q: want qr, jws or file", format)
	}
	if jwksOut != "" {
		b, err := shc.JWKS(&key.PublicKey, crlVersion)
		if err != nil {
			return fail(e, "issue shc: %v", err)
		}
		if err := os.WriteFile(jwksOut, b, 0o644); err != nil {
			return fail(e, "issue shc: %v", err)
		}
	}
	if out == "" {
		fmt.Fprint(e.stdout, text)
		return exitOK
	}
	if err := os.WriteFile(out, []byte(text), 0o644); err != nil {
		return fail(e, "issue shc: %v", err)
	}
	return exitOK
}

// optTime parses an optional time flag.
func optTime(s string, def time.Time) (time.Time, error) {
	if s == "" {
		return def, nil
	}
	return verify.ParseTime(s)
}

// loadOrCreateKey reads a P-256 private key from PEM, or creates one when
// create is set and the file does not exist.
func loadOrCreateKey(path string, create bool) (*ecdsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			return nil, err
		}
		return k, nil
	}
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%s: no PEM block", path)
	}
	var k any
	if k, err = x509.ParseECPrivateKey(blk.Bytes); err != nil {
		if k, err = x509.ParsePKCS8PrivateKey(blk.Bytes); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%s: not a P-256 key", path)
	}
	return ec, nil
}
