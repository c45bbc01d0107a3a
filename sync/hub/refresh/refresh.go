// Package refresh builds the hub's next trust bundle from the configured
// sources: published trust lists (the EU gateway's signed DSC list, the WHO
// GDHCN DID trust list, plain DSC lists) whose own signature must verify
// with the key pinned for that source, CSCA and DSC certificate files and
// SHC issuer key sets, read from a file or fetched from a URL. Everything
// else (policy, revocations, rule sets, value sets) is carried over from the
// newest published bundle. The result is signed with a configured root key
// and published, or left as an unsigned payload for offline signing
// (chot trust sign). What changed (keys added and removed per country) is
// written beside the bundle for the console.
//
// A source that fails (unreachable, bad signature, unreadable) fails the
// refresh: nothing is published, so a device never loses keys because one
// list could not be fetched.
package refresh

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/verify/trust"
)

// Source kinds.
const (
	KindList  = "list"  // a published trust list, signature checked with KeyFile
	KindCSCA  = "csca"  // VDS-NC country signing CA certificates
	KindCerts = "certs" // DCC document signer certificates
	KindJWKS  = "jwks"  // an SHC issuer's jwks.json (Issuer names it)
)

// Source is one place keys come from.
type Source struct {
	Name string `yaml:"name"`
	Kind string `yaml:"kind"`
	// File or URL (https:// or http://): exactly one.
	File string `yaml:"file"`
	URL  string `yaml:"url"`
	// KeyFile pins the key a list's signature must verify with (PEM, or a
	// DID document for the DID list). Required for KindList.
	KeyFile string `yaml:"key_file"`
	// Country overrides the issuer country of certificates (csca, certs).
	Country string `yaml:"country"`
	// Issuer is the SHC issuer URL (jwks).
	Issuer string `yaml:"issuer"`
}

// Config is a refresh's settings.
type Config struct {
	Sources []Source `yaml:"sources"`
	// SignKeyFile is the root private key (PEM) that signs the bundle;
	// unset: the unsigned payload is written to PendingDir.
	SignKeyFile string `yaml:"sign_key_file"`
	PendingDir  string `yaml:"pending_dir"`
	// Valid and Stale set expires_at and stale_after from now (0: 30 days,
	// 7 days).
	Valid time.Duration `yaml:"valid"`
	Stale time.Duration `yaml:"stale"`
	// Every runs the refresh on a schedule in chot-hub serve (0: only by
	// command).
	Every time.Duration `yaml:"every"`
}

// Check reports the config's problems at once.
func (c Config) Check() error {
	var errs []error
	if len(c.Sources) == 0 {
		errs = append(errs, errors.New("trust_refresh.sources: none"))
	}
	for i, s := range c.Sources {
		if (s.File == "") == (s.URL == "") {
			errs = append(errs, fmt.Errorf("trust_refresh.sources[%d] %q: give file or url", i, s.Name))
		}
		switch s.Kind {
		case KindList:
			if s.KeyFile == "" {
				errs = append(errs, fmt.Errorf("trust_refresh.sources[%d] %q: a list needs key_file (the pinned signing key)", i, s.Name))
			}
		case KindCSCA, KindCerts:
		case KindJWKS:
			if s.Issuer == "" {
				errs = append(errs, fmt.Errorf("trust_refresh.sources[%d] %q: jwks needs issuer", i, s.Name))
			}
		default:
			errs = append(errs, fmt.Errorf("trust_refresh.sources[%d] %q: kind %q: want list, csca, certs or jwks", i, s.Name, s.Kind))
		}
	}
	if c.SignKeyFile == "" && c.PendingDir == "" {
		errs = append(errs, errors.New("trust_refresh: give sign_key_file, or pending_dir for offline signing"))
	}
	if c.Valid < 0 || c.Stale < 0 || c.Every < 0 || (c.Valid > 0 && c.Stale > c.Valid) {
		errs = append(errs, errors.New("trust_refresh: valid, stale, every must not be negative; stale at most valid"))
	}
	return errors.Join(errs...)
}

