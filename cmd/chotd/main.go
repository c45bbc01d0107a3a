// Real DSC lists hold certificates with negative serial numbers (16 Lebanese
// DSCs on the EU gateway); Go refuses them since 1.23 unless this is set.
// verify/trust also reads them without it (trust.ParseDSC).
//
//go:debug x509negativeserial=1

// Command chotd is the checkpoint daemon: camera → scanner → verify →
// durable log → gate, buzzer and LED, with the status page and the uplink to
// the hub running beside it.
//
// Without a config file, or with a broken one, it still starts: the status
// page says what is wrong, the LED shows "unconfigured" and the gate stays
// closed.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// version is stamped at build time (-ldflags -X main.version=…).
var version = "dev"

func main() {
	fs := flag.NewFlagSet("chotd", flag.ExitOnError)
	cfgPath := fs.String("config", "/etc/chot/chotd.yaml", "config file")
	listen := fs.String("listen", "", "status page address, overriding the config's (also used when unconfigured)")
	showVersion := fs.Bool("version", false, "print the version and exit")
	checkConfig := fs.Bool("check-config", false, "check the config file, print every problem and exit (0: valid, 1: not)")
	reset := fs.Bool("reset-clock", false, "with chotd stopped: reset the last known good time (to -reset-clock-to, or forget it), log it and exit")
	resetTo := fs.String("reset-clock-to", "", "the time -reset-clock sets, RFC 3339 (default: none, the hub's answers set it)")
	_ = fs.Parse(os.Args[1:])
	if *showVersion {
		fmt.Println("chotd", version)
		return
	}
	if *checkConfig {
		// Used by first-boot provisioning (build/) before installing a config.
		cfg, err := LoadConfig(*cfgPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "chotd:", err)
			os.Exit(1)
		}
		fmt.Printf("%s: valid\ndevice.id=%s\ndevice.data_dir=%s\n", *cfgPath, cfg.Device.ID, cfg.Device.DataDir)
		return
	}
	if *reset {
		var to time.Time
		if *resetTo != "" {
			t, err := time.Parse(time.RFC3339, *resetTo)
			if err != nil {
				fmt.Fprintln(os.Stderr, "chotd: -reset-clock-to: want RFC 3339:", err)
				os.Exit(2)
			}
			to = t
		}
		log := slog.New(slog.NewTextHandler(os.Stderr, nil))
		if err := resetClock(context.Background(), *cfgPath, to, os.Stdout, log); err != nil {
			fmt.Fprintln(os.Stderr, "chotd:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, options{configPath: *cfgPath, listen: *listen, stderr: os.Stderr})
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chotd:", err)
		os.Exit(1)
	}
}
