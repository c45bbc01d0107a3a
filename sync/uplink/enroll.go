package uplink

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/chot-dev/chot/sync/wire"
)

// Enroll registers device and its key with the hub at baseURL using a
// one-time token an operator created (chot-hub token create). The request is
// signed with key, proving the device holds it. Enrolling again with the same
// key after the token was spent fails with ErrRejected; so does an id taken
// by another key.
func Enroll(ctx context.Context, client *http.Client, baseURL, device string, key ed25519.PrivateKey, token string) error {
	if client == nil {
		client = http.DefaultClient
	}
	body, err := json.Marshal(wire.Enroll{
		Device: device,
		PubKey: wire.EncodePublicKey(key.Public().(ed25519.PublicKey)),
		Token:  token,
	})
	if err != nil {
		return fmt.Errorf("uplink: enroll: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(baseURL, "/")+wire.PathEnroll, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("uplink: enroll: %w", err)
	}
	req.Header.Set("Content-Type", wire.ContentType)
	req.Header.Set(wire.HeaderDevice, device)
	req.Header.Set(wire.HeaderSignature, wire.Sign(key, body))
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: enroll: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("%w: enroll: %s%s", ErrUnavailable, resp.Status, errText(data))
	default:
		return fmt.Errorf("%w: enroll: %s%s", ErrRejected, resp.Status, errText(data))
	}
}

// Rotate replaces the device's key at the hub: the request is signed by the
// current key (old) and by the new one. The caller switches to next only
// after nil; a rotation that reached the hub but whose answer was lost is
// safe to send again (the hub treats the same rotation as done).
func Rotate(ctx context.Context, client *http.Client, baseURL, device string, old, next ed25519.PrivateKey, at time.Time) error {
	if client == nil {
		client = http.DefaultClient
	}
	body, err := json.Marshal(wire.Rotate{Device: device, PubKey: wire.EncodePublicKey(next.Public().(ed25519.PublicKey)), At: at})
	if err != nil {
		return fmt.Errorf("uplink: rotate: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(baseURL, "/")+wire.PathRotate, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("uplink: rotate: %w", err)
	}
	req.Header.Set("Content-Type", wire.ContentType)
	req.Header.Set(wire.HeaderDevice, device)
	req.Header.Set(wire.HeaderSignature, wire.Sign(old, body))
	req.Header.Set(wire.HeaderNewSignature, wire.Sign(next, body))
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: rotate: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("%w: rotate: %s%s", ErrUnavailable, resp.Status, errText(data))
	default:
		return fmt.Errorf("%w: rotate: %s%s", ErrRejected, resp.Status, errText(data))
	}
}
