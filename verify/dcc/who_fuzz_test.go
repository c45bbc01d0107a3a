package dcc

import (
	"os"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/gdhcntest"
)

// FuzzWHO feeds CWT payloads to the WHO dispatch and decoding, seeded
// from the GDHCN vectors' payloads (DVC without exp, the legacy core data
// set, a NaN exp): it must never panic, every payload lands in one kind,
// and a decoded payload has a credential of its kind.
func FuzzWHO(f *testing.F) {
	for _, name := range []string{"DVCTest3QR.txt", "DVCTest2QR.txt", "WHOQR1Contents.txt", "WHOSingaporePCRContents.txt", "EUUruguayContents.txt", "EUQR1Contents.txt"} {
		b, err := os.ReadFile(gdhcntest.Path("vectors/" + name))
		if err != nil {
			f.Fatal(err)
		}
		raw, err := DecodeBase45(string(b[len(Prefix):]))
		if err != nil {
			f.Fatal(err)
		}
		if raw, err = inflate(raw); err != nil {
			f.Fatal(err)
		}
		msg, err := parseCOSE(raw)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(msg.Payload)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		kind := payloadKind(payload)
		if kind == kindEUDCC {
			return
		}
		c, err := decodeWHO(payload, kind)
		if err != nil || kind == kindLegacy || kind == kindVHL {
			return
		}
		cred := whoCredential(kind, c)
		if cred == nil || cred.Type == verify.TypeUnknown {
			t.Fatalf("kind %d decoded without a credential type", kind)
		}
		_ = checkWHOShape(kind, c.Content)
		var res verify.Result
		checkWHOValidity(&res, c, nil, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	})
}
