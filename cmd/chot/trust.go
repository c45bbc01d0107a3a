package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/chot-dev/chot/internal/atomicfile"
	"github.com/chot-dev/chot/store"
	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/trust"
)

// trustCommands are the subcommands of `chot trust`.
var trustCommands = map[string]command{
	"keygen":  {"make a root key pair: --out root.key (and root.pub beside it)", cmdTrustKeygen},
	"build":   {"build a bundle from DSCs, DSC lists, jwks and revocation lists; signed with --key", cmdTrustBuild},
	"sign":    {"sign an unsigned bundle: --key root.key IN OUT", cmdTrustSign},
	"inspect": {"print a bundle's content (--root checks its signature)", cmdTrustInspect},
	"import":  {"check a bundle as a device would and install it", cmdTrustImport},
}

func cmdTrust(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stderr, "usage: chot trust SUBCOMMAND [flags] [args]\n\nsubcommands:")
		names := make([]string, 0, len(trustCommands))
		for n := range trustCommands {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(e.stderr, "  %-8s %s\n", n, trustCommands[n].summary)
		}
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c, ok := trustCommands[args[0]]
	if !ok {
		return fail(e, "trust: unknown subcommand %q", args[0])
	}
	return c.run(ctx, e, args[1:])
}

// atFlag adds --at and returns a function giving the command's time: --at,
// or the env's clock.
func atFlag(fs *flag.FlagSet, e *env) func() (time.Time, error) {
	at := fs.String("at", "", "act at this time (RFC 3339; no zone = UTC) instead of now")
	return func() (time.Time, error) {
		if *at == "" {
			return e.now(), nil
		}
		t, err := verify.ParseTime(*at)
		if err != nil {
			return time.Time{}, fmt.Errorf("--at: %w", err)
		}
		return t, nil
	}
}

func cmdTrustKeygen(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "trust keygen")
	out := fs.String("out", "", "write the private key here (PEM PKCS #8, mode 0600); the public key goes to the same name with .pub")
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	if *out == "" || fs.NArg() > 0 {
		return fail(e, "trust keygen: usage: chot trust keygen --out root.key")
	}
	pubPath := strings.TrimSuffix(*out, ".key") + ".pub"
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fail(e, "trust keygen: %v", err)
	}
	privPEM, err := trust.MarshalPrivateKey(priv)
	if err != nil {
		return fail(e, "trust keygen: %v", err)
	}
	pubPEM, err := trust.MarshalPublicKey(pub)
	if err != nil {
		return fail(e, "trust keygen: %v", err)
	}
	// O_EXCL: never overwrite a root key.
	if err := writeNew(*out, privPEM, 0o600); err != nil {
		return fail(e, "trust keygen: %v", err)
	}
	if err := writeNew(pubPath, pubPEM, 0o644); err != nil {
		return fail(e, "trust keygen: %v", err)
	}
	fmt.Fprintf(e.stdout, "root %x\nprivate key %s\npublic key  %s\n", trust.RootID(pub), *out, pubPath)
	return exitOK
}

