package synctest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/wire"
)

// Device is a test device: an id and its key.
type Device struct {
	ID  string
	Key ed25519.PrivateKey
}

// NewDevice makes a device and enrolls it in st.
func NewDevice(t testing.TB, st hub.Storage, id string) Device {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if st != nil {
		if err := st.AddDevice(context.Background(), hub.Device{ID: id, PubKey: pub, Created: time.Unix(0, 0)}); err != nil {
			t.Fatalf("add device: %v", err)
		}
	}
	return Device{ID: id, Key: key}
}

// Passes returns passes first..last of epoch, with content derived from
// the seq and tag (a different tag gives different content).
func Passes(epoch string, first, last uint64, tag string) []record.Pass {
	out := make([]record.Pass, 0, last-first+1)
	for s := first; s <= last; s++ {
		out = append(out, record.Pass{
			Seq: s, Epoch: epoch, At: 1_790_000_000_000 + int64(s)*1000, UptimeMS: int64(s) * 1000,
			BootID: "boot-1", Clock: record.ClockSynced, Decision: "accept", Reason: "ok",
			Format: "dcc", Type: "vaccination", Issuer: "DE", Kid: "a2lk" + tag,
			Subject: fmt.Sprintf("%032x", s), LatencyUS: 1234, Gate: record.GateOpened, Mode: "venue",
		})
	}
	return out
}

// Batch builds a batch of d's passes.
func (d Device) Batch(epoch string, passes []record.Pass) wire.Batch {
	return wire.Batch{Device: d.ID, Epoch: epoch, FirstSeq: passes[0].Seq, LastSeq: passes[len(passes)-1].Seq, Passes: passes}
}

// Response is a decoded answer.
type Response struct {
	Status int
	Body   []byte
}

// Post encodes b, signs it with d's key under header device hdr (d.ID when
// ""), posts it to base and returns the answer.
func (d Device) Post(t testing.TB, c *http.Client, base string, b wire.Batch, hdr string) Response {
	t.Helper()
	body, err := wire.EncodeBatch(b)
	if err != nil {
		t.Fatal(err)
	}
	return d.PostRaw(t, c, base, body, hdr)
}

// PostRaw signs and posts body as is.
func (d Device) PostRaw(t testing.TB, c *http.Client, base string, body []byte, hdr string) Response {
	t.Helper()
	if hdr == "" {
		hdr = d.ID
	}
	req, err := http.NewRequest(http.MethodPost, base+wire.PathPasses, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set(wire.HeaderDevice, hdr)
	req.Header.Set(wire.HeaderSignature, wire.Sign(d.Key, body))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	return Response{Status: resp.StatusCode, Body: data}
}

// Ack decodes r as a wire.Ack, failing t unless the status is 200.
func (r Response) Ack(t testing.TB) wire.Ack {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", r.Status, r.Body)
	}
	var a wire.Ack
	if err := json.Unmarshal(r.Body, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// Count returns how many passes st holds for device (all epochs).
func Count(t testing.TB, st hub.Storage, device string) int {
	t.Helper()
	n := 0
	if err := st.Export(context.Background(), hub.Query{Device: device}, func(hub.Row) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}
