package checkpoint_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/chot-dev/chot/checkpoint"
	"github.com/chot-dev/chot/hw"
	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/scanner"
	"github.com/chot-dev/chot/store"
	"github.com/chot-dev/chot/verify"
	"github.com/chot-dev/chot/verify/dcc"
	"github.com/chot-dev/chot/verify/dcc/dccmint"
	"github.com/chot-dev/chot/verify/shc"
	"github.com/chot-dev/chot/verify/trust"
)

// The end-to-end tests run the checkpoint over real parts: picture frames
// read by the scanner, the real verifier against a signed trust bundle, a
// real bbolt file, and the fake board's pins (the hardware edge).

var e2eNow = time.Date(2022, 3, 1, 9, 0, 0, 0, time.UTC)

// boardClock is the board's wall and monotonic clock, set by the test.
type boardClock struct {
	mu sync.Mutex
	t  time.Time
	up time.Duration
}

func (c *boardClock) Now() time.Time        { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *boardClock) Uptime() time.Duration { c.mu.Lock(); defer c.mu.Unlock(); return c.up }

// staticTrust is a TrustSource over one opened bundle.
type staticTrust struct {
	s  *trust.Store
	at time.Time
}

func (t staticTrust) Current() (verify.TrustStore, checkpoint.TrustState) {
	return t.s, checkpoint.TrustState{Installed: true, Version: t.s.Version(), ExpiresAt: t.s.ExpiresAt(),
		Stale: t.s.Stale(t.at), Expired: !t.at.Before(t.s.ExpiresAt()), Keys: t.s.KeyCount()}
}

// watchedLog is the real store, recording whether the relay was energised
// while each pass was being made durable.
type watchedLog struct {
	*store.Store
	relay       *hw.Relay
	openDuring  []bool
	panicAfter  int
	appendCalls int
}

func (l *watchedLog) Append(ctx context.Context, p record.Pass) (record.Pass, error) {
	l.appendCalls++
	if l.panicAfter > 0 && l.appendCalls > l.panicAfter {
		panic("injected crash in the decision loop")
	}
	l.openDuring = append(l.openDuring, l.relay.Energised())
	return l.Store.Append(ctx, p)
}