func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeFile writes data to path atomically and durably (temp file, fsync,
// rename, directory fsync).
func writeFile(path string, data []byte) error { return atomicfile.Write(path, data, 0o644) }

func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := trust.ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

func cmdTrustBuild(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "trust build")
	var certs, lists, jwks, revs, trustLists, ruleFiles multiFlag
	version := fs.Uint64("version", 0, "bundle version, higher than every earlier one (required)")
	valid := fs.Duration("valid", 30*24*time.Hour, "expires_at = now + this")
	stale := fs.Duration("stale", 7*24*time.Hour, "stale_after = now + this (at most --valid)")
	policyPath := fs.String("policy", "", "include the rule sets of this policy file (YAML or JSON)")
	keyPath := fs.String("key", "", "sign with this root private key; without it, write the unsigned payload for `chot trust sign`")
	out := fs.String("out", "", "write the bundle here (required)")
	fs.Var(&certs, "cert", "a DCC DSC file (DER or PEM); repeatable")
	fs.Var(&lists, "dsc-list", "a DCC signer list JSON; repeatable")
	fs.Var(&jwks, "jwks", "an SHC issuer's keys: ISSUER_URL=FILE (crl/<kid>.json beside it is read); repeatable")
	fs.Var(&trustLists, "trustlist", "a published trust list whose own signature must check with --trustlist-key (the German gateway's signed DSC list, …); repeatable")
	listKey := fs.String("trustlist-key", "", "the pinned key the --trustlist lists must be signed with (PEM public key, or what the list's kind takes)")
	valueSetDir := fs.String("valuesets", "", "include the EU value set files of this folder (DCC coded fields are checked against them; rules see them)")
	allowUnsigned := fs.Bool("trustlist-unsigned", false, "take a --trustlist that has no signature (marked unsigned in the bundle)")
	fs.Var(&ruleFiles, "rules", "EU business rules (CertLogic) for policy modes' rule_sets: NAME=FILE, a rule or an array of rules; repeatable")
	fs.Var(&revs, "revocations", "a revocation list (EU DCC batch JSON, or text with a '# kind:' header); repeatable")
	var ff formatFlags
	ff.register(fs, "divoc-key")
	now := atFlag(fs, e)
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	if *version == 0 || *out == "" || fs.NArg() > 0 {
		return fail(e, "trust build: --version and --out are required")
	}
	if *stale > *valid || *stale < 0 {
		return fail(e, "trust build: --stale %v must be between 0 and --valid %v", *stale, *valid)
	}
	t, err := now()
	if err != nil {
		return fail(e, "trust build: %v", err)
	}
	t = t.UTC().Truncate(time.Second)
	b := &trust.Bundle{Version: *version, IssuedAt: t, StaleAfter: t.Add(*stale), ExpiresAt: t.Add(*valid)}
	key, err := readListKey(*listKey, len(trustLists) > 0)
	if err != nil {
		return fail(e, "trust build: %v", err)
	}
	src := trust.Sources{Certs: certs, DSCLists: lists, TrustLists: trustLists, ListKey: key,
		Options: trust.TrustListOptions{AllowUnsigned: *allowUnsigned}, JWKS: jwks, Revocations: revs,
		Report: func(f string, l *trust.ListImport) { printListReport(e.stderr, f, l) }}
	if err := b.AddSources(src); err != nil {
		return fail(e, "trust build: %v", err)
	}
	if err := ff.addToBundle(b, t, e.stderr); err != nil {
		return fail(e, "trust build: %v", err)
	}
	if *valueSetDir != "" {
		sets, skipped, err := trust.ImportValueSetDir(*valueSetDir)
		if err != nil {
			return fail(e, "trust build: %v", err)
		}
		b.ValueSets = sets
		fmt.Fprintf(e.stderr, "chot: value sets %s: %d taken, %d left out %v\n", *valueSetDir, len(sets), len(skipped), skipped)
	}
	if *policyPath != "" {
		if b.Policy, err = readPolicySet(*policyPath); err != nil {
			return fail(e, "trust build: %v", err)
		}
	}
	if b.RuleSets, err = trust.ReadRuleSets(ruleFiles); err != nil {
		return fail(e, "trust build: %v", err)
	}
	var data []byte
	if *keyPath != "" {
		key, err := readPrivateKey(*keyPath)
		if err != nil {
			return fail(e, "trust build: %v", err)
		}
		data, err = trust.Sign(b, key)
		if err != nil {
			return fail(e, "trust build: %v", err)
		}
	} else if data, err = b.Payload(); err != nil {
		return fail(e, "trust build: %v", err)
	}
	if err := writeFile(*out, data); err != nil {
		return fail(e, "trust build: %v", err)
	}
	state := "unsigned (sign it with `chot trust sign`)"
	if *keyPath != "" {
		state = "signed"
	}
	fmt.Fprintf(e.stdout, "wrote %s: version %d, %d keys, %d revocation values, %d bytes, %s\n",
		*out, b.Version, len(b.Keys), countValues(b), len(data), state)
	return exitOK
}

func countValues(b *trust.Bundle) int {
	n := 0
	for _, r := range b.Revocations {
		n += len(r.Values)
	}
	return n
}

func cmdTrustSign(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "trust sign")
	keyPath := fs.String("key", "", "the root private key (required)")
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	if *keyPath == "" || fs.NArg() != 2 {
		return fail(e, "trust sign: usage: chot trust sign --key root.key IN OUT")
	}
	key, err := readPrivateKey(*keyPath)
	if err != nil {
		return fail(e, "trust sign: %v", err)
	}
	payload, err := readLimited(fs.Arg(0))
	if err != nil {
		return fail(e, "trust sign: %v", err)
	}
	data, err := trust.SignPayload(payload, key)
	if err != nil {
		return fail(e, "trust sign: %s: %v", fs.Arg(0), err)
	}
	if err := writeFile(fs.Arg(1), data); err != nil {
		return fail(e, "trust sign: %v", err)
	}
	fmt.Fprintf(e.stdout, "signed %s with root %x: %s\n", fs.Arg(0), trust.RootID(key.Public().(ed25519.PublicKey)), fs.Arg(1))
	return exitOK
}

