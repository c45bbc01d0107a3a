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

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and failed (storage, network, refused)
	exitUsage = 2 // usage or config error
)

// env is everything a command may touch of the outside world.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	args           []string
	now            func() time.Time
	// ready, if set, receives the listening address once serve listens.
	ready func(addr string)
}

type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

// commands maps "verb" or "noun verb" to a command.
var commands = map[string]command{
	"serve":          {"run the hub", cmdServe},
	"device add":     {"enroll a device by hand (id and public key)", cmdDeviceAdd},
	"device list":    {"list the fleet, devices needing action first", cmdDeviceList},
	"device revoke":  {"revoke a device: every hub instance refuses it at once", cmdDeviceRevoke},
	"token create":   {"create a one-time enrollment token", cmdTokenCreate},
	"bundle publish": {"publish a signed trust bundle file", cmdBundlePublish},
	"trust refresh":  {"build the next bundle from trust_refresh's sources, check their signatures, sign and publish", cmdTrustRefresh},
	"console passwd": {"print the bcrypt hash of the password on stdin (console.users)", cmdConsolePasswd},
}

func run(ctx context.Context, e *env) int {
	args := e.args
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if strings.HasPrefix(args[0], "-") { // chot-hub --config FILE means serve
		return cmdServe(ctx, e, args)
	}
	if c, ok := commands[args[0]]; ok {
		return c.run(ctx, e, args[1:])
	}
	if len(args) > 1 {
		if c, ok := commands[args[0]+" "+args[1]]; ok {
			return c.run(ctx, e, args[2:])
		}
	}
	fmt.Fprintf(e.stderr, "chot-hub: unknown command %q\n", strings.Join(args[:min(2, len(args))], " "))
	usage(e.stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: chot-hub COMMAND [flags] [args]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-15s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nevery command takes --config FILE (default configs/chot-hub.yaml)")
}

func newFlags(e *env, name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("chot-hub "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfg := fs.String("config", "configs/chot-hub.yaml", "config file")
	return fs, cfg
}

// parseFlags maps -h to exit 0 and other errors to exit 2; -1 means go on.
func parseFlags(fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	return -1
}

func fail(e *env, code int, format string, a ...any) int {
	fmt.Fprintf(e.stderr, "chot-hub: "+format+"\n", a...)
	return code
}