// Result is what a refresh did.
type Result struct {
	Version uint64 `json:"version"`
	// Published is true when the bundle was signed and published; else
	// Pending names the unsigned payload.
	Published bool    `json:"published"`
	Pending   string  `json:"pending,omitempty"`
	Changes   Changes `json:"changes"`
}

// Changes are the keys added and removed against the previous bundle, per
// issuer (the country for DCC and VDS-NC, the URL for SHC).
type Changes struct {
	Version  uint64          `json:"version"`
	Previous uint64          `json:"previous"`
	At       time.Time       `json:"at"`
	Issuers  []IssuerChanges `json:"issuers"`
	Sources  []trust.SourceEntry
}

// IssuerChanges is one issuer's line.
type IssuerChanges struct {
	Issuer  string `json:"issuer"`
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
	Kept    int    `json:"kept"`
}

// Run builds the next bundle at now and publishes it to bundles (or leaves
// it pending). fetch reads URLs (nil: http.DefaultClient with a timeout).
func Run(ctx context.Context, cfg Config, bundles *hub.Bundles, client *http.Client, now time.Time) (*Result, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if client == nil {
		client = &http.Client{Timeout: time.Minute}
	}
	prevData, _, err := bundles.Latest()
	if err != nil {
		return nil, err
	}
	if prevData == nil {
		return nil, errors.New("refresh: no published bundle to carry the policy from: publish a first one (chot trust build)")
	}
	prev, _, err := trust.Inspect(prevData)
	if err != nil {
		return nil, fmt.Errorf("refresh: newest published bundle: %w", err)
	}
	valid, stale := cfg.Valid, cfg.Stale
	if valid == 0 {
		valid = 30 * 24 * time.Hour
	}
	if stale == 0 {
		stale = min(7*24*time.Hour, valid)
	}
	now = now.UTC().Truncate(time.Second)
	next := *prev
	next.Version, next.IssuedAt, next.StaleAfter, next.ExpiresAt = prev.Version+1, now, now.Add(stale), now.Add(valid)
	next.Keys, next.Sources, next.SignedBy = nil, nil, nil
	for _, s := range cfg.Sources {
		keys, src, err := load(ctx, client, s)
		if err != nil {
			return nil, fmt.Errorf("refresh: source %q: %w", s.Name, err)
		}
		next.Keys = append(next.Keys, keys...)
		next.Sources = append(next.Sources, src)
	}
	next.Keys = dedupe(next.Keys)
	if len(next.Keys) == 0 {
		return nil, errors.New("refresh: the sources gave no key: not publishing an empty bundle")
	}
	res := &Result{Version: next.Version, Changes: diff(prev, &next, now)}
	if cfg.SignKeyFile == "" {
		payload, err := next.Payload()
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(cfg.PendingDir, 0o755); err != nil {
			return nil, err
		}
		res.Pending = filepath.Join(cfg.PendingDir, fmt.Sprintf("bundle-%d.payload", next.Version))
		if err := os.WriteFile(res.Pending, payload, 0o644); err != nil {
			return nil, err
		}
		return res, writeChanges(bundles.Dir, res.Changes, ".pending")
	}
	pem, err := os.ReadFile(cfg.SignKeyFile)
	if err != nil {
		return nil, fmt.Errorf("refresh: sign key: %w", err)
	}
	key, err := trust.ParsePrivateKey(pem)
	if err != nil {
		return nil, fmt.Errorf("refresh: sign key: %w", err)
	}
	signed, err := trust.Sign(&next, key)
	if err != nil {
		return nil, err
	}
	v, err := bundles.Publish(signed)
	if err != nil {
		return nil, err
	}
	res.Version, res.Published = v, true
	res.Changes.Version = v
	return res, writeChanges(bundles.Dir, res.Changes, "")
}

// maxSource caps a fetched or read source.
const maxSource = 64 << 20

func read(ctx context.Context, client *http.Client, s Source) ([]byte, error) {
	if s.File != "" {
		return os.ReadFile(s.File)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", s.URL, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxSource+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSource {
		return nil, fmt.Errorf("GET %s: over %d bytes", s.URL, maxSource)
	}
	return data, nil
}

