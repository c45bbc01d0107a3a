package wire

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/chot-dev/chot/record"
)

func passes(epoch string, first, last uint64) []record.Pass {
	var out []record.Pass
	for s := first; s <= last; s++ {
		out = append(out, record.Pass{Seq: s, Epoch: epoch, At: int64(s), Decision: "accept", Gate: record.GateOpened})
	}
	return out
}

func TestValidate(t *testing.T) {
	ok := Batch{Device: "kiosk-1", Epoch: "abcd", FirstSeq: 5, LastSeq: 7, Passes: passes("abcd", 5, 7)}
	mod := func(f func(b *Batch)) Batch {
		b := ok
		b.Passes = append([]record.Pass(nil), ok.Passes...)
		f(&b)
		return b
	}
	cases := []struct {
		name string
		b    Batch
		want error
	}{
		{"ok", ok, nil},
		{"bad device", mod(func(b *Batch) { b.Device = "a b" }), ErrBadBatch},
		{"empty device", mod(func(b *Batch) { b.Device = "" }), ErrBadBatch},
		{"epoch not hex", mod(func(b *Batch) { b.Epoch = "XYZ" }), ErrBadBatch},
		{"no passes", mod(func(b *Batch) { b.Passes = nil }), ErrBadBatch},
		{"too many", mod(func(b *Batch) { b.Passes = passes("abcd", 5, 9); b.LastSeq = 9 }), ErrTooLarge},
		{"first zero", mod(func(b *Batch) { b.FirstSeq = 0 }), ErrBadBatch},
		{"last mismatch", mod(func(b *Batch) { b.LastSeq = 8 }), ErrBadBatch},
		{"hole", mod(func(b *Batch) { b.Passes[1].Seq = 9 }), ErrBadBatch},
		{"other epoch", mod(func(b *Batch) { b.Passes[2].Epoch = "ef" }), ErrBadBatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.b.Validate(4); !errors.Is(err, c.want) {
				t.Errorf("Validate = %v, want %v", err, c.want)
			}
		})
	}
}

func TestEncodeDecodeSign(t *testing.T) {
	b := Batch{Device: "kiosk-1", Epoch: "abcd", FirstSeq: 1, LastSeq: 300, Passes: passes("abcd", 1, 300)}
	body, err := EncodeBatch(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeBatch(body, MaxDecodedBytes)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastSeq != 300 || len(got.Passes) != 300 || got.Passes[299] != b.Passes[299] {
		t.Errorf("round trip lost data: %+v", got.Passes[299])
	}
	if _, err := DecodeBatch(body, 100); !errors.Is(err, ErrTooLarge) {
		t.Errorf("decoded cap: %v, want ErrTooLarge", err)
	}
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	sig := Sign(key, body)
	flipped := bytes.Clone(body)
	flipped[20] ^= 1
	cases := []struct {
		name string
		pub  ed25519.PublicKey
		body []byte
		sig  string
		ok   bool
	}{
		{"good", pub, body, sig, true},
		{"other key", other, body, sig, false},
		{"altered body", pub, flipped, sig, false},
		{"not base64", pub, body, "!!", false},
		{"short", pub, body, "AAAA", false},
		{"short key", pub[:10], body, sig, false},
	}
	for _, c := range cases {
		err := Verify(c.pub, c.body, c.sig)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrBadSignature)) {
			t.Errorf("%s: Verify = %v", c.name, err)
		}
	}
	if k, err := ParsePublicKey(EncodePublicKey(pub)); err != nil || !k.Equal(pub) {
		t.Errorf("public key round trip: %v", err)
	}
	if _, err := ParsePublicKey("AAAA"); err == nil {
		t.Error("short public key accepted")
	}
}

func FuzzDecodeBatch(f *testing.F) {
	body, _ := EncodeBatch(Batch{Device: "k", Epoch: "ab", FirstSeq: 1, LastSeq: 2, Passes: passes("ab", 1, 2)})
	f.Add(body)
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	f.Add(bomb.Bytes())
	f.Add([]byte("not gzip"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := DecodeBatch(data, 64<<10)
		if err != nil {
			return
		}
		if b.Validate(MaxBatchPasses) == nil {
			for i, p := range b.Passes {
				if p.Seq != b.FirstSeq+uint64(i) || p.Epoch != b.Epoch {
					t.Fatalf("Validate passed a bad batch: %+v", b)
				}
			}
		}
	})
}
