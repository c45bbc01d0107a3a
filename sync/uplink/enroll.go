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
	return post(ctx, client, strings.TrimRight(baseURL, "/")+wire.PathEnroll, "enroll", body, map[string]string{
		wire.HeaderDevice:    device,
		wire.HeaderSignature: wire.Sign(key, body),
	})
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
	return post(ctx, client, strings.TrimRight(baseURL, "/")+wire.PathRotate, "rotate", body, map[string]string{
		wire.HeaderDevice:       device,
		wire.HeaderSignature:    wire.Sign(old, body),
		wire.HeaderNewSignature: wire.Sign(next, body),
	})
}

// post sends one signed JSON request of the enrollment kind (what names it in
// errors) and sorts the answer: 200 is done, 5xx and 429 are ErrUnavailable,
// anything else is ErrRejected.
func post(ctx context.Context, client *http.Client, url, what string, body []byte, headers map[string]string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("uplink: %s: %w", what, err)
	}
	req.Header.Set("Content-Type", wire.ContentType)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrUnavailable, what, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("%w: %s: %s%s", ErrUnavailable, what, resp.Status, errText(data))
	default:
		return fmt.Errorf("%w: %s: %s%s", ErrRejected, what, resp.Status, errText(data))
	}
}
