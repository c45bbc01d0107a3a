// Real DSC lists hold certificates with negative serial numbers (16 Lebanese
// DSCs on the EU gateway); Go refuses them since 1.23 unless this is set.
// verify/trust also reads them without it (trust.ParseDSC).
//
//go:debug x509negativeserial=1

// Command chot is the technician's and admin's tool: verify a credential,
// decode a code from an image, mint test credentials, build and sign trust
// bundles, inspect the pass log, benchmark.
//
// main only builds an env from the process and calls run, so that tests run
// the whole CLI in-process.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		args:   os.Args[1:],
		now:    time.Now,
	})
	stop()
	os.Exit(code)
}
