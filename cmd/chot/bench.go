package main

import (
	"context"
	"fmt"

	"github.com/chot-dev/chot/bench"
)

// cmdBench is `chot bench decode`: chot's decoder (picture and streaming
// mode) and zxing-cpp alone side by side, on the generated set and the real
// pictures (bench.Main has the flags). bench/compare adds zbar and OpenCV.
func cmdBench(_ context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] != "decode" {
		fmt.Fprintln(e.stderr, "usage: chot bench decode [flags] [DIR]")
		return exitUsage
	}
	return bench.Main(args[1:], e.stdout, e.stderr, []bench.Engine{bench.Chot(), bench.ZXingCPP()}, []bench.Engine{bench.ChotStream()})
}
