package trust

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"testing"
	"time"

	"github.com/chot-dev/chot/verify"
)

func testStore(t testing.TB) *Store {
	t.Helper()
	s, err := NewStore(testBundle(t, 9))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoreKeys(t *testing.T) {
	s := testStore(t)
	ders := dccCerts(t)
	shcKid := []byte("3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s")
	tests := []struct {
		name   string
		format verify.Format
		issuer string
		kid    []byte
		want   int
	}{
		{"DCC by kid, issuer ignored", verify.FormatDCC, "ZZ", DCCKid(ders[0]), 1},
		{"DCC RSA", verify.FormatDCC, "", DCCKid(ders[3]), 1},
		{"DCC unknown kid", verify.FormatDCC, "", []byte("xxxxxxxx"), 0},
		{"DCC kid under SHC", verify.FormatSHC, "", DCCKid(ders[0]), 0},
		{"SHC bound issuer", verify.FormatSHC, shcIssuer, shcKid, 1},
		{"SHC other issuer", verify.FormatSHC, "https://evil.example", shcKid, 0},
		{"SHC kid under DCC", verify.FormatDCC, shcIssuer, shcKid, 1},
	}
	// The last case: a DCC lookup ignores the issuer but not the format;
	// an SHC kid has no DCC key.
	tests[len(tests)-1].want = 0
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := s.Keys(tc.format, tc.issuer, tc.kid)
			if len(got) != tc.want {
				t.Fatalf("got %d keys, want %d", len(got), tc.want)
			}
			for _, k := range got {
				if k.Format != tc.format || !bytes.Equal(k.Kid, tc.kid) || k.Public == nil {
					t.Errorf("key %+v", k)
				}
			}
		})
	}
	// DCC certificate entries go through KeyFromDSC: the EKU decides types.
	bg := s.Keys(verify.FormatDCC, "", DCCKid(ders[2]))[0]
	if bg.Cert == nil || bg.Algorithm != "ES256" || len(bg.Types) != 3 || bg.NotAfter.IsZero() {
		t.Errorf("BG key: alg %s, types %v, not after %v", bg.Algorithm, bg.Types, bg.NotAfter)
	}
	if s.Version() != 9 || !s.IssuedAt().Equal(t0) || s.KeyCount() != 6 || s.RevocationCount() != 6 || s.Policy().Mode("travel") == nil {
		t.Errorf("metadata: v%d %v %d keys %d revocations", s.Version(), s.IssuedAt(), s.KeyCount(), s.RevocationCount())
	}
	if s.Stale(t0) || !s.Stale(s.StaleAfter()) || !s.ExpiresAt().After(s.StaleAfter()) {
		t.Error("stale times wrong")
	}
}

