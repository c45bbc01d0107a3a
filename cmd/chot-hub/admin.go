package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/hub/console"
	"github.com/chot-dev/chot/sync/hub/refresh"
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
	device := fs.String("device", "", "re-enroll this device: the token binds its id to a new key and lifts a revocation")
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	if *device != "" && !wire.ValidDevice(*device) {
		return fail(e, exitUsage, "token create: --device %q: not a device id", *device)
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
	if *device != "" {
		err = st.AddTokenFor(ctx, hash, expires, *device)
	} else {
		err = st.AddToken(ctx, hash, expires)
	}
	if err != nil {
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
	b, err := cfg.bundles(e.now)
	if err != nil {
		return fail(e, exitUsage, "bundle publish: %v", err)
	}
	if b.Check == nil {
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

func cmdDeviceList(ctx context.Context, e *env, args []string) int {
	fs, cfgPath := newFlags(e, "device list")
	asJSON := fs.Bool("json", false, "print JSON (as GET /v1/devices)")
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	cfg, st, c := openStorage(ctx, e, *cfgPath)
	if c >= 0 {
		return c
	}
	defer st.Close()
	ds, err := st.Devices(ctx)
	if err != nil {
		return fail(e, exitFail, "device list: %v", err)
	}
	now := e.now()
	fleet := make([]hub.FleetDevice, len(ds))
	for i, d := range ds {
		fleet[i] = hub.Judge(d, now, cfg.rules())
	}
	hub.SortFleet(fleet)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(map[string]any{"devices": fleet, "server_time": now.UTC()})
		return exitOK
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSITE\tSTATE\tLAST SEEN\tBUNDLE\tBACKLOG\tPROBLEMS")
	for _, f := range fleet {
		seen, bundle, backlog := "never", "-", "-"
		if !f.LastSeen.IsZero() {
			seen = now.Sub(f.LastSeen).Round(time.Second).String() + " ago"
		}
		if f.Health != nil {
			bundle, backlog = fmt.Sprint(f.Health.Bundle), fmt.Sprint(f.Health.Backlog)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.ID, f.Site, f.State, seen, bundle, backlog, strings.Join(f.Problems, ","))
	}
	tw.Flush()
	return exitOK
}

func cmdDeviceRevoke(ctx context.Context, e *env, args []string) int {
	fs, cfgPath := newFlags(e, "device revoke")
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	if fs.NArg() != 1 || !wire.ValidDevice(fs.Arg(0)) {
		return fail(e, exitUsage, "device revoke: want one device id")
	}
	_, st, c := openStorage(ctx, e, *cfgPath)
	if c >= 0 {
		return c
	}
	defer st.Close()
	if err := st.RevokeDevice(ctx, fs.Arg(0), e.now()); err != nil {
		return fail(e, exitFail, "device revoke: %v", err)
	}
	fmt.Fprintf(e.stdout, "device %s revoked: every hub instance refuses it from now on\n", fs.Arg(0))
	return exitOK
}

// bundles is the bundle directory, checking what is published against the
// deployment's roots when bundle_roots_file is set.
func (c *config) bundles(now func() time.Time) (*hub.Bundles, error) {
	b := &hub.Bundles{Dir: c.BundleDir}
	if c.BundleRootsFile == "" {
		return b, nil
	}
	roots, err := trust.ReadRoots(c.BundleRootsFile)
	if err != nil {
		return nil, fmt.Errorf("roots: %w", err)
	}
	b.Check = func(data []byte) (uint64, error) {
		tb, err := trust.Open(data, roots, 0, now())
		if err != nil {
			return 0, err
		}
		return tb.Version, nil
	}
	return b, nil
}

func cmdConsolePasswd(ctx context.Context, e *env, args []string) int {
	fs, _ := newFlags(e, "console passwd")
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return fail(e, exitUsage, "console passwd: give the password on standard input")
	}
	h, err := console.HashPassword(strings.TrimRight(line, "\r\n"))
	if err != nil {
		return fail(e, exitUsage, "console passwd: %v", err)
	}
	fmt.Fprintln(e.stdout, h)
	return exitOK
}

func cmdTrustRefresh(ctx context.Context, e *env, args []string) int {
	fs, cfgPath := newFlags(e, "trust refresh")
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return fail(e, exitUsage, "%v", err)
	}
	if cfg.TrustRefresh == nil {
		return fail(e, exitUsage, "trust refresh: no trust_refresh section in %s", *cfgPath)
	}
	b, err := cfg.bundles(e.now)
	if err != nil {
		return fail(e, exitUsage, "trust refresh: %v", err)
	}
	res, err := refresh.Run(ctx, *cfg.TrustRefresh, b, nil, e.now())
	if err != nil {
		return fail(e, exitFail, "trust refresh: %v", err)
	}
	printRefresh(e.stdout, res)
	return exitOK
}

func printRefresh(w io.Writer, res *refresh.Result) {
	if res.Published {
		fmt.Fprintf(w, "published bundle version %d\n", res.Version)
	} else {
		fmt.Fprintf(w, "bundle version %d waits for offline signing: chot trust sign %s\n", res.Version, res.Pending)
	}
	for _, s := range res.Changes.Sources {
		fmt.Fprintf(w, "  source %-20s %-22s %-10s %d keys, %d skipped\n", s.Name, s.Kind, s.Signature, s.Taken, s.Skipped)
	}
	for _, ic := range res.Changes.Issuers {
		fmt.Fprintf(w, "  %-40s +%d -%d (kept %d)\n", ic.Issuer, ic.Added, ic.Removed, ic.Kept)
	}
}
