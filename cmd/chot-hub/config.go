package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/hub/console"
	"github.com/chot-dev/chot/sync/hub/refresh"
)

// configVersion is the only config version this binary reads.
const configVersion = 1

// config is configs/chot-hub.yaml.
type config struct {
	Version int `yaml:"version"`
	// Listen is the address to serve on.
	Listen string `yaml:"listen"`
	// TLSCert and TLSKey, both or neither: serve HTTPS.
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// Storage is a SQLite file path or a postgres:// URL.
	Storage string `yaml:"storage"`
	// BundleDir holds published bundles.
	BundleDir string `yaml:"bundle_dir"`
	// BundleRootsFile holds the deployment's root public keys (PEM): a
	// bundle is published only if one of them signed it, it is not expired,
	// and its version is above the newest published one. Unset: bundles are
	// published unchecked, numbered in order.
	BundleRootsFile string `yaml:"bundle_roots_file"`
	// OperatorTokenFile holds the operator token (export); empty disables
	// the export.
	OperatorTokenFile string `yaml:"operator_token_file"`
	// MaxBatch caps passes per batch (0: the protocol maximum).
	MaxBatch int `yaml:"max_batch"`
	// MaxInFlight caps concurrent batch inserts (0: 64).
	MaxInFlight int `yaml:"max_in_flight"`
	// TokenTTL is the default life of an enrollment token.
	TokenTTL time.Duration `yaml:"token_ttl"`
	// LogLevel: debug, info, warn, error.
	LogLevel string `yaml:"log_level"`
	// OfflineAfter: a device without a health report for this long is
	// offline (0: 10 minutes).
	OfflineAfter time.Duration `yaml:"offline_after"`
	// HealthKeep is how long health reports are kept (0: 7 days).
	HealthKeep time.Duration `yaml:"health_keep"`
	// Retention deletes passes older than this (by pass time), checked
	// every RetentionEvery (0: an hour); 0 keeps them forever.
	Retention      time.Duration `yaml:"retention"`
	RetentionEvery time.Duration `yaml:"retention_every"`
	// Console is the web console on /console/; no users: no console.
	Console consoleConfig `yaml:"console"`
	// TrustRefresh builds and publishes the next bundle from the sources
	// (chot-hub trust refresh; on a schedule with every).
	TrustRefresh *refresh.Config `yaml:"trust_refresh"`
}

// consoleConfig is the console section.
type consoleConfig struct {
	Users []consoleUser `yaml:"users"`
	// SessionKeyFile holds the key (at least 32 bytes) that signs session
	// cookies; every hub instance behind one address must have the same.
	// Unset: a random key per process.
	SessionKeyFile string        `yaml:"session_key_file"`
	SecureCookies  bool          `yaml:"secure_cookies"`
	SessionTTL     time.Duration `yaml:"session_ttl"`
}

type consoleUser struct {
	Name         string `yaml:"name"`
	Role         string `yaml:"role"`          // operator or viewer
	PasswordHash string `yaml:"password_hash"` // chot-hub console passwd
}

// rules are the fleet health rules of the config.
func (c *config) rules() hub.Rules { return hub.Rules{OfflineAfter: c.OfflineAfter} }

// loadConfig reads path, rejecting unknown fields, and reports every problem
// at once.
func loadConfig(path string) (*config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return parseConfig(data)
}

func parseConfig(data []byte) (*config, error) {
	c := &config{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var errs []error
	if c.Version != configVersion {
		errs = append(errs, fmt.Errorf("version: %d, this chot-hub reads version %d", c.Version, configVersion))
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen: %q: %w", c.Listen, err))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("tls_cert and tls_key: give both or neither"))
	}
	if c.Storage == "" {
		errs = append(errs, errors.New("storage: missing (a SQLite path or a postgres:// URL)"))
	}
	if c.BundleDir == "" {
		errs = append(errs, errors.New("bundle_dir: missing"))
	}
	if c.MaxBatch < 0 || c.MaxInFlight < 0 || c.TokenTTL < 0 || c.OfflineAfter < 0 || c.HealthKeep < 0 || c.Retention < 0 || c.RetentionEvery < 0 {
		errs = append(errs, errors.New("max_batch, max_in_flight, token_ttl, offline_after, health_keep, retention, retention_every: must not be negative"))
	}
	for i, u := range c.Console.Users {
		if u.Name == "" || (u.Role != console.RoleOperator && u.Role != console.RoleViewer) || !strings.HasPrefix(u.PasswordHash, "$2") {
			errs = append(errs, fmt.Errorf("console.users[%d]: want name, role (operator or viewer) and a bcrypt password_hash (chot-hub console passwd)", i))
		}
	}
	if c.TrustRefresh != nil {
		if err := c.TrustRefresh.Check(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.RetentionEvery == 0 {
		c.RetentionEvery = time.Hour
	}
	if c.TokenTTL == 0 {
		c.TokenTTL = 24 * time.Hour
	}
	switch c.LogLevel {
	case "", "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log_level: %q: want debug, info, warn or error", c.LogLevel))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("config: %w", errors.Join(errs...))
	}
	return c, nil
}

// operatorToken reads the operator token file ("" when none is set).
func (c *config) operatorToken() (string, error) {
	if c.OperatorTokenFile == "" {
		return "", nil
	}
	data, err := os.ReadFile(c.OperatorTokenFile)
	if err != nil {
		return "", fmt.Errorf("operator token: %w", err)
	}
	tok := strings.TrimSpace(string(data))
	if len(tok) < 16 {
		return "", errors.New("operator token: shorter than 16 characters")
	}
	return tok, nil
}

// sessionKey reads the console's session key file (nil when unset).
func (c *config) sessionKey() ([]byte, error) {
	if c.Console.SessionKeyFile == "" {
		return nil, nil
	}
	data, err := os.ReadFile(c.Console.SessionKeyFile)
	if err != nil {
		return nil, fmt.Errorf("console session key: %w", err)
	}
	key := bytes.TrimSpace(data)
	if len(key) < 32 {
		return nil, errors.New("console session key: shorter than 32 bytes")
	}
	return key, nil
}
