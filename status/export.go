package status

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chot-dev/chot/record"
)

// csvHeader names the export's columns: the fields of record.Pass, with
// their JSON names. At is written as RFC 3339 UTC with milliseconds.
var csvHeader = []string{"seq", "epoch", "at", "uptime_ms", "boot_id", "clock", "decision", "reason", "rule",
	"format", "type", "issuer", "kid", "subject", "latency_us", "gate", "mode"}

func csvRow(p record.Pass) []string {
	return []string{
		strconv.FormatUint(p.Seq, 10), cell(p.Epoch), time.UnixMilli(p.At).UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		strconv.FormatInt(p.UptimeMS, 10), cell(p.BootID), cell(p.Clock), cell(p.Decision), cell(p.Reason), cell(p.Rule),
		cell(p.Format), cell(p.Type), cell(p.Issuer), cell(p.Kid), cell(p.Subject),
		strconv.FormatInt(p.LatencyUS, 10), cell(p.Gate), cell(p.Mode),
	}
}

// cell defuses text a spreadsheet would run as a formula (an issuer comes
// from a credential, so from anyone).
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

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
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return
	}
	n := 0
	err := s.d.Log.Range(from, func(p record.Pass) error {
		n++
		return cw.Write(csvRow(p))
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err != nil {
		// The status line is gone: cut the response so the client sees a
		// broken transfer rather than a complete-looking file.
		s.log.Error("export", "err", err, "rows", n)
		panic(http.ErrAbortHandler)
	}
	s.log.Info("log exported", "rows", n, "from", from, "client", clientIP(r))
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
