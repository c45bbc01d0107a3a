//go:build !linux

package cputime

import "time"

var start = time.Now()

// Thread falls back to wall time where there is no per-thread CPU clock.
func Thread() time.Duration { return time.Since(start) }
