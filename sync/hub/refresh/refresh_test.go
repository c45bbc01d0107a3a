package refresh_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chot-dev/chot/sync/hub"
	"github.com/chot-dev/chot/sync/hub/refresh"
	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/trust"
)

const covpass = "../../../../shared/testdata/trustlists/covpass-ios"

var now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// TestRefresh builds the next bundle from the German gateway's signed DSC
// lists (the DEMO list fetched over HTTP, the PROD list from a file), each
// checked against its pinned key; publishes it signed; refuses the whole
// refresh when one list's key is wrong; and leaves an unsigned payload when
// no signing key is configured.
func TestRefresh(t *testing.T) {
	dir := t.TempDir()
	rootPub, root, _ := ed25519.GenerateKey(rand.Reader)
	rootPEM, _ := trust.MarshalPrivateKey(root)
	keyFile := filepath.Join(dir, "root.key")
	os.WriteFile(keyFile, rootPEM, 0o600)
	bundles := &hub.Bundles{Dir: filepath.Join(dir, "bundles"), Check: func(data []byte) (uint64, error) {
		b, err := trust.Open(data, []ed25519.PublicKey{rootPub}, 0, now)
		if err != nil {
			return 0, err
		}
		return b.Version, nil
	}}
	// Version 1: one key of a country the lists do not name, and a policy
	// the refresh must carry over.
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	k, err := trust.EntryFromKey(&verify.Key{Format: verify.FormatDCC, Issuer: "VN", Kid: []byte("vn-kid-1"), Public: pub, Algorithm: "EdDSA"})
	if err != nil {
		t.Fatal(err)
	}
	v1 := &trust.Bundle{Version: 1, IssuedAt: now.Add(-time.Hour), StaleAfter: now.Add(24 * time.Hour), ExpiresAt: now.Add(48 * time.Hour),
		Keys: []trust.KeyEntry{k}, Revocations: []trust.RevocationEntry{{Format: verify.FormatDCC, Kind: trust.KindUCI, Values: [][]byte{make([]byte, 16)}}}}
	signed, err := trust.Sign(v1, root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bundles.Publish(signed); err != nil {
		t.Fatal(err)
	}

	demoList, _ := os.ReadFile(filepath.Join(covpass, "DEMO-CA-dsc.signed.6a5457e9.json"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(demoList) }))
	defer srv.Close()
	cfg := refresh.Config{SignKeyFile: keyFile, Sources: []refresh.Source{
		{Name: "de-demo", Kind: refresh.KindList, URL: srv.URL + "/dsc", KeyFile: filepath.Join(covpass, "DEMO-CA-pubkey.pem")},
		{Name: "de-prod", Kind: refresh.KindList, File: filepath.Join(covpass, "PROD_RKI-dsc.signed.5da6a808.json"), KeyFile: filepath.Join(covpass, "PROD_RKI-CA-pubkey.pem")},
	}}
	res, err := refresh.Run(context.Background(), cfg, bundles, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Published || res.Version != 2 {
		t.Fatalf("result %+v", res)
	}
	data, _, _ := bundles.Latest()
	b, err := trust.Open(data, []ed25519.PublicKey{rootPub}, 1, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Keys) < 58 || len(b.Sources) != 2 || b.Sources[0].Signature != trust.ListVerified || len(b.Revocations) != 1 {
		t.Errorf("bundle 2: %d keys, sources %+v, %d revocation lists", len(b.Keys), b.Sources, len(b.Revocations))
	}
	var vnRemoved, added int
	for _, ic := range res.Changes.Issuers {
		if ic.Issuer == "VN" {
			vnRemoved = ic.Removed
		}
		added += ic.Added
	}
	if vnRemoved != 1 || added != len(b.Keys) || len(res.Changes.Issuers) < 2 {
		t.Errorf("changes %+v", res.Changes)
	}
	if c, pending, err := refresh.LastChanges(bundles.Dir); err != nil || c == nil || pending || c.Version != 2 {
		t.Errorf("last changes %+v %v %v", c, pending, err)
	}

	// A wrong pinned key fails the refresh: nothing is published.
	bad := cfg
	bad.Sources = append([]refresh.Source(nil), cfg.Sources...)
	bad.Sources[1].KeyFile = filepath.Join(covpass, "DEMO-CA-pubkey.pem")
	if _, err := refresh.Run(context.Background(), bad, bundles, nil, now); !errors.Is(err, trust.ErrListSignature) {
		t.Errorf("wrong pinned key: %v", err)
	}
	if v, _ := bundles.Version(); v != 2 {
		t.Errorf("version %d after a failed refresh", v)
	}

	// Offline signing: the payload waits in pending_dir.
	off := cfg
	off.SignKeyFile, off.PendingDir = "", filepath.Join(dir, "pending")
	res, err = refresh.Run(context.Background(), off, bundles, nil, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if res.Published || res.Version != 3 {
		t.Errorf("offline: %+v", res)
	}
	payload, err := os.ReadFile(res.Pending)
	if err != nil {
		t.Fatal(err)
	}
	if pb, err := trust.ParsePayload(payload); err != nil || pb.Version != 3 {
		t.Errorf("pending payload: %v", err)
	}
	if v, _ := bundles.Version(); v != 2 {
		t.Errorf("an unsigned bundle was published")
	}
	if c, pending, _ := refresh.LastChanges(bundles.Dir); c == nil || !pending || c.Version != 3 {
		t.Errorf("last changes after the offline run: %+v %v", c, pending)
	}
	if err := (refresh.Config{Sources: []refresh.Source{{Name: "x", Kind: "list", File: "f"}}}).Check(); err == nil {
		t.Error("a list without key_file and no signing passed Check")
	}
}