// credentials mints a signer, a signed bundle and one credential of each kind.
type fixture struct {
	bundle *trust.Store
	codes  map[string]string // kind → QR text
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := dccmint.NewTestDSC(key, "VN", e2eNow.AddDate(-1, 0, 0), e2eNow.AddDate(2, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	forger, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	issue := func(p dccmint.Payload, iat, exp time.Time, signer *ecdsa.PrivateKey) string {
		text, err := dccmint.Issue(p, dccmint.IssueOptions{Issuer: "VN", IssuedAt: iat, ExpiresAt: exp, Kid: trust.DCCKid(der), Signer: signer})
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	h := dccmint.Holder{Family: "Nguyen", Given: "An", DateOfBirth: "1990-01-01"}
	vacc := func(uci string, dose int) dccmint.Payload {
		return dccmint.NewVaccination(h, dose, 2, e2eNow.AddDate(0, 0, -60), "VN", "Bộ Y tế", uci)
	}
	iat, exp := e2eNow.AddDate(0, 0, -30), e2eNow.AddDate(1, 0, 0)
	codes := map[string]string{
		"valid":   issue(vacc("URN:UVCI:01:VN:E2E1", 2), iat, exp, key),
		"valid2":  issue(vacc("URN:UVCI:01:VN:E2E1", 2), iat.Add(time.Hour), exp, key), // same person, another QR
		"expired": issue(vacc("URN:UVCI:01:VN:E2E2", 2), e2eNow.AddDate(-1, 0, 0), e2eNow.AddDate(0, 0, -1), key),
		"revoked": issue(vacc("URN:UVCI:01:VN:E2E3", 2), iat, exp, key),
		"forged":  issue(vacc("URN:UVCI:01:VN:E2E4", 2), iat, exp, forger),
		"policy":  issue(vacc("URN:UVCI:01:VN:E2E5", 1), iat, exp, key),
		"garbage": "HC1:not base45 at all!",
	}
	uciHash := sha256.Sum256([]byte("URN:UVCI:01:VN:E2E3"))
	entries, err := trust.ImportCertificates(der, "VN")
	if err != nil {
		t.Fatal(err)
	}
	_, rootPriv, _ := ed25519.GenerateKey(rand.Reader)
	b := &trust.Bundle{
		Version: 1, IssuedAt: e2eNow.AddDate(0, 0, -1), StaleAfter: e2eNow.AddDate(0, 0, 6), ExpiresAt: e2eNow.AddDate(0, 0, 29),
		Keys:        entries,
		Revocations: []trust.RevocationEntry{{Format: verify.FormatDCC, Kind: "UCI", Values: [][]byte{uciHash[:16]}}},
		Policy:      &verify.PolicySet{Modes: map[string]*verify.Policy{"travel": {Vaccination: verify.VaccinationRules{RequireComplete: true}}}},
	}
	signed, err := trust.Sign(b, rootPriv)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := trust.Open(signed, []ed25519.PublicKey{rootPriv.Public().(ed25519.PublicKey)}, 0, e2eNow)
	if err != nil {
		t.Fatal(err)
	}
	s, err := trust.NewStore(opened)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{bundle: s, codes: codes}
}

// writeFrame draws text as a QR code on a 640×480 camera frame.
func writeFrame(t testing.TB, path, text string) {
	t.Helper()
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0,
		map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_ERROR_CORRECTION: "M", gozxing.EncodeHintType_MARGIN: 2})
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 640, 480))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	n := m.GetWidth()
	scale := 440 / n
	ox, oy := (640-n*scale)/2, (480-n*scale)/2
	for y := 0; y < n*scale; y++ {
		for x := 0; x < n*scale; x++ {
			v := uint8(245)
			if m.Get(x/scale, y/scale) {
				v = 20
			}
			img.Pix[(oy+y)*img.Stride+ox+x] = v
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

type rig struct {
	cp    *checkpoint.Checkpoint
	board *hw.FakeBoard
	fake  *clockwork.FakeClock
	log   *watchedLog
	st    *store.Store
}

func newRig(t *testing.T, f fixture, passback time.Duration) *rig {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "chot.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	fake := clockwork.NewFakeClockAt(e2eNow)
	board := hw.NewFakeBoardClock(nil, fake)
	wl := &watchedLog{Store: st, relay: board.Relay}
	bc := &boardClock{t: e2eNow, up: time.Hour}
	tc := checkpoint.NewTrustedClock(bc, st, checkpoint.ClockOptions{})
	tc.ObserveServerTime(e2eNow, 0)
	cp, err := checkpoint.New(checkpoint.Config{
		Device: "e2e", Mode: "travel", Pulse: 3 * time.Second, Passback: passback,
		SubjectKey: []byte("e2e-deployment-subject-key"),
	}, checkpoint.Deps{
		Verifier: verify.New(dcc.New(), shc.New()), Trust: staticTrust{f.bundle, e2eNow}, Log: wl,
		Gate: board.Relay, Indicator: board.Parts, Clock: bc, Time: tc,
		Policy: func() *verify.Policy { return f.bundle.Policy().Mode("travel") },
	})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{cp: cp, board: board, fake: fake, log: wl, st: st}
}

// scans reads the frames of dir through the real scanner into Scans.
func scans(t *testing.T, dir string) []checkpoint.Scan {
	t.Helper()
	src, err := scanner.NewDirSource(dir, scanner.DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dec := scanner.NewDecoder(scanner.Options{})
	var out []checkpoint.Scan
	for i := 0; i < src.Len(); i++ {
		fr, err := src.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		texts, err := dec.Decode(fr)
		if err != nil && !errors.Is(err, scanner.ErrNoCode) {
			t.Fatal(err)
		}
		out = append(out, checkpoint.Scan{Texts: texts})
	}
	return out
}

func TestEndToEnd(t *testing.T) {
	f := newFixture(t)
	order := []struct{ kind, reason, sound string }{
		{"valid", "ok", "accept"},
		{"expired", "expired", "time"},
		{"revoked", "revoked", "revoked"},
		{"forged", "bad_signature", "invalid"},
		{"policy", "policy", "policy"},
		{"garbage", "bad_base45", "unreadable"},
		{"valid2", checkpoint.ReasonPassback, "policy"},
	}
	dir := t.TempDir()
	for i, o := range order {
		writeFrame(t, filepath.Join(dir, fmt.Sprintf("%02d-%s.png", i, o.kind)), f.codes[o.kind])
	}
	frames := scans(t, dir)
	if len(frames) != len(order) {
		t.Fatalf("%d frames, want %d", len(frames), len(order))
	}
	r := newRig(t, f, time.Minute)
	ctx := context.Background()
	for i, o := range order {
		if len(frames[i].Texts) != 1 || frames[i].Texts[0] != f.codes[o.kind] {
			t.Fatalf("%s: the scanner read %q", o.kind, frames[i].Texts)
		}
		pulsesBefore := r.board.State().Pulses
		ev, err := r.cp.Decide(ctx, frames[i])
		if err != nil {
			t.Fatalf("%s: %v", o.kind, err)
		}
		st := r.board.State()
		if ev.Reason != o.reason || st.LastSound != o.sound {
			t.Errorf("%s: reason %s sound %s, want %s and %s", o.kind, ev.Reason, st.LastSound, o.reason, o.sound)
		}
		if r.log.openDuring[len(r.log.openDuring)-1] && st.Pulses > pulsesBefore {
			t.Errorf("%s: the relay was energised before the pass was durable", o.kind)
		}
		if o.reason == "ok" {
			if !st.RelayOn || st.Pulses != pulsesBefore+1 {
				t.Errorf("%s: relay on=%v pulses %d→%d after an accept", o.kind, st.RelayOn, pulsesBefore, st.Pulses)
			}
			// The pulse lasts the configured 3 s on the board's clock.
			if err := r.fake.BlockUntilContext(ctx, 1); err != nil {
				t.Fatal(err)
			}
			r.fake.Advance(2999 * time.Millisecond)
			if !r.board.Relay.Energised() {
				t.Errorf("%s: relay off before the configured pulse ended", o.kind)
			}
			r.fake.Advance(time.Millisecond)
			waitOff(t, r.board.Relay)
		} else if st.Pulses != pulsesBefore || st.RelayOn {
			t.Errorf("%s: a refusal moved the relay (on=%v, pulses %d→%d)", o.kind, st.RelayOn, pulsesBefore, st.Pulses)
		}
	}
	// Everything decided is in the bbolt file, in order, without personal data.
	var got []string
	err := r.st.Range(1, func(p record.Pass) error {
		got = append(got, p.Reason)
		if strings.Contains(fmt.Sprintf("%+v", p), "Nguyen") || strings.Contains(fmt.Sprintf("%+v", p), "1990") {
			t.Errorf("pass %d holds personal data: %+v", p.Seq, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, o := range order {
		want = append(want, o.reason)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("logged %v, want %v", got, want)
	}
}

// waitOff waits for the relay goroutine to act on the fake clock's advance.
func waitOff(t *testing.T, r *hw.Relay) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for r.Energised() {
		if time.Now().After(deadline) {
			t.Fatal("relay still energised after the pulse ended")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestEndToEndCrashLeavesRelayOff(t *testing.T) {
	f := newFixture(t)
	r := newRig(t, f, 0)
	r.log.panicAfter = 1 // the second decision crashes inside the loop
	dir := t.TempDir()
	writeFrame(t, filepath.Join(dir, "1.png"), f.codes["valid"])
	frames := scans(t, dir)
	ch := make(chan checkpoint.Scan, 2)
	ch <- frames[0]
	ch <- frames[0]
	close(ch)
	err := r.cp.Run(context.Background(), ch)
	if err == nil || !strings.Contains(err.Error(), "panic") {
		t.Fatalf("Run: %v, want the crash reported", err)
	}
	if r.board.Relay.Energised() {
		t.Error("the relay is energised after the decision loop crashed")
	}
	if st := r.board.State(); st.LastSound != checkpoint.SoundFault {
		t.Errorf("last sound %q, want the fault sound", st.LastSound)
	}
}

// BenchmarkFrameToRelay measures frame in → relay on at 640×480: decode,
// verify, durable write (fsync), relay. It reports the median and p95.
func BenchmarkFrameToRelay(b *testing.B) {
	f := newFixture(b)
	dir := b.TempDir()
	path := filepath.Join(dir, "frame.png")
	writeFrame(b, path, f.codes["valid"])
	src, err := scanner.NewDirSource(dir, scanner.DirOptions{Loop: true})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	st, err := store.Open(filepath.Join(b.TempDir(), "chot.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	board := hw.NewFakeBoard(nil)
	bc := &boardClock{t: e2eNow, up: time.Hour}
	tc := checkpoint.NewTrustedClock(bc, st, checkpoint.ClockOptions{})
	tc.ObserveServerTime(e2eNow, 0)
	cp, err := checkpoint.New(checkpoint.Config{Device: "bench", Pulse: 100 * time.Millisecond, SubjectKey: []byte("bench-deployment-subject-key")},
		checkpoint.Deps{Verifier: verify.New(dcc.New(), shc.New()), Trust: staticTrust{f.bundle, e2eNow}, Log: st,
			Gate: board.Relay, Indicator: board.Parts, Clock: bc, Time: tc})
	if err != nil {
		b.Fatal(err)
	}
	dec := scanner.NewDecoder(scanner.Options{Streaming: true})
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fr, err := src.Next(ctx)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		texts, _ := dec.Decode(fr)
		ev, err := cp.Decide(ctx, checkpoint.Scan{Texts: texts})
		if err != nil || ev.Decision != "accept" || !board.Relay.Energised() {
			b.Fatalf("decision %+v, err %v", ev, err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
}
