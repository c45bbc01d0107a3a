package uplink

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/chot-dev/chot/sync/wire"
)

// SendHealth sends one health report now: Config.Health's, with the device
// id, the outbox's epoch, last seq and backlog filled in, and its counts
// turned into the difference from the last report the hub took. Errors wrap
// ErrUnavailable or ErrRejected.
func (u *Uplink) SendHealth(ctx context.Context) error {
	if u.cfg.Health == nil {
		return nil
	}
	h := u.cfg.Health()
	h.Device = u.cfg.Device
	if h.At.IsZero() {
		h.At = u.cfg.Now()
	}
	ob := u.cfg.Outbox
	acked, last := ob.AckedThrough(), ob.LastSeq()
	h.Epoch, h.LastSeq, h.Backlog = ob.Epoch(), last, 0
	if last > acked {
		h.Backlog = last - acked
	}
	total := h.Counts
	u.mu.Lock()
	h.Counts = make(map[string]uint64, len(total))
	for k, v := range total {
		if sent := u.sentCounts[k]; v >= sent {
			if v > sent {
				h.Counts[k] = v - sent
			}
		} else { // the counters restarted with chotd
			h.Counts[k] = v
		}
	}
	u.mu.Unlock()
	body, err := wire.EncodeHealth(h)
	if err != nil {
		return err
	}
	actx, cancel := context.WithTimeout(ctx, u.cfg.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, u.health, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("uplink: %w", err)
	}
	req.Header.Set("Content-Type", wire.ContentType)
	req.Header.Set(wire.HeaderDevice, u.cfg.Device)
	req.Header.Set(wire.HeaderSignature, wire.Sign(u.cfg.Key, body))
	start := u.cfg.Now()
	resp, err := u.cfg.Client.Do(req)
	if err != nil {
		return u.healthErr(fmt.Errorf("%w: health: %w", ErrUnavailable, err))
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return u.healthErr(fmt.Errorf("%w: health: %s%s", ErrUnavailable, resp.Status, errText(data)))
	default:
		return u.healthErr(fmt.Errorf("%w: health: %s%s", ErrRejected, resp.Status, errText(data)))
	}
	var a wire.Ack
	if json.Unmarshal(data, &a) == nil && !a.ServerTime.IsZero() && u.cfg.OnServerTime != nil {
		u.cfg.OnServerTime(a.ServerTime, u.cfg.Now().Sub(start))
	}
	u.mu.Lock()
	u.sentCounts = total
	u.st.LastHealth, u.st.HealthError = u.cfg.Now(), ""
	u.mu.Unlock()
	u.setContact()
	return nil
}

func (u *Uplink) healthErr(err error) error {
	u.mu.Lock()
	u.st.HealthError = err.Error()
	u.mu.Unlock()
	return err
}
