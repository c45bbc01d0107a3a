package scanner

import (
	"testing"

	"github.com/chot-dev/chot/bench/imgset"
)

// TestDCCQAPictures: every real national DCC picture of dcc-qa-dev decodes,
// in picture mode, to one HC1 text whose kid, iat and exp are the manifest's
// (small issuer PNGs at 2–3 pixels a module, some without a quiet zone).
func TestDCCQAPictures(t *testing.T) {
	photos, err := imgset.DCCQA(testdata)
	if err != nil {
		t.Fatal(err)
	}
	if len(photos) != 217 {
		t.Fatalf("manifest has %d pictures, want 217", len(photos))
	}
	dec := NewDecoder(Options{})
	for _, p := range photos {
		t.Run(p.Path[len(testdata):], func(t *testing.T) {
			img, err := LoadImage(p.Path)
			if err != nil {
				t.Fatal(err)
			}
			texts, err := dec.DecodeImage(img)
			if err != nil {
				t.Fatalf("DecodeImage: %v", err)
			}
			if len(texts) != 1 || !p.Check(texts[0]) {
				t.Errorf("got %d texts %.40q, want the one HC1 text with the manifest's kid, iat and exp", len(texts), texts)
			}
		})
	}
}
