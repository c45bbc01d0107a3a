package verify

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrBadTime means a time string is in none of the forms ParseTime accepts.
var ErrBadTime = errors.New("verify: unrecognised time")

// timeLayouts are the forms ParseTime tries, zoned ones first. Go's parser
// accepts any number of fraction digits after the seconds when the layout has
// none, so fractions of up to nine digits need no layouts of their own.
var timeLayouts = []string{
	time.RFC3339Nano,           // 2021-05-03T20:00:00.123+02:00, Z
	"2006-01-02T15:04:05Z0700", // +0200 without the colon
	"2006-01-02T15:04:05Z07",   // +02
	"2006-01-02T15:04Z07:00",   // no seconds
	"2006-01-02T15:04:05",      // no zone: UTC
	"2006-01-02T15:04",         // no zone, no seconds: UTC
	"2006-01-02",               // a date: midnight UTC
}

// ParseTime parses the time forms chot accepts on the command line and in the
// DCC test data: RFC 3339 with up to nine fraction digits, "+0200" without the
// colon, no zone at all (taken as UTC, as the DCC reference harness does), a
// space instead of the "T", and a plain date (midnight UTC).
func ParseTime(s string) (time.Time, error) {
	t := strings.TrimSpace(s)
	if len(t) > 10 && t[10] == ' ' {
		t = t[:10] + "T" + t[11:]
	}
	// Lower-case t and z are allowed by RFC 3339.
	t = strings.Replace(t, "t", "T", 1)
	if strings.HasSuffix(t, "z") {
		t = t[:len(t)-1] + "Z"
	}
	for _, layout := range timeLayouts {
		if v, err := time.Parse(layout, t); err == nil {
			return v, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q", ErrBadTime, s)
}
