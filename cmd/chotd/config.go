package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/chot-dev/chot/status"
	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/trust"
)

// ConfigVersion is the config format this chotd reads.
const ConfigVersion = 1

// Config is chotd's configuration file (configs/chotd.yaml, configs/demo.yaml;
// /etc/chot/chotd.yaml on a board). Unknown fields are errors.
type Config struct {
	Version int    `yaml:"version"`
	Site    string `yaml:"site"`
	Device  struct {
		ID      string `yaml:"id"`
		DataDir string `yaml:"data_dir"`
		// StoreMaxBytes caps the pass log file; 0: the store's default
		// (1 GiB). When it is full, passes are refused (the gate stays
		// closed) until the hub has acknowledged older ones.
		StoreMaxBytes int64 `yaml:"store_max_bytes"`
	} `yaml:"device"`
	Hub struct {
		URL         string `yaml:"url"`
		EnrollToken string `yaml:"enroll_token"`
		// EnrollTokenFile holds the token instead (first-boot provisioning
		// writes secrets to files).
		EnrollTokenFile string        `yaml:"enroll_token_file"`
		Interval        time.Duration `yaml:"interval"`
	} `yaml:"hub"`
	Trust struct {
		// Roots are the pinned Ed25519 root public keys, base64 of the raw 32
		// bytes (what `chot trust keygen` writes to root.pub).
		Roots []string `yaml:"roots"`
		// RootFiles are files holding root keys (root.pub of `chot trust
		// keygen`: PEM, or raw base64).
		RootFiles []string `yaml:"root_files"`
		// keys are the parsed roots of both.
		keys []ed25519.PublicKey
		// Bundle is a signed bundle to install at start if newer than the
		// installed one (from the image, a USB stick).
		Bundle string `yaml:"bundle"`
	} `yaml:"trust"`
	Camera struct {
		Source string  `yaml:"source"` // replay | camera | video
		Dir    string  `yaml:"dir"`    // replay: a folder of images, looped
		Device string  `yaml:"device"` // camera: index or /dev/v4l/by-id/… path
		File   string  `yaml:"file"`   // video: a file
		Width  int     `yaml:"width"`
		Height int     `yaml:"height"`
		FPS    float64 `yaml:"fps"`
		// Quiet is how long the same code must be gone before it is read again.
		Quiet time.Duration `yaml:"quiet"`
	} `yaml:"camera"`
	GPIO struct {
		Driver         string `yaml:"driver"` // periph | fake
		Relay          string `yaml:"relay"`
		RelayActiveLow bool   `yaml:"relay_active_low"`
		Buzzer         string `yaml:"buzzer"`
		LED            string `yaml:"led"`
		Door           string `yaml:"door"`
		Button         string `yaml:"button"`
	} `yaml:"gpio"`
	Gate struct {
		Pulse      time.Duration `yaml:"pulse"`
		DoorWindow time.Duration `yaml:"door_window"`
	} `yaml:"gate"`
	Policy struct {
		Mode           string                    `yaml:"mode"`
		Passback       time.Duration             `yaml:"passback"`
		UntrustedClock string                    `yaml:"untrusted_clock"` // refuse | accept
		Modes          map[string]*verify.Policy `yaml:"modes"`
	} `yaml:"policy"`
	Status struct {
		Listen            string `yaml:"listen"`
		AdminPasswordHash string `yaml:"admin_password_hash"`
		Language          string `yaml:"language"` // vi | en: the default
	} `yaml:"status"`
	Privacy struct {
		// SubjectKey is the deployment key for subject hashes, hex, ≥ 16
		// bytes; the same on every device of a deployment so the hub can
		// deduplicate across devices.
		SubjectKey string `yaml:"subject_key"`
	} `yaml:"privacy"`
	Log struct {
		Level string `yaml:"level"` // debug | info | warn | error
	} `yaml:"log"`
}

// ErrNoConfig means there is no config file yet: chotd starts unconfigured.
var ErrNoConfig = errors.New("no config file yet")

// LoadConfig reads and checks the config at path. It reports every problem
// at once, joined.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, ErrNoConfig)
	}
	if err != nil {
		return nil, err
	}
	return ParseConfig(b, filepath.Dir(path))
}

// ParseConfig parses a config; relative paths are resolved against base.
func ParseConfig(b []byte, base string) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var problems []error
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, fmt.Errorf("config: %w", err)
		}
		// yaml.v3 goes on after unknown fields and type errors: list them all.
		for _, e := range te.Errors {
			problems = append(problems, errors.New(e))
		}
	}
	c.setDefaults()
	c.resolvePaths(base)
	problems = append(problems, c.readFiles()...)
	problems = append(problems, c.check()...)
	if len(problems) > 0 {
		return &c, &ConfigError{Problems: problems}
	}
	return &c, nil
}

// ConfigError lists every problem of a config file.
type ConfigError struct{ Problems []error }

func (e *ConfigError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "config: %d problem(s):", len(e.Problems))
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  - %v", p)
	}
	return b.String()
}

// Strings returns the problems as text, for the status page.
func (e *ConfigError) Strings() []string {
	out := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.Error()
	}
	return out
}

