package checkpoint_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/hw"
	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/store"
	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/formats"
	"github.com/chot-dev/chot/verify/trust"
)

// TestCCCDCheckIn runs Vietnam's citizen ID QR through the real decision
// loop and the real store: refused as unsigned without the check-in mode,
// logged as an identity check-in with it, and in neither case do the name,
// the birth date or the address reach the store file, the pass records
// (what sync carries), the published events (what the status page shows)
// or the log.
func TestCCCDCheckIn(t *testing.T) {
	const (
		id      = "079201004321"
		name    = "Nguyễn Thị Minh Khai"
		dob     = "15031992"
		address = "Số 12, Đường Lê Lợi, Phường Bến Nghé, Quận 1"
	)
	code := id + "|025123456|" + name + "|" + dob + "|Nữ|" + address + "|20082021"
	secrets := []string{"Nguy", "Minh Khai", dob, "Lê Lợi", "Bến Nghé", "025123456"}
	key := []byte("deployment-subject-key")
	for _, tc := range []struct {
		mode     string
		policy   *verify.Policy
		decision string
		reason   string
	}{
		{"venue", &verify.Policy{}, "reject", string(verify.ReasonUnsigned)},
		{"checkin", &verify.Policy{CheckIn: true}, "accept", string(verify.ReasonOK)},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "chot.db")
			st, err := store.Open(path, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var logBuf bytes.Buffer
			board := hw.NewFakeBoardClock(nil, clockwork.NewFakeClockAt(e2eNow))
			bc := &boardClock{t: e2eNow, up: time.Hour}
			tc2 := checkpoint.NewTrustedClock(bc, st, checkpoint.ClockOptions{})
			tc2.ObserveServerTime(e2eNow, 0)
			empty, err := trust.NewStore(&trust.Bundle{Version: 1, ExpiresAt: e2eNow.AddDate(0, 1, 0)})
			if err != nil {
				t.Fatal(err)
			}
			cp, err := checkpoint.New(checkpoint.Config{Device: "cccd", Mode: tc.mode, Pulse: time.Second, SubjectKey: key},
				checkpoint.Deps{
					Verifier: formats.New(), Trust: staticTrust{empty, e2eNow}, Log: st,
					Gate: board.Relay, Indicator: board.Parts, Clock: bc, Time: tc2,
					Logger: slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug})),
					Policy: func() *verify.Policy { return tc.policy },
				})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			events := cp.Subscribe(ctx)
			ev, err := cp.Decide(ctx, checkpoint.Scan{Texts: []string{code}, Uptime: bc.Uptime()})
			if err != nil {
				t.Fatal(err)
			}
			if ev.Decision != tc.decision || ev.Reason != tc.reason || ev.Format != string(verify.FormatCCCD) || ev.Type != string(verify.TypeIdentity) {
				t.Fatalf("event %+v, want %s/%s, format cccd, type identity", ev, tc.decision, tc.reason)
			}
			published := <-events
			cancel()
			var passes []record.Pass
			if err := st.Range(0, func(p record.Pass) error { passes = append(passes, p); return nil }); err != nil {
				t.Fatal(err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			if len(passes) != 1 {
				t.Fatalf("%d passes logged", len(passes))
			}
			want := hex.EncodeToString(record.SubjectHash(key, string(verify.FormatCCCD)+"\x00"+id))
			if passes[0].Subject != want {
				t.Errorf("subject %q, want the keyed hash of the ID number %q", passes[0].Subject, want)
			}
			file, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			pj, _ := json.Marshal(passes)
			ej, _ := json.Marshal([]checkpoint.Event{ev, published})
			for where, data := range map[string]string{"the store file": string(file), "the pass records": string(pj),
				"the events": string(ej), "the log": logBuf.String()} {
				for _, s := range append(secrets, id) {
					if strings.Contains(data, s) {
						t.Errorf("%s holds %q", where, s)
					}
				}
			}
		})
	}
}
