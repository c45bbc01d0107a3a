// Real DSC lists hold certificates with negative serial numbers (16 Lebanese
// DSCs on the EU gateway); Go refuses them since 1.23 unless this is set.
// verify/trust also reads them without it (trust.ParseDSC).
//
//go:debug x509negativeserial=1

// Command chot-hub is the upstream hub: it enrolls devices, ingests their
// signed pass batches exactly once, publishes trust bundles and exports
// passes for operators.
//
//	chot-hub serve --config configs/chot-hub.yaml
//	chot-hub device add --config FILE --id ID --pubkey BASE64
//	chot-hub token create --config FILE [--ttl 24h]
//	chot-hub bundle publish --config FILE BUNDLE
//	chot-hub device list|revoke --config FILE [ID]
//	chot-hub console passwd < PASSWORD
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
