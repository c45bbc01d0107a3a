package record

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// TimeFormat is how every CSV export writes a time: RFC 3339 in UTC with
// milliseconds, e.g. 2026-11-24T08:00:00.000Z.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// CSVColumns are the columns of a pass in a CSV export, named as the JSON
// fields of Pass: epoch and seq first (a pass's key), then the rest in
// Pass's order.
var CSVColumns = []string{"epoch", "seq", "at", "uptime_ms", "boot_id", "clock", "decision", "reason", "rule",
	"format", "type", "issuer", "kid", "subject", "latency_us", "gate", "mode", "unverified"}

// CSVWriter writes passes as CSV: the one writer behind every export (the
// status page, `chot db export`, the hub). Text cells that a spreadsheet
// would run as a formula are defused (see Defuse); times use TimeFormat.
// Callers may add their own columns before and after the pass's (the hub's
// device and received_at).
type CSVWriter struct {
	cw          *csv.Writer
	lead, trail []string
	header      bool
}

// NewCSVWriter returns a writer to w with extra columns lead (before the
// pass's) and trail (after). The header is written with the first row, or by
// WriteHeader.
func NewCSVWriter(w io.Writer, lead, trail []string) *CSVWriter {
	return &CSVWriter{cw: csv.NewWriter(w), lead: lead, trail: trail}
}

// Header returns the column names the writer writes.
func (c *CSVWriter) Header() []string {
	h := append(append([]string{}, c.lead...), CSVColumns...)
	return append(h, c.trail...)
}

// WriteHeader writes the header row if it has not been written yet.
func (c *CSVWriter) WriteHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	return c.cw.Write(c.Header())
}

// Write writes one pass, with the values of the extra columns (lead, then
// trail; text, defused like the pass's).
func (c *CSVWriter) Write(p Pass, extra ...string) error {
	if len(extra) != len(c.lead)+len(c.trail) {
		return fmt.Errorf("record: csv: %d extra values for %d extra columns", len(extra), len(c.lead)+len(c.trail))
	}
	if err := c.WriteHeader(); err != nil {
		return err
	}
	row := make([]string, 0, len(extra)+len(CSVColumns))
	for _, v := range extra[:len(c.lead)] {
		row = append(row, Defuse(v))
	}
	row = append(row, csvRow(p)...)
	for _, v := range extra[len(c.lead):] {
		row = append(row, Defuse(v))
	}
	return c.cw.Write(row)
}

// Flush writes what is buffered and returns the first error of any write.
func (c *CSVWriter) Flush() error {
	c.cw.Flush()
	return c.cw.Error()
}

// FormatTime writes t as the exports do (TimeFormat, UTC).
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

func csvRow(p Pass) []string {
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	return []string{Defuse(p.Epoch), strconv.FormatUint(p.Seq, 10), FormatTime(time.UnixMilli(p.At)), i(p.UptimeMS),
		Defuse(p.BootID), Defuse(p.Clock), Defuse(p.Decision), Defuse(p.Reason), Defuse(p.Rule), Defuse(p.Format),
		Defuse(p.Type), Defuse(p.Issuer), Defuse(p.Kid), Defuse(p.Subject), i(p.LatencyUS), Defuse(p.Gate),
		Defuse(p.Mode), strconv.FormatBool(p.Unverified)}
}

// Defuse makes a text cell safe to open in a spreadsheet: one starting with
// = + - @, a tab or a carriage return (which Excel, LibreOffice and Google
// Sheets run as a formula) gets a leading apostrophe, and so does one that
// starts with an apostrophe already, so that ReadCSV can undo it exactly.
func Defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r'", rune(s[0])) {
		return "'" + s
	}
	return s
}

// undefuse reverses Defuse.
func undefuse(s string) string { return strings.TrimPrefix(s, "'") }

// ReadCSV reads passes written by a CSVWriter without extra columns (`chot
// db export --format csv`, the status page's export), for tests and for
// tools that re-import an export. It checks the header.
func ReadCSV(r io.Reader) ([]Pass, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(CSVColumns)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("record: csv header: %w", err)
	}
	for i, h := range head {
		if h != CSVColumns[i] {
			return nil, fmt.Errorf("record: csv header: column %d is %q, want %q", i+1, h, CSVColumns[i])
		}
	}
	var out []Pass
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("record: csv: %w", err)
		}
		p, err := parseRow(row)
		if err != nil {
			line, _ := cr.FieldPos(0)
			return out, fmt.Errorf("record: csv line %d: %w", line, err)
		}
		out = append(out, p)
	}
}

func parseRow(row []string) (Pass, error) {
	var p Pass
	var err error
	num := func(s string) int64 {
		v, e := strconv.ParseInt(s, 10, 64)
		if e != nil && err == nil {
			err = e
		}
		return v
	}
	p.Epoch = undefuse(row[0])
	if p.Seq, err = strconv.ParseUint(row[1], 10, 64); err != nil {
		return p, err
	}
	at, err := time.Parse(TimeFormat, row[2])
	if err != nil {
		return p, err
	}
	p.At = at.UnixMilli()
	p.UptimeMS = num(row[3])
	p.BootID, p.Clock, p.Decision, p.Reason = undefuse(row[4]), undefuse(row[5]), undefuse(row[6]), undefuse(row[7])
	p.Rule, p.Format, p.Type, p.Issuer = undefuse(row[8]), undefuse(row[9]), undefuse(row[10]), undefuse(row[11])
	p.Kid, p.Subject = undefuse(row[12]), undefuse(row[13])
	p.LatencyUS = num(row[14])
	p.Gate, p.Mode = undefuse(row[15]), undefuse(row[16])
	if err != nil {
		return p, err
	}
	p.Unverified, err = strconv.ParseBool(row[17])
	return p, err
}
