//go:build unix

package status

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"
)

func TestStatDisk(t *testing.T) {
	dir := t.TempDir()
	d, err := StatDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.TotalBytes == 0 || d.FreeBytes > d.TotalBytes || d.UsedBytes > d.TotalBytes || d.Path != dir {
		t.Errorf("implausible usage %+v", d)
	}
	if _, err := StatDisk(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing dir: got %v, want ErrNotExist", err)
	}
}
