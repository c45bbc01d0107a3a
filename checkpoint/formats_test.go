package checkpoint_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/hw"
	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/store"
	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/formats"
	"github.com/chot-dev/chot/verify/gdhcntest"
	"github.com/chot-dev/chot/verify/gdhcntest/gdhcntrust"
	"github.com/chot-dev/chot/verify/trust"
)

// TestNewFormatsOffline decides real ICAO VDS-NC seals (Australia's, and
// Japan's with its explicit-parameter CSCA) and a DIVOC credential through
// the decision loop, as chotd does: the trust only from a signed bundle
// (CSCAs, their CRLs, the DIVOC key), the pass logged durably with its
// format, type, issuer and kid.
func TestNewFormatsOffline(t *testing.T) {
	at := gdhcntrust.VDSNCClock
	var keys []trust.KeyEntry
	var revs []trust.RevocationEntry
	for _, n := range []string{"ICAOAUQR1", "ICAOJPQR1", "DIVOCQR1"} {
		k, r, err := gdhcntrust.Entries(n)
		if err != nil {
			t.Fatal(err)
		}
		keys, revs = append(keys, k...), append(revs, r...)
	}
	_, root, _ := ed25519.GenerateKey(rand.Reader)
	signed, err := trust.Sign(&trust.Bundle{Version: 1, IssuedAt: at.AddDate(0, 0, -1), StaleAfter: at.AddDate(0, 0, 6),
		ExpiresAt: at.AddDate(0, 0, 29), Keys: keys, Revocations: revs,
		Policy: &verify.PolicySet{Modes: map[string]*verify.Policy{"travel": {Accept: []verify.CredType{verify.TypeVaccination}}}}}, root)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := trust.Open(signed, []ed25519.PublicKey{root.Public().(ed25519.PublicKey)}, 0, at)
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := trust.NewStore(opened)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "chot.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	board := hw.NewFakeBoardClock(nil, clockwork.NewFakeClockAt(at))
	bc := &boardClock{t: at, up: time.Hour}
	clk := checkpoint.NewTrustedClock(bc, st, checkpoint.ClockOptions{})
	clk.ObserveServerTime(at, 0)
	cp, err := checkpoint.New(checkpoint.Config{Device: "formats", Mode: "travel", Pulse: time.Second, SubjectKey: []byte("formats-deployment-key")},
		checkpoint.Deps{Verifier: formats.New(), Trust: staticTrust{bundle, at}, Log: st, Gate: board.Relay,
			Indicator: board.Parts, Clock: bc, Time: clk, Policy: func() *verify.Policy { return bundle.Policy().Mode("travel") }})
	if err != nil {
		t.Fatal(err)
	}
	cases, err := gdhcntest.LoadCases()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]record.Pass{
		"ICAOAUQR1": {Decision: "accept", Format: "vdsnc", Type: "vaccination", Issuer: "AUS", Kid: "NhfB5/VnlXEuN3VwjlWDMYbpOA4="},
		"ICAOJPQR1": {Decision: "accept", Format: "vdsnc", Type: "vaccination", Issuer: "JPN", Kid: "arTykoK9lkf2/yoC95RNdJ6XhGM="},
		"DIVOCQR1":  {Decision: "accept", Format: "divoc", Type: "vaccination", Issuer: "https://cowin.gov.in/", Kid: "did:india"},
	}
	n := 0
	for _, c := range cases {
		w, ok := want[c.Name]
		if !ok {
			continue
		}
		n++
		ev, err := cp.Decide(context.Background(), checkpoint.Scan{Texts: []string{c.Text}, Uptime: bc.Uptime()})
		if err != nil {
			t.Fatal(err)
		}
		if ev.Decision != w.Decision || ev.Format != w.Format || ev.Type != w.Type || ev.Issuer != w.Issuer || ev.Kid != w.Kid {
			t.Errorf("%s: %+v, want %+v", c.Name, ev, w)
		}
	}
	var logged int
	if err := st.Range(0, func(p record.Pass) error {
		if p.Subject == "" {
			t.Errorf("pass %d without subject", p.Seq)
		}
		logged++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 3 || logged != 3 {
		t.Errorf("%d decided, %d logged, want 3", n, logged)
	}
}