// readLimited reads a bundle file, refusing one over trust.MaxSize before
// reading it whole.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, trust.MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > trust.MaxSize {
		return nil, fmt.Errorf("%s: %w", path, trust.ErrTooLarge)
	}
	return data, nil
}

func cmdTrustImport(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "trust import")
	rootPath := fs.String("root", "", "the pinned root public key(s) (required)")
	installed := fs.Uint64("installed-version", 0, "the version installed now: only a higher one is accepted (with --db: the store's)")
	dbPath := fs.String("db", "", "install into this device store (chotd's chot.db; stop chotd first); without it, only check")
	asJSON := fs.Bool("json", false, "print one JSON object")
	now := atFlag(fs, e)
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	if *rootPath == "" || fs.NArg() != 1 {
		return fail(e, "trust import: usage: chot trust import --root root.pub [--db chot.db | --installed-version N] FILE")
	}
	var st *store.Store
	if *dbPath != "" {
		var err error
		if st, err = store.Open(*dbPath, store.Options{}); err != nil {
			return fail(e, "trust import: %v (is chotd running? stop it first)", err)
		}
		defer st.Close()
		*installed = max(*installed, st.BundleVersion())
	}
	t, err := now()
	if err != nil {
		return fail(e, "trust import: %v", err)
	}
	roots, err := trust.ReadRoots(*rootPath)
	if err != nil {
		return fail(e, "trust import: %v", err)
	}
	data, err := readLimited(fs.Arg(0))
	if err != nil {
		return fail(e, "trust import: %v", err)
	}
	b, err := trust.Open(data, roots, *installed, t)
	if err == nil {
		_, err = trust.NewStore(b)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "chot: trust import: refused, nothing installed: %v\n", err)
		return exitReject
	}
	if err := printBundle(e.stdout, summarize(b, true, "valid", t), *asJSON); err != nil {
		return fail(e, "trust import: %v", err)
	}
	if st == nil {
		fmt.Fprintf(e.stderr, "chot: trust import: version %d checked; not installed (give --db to install)\n", b.Version)
		return exitOK
	}
	// One bbolt transaction, which refuses a version not above the installed one.
	if err := st.SetBundle(data, b.Version); err != nil {
		fmt.Fprintf(e.stderr, "chot: trust import: refused, nothing installed: %v\n", err)
		return exitReject
	}
	fmt.Fprintf(e.stderr, "chot: trust import: version %d installed in %s\n", b.Version, *dbPath)
	return exitOK
}

// errUnsigned is what inspect reports for a bare payload given --root.
var errUnsigned = errors.New("the bundle is not signed")

func cmdTrustInspect(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "trust inspect")
	rootPath := fs.String("root", "", "check the signature against these root public key(s)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	now := atFlag(fs, e)
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	if fs.NArg() != 1 {
		return fail(e, "trust inspect: usage: chot trust inspect [--root root.pub] [--json] FILE")
	}
	t, err := now()
	if err != nil {
		return fail(e, "trust inspect: %v", err)
	}
	data, err := readLimited(fs.Arg(0))
	if err != nil {
		return fail(e, "trust inspect: %v", err)
	}
	b, signed, err := trust.Inspect(data)
	if err != nil {
		return fail(e, "trust inspect: %s: %v", fs.Arg(0), err)
	}
	sig := "not_checked"
	code := exitOK
	if *rootPath != "" {
		roots, err := trust.ReadRoots(*rootPath)
		if err != nil {
			return fail(e, "trust inspect: %v", err)
		}
		err = errUnsigned
		if signed {
			err = trust.VerifySignature(data, roots)
		}
		sig = "valid"
		if err != nil {
			sig = "invalid"
			code = exitReject
			fmt.Fprintf(e.stderr, "chot: trust inspect: %v\n", err)
		}
	}
	if err := printBundle(e.stdout, summarize(b, signed, sig, t), *asJSON); err != nil {
		return fail(e, "trust inspect: %v", err)
	}
	return code
}
