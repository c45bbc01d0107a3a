// Package ratelimit holds the login limiter of the device's status page and
// the hub's console: n attempts per client and g attempts overall in any
// sliding window, with the time to wait when refused.
package ratelimit

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Limiter allows N attempts per client and G attempts overall in any sliding
// window. The zero value is not usable: call New.
type Limiter struct {
	mu      sync.Mutex
	window  time.Duration
	n, g    int
	clients map[string][]time.Time
	global  []time.Time
}

// New returns a Limiter of n attempts per client and g overall per window.
func New(n, g int, window time.Duration) *Limiter {
	return &Limiter{n: n, g: g, window: window, clients: map[string][]time.Time{}}
}

// Allow records an attempt by client at now, or refuses it and says how
// long to wait.
func (l *Limiter) Allow(client string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := now.Add(-l.window)
	l.global = keepAfter(l.global, cut)
	for c, ts := range l.clients {
		if ts = keepAfter(ts, cut); len(ts) == 0 {
			delete(l.clients, c)
		} else {
			l.clients[c] = ts
		}
	}
	ts := l.clients[client]
	var wait time.Duration
	if len(ts) >= l.n {
		wait = ts[len(ts)-l.n].Add(l.window).Sub(now)
	}
	if len(l.global) >= l.g {
		wait = max(wait, l.global[len(l.global)-l.g].Add(l.window).Sub(now))
	}
	if wait > 0 {
		return wait, false
	}
	l.clients[client] = append(ts, now)
	l.global = append(l.global, now)
	return 0, true
}

// keepAfter drops the times not after cut from the sorted ts.
func keepAfter(ts []time.Time, cut time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(cut) {
		i++
	}
	return ts[i:]
}

// ClientIP is the TCP peer's address, without the port.
func ClientIP(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}
