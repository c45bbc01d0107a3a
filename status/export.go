package status

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chot-dev/chot/record"

	"github.com/chot-dev/chot/internal/ratelimit"
)

// Export pacing: the log is read in chunks, each in its own short read
// transaction, and each chunk must reach the client within exportChunkTimeout.
// A client that stalls is cut off; it never holds a bbolt transaction (which
// would block the remaps that appends need, and so the decisions).
const (
	exportChunk        = 512
	exportChunkTimeout = 30 * time.Second
)

// handleExport streams the pass log as CSV, from ?from=seq (default 0).
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request, _ string) {
	if s.d.Log == nil {
		s.fail(w, r, http.StatusNotImplemented, "action.unavailable")
		return
	}
	var from uint64
	if v := r.URL.Query().Get("from"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			http.Error(w, "bad from", http.StatusBadRequest)
			return
		}
		from = n
	}
	name := "chot"
	if dev := safeName(s.d.Source.Snapshot().Device); dev != "" {
		name += "-" + dev
	}
	name += "-" + s.cfg.Now().UTC().Format("20060102-150405") + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	n, err := s.writeExport(w, from)
	if err != nil {
		// The status line is gone: cut the response so the client sees a
		// broken transfer rather than a complete-looking file.
		s.log.Error("export", "err", err, "rows", n)
		panic(http.ErrAbortHandler)
	}
	s.log.Info("log exported", "rows", n, "from", from, "client", ratelimit.ClientIP(r))
}

// writeExport writes the passes from seq from up to the last one logged when
// the export began (a snapshot: what is appended meanwhile is for the next
// export), chunk by chunk.
func (s *Server) writeExport(w http.ResponseWriter, from uint64) (int, error) {
	rc := http.NewResponseController(w)
	last := s.d.Log.LastSeq()
	cw := record.NewCSVWriter(w, nil, nil)
	n := 0
	_ = rc.SetWriteDeadline(time.Now().Add(exportChunkTimeout))
	if err := cw.WriteHeader(); err != nil {
		return n, err
	}
	for from <= last {
		chunk, err := s.d.Log.Passes(from, exportChunk)
		if err != nil {
			return n, err
		}
		if len(chunk) == 0 {
			break
		}
		// The deadline covers this chunk only: a slow but moving client
		// gets the whole log, a stalled one is cut after the timeout.
		_ = rc.SetWriteDeadline(time.Now().Add(exportChunkTimeout))
		for _, p := range chunk {
			if p.Seq > last {
				break
			}
			if err := cw.Write(p); err != nil {
				return n, err
			}
			n++
		}
		if err := cw.Flush(); err != nil {
			return n, err
		}
		from = chunk[len(chunk)-1].Seq + 1
	}
	return n, cw.Flush()
}

// safeName keeps the letters, digits, dots and dashes of s.
func safeName(s string) string {
	return strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' {
			return c
		}
		return -1
	}, s)
}
