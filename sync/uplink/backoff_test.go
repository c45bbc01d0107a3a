package uplink

import (
	"testing"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	top := func(n int64) int64 { return n - 1 } // always the ceiling
	zero := func(int64) int64 { return 0 }
	cases := []struct {
		name string
		b    Backoff
		n    int
		want time.Duration
	}{
		{"first retry ceiling is base", Backoff{Base: 10 * time.Millisecond, Max: time.Second, Rand: top}, 0, 10 * time.Millisecond},
		{"doubles", Backoff{Base: 10 * time.Millisecond, Max: time.Second, Rand: top}, 3, 80 * time.Millisecond},
		{"capped", Backoff{Base: 10 * time.Millisecond, Max: time.Second, Rand: top}, 10, time.Second},
		{"no overflow far out", Backoff{Base: 10 * time.Millisecond, Max: time.Second, Rand: top}, 200, time.Second},
		{"full jitter reaches zero", Backoff{Base: 10 * time.Millisecond, Max: time.Second, Rand: zero}, 5, 0},
		{"defaults", Backoff{Rand: top}, 0, 500 * time.Millisecond},
		{"default cap", Backoff{Rand: top}, 30, 5 * time.Minute},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.b.Delay(c.n); got != c.want {
				t.Errorf("Delay(%d) = %v, want %v", c.n, got, c.want)
			}
		})
	}
}

func TestBackoffRandomWithinBounds(t *testing.T) {
	b := Backoff{Base: time.Millisecond, Max: 50 * time.Millisecond}
	for n := range 20 {
		ceil := min(time.Millisecond<<n, 50*time.Millisecond)
		for range 50 {
			if d := b.Delay(n); d < 0 || d > ceil {
				t.Fatalf("Delay(%d) = %v, outside [0, %v]", n, d, ceil)
			}
		}
	}
	if d := b.Jitter(0); d != 0 {
		t.Errorf("Jitter(0) = %v", d)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	u := &Uplink{cfg: Config{MaxRetryAfter: time.Minute, Now: func() time.Time { return now }}}
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{"-1", 0},
		{"86400", time.Minute},
		{"99999999999999999", time.Minute},
		{now.Add(20 * time.Second).Format(http1123), 20 * time.Second},
		{now.Add(-20 * time.Second).Format(http1123), 0},
		{"soon", 0},
	}
	for _, c := range cases {
		if got := u.retryAfter(c.in); got != c.want {
			t.Errorf("retryAfter(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"