// load reads one source and imports its keys.
func load(ctx context.Context, client *http.Client, s Source) ([]trust.KeyEntry, trust.SourceEntry, error) {
	data, err := read(ctx, client, s)
	if err != nil {
		return nil, trust.SourceEntry{}, err
	}
	name := s.Name
	switch s.Kind {
	case KindList:
		pinned, err := os.ReadFile(s.KeyFile)
		if err != nil {
			return nil, trust.SourceEntry{}, fmt.Errorf("pinned key: %w", err)
		}
		l, err := trust.ImportTrustList(data, pinned, trust.TrustListOptions{})
		if err != nil {
			return nil, trust.SourceEntry{}, err
		}
		return l.Keys, l.Source(name), nil
	case KindCSCA:
		keys, err := trust.ImportCSCAs(data, s.Country)
		return keys, trust.SourceEntry{Name: name, Kind: s.Kind, Signature: trust.ListNotChecked, Taken: len(keys)}, err
	case KindCerts:
		keys, err := trust.ImportCertificates(data, s.Country)
		return keys, trust.SourceEntry{Name: name, Kind: s.Kind, Signature: trust.ListNotChecked, Taken: len(keys)}, err
	case KindJWKS:
		keys, err := trust.ImportJWKS(s.Issuer, data)
		return keys, trust.SourceEntry{Name: name, Kind: s.Kind, Signature: trust.ListNotChecked, Taken: len(keys)}, err
	}
	return nil, trust.SourceEntry{}, fmt.Errorf("kind %q", s.Kind)
}

func keyID(k trust.KeyEntry) string {
	return string(k.Format) + "|" + k.Issuer + "|" + hex.EncodeToString(k.Kid)
}

// dedupe drops keys listed by two sources, keeping the first.
func dedupe(keys []trust.KeyEntry) []trust.KeyEntry {
	seen := map[string]bool{}
	out := keys[:0]
	for _, k := range keys {
		if id := keyID(k); !seen[id] {
			seen[id] = true
			out = append(out, k)
		}
	}
	return out
}

// diff counts keys added, removed and kept per issuer.
func diff(prev, next *trust.Bundle, now time.Time) Changes {
	before, after := map[string]string{}, map[string]string{}
	for _, k := range prev.Keys {
		before[keyID(k)] = k.Issuer
	}
	for _, k := range next.Keys {
		after[keyID(k)] = k.Issuer
	}
	by := map[string]*IssuerChanges{}
	get := func(iss string) *IssuerChanges {
		if by[iss] == nil {
			by[iss] = &IssuerChanges{Issuer: iss}
		}
		return by[iss]
	}
	for id, iss := range after {
		if _, ok := before[id]; ok {
			get(iss).Kept++
		} else {
			get(iss).Added++
		}
	}
	for id, iss := range before {
		if _, ok := after[id]; !ok {
			get(iss).Removed++
		}
	}
	c := Changes{Version: next.Version, Previous: prev.Version, At: now, Sources: next.Sources}
	for _, ic := range by {
		c.Issuers = append(c.Issuers, *ic)
	}
	slices.SortFunc(c.Issuers, func(a, b IssuerChanges) int { return strings.Compare(a.Issuer, b.Issuer) })
	return c
}

// changesFile is the name of the last refresh's changes in the bundle dir.
const changesFile = "changes.json"

func writeChanges(dir string, c Changes, suffix string) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ".changes.tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, changesFile+suffix))
}

// LastChanges reads the last refresh's changes from the bundle dir (nil
// when there was none); pending is true for a bundle waiting to be signed.
func LastChanges(dir string) (c *Changes, pending bool, err error) {
	for _, suffix := range []string{"", ".pending"} {
		data, err := os.ReadFile(filepath.Join(dir, changesFile+suffix))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		var ch Changes
		if err := json.Unmarshal(data, &ch); err != nil {
			return nil, false, err
		}
		if c == nil || ch.At.After(c.At) {
			c, pending = &ch, suffix != ""
		}
	}
	return c, pending, nil
}
