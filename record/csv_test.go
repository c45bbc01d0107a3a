package record

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func samplePass() Pass {
	return Pass{Seq: 7, Epoch: "0123456789abcdef0123456789abcdef", At: time.Date(2026, 11, 24, 8, 0, 0, 123e6, time.UTC).UnixMilli(),
		UptimeMS: 5000, BootID: "b00t", Clock: ClockSynced, Decision: "reject", Reason: "bad_signature", Format: "dcc",
		Type: "vaccination", Issuer: "=HYPERLINK(\"http://evil\",\"x\")", Kid: "+d0sQ4v3aZks=", Subject: "8f14", LatencyUS: 41250,
		Gate: GateNotOpened, Mode: "venue", Unverified: true}
}

// TestCSVColumnsAreThePass: every JSON field of Pass is a column, once.
func TestCSVColumnsAreThePass(t *testing.T) {
	var names []string
	for f := range reflect.TypeFor[Pass]().Fields() {
		names = append(names, strings.Split(f.Tag.Get("json"), ",")[0])
	}
	got := slices.Clone(CSVColumns)
	slices.Sort(got)
	slices.Sort(names)
	if !slices.Equal(got, names) {
		t.Errorf("columns %v, Pass's JSON fields %v", got, names)
	}
}

// TestCSVDefusesAndRoundTrips: hostile text cells are defused (a spreadsheet
// sees text, not a formula), times are RFC 3339 UTC with milliseconds, and
// ReadCSV gives back exactly what was written.
func TestCSVDefusesAndRoundTrips(t *testing.T) {
	passes := []Pass{samplePass(), {Seq: 8, Epoch: "ab", Issuer: "'quoted", Reason: "-1+1", Mode: "@SUM(A1)", Kid: "\tx", Gate: "\rcr"}, {Seq: 9}}
	var buf bytes.Buffer
	w := NewCSVWriter(&buf, nil, nil)
	for _, p := range passes {
		if err := w.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], CSVColumns) {
		t.Fatalf("header %v", rows[0])
	}
	for _, row := range rows[1:] {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %s: %q would run as a formula", CSVColumns[i], cell)
			}
		}
	}
	if at := rows[1][2]; at != "2026-11-24T08:00:00.123Z" {
		t.Errorf("at %q, want RFC 3339 UTC with milliseconds", at)
	}
	got, err := ReadCSV(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, passes) {
		t.Errorf("round trip:\ngot  %+v\nwant %+v", got, passes)
	}
}

func TestCSVExtraColumns(t *testing.T) {
	var buf bytes.Buffer
	w := NewCSVWriter(&buf, []string{"device"}, []string{"received_at"})
	if err := w.Write(samplePass(), "=gate", "2026-11-24T08:00:01.000Z"); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(samplePass(), "only one"); err == nil {
		t.Error("a row with a missing extra value was written")
	}
	_ = w.Flush()
	rows, _ := csv.NewReader(&buf).ReadAll()
	if !strings.HasPrefix(strings.Join(rows[0], ","), "device,epoch,seq,at,") || rows[0][len(rows[0])-1] != "received_at" {
		t.Errorf("header %v", rows[0])
	}
	if rows[1][0] != "'=gate" {
		t.Errorf("extra cell %q not defused", rows[1][0])
	}
}

func TestUntrusted(t *testing.T) {
	tests := []struct{ in, want string }{
		{"VN", "VN"},
		{"a\x00b\x1bc\u202ed", "a\uFFFDb\uFFFDc\uFFFDd"},
		{"\xff\xfe", "\uFFFD\uFFFD"},
		{strings.Repeat("x", MaxUntrusted), strings.Repeat("x", MaxUntrusted)},
		{strings.Repeat("x", 10000), strings.Repeat("x", MaxUntrusted-3) + "…"},
		{strings.Repeat("é", 100), strings.Repeat("é", (MaxUntrusted-3)/2) + "…"},
	}
	for _, tt := range tests {
		got := Untrusted(tt.in)
		if got != tt.want {
			t.Errorf("Untrusted(%.20q) = %q, want %q", tt.in, got, tt.want)
		}
		if len(got) > MaxUntrusted || !utf8.ValidString(got) {
			t.Errorf("Untrusted(%.20q): %d bytes, valid %v", tt.in, len(got), utf8.ValidString(got))
		}
	}
}
