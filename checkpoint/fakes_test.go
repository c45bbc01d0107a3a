package checkpoint

import (
	"sync"
	"time"
)

// manualClock is a board clock the test sets: wall time and uptime.
type manualClock struct {
	mu   sync.Mutex
	wall time.Time
	up   time.Duration
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall
}

func (c *manualClock) Uptime() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.up
}

// advance moves both clocks forward by d.
func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	c.wall = c.wall.Add(d)
	c.up += d
	c.mu.Unlock()
}

// memTime is a TimeStore in memory that only moves forward, like store's.
type memTime struct {
	mu sync.Mutex
	t  time.Time
}

func (m *memTime) KnownTime() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t
}

func (m *memTime) SetKnownTime(t time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.After(m.t) {
		m.t = t
	}
	return nil
}

// events is an ordered record of what the parts saw, shared by the fakes so a
// test can assert on order ("logged, then opened").
type events struct {
	mu  sync.Mutex
	seq []string
}

func (e *events) add(s string) {
	e.mu.Lock()
	e.seq = append(e.seq, s)
	e.mu.Unlock()
}

func (e *events) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.seq...)
}

type fakeGate struct {
	ev      *events
	mu      sync.Mutex
	on      bool
	failOn  bool
	opens   int
	lastDur time.Duration
}

func (g *fakeGate) Open(d time.Duration) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.failOn {
		g.ev.add("open-failed")
		return errGate
	}
	g.on, g.opens, g.lastDur = true, g.opens+1, d
	g.ev.add("open")
	return nil
}

func (g *fakeGate) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.on = false
	g.ev.add("close")
	return nil
}

func (g *fakeGate) energised() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.on
}

type fakeIndicator struct {
	ev  *events
	mu  sync.Mutex
	led string
}

func (f *fakeIndicator) Sound(class string) { f.ev.add("sound:" + class) }
func (f *fakeIndicator) SetLED(s string) {
	f.mu.Lock()
	f.led = s
	f.mu.Unlock()
}
