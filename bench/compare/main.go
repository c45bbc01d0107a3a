//go:build native

package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/chot-dev/chot/bench"
	"github.com/chot-dev/chot/bench/imgset"
)

func main() {
	gen := flag.Bool("gen", false, "generate the set into DIR first (done anyway without a manifest)")
	runs := flag.Int("runs", 3, "decode each picture this many times, keep the fastest")
	variants := flag.Int("variants", 3, "with -gen: pictures per resolution, payload and distortion")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: compare [-gen] [-runs N] DIR")
		os.Exit(2)
	}
	dir := flag.Arg(0)
	if _, err := os.Stat(filepath.Join(dir, imgset.ManifestName)); *gen || errors.Is(err, fs.ErrNotExist) {
		if _, err := imgset.Generate(dir, imgset.Options{Variants: *variants}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	man, err := imgset.Load(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	res, err := bench.Run(dir, man, []bench.Engine{bench.Chot(), bench.ChotStream(), zxingCPP(), zbar()}, *runs)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	bench.WriteTable(os.Stdout, res)
}
