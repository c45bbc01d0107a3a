package hub

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chot-dev/chot/sync/wire"
)

// ErrNotNewer means a published bundle's version is not above the newest.
var ErrNotNewer = errors.New("hub: bundle not newer than the published one")

// Bundles is a directory of published trust bundles, named
// NNNNNNNNNNNNNNNNNNNN.bundle by version; the highest is served.
type Bundles struct {
	// Dir holds the files.
	Dir string
	// Check, if set, verifies a bundle before it is published and returns
	// its version (trust.Open with the deployment's roots). Without it the
	// version is the newest's plus one.
	Check func(data []byte) (version uint64, err error)

	mu   sync.Mutex
	name string
	mod  time.Time
	data []byte
	etag string
}

const bundleExt = ".bundle"

// Publish checks data and writes it as the newest bundle (temp file, fsync,
// rename, fsync dir). It returns the version.
func (b *Bundles) Publish(data []byte) (uint64, error) {
	if err := os.MkdirAll(b.Dir, 0o755); err != nil {
		return 0, fmt.Errorf("hub: bundle: %w", err)
	}
	newest, _, err := b.newest()
	if err != nil {
		return 0, err
	}
	v := newest + 1
	if b.Check != nil {
		if v, err = b.Check(data); err != nil {
			return 0, fmt.Errorf("hub: bundle: %w", err)
		}
		if v <= newest {
			return 0, fmt.Errorf("%w: version %d, published %d", ErrNotNewer, v, newest)
		}
	}
	name := filepath.Join(b.Dir, fmt.Sprintf("%020d%s", v, bundleExt))
	tmp, err := os.CreateTemp(b.Dir, ".publish-*")
	if err != nil {
		return 0, fmt.Errorf("hub: bundle: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("hub: bundle: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("hub: bundle: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("hub: bundle: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return 0, fmt.Errorf("hub: bundle: %w", err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return 0, fmt.Errorf("hub: bundle: %w", err)
	}
	if d, err := os.Open(b.Dir); err == nil {
		d.Sync()
		d.Close()
	}
	return v, nil
}

// newest returns the highest version in Dir and its file name ("" if none).
func (b *Bundles) newest() (uint64, string, error) {
	ents, err := os.ReadDir(b.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("hub: bundle: %w", err)
	}
	var names []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), bundleExt); ok && e.Type().IsRegular() {
			if _, err := strconv.ParseUint(n, 10, 64); err == nil {
				names = append(names, e.Name())
			}
		}
	}
	if len(names) == 0 {
		return 0, "", nil
	}
	sort.Strings(names) // zero-padded: lexical order is numeric order
	last := names[len(names)-1]
	v, _ := strconv.ParseUint(strings.TrimSuffix(last, bundleExt), 10, 64)
	return v, last, nil
}

// Latest returns the newest bundle and its ETag; nil data when none.
func (b *Bundles) Latest() (data []byte, etag string, err error) {
	_, name, err := b.newest()
	if err != nil || name == "" {
		return nil, "", err
	}
	path := filepath.Join(b.Dir, name)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, "", fmt.Errorf("hub: bundle: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.name == name && b.mod.Equal(fi.ModTime()) {
		return b.data, b.etag, nil
	}
	data, err = os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("hub: bundle: %w", err)
	}
	sum := sha256.Sum256(data)
	b.name, b.mod, b.data, b.etag = name, fi.ModTime(), data, `"`+hex.EncodeToString(sum[:16])+`"`
	return b.data, b.etag, nil
}

// handleBundle is GET /v1/bundle.
func (s *Server) handleBundle(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Bundles == nil {
		s.fail(w, http.StatusNotFound, wire.CodeBadRequest, "no bundle published")
		return
	}
	data, etag, err := s.cfg.Bundles.Latest()
	if err != nil {
		s.log.Error("hub: bundle", "err", err)
		s.fail(w, http.StatusServiceUnavailable, wire.CodeUnavailable, "bundle unavailable")
		return
	}
	if data == nil {
		s.fail(w, http.StatusNotFound, wire.CodeBadRequest, "no bundle published")
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	if etagMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/cose; cose-type=\"cose-sign1\"")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

// etagMatch implements If-None-Match's weak comparison over a list.
func etagMatch(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// Version returns the newest published version, 0 when none.
func (b *Bundles) Version() (uint64, error) {
	v, _, err := b.newest()
	return v, err
}
