package trust

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"github.com/chot-dev/chot/verify"
)

func TestRoundTrip(t *testing.T) {
	root := testRoot(1)
	want := testBundle(t, 7)
	data := signed(t, want, root)

	got, err := Open(data, []ed25519.PublicKey{pub(testRoot(2)), pub(root)}, 6, t0.Add(time.Hour))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if !bytes.Equal(got.SignedBy, RootID(pub(root))) {
		t.Errorf("SignedBy %x, want %x", got.SignedBy, RootID(pub(root)))
	}
	got.SignedBy = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip differs:\ngot  %+v\nwant %+v", got, want)
	}
	// Deterministic encoding: the same content gives the same payload.
	p1, _ := want.Payload()
	p2, _ := got.Payload()
	if !bytes.Equal(p1, p2) {
		t.Error("payload not stable across a round trip")
	}
}

func TestOpenRejects(t *testing.T) {
	root := testRoot(1)
	roots := []ed25519.PublicKey{pub(root)}
	good := signed(t, testBundle(t, 5), root)
	now := t0.Add(time.Hour)

	forged := bytes.Clone(good)
	forged[len(forged)-1] ^= 1 // last byte of the signature

	// A payload byte changed after signing: the signature no longer covers it.
	msg := cose.NewSign1Message()
	if err := msg.UnmarshalCBOR(good); err != nil {
		t.Fatal(err)
	}
	msg.Payload = bytes.Replace(msg.Payload, []byte("travel"), []byte("travol"), 1)
	tampered, err := msg.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}

	// Validly signed, but the content is not a bundle.
	badPayload := signRaw(t, root, RootID(pub(root)), []byte{0xa1, 0x00, 0x02})
	// Validly signed by the root, but naming another kid.
	wrongKid := signRaw(t, root, []byte("12345678"), mustPayload(t, testBundle(t, 5)))

	oversize := make([]byte, MaxSize+1)
	copy(oversize, good)

	tests := []struct {
		name      string
		data      []byte
		roots     []ed25519.PublicKey
		installed uint64
		now       time.Time
		want      error
	}{
		{"forged signature", forged, roots, 0, now, ErrSignature},
		{"tampered payload", tampered, roots, 0, now, ErrSignature},
		{"wrong root", good, []ed25519.PublicKey{pub(testRoot(2))}, 0, now, ErrSignature},
		{"no roots", good, nil, 0, now, ErrSignature},
		{"kid of no pinned root", wrongKid, roots, 0, now, ErrSignature},
		{"rollback equal", good, roots, 5, now, ErrRollback},
		{"rollback lower", good, roots, 9, now, ErrRollback},
		{"expired at expires_at", good, roots, 0, t0.Add(30 * 24 * time.Hour), ErrExpired},
		{"expired later", good, roots, 0, t0.Add(365 * 24 * time.Hour), ErrExpired},
		{"truncated", good[:len(good)/2], roots, 0, now, ErrMalformed},
		{"garbage CBOR", []byte{0xd2, 0x84, 0xff, 0x00}, roots, 0, now, ErrMalformed},
		{"not COSE", []byte("hello, bundle"), roots, 0, now, ErrMalformed},
		{"empty", nil, roots, 0, now, ErrMalformed},
		{"signed non-bundle", badPayload, roots, 0, now, ErrMalformed},
		{"oversize", oversize, roots, 0, now, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var a Atomic
			old := NewKeyStore(nil, nil)
			old.version = tc.installed
			a.Swap(old)
			persisted := false
			b, err := a.Install(tc.data, tc.roots, tc.now, func([]byte, uint64) error { persisted = true; return nil })
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if b != nil {
				t.Errorf("got a bundle with the error")
			}
			if a.Load() != old || persisted {
				t.Errorf("the installed store changed (persisted %v)", persisted)
			}
		})
	}
	t.Run("good installs after persisting", func(t *testing.T) {
		var a Atomic
		var gotVersion uint64
		var gotData []byte
		if _, err := a.Install(good, roots, now, func(d []byte, v uint64) error { gotData, gotVersion = d, v; return nil }); err != nil {
			t.Fatal(err)
		}
		if s := a.Load(); s == nil || s.Version() != 5 || gotVersion != 5 || !bytes.Equal(gotData, good) {
			t.Fatalf("installed %+v, persisted version %d", s, gotVersion)
		}
		// The same bundle again is a rollback now.
		if _, err := a.Install(good, roots, now, nil); !errors.Is(err, ErrRollback) {
			t.Fatalf("second install: got %v, want ErrRollback", err)
		}
	})
	t.Run("persist failure keeps the old store", func(t *testing.T) {
		var a Atomic
		errDisk := errors.New("disk full")
		if _, err := a.Install(good, roots, now, func([]byte, uint64) error { return errDisk }); !errors.Is(err, errDisk) {
			t.Fatalf("got %v, want %v", err, errDisk)
		}
		if a.Load() != nil {
			t.Fatal("a store was swapped in although persisting failed")
		}
	})
	t.Run("installed bundle reopens when expired", func(t *testing.T) {
		b, err := OpenInstalled(good, roots)
		if err != nil || b.Version != 5 {
			t.Fatalf("got %v, %v", b, err)
		}
		if _, err := OpenInstalled(forged, roots); !errors.Is(err, ErrSignature) {
			t.Fatalf("forged: got %v, want ErrSignature", err)
		}
	})
}

