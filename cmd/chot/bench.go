package main

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"

	"github.com/chot-dev/chot/bench"
	"github.com/chot-dev/chot/bench/imgset"
)

func cmdBench(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] != "decode" {
		fmt.Fprintln(e.stderr, "usage: chot bench decode [flags] DIR")
		return exitUsage
	}
	fs := newFlags(e, "bench decode")
	gen := fs.Bool("gen", false, "generate the picture set into DIR first (done anyway when DIR has no manifest)")
	seed := fs.Uint64("seed", 1, "with --gen: the set's random seed")
	variants := fs.Int("variants", 3, "with --gen: pictures per resolution, payload and distortion")
	runs := fs.Int("runs", 3, "decode each picture this many times, keep the fastest")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: chot bench decode [flags] DIR\n\nDecodes a generated set of camera-like pictures (DIR/manifest.json) and prints,\nper distortion and resolution, correct decodes and median time, then success\nrate, median/p95 time, empty-frame time and misreads per resolution.")
		fs.PrintDefaults()
	}
	if c := parseFlags(fs, args[1:]); c >= 0 {
		return c
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	dir := fs.Arg(0)
	if _, err := os.Stat(filepath.Join(dir, imgset.ManifestName)); *gen || errors.Is(err, errNotExist) {
		fmt.Fprintf(e.stderr, "generating the set into %s…\n", dir)
		if _, err := imgset.Generate(dir, imgset.Options{Seed: *seed, Variants: *variants}); err != nil {
			return fail(e, "bench: %v", err)
		}
	}
	man, err := imgset.Load(dir)
	if err != nil {
		return fail(e, "bench: %v", err)
	}
	if ctx.Err() != nil {
		return fail(e, "bench: %v", ctx.Err())
	}
	res, err := bench.Run(dir, man, []bench.Engine{bench.Chot(), bench.ChotStream()}, *runs)
	if err != nil {
		return fail(e, "bench: %v", err)
	}
	bench.WriteTable(e.stdout, res)
	return exitOK
}

var errNotExist = iofs.ErrNotExist
