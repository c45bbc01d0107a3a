package synctest

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// Fault is what the proxy does to one request.
type Fault int

// Faults.
const (
	Pass                Fault = iota // forward untouched
	DropAfterCommit                  // forward, then close the client's connection without an answer
	ResetBefore                      // reset the client's connection without forwarding
	TimeoutAfterCommit               // forward, then hold the answer until the client gives up
	Error500                         // answer 500 without forwarding
	Error500AfterCommit              // forward, then answer 500
	TooMany                          // answer 429 with Retry-After: 1
	SlowBody                         // forward, then trickle the answer
	NumFaults
)

var faultNames = [...]string{"pass", "drop_after_commit", "reset_before", "timeout_after_commit",
	"error_500", "error_500_after_commit", "429", "slow_body"}

func (f Fault) String() string { return faultNames[f] }

// Proxy is an httputil.ReverseProxy that injects faults between a client
// and a hub whose address can change (a restart), or several hubs it sends
// requests to in turn (SetTargets).
type Proxy struct {
	// Choose picks the fault for request n (0-based). nil means Pass.
	Choose func(n int64) Fault
	// OnRequest, if set, sees every request first.
	OnRequest func(r *http.Request)

	targets atomic.Pointer[[]*url.URL]
	rp      *httputil.ReverseProxy
	n       atomic.Int64
	turn    atomic.Int64

	mu     sync.Mutex
	counts [NumFaults]int
}

// NewProxy returns a proxy to target.
func NewProxy(target string) *Proxy {
	p := &Proxy{}
	p.SetTarget(target)
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			ts := *p.targets.Load()
			r.SetURL(ts[int(p.turn.Add(1)-1)%len(ts)])
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 16},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	return p
}

// SetTarget points the proxy at a (new) hub.
func (p *Proxy) SetTarget(target string) { p.SetTargets(target) }

// SetTargets makes the proxy send requests to the hubs in turn.
func (p *Proxy) SetTargets(targets ...string) {
	us := make([]*url.URL, len(targets))
	for i, t := range targets {
		u, err := url.Parse(t)
		if err != nil {
			panic(err)
		}
		us[i] = u
	}
	p.targets.Store(&us)
}

// Counts returns how many times each fault was injected.
func (p *Proxy) Counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := map[string]int{}
	for f, n := range p.counts {
		m[Fault(f).String()] = n
	}
	return m
}

// Requests returns how many requests the proxy saw.
func (p *Proxy) Requests() int64 { return p.n.Load() }

// ServeHTTP injects the chosen fault.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := p.n.Add(1) - 1
	if p.OnRequest != nil {
		p.OnRequest(r)
	}
	f := Pass
	if p.Choose != nil {
		f = p.Choose(n)
	}
	p.mu.Lock()
	p.counts[f]++
	p.mu.Unlock()
	switch f {
	case Pass:
		p.rp.ServeHTTP(w, r)
	case DropAfterCommit:
		p.rp.ServeHTTP(httptest.NewRecorder(), r)
		kill(w)
	case ResetBefore:
		io.Copy(io.Discard, r.Body)
		kill(w)
	case TimeoutAfterCommit:
		p.rp.ServeHTTP(httptest.NewRecorder(), r)
		<-r.Context().Done()
	case Error500:
		w.WriteHeader(http.StatusInternalServerError)
	case Error500AfterCommit:
		p.rp.ServeHTTP(httptest.NewRecorder(), r)
		w.WriteHeader(http.StatusInternalServerError)
	case TooMany:
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
	case SlowBody:
		rec := httptest.NewRecorder()
		p.rp.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		body := rec.Body.Bytes()
		rc := http.NewResponseController(w)
		for i := range body {
			w.Write(body[i : i+1])
			rc.Flush()
			if i%16 == 0 {
				t := time.NewTimer(time.Millisecond)
				select {
				case <-t.C:
				case <-r.Context().Done():
					t.Stop()
					return
				}
			}
		}
	}
}

// kill resets the client's connection.
func kill(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}
