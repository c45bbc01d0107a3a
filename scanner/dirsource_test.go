package scanner

import (
	"context"
	"errors"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chot-dev/chot/bench/imgset"
)

// writePictures renders pictures into dir as PNG files named in order and
// returns the text each shows.
func writePictures(t *testing.T, dir string, payloads ...string) []string {
	t.Helper()
	var want []string
	for i, p := range payloads {
		img, text, err := imgset.Render(320, 240, p, "clean", 5, i)
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(dir, string(rune('a'+i))+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		want = append(want, text)
	}
	return want
}

func TestDirSource(t *testing.T) {
	dir := t.TempDir()
	want := writePictures(t, dir, "short", "none", "short")
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a picture"), 0o600); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		loop   bool
		frames int
	}{
		{"once", false, 3},
		{"loop", true, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := NewDirSource(dir, DirOptions{Loop: tc.loop, Now: func() time.Time { return at }})
			if err != nil {
				t.Fatal(err)
			}
			if src.Len() != 3 {
				t.Fatalf("Len %d, want 3", src.Len())
			}
			dec := NewDecoder(Options{})
			for i := 0; i < tc.frames; i++ {
				f, err := src.Next(context.Background())
				if err != nil {
					t.Fatalf("frame %d: %v", i, err)
				}
				if f.Seq != uint64(i+1) || !f.At.Equal(at) || f.W != 320 || f.H != 240 {
					t.Errorf("frame %d: seq %d at %v size %d×%d", i, f.Seq, f.At, f.W, f.H)
				}
				if wantName := string(rune('a'+i%3)) + ".png"; src.Name() != wantName {
					t.Errorf("frame %d: Name %q, want %q", i, src.Name(), wantName)
				}
				texts, _ := dec.Decode(f)
				if w := want[i%3]; (w == "") != (len(texts) == 0) || (w != "" && texts[0] != w) {
					t.Errorf("frame %d: got %.30q, want %.30q", i, texts, w)
				}
			}
			_, err = src.Next(context.Background())
			if !tc.loop && !errors.Is(err, io.EOF) {
				t.Errorf("after the last picture: got %v, want io.EOF", err)
			}
			src.Close()
			if _, err := src.Next(context.Background()); !errors.Is(err, ErrClosed) {
				t.Errorf("after Close: got %v, want ErrClosed", err)
			}
		})
	}
}

func TestDirSourcePacedHonoursContext(t *testing.T) {
	dir := t.TempDir()
	writePictures(t, dir, "short")
	src, err := NewDirSource(dir, DirOptions{FPS: 0.001, Loop: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Next(context.Background()); err != nil {
		t.Fatalf("first frame: %v", err)
	}
	// The next frame is due in 1000 s: the context's end ends the wait.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := src.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want context.DeadlineExceeded", err)
	}
}

func TestDirSourceEmpty(t *testing.T) {
	if _, err := NewDirSource(t.TempDir(), DirOptions{}); err == nil {
		t.Error("a folder without pictures: want an error")
	}
	if _, err := NewDirSource(filepath.Join(t.TempDir(), "missing"), DirOptions{}); err == nil {
		t.Error("a missing folder: want an error")
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDirSourceUnplugged: the folder is the replay's camera. While it is
// gone Next fails (not io.EOF: the camera may come back), and once it is
// back the frames come again.
func TestDirSourceUnplugged(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cam")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	writePictures(t, dir, "short")
	src, err := NewDirSource(dir, DirOptions{Loop: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := src.Next(ctx); err != nil {
		t.Fatalf("plugged: %v", err)
	}
	if err := os.Rename(dir, dir+".gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Next(ctx); !errors.Is(err, fs.ErrNotExist) || errors.Is(err, io.EOF) {
		t.Errorf("unplugged: got %v, want an error wrapping fs.ErrNotExist", err)
	}
	if err := os.Rename(dir+".gone", dir); err != nil {
		t.Fatal(err)
	}
	if f, err := src.Next(ctx); err != nil || f.Seq != 2 {
		t.Errorf("plugged back: frame %d, %v; want frame 2", f.Seq, err)
	}
}
