package scanner

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testdata is the shared test data folder, outside the repository.
var testdata = filepath.Join("..", "..", "shared", "testdata")

// dccCase is the part of a DCC quality-assurance test case the picture
// decode needs.
type dccCase struct {
	Prefix   string `json:"PREFIX"`
	Code     string `json:"2DCODE"`
	AltCode  string `json:"_2DCODE"`
	Expected struct {
		PictureDecode *bool `json:"EXPECTEDPICTUREDECODE"`
	} `json:"EXPECTEDRESULTS"`
}

// loadDCCCases reads every test case of the DCC test data that has a picture
// and an expectation about decoding it, keyed by path.
func loadDCCCases(t *testing.T) map[string]dccCase {
	t.Helper()
	root := filepath.Join(testdata, "dcc")
	cases := map[string]dccCase{}
	err := filepath.WalkDir(root, func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() || filepath.Ext(path) != ".json" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var c dccCase
		if json.Unmarshal(b, &c) != nil {
			return nil // not a test case (a list, a schema)
		}
		if c.Code == "" {
			c.Code = c.AltCode
		}
		if c.Code != "" && c.Expected.PictureDecode != nil {
			rel, _ := filepath.Rel(root, path)
			cases[rel] = c
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	return cases
}

// decodeBase64Picture decodes a case's 2DCODE: base64 of a PNG.
func decodeBase64Picture(s string) (image.Image, error) {
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		return nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	return img, err
}

func TestDCCPictures(t *testing.T) {
	cases := loadDCCCases(t)
	if len(cases) < 400 {
		t.Fatalf("found %d DCC cases with a picture, want the whole set (≥ 400)", len(cases))
	}
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	slices.Sort(names)
	dec := NewDecoder(Options{})
	for _, name := range names {
		c := cases[name]
		t.Run(name, func(t *testing.T) {
			want := *c.Expected.PictureDecode
			img, err := decodeBase64Picture(c.Code)
			if err != nil {
				// A picture that is not one (Q1) must not decode.
				if want {
					t.Fatalf("picture: %v", err)
				}
				return
			}
			texts, err := dec.DecodeImage(img)
			if err != nil && !errors.Is(err, ErrNoCode) {
				t.Fatalf("DecodeImage: %v", err)
			}
			if got := slices.Contains(texts, c.Prefix); got != want {
				t.Errorf("decodes to PREFIX: got %v, want %v (texts %.60q)", got, want, texts)
			}
		})
	}
}

func TestAztecPictures(t *testing.T) {
	// The IE cases (without a picture of their own) carry the PREFIX the
	// pictures show, by number.
	byName := map[string]string{}
	raw, _ := filepath.Glob(filepath.Join(testdata, "dcc", "IE", "2DCode", "Raw", "*.json"))
	for _, p := range raw {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var c dccCase
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		byName[strings.TrimSuffix(filepath.Base(p), ".json")] = c.Prefix
	}
	files, _ := filepath.Glob(filepath.Join(testdata, "dcc", "IE", "png", "*_aztec.png"))
	if len(files) != 4 {
		t.Fatalf("found %d Aztec pictures, want 4", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			texts, err := DecodeFile(f)
			if err != nil {
				t.Fatalf("DecodeFile: %v", err)
			}
			if len(texts) != 1 {
				t.Fatalf("got %d texts, want 1", len(texts))
			}
			want, ok := byName[strings.TrimSuffix(filepath.Base(f), "_aztec.png")]
			switch {
			case ok && texts[0] != want:
				t.Errorf("got %.60q, want the IE case's PREFIX %.60q", texts[0], want)
			case !strings.HasPrefix(texts[0], "HC1:"):
				t.Errorf("got %.60q, want a text starting with HC1:", texts[0])
			}
		})
	}
}

func TestSHCSpecPictures(t *testing.T) {
	dir := filepath.Join(testdata, "shc", "spec-examples")
	files, _ := filepath.Glob(filepath.Join(dir, "png-rendered", "*.png"))
	if len(files) == 0 {
		t.Fatal("no SHC spec pictures")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			// example-02-g-qr-code-1.png ↔ example-02-f-qr-code-numeric-value-1.txt
			base := strings.TrimSuffix(filepath.Base(f), ".png")
			txt := strings.Replace(base, "-g-qr-code-", "-f-qr-code-numeric-value-", 1) + ".txt"
			want, err := os.ReadFile(filepath.Join(dir, txt))
			if err != nil {
				t.Fatal(err)
			}
			texts, err := DecodeFile(f)
			if err != nil {
				t.Fatalf("DecodeFile: %v", err)
			}
			if len(texts) != 1 || texts[0] != strings.TrimSpace(string(want)) {
				t.Errorf("got %.60q, want [%.60q]", texts, want)
			}
		})
	}
}

func TestDecodeFileErrors(t *testing.T) {
	dir := t.TempDir()
	notPicture := filepath.Join(dir, "x.png")
	if err := os.WriteFile(notPicture, []byte("not a picture"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path string }{
		{"missing", filepath.Join(dir, "missing.png")},
		{"not a picture", notPicture},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeFile(tc.path)
			if err == nil || errors.Is(err, ErrNoCode) {
				t.Errorf("got %v, want an I/O error that is not ErrNoCode", err)
			}
		})
	}
}
