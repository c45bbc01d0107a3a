package hub

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/chot-dev/chot/record"
	"github.com/chot-dev/chot/sync/wire"
)

// ExportRow is one line of the JSON lines export: the pass with the device
// and the time the hub stored it.
type ExportRow struct {
	Device     string    `json:"device"`
	ReceivedAt time.Time `json:"received_at"`
	record.Pass
}

// handleExport is GET /v1/passes?device=&since=&until=&limit=&format=jsonl|csv
// for operators (Authorization: Bearer OPERATOR_TOKEN). since and until are
// RFC 3339 and filter on the pass's time.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	if !s.operator(r) {
		s.fail(w, http.StatusUnauthorized, wire.CodeBadToken, "operator token required")
		return
	}
	v := r.URL.Query()
	var q Query
	q.Device = v.Get("device")
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"since", &q.Since}, {"until", &q.Until}} {
		if str := v.Get(f.name); str != "" {
			t, err := time.Parse(time.RFC3339, str)
			if err != nil {
				s.fail(w, http.StatusBadRequest, wire.CodeBadRequest, f.name+": want RFC 3339")
				return
			}
			*f.dst = t
		}
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			s.fail(w, http.StatusBadRequest, wire.CodeBadRequest, "limit: want a count")
			return
		}
		q.Limit = n
	}
	format := v.Get("format")
	if format == "" {
		format = "jsonl"
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var write func(Row) error
	flush := func() {}
	switch format {
	case "jsonl":
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(bw)
		write = func(row Row) error {
			e := ExportRow{Device: row.Device, ReceivedAt: row.Received}
			if err := json.Unmarshal(row.Body, &e.Pass); err != nil {
				return err
			}
			return enc.Encode(e)
		}
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		// The one pass CSV writer (record): formulas defused, one time format.
		cw := record.NewCSVWriter(bw, []string{"device"}, []string{"received_at"})
		if err := cw.WriteHeader(); err != nil {
			return
		}
		write = func(row Row) error {
			var p record.Pass
			if err := json.Unmarshal(row.Body, &p); err != nil {
				return err
			}
			return cw.Write(p, row.Device, record.FormatTime(row.Received))
		}
		flush = func() { _ = cw.Flush() }
	default:
		s.fail(w, http.StatusBadRequest, wire.CodeBadRequest, "format: jsonl or csv")
		return
	}
	if err := s.cfg.Storage.Export(r.Context(), q, write); err != nil {
		// Headers are gone; a truncated body is all we can signal.
		s.log.Error("hub: export", "err", err)
	}
	flush()
	bw.Flush()
}
