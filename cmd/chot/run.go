package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Exit codes, as ARCHITECTURE.md's CLI contract gives them.
const (
	exitOK     = 0 // success; for verify: accepted
	exitReject = 1 // verify: rejected
	exitUsage  = 2 // usage or I/O error
)

// env is everything a command may touch of the outside world.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	args           []string
	now            func() time.Time
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

// commands is the table of subcommands. Each lives in its own file.
var commands = map[string]command{
	"verify":   {"verify one credential (image or text)", cmdVerify},
	"passwd":   {"print the hash of an admin password for chotd's config", cmdPasswd},
	"selftest": {"check the relay, buzzer, LED, inputs and camera at the gate", cmdSelftest},
	"frames":   {"compose camera-like replay frames from pictures of codes (for the demo)", cmdFrames},
	"db":       {"inspect, export, check or compact the pass log (bbolt)", cmdDB},
	"issue":    {"mint a test credential (shc, dcc)", cmdIssue},
	"decode":   {"print the QR/Aztec codes found in images, with decode times", cmdDecode},
	"trust":    {"make, sign, inspect and import trust bundles", cmdTrust},
	"rules":    {"evaluate and check CertLogic business rules (EU format)", cmdRules},
	"bench":    {"benchmark the QR/Aztec decoder on a generated picture set", cmdBench},
}

func run(ctx context.Context, e *env) int {
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "--help" || e.args[0] == "help" {
		usage(e.stderr)
		if len(e.args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c, ok := commands[e.args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "chot: unknown command %q\n", e.args[0])
		usage(e.stderr)
		return exitUsage
	}
	return c.run(ctx, e, e.args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: chot COMMAND [flags] [args]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nrun 'chot COMMAND -h' for a command's flags")
}

// newFlags returns a flag set that writes its errors to e.stderr and does not
// exit the process.
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("chot "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseFlags parses args and maps -h to exit 0 and any other error to exit 2.
// It returns -1 when the command should go on.
func parseFlags(fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	return -1
}

// fail prints an error and returns the usage/I-O exit code.
func fail(e *env, format string, a ...any) int {
	fmt.Fprintf(e.stderr, "chot: "+format+"\n", a...)
	return exitUsage
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }
