package bench

import (
	"bytes"
	"strings"
	"testing"

	"github.com/chot-dev/chot/bench/imgset"
)

func TestRunAndTable(t *testing.T) {
	dir := t.TempDir()
	man, err := imgset.Generate(dir, imgset.Options{Variants: 1, Res: []string{"640x480"}, Only: []string{"clean"}, Empty: 1})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(dir, man, []Engine{Chot()}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 {
		t.Fatalf("%d results, want 3", len(res))
	}
	for _, r := range res {
		if r.Bad || r.OK != (r.Item.Want != "") {
			t.Errorf("%s: ok %v bad %v texts %.30q", r.Item.File, r.OK, r.Bad, r.Texts)
		}
	}
	var out bytes.Buffer
	WriteTable(&out, res)
	for _, want := range []string{"| clean | 640x480 | 2/2 ", "| correct all | 640x480 | 2/2 (100%) |", "| misreads | 640x480 | 0 |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}
