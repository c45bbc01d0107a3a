package uplink

import (
	"math/rand/v2"
	"time"
)

// Backoff is capped exponential backoff with full jitter: the wait before
// retry n (0-based) is uniform in [0, min(Max, Base·2ⁿ)].
type Backoff struct {
	// Base is the first cap. 0 means 500 ms.
	Base time.Duration
	// Max caps every wait. 0 means 5 minutes.
	Max time.Duration
	// Rand returns a uniform int64 in [0, n). nil means math/rand/v2.
	Rand func(n int64) int64
}

// Delay returns the wait before retry n.
func (b Backoff) Delay(n int) time.Duration {
	base, maxD := b.Base, b.Max
	if base <= 0 {
		base = 500 * time.Millisecond
	}
	if maxD <= 0 {
		maxD = 5 * time.Minute
	}
	ceil := maxD
	if n < 62 {
		if c := base << n; c > 0 && c < maxD && c>>n == base {
			ceil = c
		}
	}
	return time.Duration(b.rand(int64(ceil) + 1))
}

// Jitter returns a uniform wait in [0, d].
func (b Backoff) Jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(b.rand(int64(d) + 1))
}

func (b Backoff) rand(n int64) int64 {
	if b.Rand != nil {
		return b.Rand(n)
	}
	return rand.Int64N(n)
}
