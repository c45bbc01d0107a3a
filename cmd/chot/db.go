package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/store"
)

const dbUsage = `usage: chot db COMMAND [flags] DBFILE

commands:
  init     create the file, its epoch and the device identity (at provisioning)
  inspect  print the store's status (--json for one object)
  export   write the pass log as CSV or JSON lines (--format csv|jsonl, --from SEQ, --out FILE)
  check    run the integrity check: exit 0 ok, 1 corrupt, 2 error
  compact  rewrite the file without its free pages; the daemon must be stopped

inspect, export and check take a shared lock and compact an exclusive one:
while chotd has the file open they wait --timeout and then fail.`

func cmdDB(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stderr, dbUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	sub := map[string]func(context.Context, *env, []string) int{
		"init":    dbInit,
		"inspect": dbInspect,
		"export":  dbExport,
		"check":   dbCheck,
		"compact": dbCompact,
	}[args[0]]
	if sub == nil {
		fmt.Fprintf(e.stderr, "chot: db: unknown command %q\n%s\n", args[0], dbUsage)
		return exitUsage
	}
	return sub(ctx, e, args[1:])
}

// dbFlags parses the flags common to the db commands and returns the file.
func dbFlags(e *env, name string, args []string, extra func(*flag.FlagSet)) (path string, timeout time.Duration, code int) {
	fs := newFlags(e, "db "+name)
	to := fs.Duration("timeout", 2*time.Second, "how long to wait for the file lock (held while chotd runs)")
	if extra != nil {
		extra(fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: chot db %s [flags] DBFILE\n", name)
		fs.PrintDefaults()
	}
	if c := parseFlags(fs, args); c >= 0 {
		return "", 0, c
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return "", 0, exitUsage
	}
	return fs.Arg(0), *to, -1
}

// dbErr prints err and maps it to an exit code: 1 for a corrupt file, 2 for
// anything else, with a hint when the daemon holds the lock.
func dbErr(e *env, cmd string, err error) int {
	fmt.Fprintf(e.stderr, "chot: db %s: %v\n", cmd, err)
	if errors.Is(err, store.ErrLocked) {
		fmt.Fprintln(e.stderr, "chot: the file is in use: stop chotd (systemctl stop chotd) or raise --timeout")
	}
	if errors.Is(err, store.ErrCorrupt) {
		return exitReject
	}
	return exitUsage
}

// dbInit creates the store ahead of the field: bbolt can lose a brand-new
// file to power loss during its first initialisation (store's Caveats).
func dbInit(_ context.Context, e *env, args []string) int {
	path, timeout, code := dbFlags(e, "init", args, nil)
	if code >= 0 {
		return code
	}
	_, statErr := os.Stat(path)
	s, err := store.Open(path, store.Options{Timeout: timeout})
	if err != nil {
		return dbErr(e, "init", err)
	}
	key, err := s.Identity()
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return dbErr(e, "init", err)
	}
	verb := "created"
	if statErr == nil {
		verb = "exists:"
	}
	fmt.Fprintf(e.stdout, "%s %s\nepoch:      %s\ndevice key: %s\n", verb, path, s.Epoch(),
		hex.EncodeToString(key.Public().(ed25519.PublicKey)))
	return exitOK
}

