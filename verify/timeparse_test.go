package verify

import (
	"errors"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2021-05-03T20:00:00+02:00", utc("2021-05-03T18:00:00Z")},
		{"2021-05-03T18:00:00Z", utc("2021-05-03T18:00:00Z")},
		{"2021-05-03T18:00:00z", utc("2021-05-03T18:00:00Z")},
		{"2021-05-03T20:00:00+0200", utc("2021-05-03T18:00:00Z")},
		{"2021-05-03T20:00:00.123456789+0200", utc("2021-05-03T18:00:00.123456789Z")},
		{"2021-05-21T12:26:07.390079Z", utc("2021-05-21T12:26:07.390079Z")},
		{"2021-05-26T09:44:03", utc("2021-05-26T09:44:03Z")},
		{"2021-05-26T09:44:03.5", utc("2021-05-26T09:44:03.5Z")},
		{"2021-05-26 09:44:03", utc("2021-05-26T09:44:03Z")},
		{"2021-05-26T09:44", utc("2021-05-26T09:44:00Z")},
		{"2021-05-26", utc("2021-05-26T00:00:00Z")},
		{" 2021-05-26T09:44:03Z ", utc("2021-05-26T09:44:03Z")},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTime(tt.in)
			if err != nil {
				t.Fatalf("ParseTime(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "yesterday", "2021-13-01", "2021-05-26T25:00:00Z", "1621000000"} {
		if _, err := ParseTime(bad); !errors.Is(err, ErrBadTime) {
			t.Errorf("ParseTime(%q): got %v, want ErrBadTime", bad, err)
		}
	}
}
