package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/wire"
	"github.com/chot-dev/chot/verify/trust"
)

// openStorage loads the config and opens its storage.
func openStorage(ctx context.Context, e *env, path string) (*config, hub.Storage, int) {
	cfg, err := loadConfig(path)
	if err != nil {
		return nil, nil, fail(e, exitUsage, "%v", err)
	}
	st, err := hub.OpenStorage(ctx, cfg.Storage)
	if err != nil {
		return nil, nil, fail(e, exitFail, "%v", err)
	}
	return cfg, st, -1
}

func cmdDeviceAdd(ctx context.Context, e *env, args []string) int {
	fs, cfgPath := newFlags(e, "device add")
	id := fs.String("id", "", "device id")
	pub := fs.String("pubkey", "", "the device's Ed25519 public key, base64")
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	if !wire.ValidDevice(*id) {
		return fail(e, exitUsage, "device add: --id %q: want 1-64 of letters, digits and ._:-", *id)
	}
	key, err := wire.ParsePublicKey(*pub)
	if err != nil {
		return fail(e, exitUsage, "device add: --pubkey: %v", err)
	}
	_, st, c := openStorage(ctx, e, *cfgPath)
	if c >= 0 {
		return c
	}
	defer st.Close()
	if err := st.AddDevice(ctx, hub.Device{ID: *id, PubKey: key, Created: e.now()}); err != nil {
		return fail(e, exitFail, "device add: %v", err)
	}
	fmt.Fprintf(e.stdout, "device %s enrolled\n", *id)
	return exitOK
}

func cmdTokenCreate(ctx context.Context, e *env, args []string) int {
	fs, cfgPath := newFlags(e, "token create")
	ttl := fs.Duration("ttl", 0, "how long the token is valid (default: the config's token_ttl)")
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	cfg, st, c := openStorage(ctx, e, *cfgPath)
	if c >= 0 {
		return c
	}
	defer st.Close()
	if *ttl <= 0 {
		*ttl = cfg.TokenTTL
	}
	tok, hash, err := hub.NewToken()
	if err != nil {
		return fail(e, exitFail, "%v", err)
	}
	expires := e.now().Add(*ttl)
	if err := st.AddToken(ctx, hash, expires); err != nil {
		return fail(e, exitFail, "token create: %v", err)
	}
	fmt.Fprintln(e.stdout, tok)
	fmt.Fprintf(e.stderr, "one-time enrollment token, valid until %s\n", expires.UTC().Format(time.RFC3339))
	return exitOK
}

func cmdBundlePublish(ctx context.Context, e *env, args []string) int {
	fs, cfgPath := newFlags(e, "bundle publish")
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	if fs.NArg() != 1 {
		return fail(e, exitUsage, "bundle publish: want one bundle file")
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return fail(e, exitUsage, "%v", err)
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fail(e, exitUsage, "bundle publish: %v", err)
	}
	if len(data) == 0 {
		return fail(e, exitUsage, "bundle publish: %s is empty", fs.Arg(0))
	}
	b := &hub.Bundles{Dir: cfg.BundleDir}
	if cfg.BundleRootsFile != "" {
		roots, err := trust.ReadRoots(cfg.BundleRootsFile)
		if err != nil {
			return fail(e, exitUsage, "bundle publish: roots: %v", err)
		}
		b.Check = func(data []byte) (uint64, error) {
			tb, err := trust.Open(data, roots, 0, e.now())
			if err != nil {
				return 0, err
			}
			return tb.Version, nil
		}
	} else {
		fmt.Fprintln(e.stderr, "chot-hub: bundle_roots_file unset: publishing without checking the signature")
	}
	v, err := b.Publish(data)
	if err != nil {
		return fail(e, exitFail, "bundle publish: %v", err)
	}
	_, etag, err := b.Latest()
	if err != nil {
		return fail(e, exitFail, "bundle publish: %v", err)
	}
	fmt.Fprintf(e.stdout, "published %s as version %d, etag %s\n", fs.Arg(0), v, etag)
	return exitOK
}
