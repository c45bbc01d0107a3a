package uplink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/sync/wire"
)

// maxAnswer caps how much of an answer body is read.
const maxAnswer = 1 << 20

// pushOne sends the next batch, if any. more reports that another batch may
// be ready; wait is a Retry-After to honour before the next attempt.
func (u *Uplink) pushOne(ctx context.Context) (more bool, wait time.Duration, err error) {
	ob := u.cfg.Outbox
	acked := ob.AckedThrough()
	last := ob.LastSeq()
	epoch := ob.Epoch()
	u.mu.Lock()
	if u.epoch != epoch { // a new store file: start over from its watermark
		u.epoch, u.next = epoch, 0
	}
	next := u.next
	u.mu.Unlock()
	if next == 0 || next > acked+1 {
		// Start, or the hub acked past our watermark but Ack failed: resume
		// from our own watermark; the hub dedupes.
		next = acked + 1
	}
	u.setBacklog(acked, last)
	if next > last {
		u.setOK(false)
		return false, 0, nil
	}
	var passes []record.Pass
	if next == acked+1 {
		passes, err = ob.Pending(u.cfg.BatchSize)
	} else if r, ok := ob.(Replayer); ok {
		passes, err = since(r, next, u.cfg.BatchSize)
	} else {
		return false, 0, fmt.Errorf("%w: hub at %d, device at %d", ErrHubBehind, next-1, acked)
	}
	if err != nil {
		return false, 0, fmt.Errorf("uplink: read outbox: %w", err)
	}
	if len(passes) == 0 {
		return false, 0, nil
	}
	if passes[0].Seq != next {
		return false, 0, fmt.Errorf("uplink: outbox returned seq %d, want %d (pruned?)", passes[0].Seq, next)
	}
	b := wire.Batch{
		Device:   u.cfg.Device,
		Epoch:    epoch,
		FirstSeq: passes[0].Seq,
		LastSeq:  passes[len(passes)-1].Seq,
		Passes:   passes,
	}
	body, err := wire.EncodeBatch(b)
	if err != nil {
		return false, 0, err
	}
	hubAcked, conflict, serverTime, rtt, wait, err := u.post(ctx, body)
	if err != nil {
		return false, wait, err
	}
	if conflict && hubAcked+1 == b.FirstSeq {
		return false, 0, fmt.Errorf("%w: 409 for a batch starting right after the hub's watermark %d", ErrRejected, hubAcked)
	}
	if u.cfg.OnServerTime != nil && !serverTime.IsZero() {
		u.cfg.OnServerTime(serverTime, rtt)
	}
	last = max(last, b.LastSeq, ob.LastSeq()) // passes may have been appended meanwhile
	if hubAcked > last {
		return false, 0, fmt.Errorf("%w: hub acked %d, past the last seq %d (epoch mix-up?)", ErrRejected, hubAcked, last)
	}
	if hubAcked > acked {
		if err := ob.Ack(hubAcked); err != nil {
			return false, 0, fmt.Errorf("uplink: ack %d: %w", hubAcked, err)
		}
		acked = hubAcked
	}
	u.mu.Lock()
	u.next = hubAcked + 1
	u.mu.Unlock()
	u.setBacklog(acked, last)
	u.setOK(true)
	if hubAcked < b.FirstSeq-1 {
		u.log.Warn("uplink: hub is behind, sending again from its watermark",
			"hub_acked", hubAcked, "device_acked", acked)
	}
	return hubAcked < last, 0, nil
}

// post sends one signed batch and returns the hub's watermark; a 409 is not
// an error (its watermark is returned).
func (u *Uplink) post(ctx context.Context, body []byte) (acked uint64, conflict bool, serverTime time.Time, rtt, wait time.Duration, err error) {
	actx, cancel := context.WithTimeout(ctx, u.cfg.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, u.passes, bytes.NewReader(body))
	if err != nil {
		return 0, false, time.Time{}, 0, 0, fmt.Errorf("uplink: %w", err)
	}
	req.Header.Set("Content-Type", wire.ContentType)
	req.Header.Set("Content-Encoding", wire.ContentEncoding)
	req.Header.Set(wire.HeaderDevice, u.cfg.Device)
	req.Header.Set(wire.HeaderSignature, wire.Sign(u.cfg.Key, body))
	start := u.cfg.Now()
	resp, err := u.cfg.Client.Do(req)
	if err != nil {
		return 0, false, time.Time{}, 0, 0, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	rtt = u.cfg.Now().Sub(start)
	if err != nil {
		return 0, false, time.Time{}, 0, 0, fmt.Errorf("%w: reading answer: %w", ErrUnavailable, err)
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		var a wire.Ack
		if err := json.Unmarshal(data, &a); err != nil {
			return 0, false, time.Time{}, 0, 0, fmt.Errorf("%w: bad answer: %w", ErrUnavailable, err)
		}
		return a.AckedThrough, false, a.ServerTime, rtt, 0, nil
	case resp.StatusCode == http.StatusConflict:
		var c wire.Conflict
		if err := json.Unmarshal(data, &c); err != nil {
			return 0, false, time.Time{}, 0, 0, fmt.Errorf("%w: bad 409 answer: %w", ErrUnavailable, err)
		}
		return c.AckedThrough, true, c.ServerTime, rtt, 0, nil
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusServiceUnavailable:
		wait = u.retryAfter(resp.Header.Get("Retry-After"))
		return 0, false, time.Time{}, 0, wait, fmt.Errorf("%w: %s%s", ErrUnavailable, resp.Status, errText(data))
	case resp.StatusCode >= 500:
		return 0, false, time.Time{}, 0, 0, fmt.Errorf("%w: %s%s", ErrUnavailable, resp.Status, errText(data))
	default:
		return 0, false, time.Time{}, 0, 0, fmt.Errorf("%w: %s%s", ErrRejected, resp.Status, errText(data))
	}
}

// retryAfter parses a Retry-After value (seconds or an HTTP date), capped at
// MaxRetryAfter; 0 when absent or malformed.
func (u *Uplink) retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0
		}
		d = time.Duration(s) * time.Second
		if s > int64(u.cfg.MaxRetryAfter/time.Second)+1 {
			d = u.cfg.MaxRetryAfter
		}
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(u.cfg.Now())
	}
	if d < 0 {
		return 0
	}
	if d > u.cfg.MaxRetryAfter {
		d = u.cfg.MaxRetryAfter
	}
	return d
}

func errText(data []byte) string {
	var e wire.Error
	if json.Unmarshal(data, &e) == nil && e.Code != "" {
		return ": " + e.Code + ": " + e.Error
	}
	return ""
}

// errEnough stops a Range walk.
var errEnough = errors.New("enough")

// since reads up to max passes from seq from on.
func since(r Replayer, from uint64, max int) ([]record.Pass, error) {
	var out []record.Pass
	err := r.Range(from, func(p record.Pass) error {
		out = append(out, p)
		if len(out) >= max {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	return out, nil
}
