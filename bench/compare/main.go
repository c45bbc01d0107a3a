//go:build native

package main

import (
	"os"

	"github.com/chot-dev/chot/bench"
)

func main() {
	engines := []bench.Engine{bench.Chot(), bench.ZXingCPP(), zbar(), opencv()}
	os.Exit(bench.Main(os.Args[1:], os.Stdout, os.Stderr, engines, []bench.Engine{bench.ChotStream()}))
}
