package uplink

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/chot-dev/chot/sync/wire"
)

// maxBundle caps a bundle download.
const maxBundle = 16 << 20

// PullBundle fetches the hub's newest bundle with If-None-Match and hands a
// new one to Config.Install. It is a no-op without Install.
func (u *Uplink) PullBundle(ctx context.Context) error {
	if u.cfg.Install == nil {
		return nil
	}
	err := u.pullBundle(ctx)
	u.mu.Lock()
	u.st.LastBundleCheck = u.cfg.Now()
	if err != nil {
		u.st.BundleError = err.Error()
	} else {
		u.st.BundleError = ""
	}
	u.mu.Unlock()
	if err != nil {
		u.log.Warn("uplink: bundle", "err", err)
	}
	return err
}

func (u *Uplink) pullBundle(ctx context.Context) error {
	actx, cancel := context.WithTimeout(ctx, u.cfg.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, u.bundle, nil)
	if err != nil {
		return fmt.Errorf("uplink: bundle: %w", err)
	}
	u.mu.Lock()
	etag := u.etag
	u.mu.Unlock()
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	req.Header.Set(wire.HeaderDevice, u.cfg.Device)
	resp, err := u.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: bundle: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 500 {
		u.setContact()
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return nil
	case resp.StatusCode == http.StatusNotFound:
		return nil // the hub has no bundle yet
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("%w: bundle: %s", ErrUnavailable, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("%w: bundle: %s", ErrRejected, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBundle+1))
	if err != nil {
		return fmt.Errorf("%w: bundle: %w", ErrUnavailable, err)
	}
	if len(data) > maxBundle {
		return fmt.Errorf("%w: bundle over %d bytes", ErrRejected, maxBundle)
	}
	if err := u.cfg.Install(data); err != nil {
		return fmt.Errorf("uplink: bundle not installed: %w", err)
	}
	u.mu.Lock()
	u.etag = resp.Header.Get("ETag")
	u.st.BundleETag = u.etag
	u.st.LastBundle = u.cfg.Now()
	u.mu.Unlock()
	u.log.Info("uplink: bundle installed", "etag", resp.Header.Get("ETag"))
	return nil
}
