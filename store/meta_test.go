package store

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"
)

// reopen closes s and opens its file again; the new store is closed and
// checked at cleanup.
func reopen(t *testing.T, s *Store, opts Options) *Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(s.Path(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeAndCheck(t, s2) })
	return s2
}

func TestIdentityPersisted(t *testing.T) {
	s, _ := openTest(t, Options{})
	k1, err := s.Identity()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := s.Identity()
	if err != nil {
		t.Fatal(err)
	}
	if !k1.Equal(k2) {
		t.Fatal("second Identity call returned a different key")
	}
	s = reopen(t, s, Options{})
	k3, err := s.Identity()
	if err != nil {
		t.Fatal(err)
	}
	if !k1.Equal(k3) {
		t.Fatal("Identity changed across reopen")
	}
	msg := []byte("batch")
	if !ed25519.Verify(k3.Public().(ed25519.PublicKey), msg, ed25519.Sign(k1, msg)) {
		t.Fatal("key does not verify its own signature")
	}
	other, _ := openTest(t, Options{})
	k4, err := other.Identity()
	if err != nil {
		t.Fatal(err)
	}
	if k1.Equal(k4) {
		t.Fatal("two stores share an identity")
	}
}

func TestKnownTimeForwardOnly(t *testing.T) {
	s, _ := openTest(t, Options{})
	if got := s.KnownTime(); !got.IsZero() {
		t.Fatalf("fresh store KnownTime %v, want zero", got)
	}
	steps := []struct {
		name string
		set  time.Time
		want time.Time
	}{
		{"first", testT0, testT0},
		{"later", testT0.Add(time.Hour), testT0.Add(time.Hour)},
		{"earlier is ignored", testT0, testT0.Add(time.Hour)},
		{"zero is ignored", time.Time{}, testT0.Add(time.Hour)},
		{"nanoseconds kept", testT0.Add(time.Hour + 1), testT0.Add(time.Hour + 1)},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := s.SetKnownTime(st.set); err != nil {
				t.Fatal(err)
			}
			if got := s.KnownTime(); !got.Equal(st.want) {
				t.Fatalf("KnownTime %v, want %v", got, st.want)
			}
		})
	}
	s = reopen(t, s, Options{})
	if got, want := s.KnownTime(), testT0.Add(time.Hour+1); !got.Equal(want) {
		t.Fatalf("KnownTime after reopen %v, want %v", got, want)
	}
}

func TestBundleRoundTrip(t *testing.T) {
	s, _ := openTest(t, Options{})
	if b, err := s.Bundle(); err != nil || b != nil || s.BundleVersion() != 0 {
		t.Fatalf("fresh store: bundle %q, %v, version %d; want none", b, err, s.BundleVersion())
	}
	v3 := bytes.Repeat([]byte{0xd2, 0x84, 0x43}, 3000) // binary, larger than a page
	steps := []struct {
		name        string
		b           []byte
		version     uint64
		wantErr     error
		wantBundle  []byte
		wantVersion uint64
	}{
		{"first install", v3, 3, nil, v3, 3},
		{"older refused", []byte("v2"), 2, ErrBundleRollback, v3, 3},
		{"same version refused", []byte("v3 again"), 3, ErrBundleRollback, v3, 3},
		{"newer installed", []byte("v4"), 4, nil, []byte("v4"), 4},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			err := s.SetBundle(st.b, st.version)
			if !errors.Is(err, st.wantErr) {
				t.Fatalf("SetBundle: %v, want %v", err, st.wantErr)
			}
			b, err := s.Bundle()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, st.wantBundle) || s.BundleVersion() != st.wantVersion {
				t.Fatalf("bundle %d bytes version %d, want %d bytes version %d", len(b), s.BundleVersion(), len(st.wantBundle), st.wantVersion)
			}
		})
	}
	s = reopen(t, s, Options{})
	b, err := s.Bundle()
	if err != nil || string(b) != "v4" || s.BundleVersion() != 4 {
		t.Fatalf("after reopen: %q, %v, version %d; want v4", b, err, s.BundleVersion())
	}
	// The returned slice is a copy: changing it changes nothing stored.
	b[0] = 'X'
	if b2, _ := s.Bundle(); string(b2) != "v4" {
		t.Fatalf("stored bundle changed to %q through a returned slice", b2)
	}
}
