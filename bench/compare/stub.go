//go:build !native

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "compare: build with -tags native (needs libzxing-dev and libzbar-dev): go run -tags native ./bench/compare DIR")
	os.Exit(2)
}