func (c *Config) setDefaults() {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.Device.DataDir, "/var/lib/chot")
	def(&c.Camera.Source, "camera")
	def(&c.GPIO.Driver, "periph")
	def(&c.Status.Listen, "127.0.0.1:8080")
	def(&c.Status.Language, "vi")
	def(&c.Policy.UntrustedClock, "refuse")
	def(&c.Log.Level, "info")
	if c.Hub.Interval == 0 {
		c.Hub.Interval = 30 * time.Second
	}
	if c.Camera.FPS == 0 {
		c.Camera.FPS = 10
	}
	if c.Camera.Quiet == 0 {
		c.Camera.Quiet = 3 * time.Second
	}
	if c.Gate.Pulse == 0 {
		c.Gate.Pulse = 3 * time.Second
	}
}

func (c *Config) check() []error {
	var p []error
	bad := func(format string, a ...any) { p = append(p, fmt.Errorf(format, a...)) }
	if c.Version != ConfigVersion {
		bad("version: %d, this chotd reads version %d", c.Version, ConfigVersion)
	}
	if c.Device.ID == "" {
		bad("device.id: missing")
	}
	if c.Device.StoreMaxBytes != 0 && c.Device.StoreMaxBytes < 64<<10 {
		bad("device.store_max_bytes: %d, want 0 (the default, 1 GiB) or at least 65536", c.Device.StoreMaxBytes)
	}
	for i, r := range c.Trust.Roots {
		keys, err := trust.ParsePublicKeys([]byte(strings.TrimSpace(r)))
		if err != nil {
			bad("trust.roots[%d]: not an Ed25519 public key (base64 of 32 bytes, or PEM)", i)
		}
		c.Trust.keys = append(c.Trust.keys, keys...)
	}
	if len(c.Trust.keys) == 0 && len(c.Trust.RootFiles) == 0 {
		bad("trust: no pinned root key (roots or root_files): no trust bundle could ever be installed")
	}
	switch c.Camera.Source {
	case "replay":
		if c.Camera.Dir == "" {
			bad("camera.dir: missing for source replay")
		}
	case "camera":
		if c.Camera.Device == "" {
			bad("camera.device: missing for source camera")
		}
	case "video":
		if c.Camera.File == "" {
			bad("camera.file: missing for source video")
		}
	default:
		bad("camera.source: %q, want replay, camera or video", c.Camera.Source)
	}
	if c.Camera.FPS < 0 || c.Camera.FPS > 120 {
		bad("camera.fps: %g out of range", c.Camera.FPS)
	}
	switch c.GPIO.Driver {
	case "periph", "fake":
	default:
		bad("gpio.driver: %q, want periph or fake", c.GPIO.Driver)
	}
	if c.GPIO.Relay == "" {
		bad("gpio.relay: missing")
	}
	if c.Gate.Pulse < 100*time.Millisecond || c.Gate.Pulse > time.Minute {
		bad("gate.pulse: %s, want 100ms..1m", c.Gate.Pulse)
	}
	if c.Policy.UntrustedClock != "refuse" && c.Policy.UntrustedClock != "accept" {
		bad("policy.untrusted_clock: %q, want refuse or accept", c.Policy.UntrustedClock)
	}
	if c.Policy.Mode != "" && len(c.Policy.Modes) > 0 && c.Policy.Modes[c.Policy.Mode] == nil {
		bad("policy.mode: %q is not one of policy.modes", c.Policy.Mode)
	}
	if k, err := hex.DecodeString(c.Privacy.SubjectKey); err != nil || len(k) < 16 {
		bad("privacy.subject_key: want at least 16 bytes of hex")
	}
	if c.Hub.URL != "" && !strings.HasPrefix(c.Hub.URL, "http://") && !strings.HasPrefix(c.Hub.URL, "https://") {
		bad("hub.url: %q is not an http(s) URL", c.Hub.URL)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level: %q, want debug, info, warn or error", c.Log.Level)
	}
	if h := c.Status.AdminPasswordHash; h != "" {
		if err := status.CheckPasswordHash(h); err != nil {
			bad("status.admin_password_hash: %v (make one with chot passwd)", err)
		}
	}
	switch c.Status.Language {
	case "vi", "en":
	default:
		bad("status.language: %q, want vi or en", c.Status.Language)
	}
	return p
}

func (c *Config) resolvePaths(base string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(base, *p)
		}
	}
	abs(&c.Device.DataDir)
	abs(&c.Camera.Dir)
	abs(&c.Camera.File)
	abs(&c.Trust.Bundle)
	abs(&c.Hub.EnrollTokenFile)
	for i := range c.Trust.RootFiles {
		abs(&c.Trust.RootFiles[i])
	}
}

// readFiles reads the keys and tokens the config names by file.
func (c *Config) readFiles() []error {
	var p []error
	for _, f := range c.Trust.RootFiles {
		b, err := os.ReadFile(f)
		if err == nil {
			var keys []ed25519.PublicKey
			if keys, err = trust.ParsePublicKeys(b); err == nil {
				c.Trust.keys = append(c.Trust.keys, keys...)
			}
		}
		if err != nil {
			p = append(p, fmt.Errorf("trust.root_files: %s: %w", f, err))
		}
	}
	if f := c.Hub.EnrollTokenFile; f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			p = append(p, fmt.Errorf("hub.enroll_token_file: %w", err))
		} else {
			c.Hub.EnrollToken = strings.TrimSpace(string(b))
		}
	}
	return p
}
