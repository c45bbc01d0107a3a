package record

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCSV: whatever text a pass carries (an issuer from a forged code), the
// export defuses it and reads back the same.
func FuzzCSV(f *testing.F) {
	p := samplePass()
	f.Add(p.Issuer, p.Kid, p.Reason, int64(0))
	f.Add("'", "=", "\r\n\"", int64(-1))
	f.Add("@x", "\t", "", int64(1<<40))
	f.Fuzz(func(t *testing.T, issuer, kid, reason string, at int64) {
		if !utf8.ValidString(issuer) || !utf8.ValidString(kid) || !utf8.ValidString(reason) {
			t.Skip() // encoding/csv is UTF-8: JSON in the store is too
		}
		p := samplePass()
		p.Issuer, p.Kid, p.Reason = issuer, kid, reason
		p.At = at % (1 << 45) // years 0..3000 in ms
		if p.At < 0 {
			p.At = -p.At
		}
		var buf bytes.Buffer
		w := NewCSVWriter(&buf, nil, nil)
		if err := w.Write(p); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		got, err := ReadCSV(&buf)
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		// encoding/csv reads a quoted CR LF as LF; nothing else changes.
		crlf := strings.NewReplacer("\r\n", "\n")
		p.Issuer, p.Kid, p.Reason = crlf.Replace(p.Issuer), crlf.Replace(p.Kid), crlf.Replace(p.Reason)
		if len(got) != 1 || !reflect.DeepEqual(got[0], p) {
			t.Fatalf("round trip: got %+v, want %+v", got, p)
		}
		if u := Untrusted(issuer); len(u) > MaxUntrusted || !utf8.ValidString(u) {
			t.Fatalf("Untrusted: %d bytes", len(u))
		}
	})
}