func TestStoreRevoked(t *testing.T) {
	s := testStore(t)
	shcKid := []byte("3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s")
	ts := time.Unix(1687450765, 0)
	q := func(f verify.Format, iss string, kid []byte, kind, value string, at time.Time) verify.RevocationQuery {
		return verify.RevocationQuery{Format: f, Issuer: iss, Kid: kid, Kind: kind, Value: []byte(value), IssuedAt: at}
	}
	tests := []struct {
		name string
		q    verify.RevocationQuery
		want bool
	}{
		{"rid always", q(verify.FormatSHC, shcIssuer, shcKid, KindRID, "FKDIxsTCGlU", ts.Add(time.Hour)), true},
		{"rid issued before timestamp", q(verify.FormatSHC, shcIssuer, shcKid, KindRID, "vwAjHdarZuc", ts.Add(-time.Second)), true},
		{"rid issued at timestamp", q(verify.FormatSHC, shcIssuer, shcKid, KindRID, "vwAjHdarZuc", ts), false},
		{"rid other issuer", q(verify.FormatSHC, "https://other", shcKid, KindRID, "FKDIxsTCGlU", ts), false},
		{"rid other kid", q(verify.FormatSHC, shcIssuer, []byte("k"), KindRID, "FKDIxsTCGlU", ts), false},
		{"rid not listed", q(verify.FormatSHC, shcIssuer, shcKid, KindRID, "nope", ts), false},
		{"DCC UCI any kid", q(verify.FormatDCC, "AT", []byte("12345678"), KindUCI, "0123456789abcdef", ts), true},
		{"DCC same value other kind", q(verify.FormatDCC, "AT", nil, KindSignature, "0123456789abcdef", ts), false},
		{"DCC value as SHC", q(verify.FormatSHC, "", nil, KindUCI, "0123456789abcdef", ts), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.Revoked(tc.q); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	b := testStore(t)
	loose := NewKeyStore([]*verify.Key{{Format: verify.FormatDCC, Kid: []byte("loosekey")}},
		[]verify.Revocation{{Format: verify.FormatDCC, Kind: KindSignature, Value: []byte("sig")}})
	m := Merge(nil, loose, b)
	if m.KeyCount() != b.KeyCount()+1 || m.RevocationCount() != b.RevocationCount()+1 || m.Version() != 9 {
		t.Fatalf("merged: %d keys %d revocations v%d", m.KeyCount(), m.RevocationCount(), m.Version())
	}
	if len(m.Keys(verify.FormatDCC, "", []byte("loosekey"))) != 1 || !m.Revoked(verify.RevocationQuery{Format: verify.FormatDCC, Kind: KindSignature, Value: []byte("sig")}) {
		t.Error("loose entries missing after merge")
	}
}

// TestAtomicConcurrent swaps stores while readers look keys up; -race
// checks the handover.
func TestAtomicConcurrent(t *testing.T) {
	var a Atomic
	if a.Keys(verify.FormatDCC, "", []byte("x")) != nil || a.Revoked(verify.RevocationQuery{}) {
		t.Fatal("empty Atomic trusts something")
	}
	s1 := testStore(t)
	s2 := NewKeyStore(nil, nil)
	kid := DCCKid(dccCerts(t)[0])
	a.Swap(s1)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				s := a.Load()
				n := len(s.Keys(verify.FormatDCC, "", kid))
				if (s == s1) != (n == 1) {
					t.Errorf("store %p gave %d keys", s, n)
					return
				}
			}
		}()
	}
	for i := range 100 {
		if i%2 == 0 {
			a.Swap(s2)
		} else {
			a.Swap(s1)
		}
	}
	wg.Wait()
	if old := a.Swap(s2); old != s1 {
		t.Errorf("Swap returned %p, want the last installed %p", old, s1)
	}
}

func BenchmarkStoreKeys(b *testing.B) {
	s := testStore(b)
	kid := DCCKid(dccCerts(b)[2])
	for b.Loop() {
		if len(s.Keys(verify.FormatDCC, "", kid)) != 1 {
			b.Fatal("no key")
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	root := testRoot(1)
	data := signed(b, testBundle(b, 2), root)
	for b.Loop() {
		if _, err := Open(data, []ed25519.PublicKey{pub(root)}, 0, t0); err != nil {
			b.Fatal(err)
		}
	}
}

// largeBundle has the test DSCs and n DCC revocation hashes, about the size
// of a national list.
func largeBundle(b *testing.B, n int) []byte {
	bu := testBundle(b, 2)
	vals := make([][]byte, n)
	for i := range vals {
		h := sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(i)))
		vals[i] = h[:DCCHashLen]
	}
	bu.Revocations = append(bu.Revocations, RevocationEntry{Format: verify.FormatDCC, Kind: KindSignature, Values: vals})
	return signed(b, bu, testRoot(1))
}

// BenchmarkInstallLarge opens a bundle with 200,000 revocation hashes and
// builds its store: the work a device does on each new bundle.
func BenchmarkInstallLarge(b *testing.B) {
	data := largeBundle(b, 200_000)
	b.ReportMetric(float64(len(data)), "bytes")
	roots := []ed25519.PublicKey{pub(testRoot(1))}
	for b.Loop() {
		var a Atomic
		if _, err := a.Install(data, roots, t0, nil); err != nil {
			b.Fatal(err)
		}
	}
}
