package dcctest

import (
	"testing"
	"time"
)

func TestLoadCases(t *testing.T) {
	cases, err := LoadCases(Root(3))
	if err != nil {
		t.Fatal(err)
	}
	byPath := make(map[string]*Case, len(cases))
	for i := range cases {
		byPath[cases[i].Path] = &cases[i]
	}
	if len(cases) != 582 || byPath["6.json"] != nil {
		t.Fatalf("%d cases (6.json included: %v), want 582 without 6.json", len(cases), byPath["6.json"] != nil)
	}
	tests := []struct {
		path     string
		clock    time.Time
		expected map[string]bool
		png      bool
	}{
		{"AT/2DCode/raw/1.json", time.Date(2021, 5, 6, 18, 0, 0, 0, time.UTC), map[string]bool{"VERIFY": true}, true},
		// The extensionless case, with fraction digits.
		{"QR", time.Date(2021, 5, 21, 20, 34, 51, 85231000, time.UTC), map[string]bool{"VERIFY": true, "ENCODE": true}, true},
		// +0200 without the colon; no 2DCODE.
		{"FR/2DCode/raw/DGC_QrCode_00003_Raw.json", time.Date(2021, 6, 9, 13, 15, 35, 0, time.UTC), nil, false},
		// No zone: UTC.
		{"IS/2DCode/raw/3.json", time.Date(2021, 5, 17, 18, 21, 22, 0, time.UTC), map[string]bool{"KEYUSAGE": false}, true},
		// Fraction digits.
		{"common/2DCode/raw/CO28.json", time.Date(2021, 5, 21, 12, 26, 7, 390079000, time.UTC), map[string]bool{"VERIFY": true}, true},
		{"common/2DCode/raw/H1.json", time.Date(2021, 5, 3, 18, 0, 0, 0, time.UTC), map[string]bool{"UNPREFIX": false}, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			c := byPath[tt.path]
			if c == nil {
				t.Fatal("missing")
			}
			if !tt.clock.IsZero() && !c.Clock.Equal(tt.clock) {
				t.Errorf("clock %v, want %v", c.Clock, tt.clock)
			}
			for k, v := range tt.expected {
				if got, ok := c.Expected[k]; !ok || got != v {
					t.Errorf("Expected[%s] = %v (present %v), want %v", k, got, ok, v)
				}
			}
			if (c.PNG != nil) != tt.png {
				t.Errorf("PNG present %v, want %v", c.PNG != nil, tt.png)
			}
			if c.Prefix == "" || len(c.Cert) == 0 {
				t.Errorf("prefix %q, cert %d bytes", c.Prefix, len(c.Cert))
			}
			if _, ok := c.Expected["RESULTS"]; ok {
				t.Error("the nested EXPECTEDRESULTS key leaked in")
			}
		})
	}
}
