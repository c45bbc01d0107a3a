package scanner

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/chot-dev/chot/verify/dcc"
)

// qaEntry is one picture of dcc-qa-dev's manifest: the CWT claims and kid
// its code carries.
type qaEntry struct {
	Img string `json:"img"`
	Iat int64  `json:"iat"`
	Exp int64  `json:"exp"`
	Kid string `json:"kid"`
}

// hc1Claims opens an HC1 text down to its CWT: the kid (protected header,
// else unprotected) and the iat and exp claims.
func hc1Claims(text string) (kid string, iat, exp int64, err error) {
	b, err := dcc.DecodeBase45(strings.TrimPrefix(text, "HC1:"))
	if err != nil {
		return "", 0, 0, err
	}
	if zr, zerr := zlib.NewReader(bytes.NewReader(b)); zerr == nil {
		if b, err = io.ReadAll(zr); err != nil {
			return "", 0, 0, err
		}
	}
	var msg struct {
		_           struct{} `cbor:",toarray"`
		Protected   []byte
		Unprotected map[int]cbor.RawMessage
		Payload     []byte
		Signature   []byte
	}
	var tagged cbor.Tag
	if cbor.Unmarshal(b, &tagged) == nil && tagged.Number == 18 {
		b, _ = cbor.Marshal(tagged.Content)
	}
	if err := cbor.Unmarshal(b, &msg); err != nil {
		return "", 0, 0, err
	}
	var hdr map[int]cbor.RawMessage
	if len(msg.Protected) > 0 {
		if err := cbor.Unmarshal(msg.Protected, &hdr); err != nil {
			return "", 0, 0, err
		}
	}
	raw, ok := hdr[4]
	if !ok {
		raw = msg.Unprotected[4]
	}
	var k []byte
	_ = cbor.Unmarshal(raw, &k)
	var claims map[int]cbor.RawMessage
	if err := cbor.Unmarshal(msg.Payload, &claims); err != nil {
		return "", 0, 0, err
	}
	var fi, fe float64
	_ = cbor.Unmarshal(claims[6], &fi)
	_ = cbor.Unmarshal(claims[4], &fe)
	return base64.StdEncoding.EncodeToString(k), int64(fi), int64(fe), nil
}

// TestDCCQAPictures: every real national DCC picture of dcc-qa-dev decodes,
// in picture mode, to one HC1 text whose kid, iat and exp are the manifest's
// (small issuer PNGs at 2–3 pixels a module, some without a quiet zone).
func TestDCCQAPictures(t *testing.T) {
	root := filepath.Join(testdata, "dcc-qa-dev")
	b, err := os.ReadFile(filepath.Join(root, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var man []qaEntry
	if err := json.Unmarshal(b, &man); err != nil {
		t.Fatal(err)
	}
	if len(man) != 217 {
		t.Fatalf("manifest has %d pictures, want 217", len(man))
	}
	dec := NewDecoder(Options{})
	for _, e := range man {
		t.Run(e.Img, func(t *testing.T) {
			img, err := LoadImage(filepath.Join(root, e.Img))
			if err != nil {
				t.Fatal(err)
			}
			texts, err := dec.DecodeImage(img)
			if err != nil {
				t.Fatalf("DecodeImage: %v", err)
			}
			if len(texts) != 1 || !strings.HasPrefix(texts[0], "HC1:") {
				t.Fatalf("got %d texts %.40q, want one HC1 text", len(texts), texts)
			}
			kid, iat, exp, err := hc1Claims(texts[0])
			if err != nil {
				t.Fatalf("HC1 text does not open: %v", err)
			}
			if kid != e.Kid || iat != e.Iat || exp != e.Exp {
				t.Errorf("kid %s iat %d exp %d, want the manifest's %s %d %d", kid, iat, exp, e.Kid, e.Iat, e.Exp)
			}
		})
	}
}
