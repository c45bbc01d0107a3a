package hw

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestFakeBoardOutputs(t *testing.T) {
	var logs syncBuffer
	f := NewFakeBoard(slog.New(slog.NewTextHandler(&logs, nil)))
	if s := f.State(); s.RelayOn || s.LED != "off" || s.LastSound != "" || s.DoorOpen {
		t.Fatalf("initial state %+v", s)
	}
	if err := f.Relay.Open(time.Hour); err != nil {
		t.Fatal(err)
	}
	f.Sound("revoked")
	f.SetLED("warning")
	s := f.State()
	if !s.RelayOn || s.Pulses != 1 || s.LastSound != "revoked" || s.LED != "warning" {
		t.Fatalf("state %+v, want relay on, 1 pulse, revoked, warning", s)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if s := f.State(); s.RelayOn || s.BuzzerOn || s.LEDOn || s.LED != "off" {
		t.Fatalf("after Close %+v", s)
	}
	for _, want := range []string{"fake gpio: relay", "energised=true", "buzzer: sound", "sound=revoked", "led: state", "to=warning"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestFakeBoardInputs(t *testing.T) {
	f := NewFakeBoard(nil)
	f.SetDoor(true) // before RunInputs: read as the starting state, no event
	ctx, cancel := context.WithCancel(t.Context())
	events := make(chan Event, 8)
	done := make(chan error, 1)
	go func() { done <- f.RunInputs(ctx, func(e Event) { events <- e }) }()
	recv(t, f.Door.Armed())
	recv(t, f.Button.Armed())
	if !f.Door.Active() {
		t.Fatal("door opened before RunInputs not read as open")
	}

	f.SetDoor(false)
	if ev := recv(t, events); ev.Input != InputDoor || ev.Active {
		t.Fatalf("event %+v, want door closed", ev)
	}
	f.PressButton(0)
	if ev := recv(t, events); ev.Input != InputButton || !ev.Active {
		t.Fatalf("event %+v, want button pressed", ev)
	}
	if ev := recv(t, events); ev.Input != InputButton || ev.Active {
		t.Fatalf("event %+v, want button released", ev)
	}
	if s := f.State(); s.DoorOpen || s.ButtonPressed {
		t.Fatalf("state %+v", s)
	}
	cancel()
	if err := recv(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("RunInputs = %v, want context.Canceled", err)
	}
}
