package imgset

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestGenerateIsReproducible(t *testing.T) {
	o := Options{Seed: 9, Variants: 1, Res: []string{"320x240"}, Only: []string{"clean", "jpeg"}, Empty: 2}
	a, b := t.TempDir(), t.TempDir()
	man, err := Generate(a, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(b, o); err != nil {
		t.Fatal(err)
	}
	// 2 distortions × 2 payloads × 1 variant + 2 empty frames.
	if len(man.Items) != 6 {
		t.Fatalf("%d items, want 6", len(man.Items))
	}
	loaded, err := Load(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded.Items) != len(man.Items) || loaded.Seed != 9 {
		t.Fatalf("loaded %d items seed %d", len(loaded.Items), loaded.Seed)
	}
	for _, it := range man.Items {
		fa, err := os.ReadFile(filepath.Join(a, it.File))
		if err != nil {
			t.Fatal(err)
		}
		fb, err := os.ReadFile(filepath.Join(b, it.File))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fa, fb) {
			t.Errorf("%s differs between two runs with the same seed", it.File)
		}
		if (it.Want == "") != (it.Distortion == "empty") {
			t.Errorf("%s: want %q for distortion %s", it.File, it.Want, it.Distortion)
		}
	}
}

func TestRender(t *testing.T) {
	img, text, err := Render(320, 240, "dcc", "rot15", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if img.Rect.Dx() != 320 || img.Rect.Dy() != 240 || len(text) != 504 || text[:4] != "HC1:" {
		t.Errorf("got %v and a %d-character text %.8q", img.Rect, len(text), text)
	}
	if _, _, err := Render(320, 240, "dcc", "no-such-distortion", 1, 0); err == nil {
		t.Error("an unknown distortion: want an error")
	}
}
