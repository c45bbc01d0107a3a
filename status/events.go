package status

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/chot-dev/chot/checkpoint"
)

// keepAlive is how often an idle event stream sends a comment, so that
// proxies and the browser keep it open.
const keepAlive = 20 * time.Second

// handleEvents streams decisions as server-sent events named "decision",
// each with its Seq as id. On reconnection (Last-Event-ID) it first replays
// the recent events the client missed.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	if n := s.streams.Add(1); int(n) > s.cfg.MaxStreams {
		s.streams.Add(-1)
		w.Header().Set("Retry-After", "30")
		http.Error(w, "too many event streams", http.StatusServiceUnavailable)
		return
	}
	defer s.streams.Add(-1)
	rc := http.NewResponseController(w)
	// Each write of the stream must go through within writeTimeout; the
	// stream itself lasts as long as the client stays.
	alive := func() { _ = rc.SetWriteDeadline(time.Now().Add(writeTimeout)) }
	alive()
	ctx := r.Context()
	ch := s.d.Source.Subscribe(ctx) // before the snapshot: nothing falls in between
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 3000\n\n"); err != nil {
		return
	}
	if last, err := strconv.ParseUint(r.Header.Get("Last-Event-ID"), 10, 64); err == nil {
		recent := s.d.Source.Snapshot().Recent // newest first
		for _, ev := range slices.Backward(recent) {
			if ev.Seq > last && s.writeEvent(w, ev) != nil {
				return
			}
		}
	}
	if rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-ch:
			if !ok {
				return
			}
			alive()
			if s.writeEvent(w, ev) != nil || rc.Flush() != nil {
				return
			}
		case <-tick.C:
			alive()
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

func (s *Server) writeEvent(w http.ResponseWriter, ev checkpoint.Event) error {
	b, err := json.Marshal(s.wireEvent(ev))
	if err != nil {
		return fmt.Errorf("status: event: %w", err)
	}
	_, err = fmt.Fprintf(w, "event: decision\nid: %d\ndata: %s\n\n", ev.Seq, b)
	return err
}