func dbInspect(_ context.Context, e *env, args []string) int {
	var asJSON *bool
	path, timeout, code := dbFlags(e, "inspect", args, func(fs *flag.FlagSet) {
		asJSON = fs.Bool("json", false, "print the status as one JSON object")
	})
	if code >= 0 {
		return code
	}
	s, err := store.Open(path, store.Options{ReadOnly: true, Timeout: timeout})
	if err != nil {
		return dbErr(e, "inspect", err)
	}
	defer s.Close()
	st := s.Status()
	if *asJSON {
		b, err := json.Marshal(st)
		if err != nil {
			return fail(e, "db inspect: %v", err)
		}
		fmt.Fprintln(e.stdout, string(b))
		return exitOK
	}
	w := e.stdout
	fmt.Fprintf(w, "path:           %s\n", st.Path)
	fmt.Fprintf(w, "epoch:          %s\n", st.Epoch)
	fmt.Fprintf(w, "records:        %d (seq %d..%d)\n", st.Records, st.FirstSeq, st.LastSeq)
	fmt.Fprintf(w, "acked through:  %d\n", st.AckedThrough)
	fmt.Fprintf(w, "pending:        %d\n", st.Pending)
	fmt.Fprintf(w, "size:           %d bytes\n", st.Size)
	fmt.Fprintf(w, "bundle version: %d\n", st.BundleVersion)
	if st.KnownTime.IsZero() {
		fmt.Fprintf(w, "known time:     none\n")
	} else {
		fmt.Fprintf(w, "known time:     %s\n", st.KnownTime.UTC().Format(time.RFC3339))
	}
	if st.Recovered != nil {
		fmt.Fprintf(w, "recovered:      %s moved aside at %s: %s\n", st.Recovered.MovedTo,
			st.Recovered.At.UTC().Format(time.RFC3339), st.Recovered.Reason)
	}
	return exitOK
}

func dbExport(ctx context.Context, e *env, args []string) int {
	var format, out *string
	var from *uint64
	path, timeout, code := dbFlags(e, "export", args, func(fs *flag.FlagSet) {
		format = fs.String("format", "jsonl", "csv or jsonl")
		from = fs.Uint64("from", 0, "first sequence number to export")
		out = fs.String("out", "-", "output file; - for stdout")
	})
	if code >= 0 {
		return code
	}
	if *format != "csv" && *format != "jsonl" {
		return fail(e, "db export: --format %q: want csv or jsonl", *format)
	}
	s, err := store.Open(path, store.Options{ReadOnly: true, Timeout: timeout})
	if err != nil {
		return dbErr(e, "export", err)
	}
	defer s.Close()
	var dst io.Writer = e.stdout
	var f *os.File
	if *out != "-" {
		if f, err = os.Create(*out); err != nil {
			return fail(e, "db export: %v", err)
		}
		defer f.Close()
		dst = f
	}
	bw := bufio.NewWriter(dst)
	n, err := exportPasses(ctx, s, bw, *format, *from)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil && f != nil {
		err = f.Close()
	}
	if err != nil {
		return fail(e, "db export: %v", err)
	}
	fmt.Fprintf(e.stderr, "chot: exported %d passes\n", n)
	return exitOK
}

// exportPasses writes the passes from seq from on as JSON lines or as CSV
// (record's one CSV writer: formulas defused, RFC 3339 UTC times).
func exportPasses(ctx context.Context, s *store.Store, w io.Writer, format string, from uint64) (int, error) {
	n := 0
	var cw *record.CSVWriter
	enc := json.NewEncoder(w)
	if format == "csv" {
		cw = record.NewCSVWriter(w, nil, nil)
		if err := cw.WriteHeader(); err != nil {
			return 0, err
		}
	}
	err := s.Range(from, func(p record.Pass) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		n++
		if cw != nil {
			return cw.Write(p)
		}
		return enc.Encode(p)
	})
	if cw != nil {
		if ferr := cw.Flush(); err == nil {
			err = ferr
		}
	}
	return n, err
}

func dbCheck(_ context.Context, e *env, args []string) int {
	path, timeout, code := dbFlags(e, "check", args, nil)
	if code >= 0 {
		return code
	}
	if err := store.Check(path, store.Options{Timeout: timeout}); err != nil {
		return dbErr(e, "check", err)
	}
	fmt.Fprintf(e.stdout, "ok: %s\n", path)
	return exitOK
}

func dbCompact(_ context.Context, e *env, args []string) int {
	path, timeout, code := dbFlags(e, "compact", args, nil)
	if code >= 0 {
		return code
	}
	before, after, err := store.Compact(path, store.Options{Timeout: timeout})
	if err != nil {
		return dbErr(e, "compact", err)
	}
	fmt.Fprintf(e.stdout, "compacted %s: %d → %d bytes\n", path, before, after)
	return exitOK
}
