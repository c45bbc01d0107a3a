package scanner

import (
	"testing"

	"github.com/chot-dev/chot/bench/imgset"
)

// pureGoMisses are the dcc-qa-dev pictures the pure-Go build (-tags nocv:
// gozxing only) does not read, with why; the default build reads them all.
var pureGoMisses = map[string]string{
	"SV/1.3.0/TEST.png": "400×402: a code stretched by 2 pixels and no quiet zone; gozxing's detector finds no grid",
}

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
		name := p.Path[len(testdata)+len("/dcc-qa-dev/"):]
		t.Run(name, func(t *testing.T) {
			img, err := LoadImage(p.Path)
			if err != nil {
				t.Fatal(err)
			}
			texts, err := dec.DecodeImage(img)
			if why, ok := pureGoMisses[name]; ok && !HaveZXingCPP {
				t.Logf("pure-Go build: %v (known: %s)", err, why)
				return
			}
			if err != nil {
				t.Fatalf("DecodeImage: %v", err)
			}
			if len(texts) != 1 || !p.Check(texts[0]) {
				t.Errorf("got %d texts %.40q, want the one HC1 text with the manifest's kid, iat and exp", len(texts), texts)
			}
		})
	}
}
