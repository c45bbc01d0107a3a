package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chot-dev/chot/hw"
	"github.com/chot-dev/chot/scanner"
)

// cmdSelftest is the technician's check at the gate: click the relay, play
// each sound, cycle the LED, read the inputs, grab a camera frame, and report
// each step. Stop chotd first: it holds the pins and the camera.
func cmdSelftest(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "selftest")
	var pins hw.Pins
	fs.StringVar(&pins.Relay, "relay", "GPIO17", "relay pin")
	fs.BoolVar(&pins.RelayActiveLow, "relay-active-low", false, "the relay board energises on a low level")
	fs.StringVar(&pins.Buzzer, "buzzer", "GPIO27", "buzzer pin (empty: none)")
	fs.StringVar(&pins.LED, "led", "GPIO22", "status LED pin (empty: none)")
	fs.StringVar(&pins.Door, "door", "", "door sensor pin (empty: none)")
	fs.StringVar(&pins.Button, "button", "", "manual-open button pin (empty: none)")
	fake := fs.Bool("fake", false, "use the fake board (no GPIO), as the demo does")
	camera := fs.String("camera", "", "grab a frame from this camera (index or /dev/v4l/by-id/… path); empty: skip")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: chot selftest [flags]   (stop chotd first)")
		fs.PrintDefaults()
	}
	if c := parseFlags(fs, args); c >= 0 {
		return c
	}
	var parts hw.Parts
	if *fake {
		parts = hw.NewFakeBoard(nil).Parts
	} else {
		b, err := hw.Open(pins, hw.BoardConfig{})
		if err != nil {
			fmt.Fprintf(e.stdout, "FAIL  gpio: %v\n", err)
			return exitReject
		}
		fmt.Fprintf(e.stdout, "ok    gpio drivers: %v\n", b.Drivers.Loaded)
		parts = b.Parts
	}
	defer func() { _ = parts.Close() }()
	report := func(step string, ok bool, detail string) {
		mark := "ok  "
		if !ok {
			mark = "FAIL"
		}
		fmt.Fprintf(e.stdout, "%s  %-22s %s\n", mark, step, detail)
	}
	err := hw.SelfTest(ctx, parts, report)
	if *camera != "" {
		err = errors.Join(err, grabFrame(ctx, *camera, report))
	} else {
		report("camera", true, "skipped (no --camera)")
	}
	if err != nil {
		fmt.Fprintln(e.stdout, "selftest: FAILED")
		return exitReject
	}
	fmt.Fprintln(e.stdout, "selftest: all steps passed")
	return exitOK
}

// grabFrame opens the camera, reads one frame and decodes it.
func grabFrame(ctx context.Context, device string, report func(string, bool, string)) error {
	src, err := scanner.OpenCapture(scanner.CaptureOptions{Device: device, FourCC: "MJPG"})
	if err != nil {
		report("camera", false, err.Error())
		return err
	}
	defer src.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	start := time.Now()
	f, err := src.Next(ctx)
	if err != nil {
		report("camera", false, err.Error())
		return err
	}
	codes, _ := scanner.NewDecoder(scanner.Options{}).Decode(f)
	report("camera", true, fmt.Sprintf("%dx%d frame in %s, %d code(s) in view", f.W, f.H, time.Since(start).Round(time.Millisecond), len(codes)))
	return nil
}
