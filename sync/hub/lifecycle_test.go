package hub_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/internal/synctest"
	"github.com/chot-dev/chot/sync/wire"
)

// postSigned posts body to path signed by key as device id; extra headers
// follow.
func postSigned(t *testing.T, base, path, id string, key ed25519.PrivateKey, body []byte, extra map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
	req.Header.Set(wire.HeaderDevice, id)
	req.Header.Set(wire.HeaderSignature, wire.Sign(key, body))
	for k, v := range extra {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var e wire.Error
	json.Unmarshal(data, &e)
	return resp.StatusCode, e.Code
}

// TestLifecycleTwoInstances runs two hubs on one database: a revocation made
// through one is refused at once by the other (no key cache), a rotation
// signed by the old key holds on both, and health reports through either
// show in the fleet.
func TestLifecycleTwoInstances(t *testing.T) {
	for _, be := range synctest.Backends {
		t.Run(be.Name, func(t *testing.T) {
			dsn := be.New(t)
			st1, st2 := synctest.Open(t, dsn), synctest.Open(t, dsn)
			ts1, _ := startHub(t, st1, nil)
			ts2, _ := startHub(t, st2, nil)
			a := synctest.NewDevice(t, st1, "dev-a")
			b := synctest.NewDevice(t, st1, "dev-b")
			c := http.DefaultClient
			// Both instances take a's batches (and so know its key).
			a.Post(t, c, ts1.URL, a.Batch(epoch, synctest.Passes(epoch, 1, 5, "")), "").Ack(t)
			a.Post(t, c, ts2.URL, a.Batch(epoch, synctest.Passes(epoch, 6, 10, "")), "").Ack(t)

			hb, _ := wire.EncodeHealth(report("dev-a", hubNow, 3))
			if code, _ := postSigned(t, ts2.URL, wire.PathHealth, "dev-a", a.Key, hb, nil); code != http.StatusOK {
				t.Errorf("health: %d", code)
			}
			if code, ec := postSigned(t, ts1.URL, wire.PathHealth, "dev-a", b.Key, hb, nil); code != http.StatusUnauthorized || ec != wire.CodeBadSignature {
				t.Errorf("health signed by b: %d %s", code, ec)
			}
			if code, ec := postSigned(t, ts1.URL, wire.PathHealth, "dev-b", b.Key, hb, nil); code != http.StatusForbidden {
				t.Errorf("b sends a's report: %d %s", code, ec)
			}
			bad, _ := wire.EncodeHealth(wire.Health{Device: "dev-a"})
			if code, _ := postSigned(t, ts1.URL, wire.PathHealth, "dev-a", a.Key, bad, nil); code != http.StatusBadRequest {
				t.Errorf("report without a time: %d", code)
			}

			// Rotation through instance 1, signed by the old key and the new.
			newPub, newKey, _ := ed25519.GenerateKey(rand.Reader)
			rot, _ := json.Marshal(wire.Rotate{Device: "dev-a", PubKey: wire.EncodePublicKey(newPub), At: hubNow})
			if code, _ := postSigned(t, ts1.URL, wire.PathRotate, "dev-a", a.Key, rot, map[string]string{wire.HeaderNewSignature: wire.Sign(a.Key, rot)}); code != http.StatusUnauthorized {
				t.Errorf("rotation without the new key's signature: %d", code)
			}
			if code, _ := postSigned(t, ts1.URL, wire.PathRotate, "dev-a", a.Key, rot, map[string]string{wire.HeaderNewSignature: wire.Sign(newKey, rot)}); code != http.StatusOK {
				t.Fatalf("rotation: %d", code)
			}
			if r := a.Post(t, c, ts2.URL, a.Batch(epoch, synctest.Passes(epoch, 11, 12, "")), ""); r.Status != http.StatusUnauthorized {
				t.Errorf("old key on instance 2 after rotation: %d", r.Status)
			}
			a2 := synctest.Device{ID: "dev-a", Key: newKey}
			a2.Post(t, c, ts2.URL, a2.Batch(epoch, synctest.Passes(epoch, 11, 12, "")), "").Ack(t)

			// Revocation through the storage instance 1 uses; instance 2
			// refuses the very next batch and report.
			if err := st1.RevokeDevice(t.Context(), "dev-a", hubNow); err != nil {
				t.Fatal(err)
			}
			r := a2.Post(t, c, ts2.URL, a2.Batch(epoch, synctest.Passes(epoch, 13, 14, "")), "")
			if r.Status != http.StatusUnauthorized || errCode(t, r) != wire.CodeRevoked {
				t.Errorf("revoked device's batch on instance 2: %d %s", r.Status, r.Body)
			}
			if code, ec := postSigned(t, ts2.URL, wire.PathHealth, "dev-a", newKey, hb, nil); code != http.StatusUnauthorized || ec != wire.CodeRevoked {
				t.Errorf("revoked device's report: %d %s", code, ec)
			}
			if n := synctest.Count(t, st2, "dev-a"); n != 12 {
				t.Errorf("%d passes, want 12", n)
			}

			// The fleet as JSON, operator token only.
			req, _ := http.NewRequest(http.MethodGet, ts2.URL+wire.PathDevices, nil)
			if resp, _ := c.Do(req); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("devices without token: %d", resp.StatusCode)
			}
			req.Header.Set("Authorization", "Bearer op-secret")
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var fleet struct{ Devices []hub.FleetDevice }
			json.NewDecoder(resp.Body).Decode(&fleet)
			resp.Body.Close()
			if len(fleet.Devices) != 2 || fleet.Devices[0].ID != "dev-b" || fleet.Devices[1].State != hub.StateRevoked ||
				fleet.Devices[1].Health == nil || fleet.Devices[1].Health.CameraFPS != 14.5 || fleet.Devices[1].KeyChanged.IsZero() {
				t.Errorf("fleet: %+v", fleet.Devices)
			}
		})
	}
}