func signRaw(t testing.TB, root ed25519.PrivateKey, kid, payload []byte) []byte {
	t.Helper()
	signer, err := cose.NewSigner(cose.AlgorithmEdDSA, root)
	if err != nil {
		t.Fatal(err)
	}
	h := cose.Headers{Protected: cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmEdDSA, cose.HeaderLabelKeyID: kid}}
	out, err := cose.Sign1(rand.Reader, signer, h, payload, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustPayload(t testing.TB, b *Bundle) []byte {
	t.Helper()
	p, err := b.Payload()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSignRefusesBadBundle(t *testing.T) {
	root := testRoot(1)
	base := func() *Bundle { return testBundle(t, 3) }
	tests := []struct {
		name   string
		mutate func(*Bundle)
		detail string
	}{
		{"version 0", func(b *Bundle) { b.Version = 0 }, "version 0"},
		{"no times", func(b *Bundle) { b.ExpiresAt = time.Time{} }, "required"},
		{"expires before stale", func(b *Bundle) { b.ExpiresAt = b.IssuedAt }, "stale_after <= expires_at"},
		{"unknown format", func(b *Bundle) { b.Keys[0].Format = "x" }, `format "x"`},
		{"cert kid mismatch", func(b *Bundle) { b.Keys[0].Kid = []byte("abcdefgh") }, "DCCKid"},
		{"cert with alg", func(b *Bundle) { b.Keys[0].Alg = "ES256" }, "from the certificate"},
		{"bad spki", func(b *Bundle) { b.Keys[len(b.Keys)-1].SPKI = []byte{1, 2} }, "spki"},
		{"alg does not fit", func(b *Bundle) { b.Keys[len(b.Keys)-1].Alg = "EdDSA" }, "does not fit"},
		{"short DCC hash", func(b *Bundle) { b.Revocations[len(b.Revocations)-1].Values[0] = []byte{1} }, "want 16"},
		{"rid for dcc", func(b *Bundle) { b.Revocations[0].Format = verify.FormatDCC }, "kind rid"},
		{"before count", func(b *Bundle) { b.Revocations[0].Before = b.Revocations[0].Before[:1] }, "before times"},
		{"empty policy mode", func(b *Bundle) { b.Policy.Modes["x"] = nil }, `mode "x"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := base()
			tc.mutate(b)
			_, err := Sign(b, root)
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.detail) {
				t.Fatalf("got %v, want ErrMalformed mentioning %q", err, tc.detail)
			}
		})
	}
}

func TestFormatVersion(t *testing.T) {
	p := mustPayload(t, testBundle(t, 1))
	var m map[int]cbor.RawMessage
	if err := cbor.Unmarshal(p, &m); err != nil {
		t.Fatal(err)
	}
	m[0] = cbor.RawMessage{0x02}
	p2, err := cbor.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParsePayload(p2); !errors.Is(err, ErrMalformed) {
		t.Fatalf("format 2: got %v, want ErrMalformed", err)
	}
	// An unknown key is ignored.
	m[0] = cbor.RawMessage{0x01}
	m[99] = cbor.RawMessage{0x63, 'n', 'e', 'w'}
	p3, _ := cbor.Marshal(m)
	if _, err := ParsePayload(p3); err != nil {
		t.Fatalf("unknown key: %v", err)
	}
	// An unknown policy rule is not: ignoring it would accept too much.
	m[7] = cbor.RawMessage(mustCBOR(t, map[string]any{"modes": map[string]any{"travel": map[string]any{"max_cert_age_days": 3, "new_rule": 1}}}))
	p4, _ := cbor.Marshal(m)
	if _, err := ParsePayload(p4); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "policy") {
		t.Fatalf("unknown policy rule: got %v, want ErrMalformed about the policy", err)
	}
	m[7] = cbor.RawMessage(mustCBOR(t, map[string]any{"modes": map[string]any{"travel": map[string]any{"max_cert_age_days": 3}}}))
	p5, _ := cbor.Marshal(m)
	b, err := ParsePayload(p5)
	if err != nil || b.Policy.Mode("travel").MaxCertAgeDays != 3 {
		t.Fatalf("known policy rule: got %v", err)
	}
	// A duplicated map key is malformed.
	dup := append([]byte{p5[0] + 1, 0x00, 0x01}, p5[1:]...)
	if _, err := ParsePayload(dup); !errors.Is(err, ErrMalformed) {
		t.Fatalf("duplicate key: got %v, want ErrMalformed", err)
	}
}

func TestStale(t *testing.T) {
	b := testBundle(t, 1)
	tests := []struct {
		name         string
		now          time.Time
		stale, expir bool
	}{
		{"fresh", t0, false, false},
		{"just before stale", b.StaleAfter.Add(-time.Second), false, false},
		{"at stale_after", b.StaleAfter, true, false},
		{"at expires_at", b.ExpiresAt, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := b.Stale(tc.now); got != tc.stale {
				t.Errorf("Stale: got %v, want %v", got, tc.stale)
			}
			if got := b.Expired(tc.now); got != tc.expir {
				t.Errorf("Expired: got %v, want %v", got, tc.expir)
			}
		})
	}
}

func TestInspect(t *testing.T) {
	root := testRoot(3)
	b := testBundle(t, 2)
	data := signed(t, b, root)
	got, isSigned, err := Inspect(data)
	if err != nil || !isSigned || got.Version != 2 || !bytes.Equal(got.SignedBy, RootID(pub(root))) {
		t.Fatalf("signed: got %v %v %v", got, isSigned, err)
	}
	got, isSigned, err = Inspect(mustPayload(t, b))
	if err != nil || isSigned || got.Version != 2 || got.SignedBy != nil {
		t.Fatalf("payload: got %v %v %v", got, isSigned, err)
	}
	// An expired bundle signed by an unknown root still inspects.
	if _, _, err := Inspect(signed(t, b, testRoot(9))); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Inspect([]byte("junk")); !errors.Is(err, ErrMalformed) {
		t.Fatalf("junk: got %v, want ErrMalformed", err)
	}
}

func TestSignPayload(t *testing.T) {
	root := testRoot(1)
	data, err := SignPayload(mustPayload(t, testBundle(t, 4)), root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(data, []ed25519.PublicKey{pub(root)}, 0, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := SignPayload([]byte{0xa0}, root); !errors.Is(err, ErrMalformed) {
		t.Fatalf("empty map: got %v, want ErrMalformed", err)
	}
}

func FuzzBundle(f *testing.F) {
	root := testRoot(1)
	b := testBundle(f, 3)
	good := signed(f, b, root)
	f.Add(good)
	f.Add(mustPayload(f, b))
	f.Add(good[:len(good)-10])
	for _, i := range []int{5, 20, len(good) / 2} {
		m := bytes.Clone(good)
		m[i] ^= 0x40
		f.Add(m)
	}
	f.Add([]byte{0xd2, 0x84, 0x40, 0xa0, 0x40, 0x40})
	roots := []ed25519.PublicKey{pub(root)}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Open(data, roots, 0, t0)
		if err == nil {
			// Only the root can sign: what opens is what it signed.
			if got.Version != 3 || len(got.Keys) != len(b.Keys) {
				t.Fatalf("opened a bundle the root did not sign: %+v", got)
			}
			if _, err := NewStore(got); err != nil {
				t.Fatalf("opened bundle does not build a store: %v", err)
			}
		}
		ib, _, err := Inspect(data)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes to something that decodes the same.
		p, err := ib.Payload()
		if err != nil {
			t.Fatalf("decoded bundle does not encode: %v", err)
		}
		again, err := ParsePayload(p)
		if err != nil {
			t.Fatalf("re-encoded bundle does not decode: %v", err)
		}
		again.SignedBy = ib.SignedBy
		if !reflect.DeepEqual(again, ib) {
			t.Fatalf("re-encoding changed the bundle")
		}
	})
}

func mustCBOR(t testing.TB, v any) []byte {
	t.Helper()
	b, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
