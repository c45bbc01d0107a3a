package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/hw"
	"github.com/chot-dev/chot/scanner"
	"github.com/chot-dev/chot/store"
	"github.com/chot-dev/chot/sync/uplink"
	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/formats"
	"github.com/chot-dev/chot/verify/trust"
)

// Check at compile time that the parts fit the interfaces checkpoint declares.
var (
	_ checkpoint.Gate      = (*hw.Relay)(nil)
	_ checkpoint.Indicator = hw.Parts{}
	_ checkpoint.Log       = (*store.Store)(nil)
	_ checkpoint.TimeStore = (*store.Store)(nil)
	_ uplink.Outbox        = (*store.Store)(nil)
)

// daemon holds the running parts of a configured chotd.
type daemon struct {
	cfg    *Config
	log    *slog.Logger
	store  *store.Store
	roots  []ed25519.PublicKey
	trust  *trustSource
	clock  *checkpoint.TrustedClock
	board  hw.Parts
	fake   *hw.FakeBoard // nil on a real board
	cp     *checkpoint.Checkpoint
	source scanner.Source
	camera *cameraHealth
	up     *uplink.Uplink // nil without a hub
	key    ed25519.PrivateKey
	// enrolling is set when the device must enrol at the hub (runEnroll).
	enrolling bool
	// installMu serialises bundle installs (uplink, start-up).
	installMu sync.Mutex
}

// osClock is the board's clock: wall time and monotonic time since start.
// shift moves the wall time (ns), as a board's clock that jumps does: the
// fault tests set it; nothing else does.
type osClock struct {
	start time.Time
	shift atomic.Int64
}

func (c *osClock) Now() time.Time        { return time.Now().Add(time.Duration(c.shift.Load())) }
func (c *osClock) Uptime() time.Duration { return time.Since(c.start) }
func newOSClock() *osClock               { return &osClock{start: time.Now()} }

var bootClock = newOSClock()

// build makes every part from the config. On error everything opened so far
// is closed again.
func build(ctx context.Context, cfg *Config, log *slog.Logger) (_ *daemon, err error) {
	d := &daemon{cfg: cfg, log: log, camera: &cameraHealth{}}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	d.roots = cfg.Trust.keys
	if err := os.MkdirAll(cfg.Device.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	d.store, err = store.Open(filepath.Join(cfg.Device.DataDir, "chot.db"), store.Options{Logger: log.With("part", "store"), MaxSize: cfg.Device.StoreMaxBytes})
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if rec := d.store.Status().Recovered; rec != nil {
		log.Error("store: the pass log was corrupt; moved aside, a new epoch begins", "recovery", fmt.Sprintf("%+v", *rec))
	}
	d.key, err = d.store.Identity()
	if err != nil {
		return nil, fmt.Errorf("device identity: %w", err)
	}
	d.clock = checkpoint.NewTrustedClock(bootClock, d.store, checkpoint.ClockOptions{Floor: buildFloor(), Logger: log.With("part", "clock")})
	d.trust = &trustSource{clock: d.clock}
	if err := d.loadTrust(); err != nil {
		return nil, err
	}
	if err := d.buildBoard(); err != nil {
		return nil, err
	}
	if d.source, err = d.openSource(); err != nil {
		return nil, err
	}
	subjectKey, _ := hex.DecodeString(cfg.Privacy.SubjectKey)
	bootID := make([]byte, 8)
	_, _ = rand.Read(bootID)
	d.cp, err = checkpoint.New(checkpoint.Config{
		Site: cfg.Site, Device: cfg.Device.ID, Mode: cfg.Policy.Mode,
		Pulse: cfg.Gate.Pulse, DoorWindow: cfg.Gate.DoorWindow, Passback: cfg.Policy.Passback,
		UntrustedClock: cfg.Policy.UntrustedClock, SubjectKey: subjectKey,
	}, checkpoint.Deps{
		Verifier: formats.New(), Trust: d.trust, Log: d.store, Gate: d.board.Relay,
		Indicator: d.board, Clock: bootClock, Time: d.clock, Logger: log.With("part", "checkpoint"),
		BootID: hex.EncodeToString(bootID), Policy: d.policy,
	})
	if err != nil {
		return nil, err
	}
	if cfg.Hub.URL != "" {
		if err := d.buildUplink(ctx); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// buildFloor is the earliest time the clock may show: this software's
// release. Without a stamped build date, the start of 2026.
func buildFloor() time.Time {
	if t, err := time.Parse(time.RFC3339, buildDate); err == nil {
		return t
	}
	return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
}

// buildDate is stamped at build time (-ldflags -X main.buildDate=…).
var buildDate = ""

// policy returns the rules in force: the config's modes if it has them, else
// the installed bundle's (trust.PolicyInForce).
func (d *daemon) policy() *verify.Policy {
	return trust.PolicyInForce(d.cfg.Policy.Mode, d.cfg.Policy.Modes, d.trust.store.Load())
}

func (d *daemon) buildBoard() error {
	if d.cfg.GPIO.Driver == "fake" {
		d.fake = hw.NewFakeBoard(d.log.With("part", "hw"))
		d.board = d.fake.Parts
		return nil
	}
	b, err := hw.Open(pinsOf(d.cfg), hw.BoardConfig{})
	if err != nil {
		return fmt.Errorf("gpio: %w", err)
	}
	d.board = b.Parts
	return nil
}

func (d *daemon) openSource() (scanner.Source, error) {
	c := d.cfg.Camera
	switch c.Source {
	case "replay":
		s, err := scanner.NewDirSource(c.Dir, scanner.DirOptions{FPS: c.FPS, Loop: true})
		if err != nil {
			return nil, fmt.Errorf("camera: %w", err)
		}
		d.camera.source = "replay " + c.Dir
		return s, nil
	default:
		return openCamera(d.cfg, d.camera)
	}
}

// close releases whatever build opened, in the order of STYLE.md: gate
// first, bbolt last.
func (d *daemon) close() {
	if d.board.Relay != nil {
		_ = d.board.Relay.Close()
	}
	_ = d.board.Close()
	if d.source != nil {
		_ = d.source.Close()
	}
	if d.clock != nil {
		if err := d.clock.Save(); err != nil {
			d.log.Error("save clock", "err", err)
		}
	}
	if d.store != nil {
		if err := d.store.Close(); err != nil {
			d.log.Error("close store", "err", err)
		}
	}
}
