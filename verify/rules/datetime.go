package rules

import (
	"time"
)

func timeHours(a int) time.Duration { return time.Duration(a) * time.Hour }

// parseDateTime reads the date and date-time forms plusTime accepts:
// YYYY, YYYY-MM (as dccDateOfBirth reads them), YYYY-MM-DD, and
// YYYY-MM-DDThh:mm:ss with optional decimals (cut to milliseconds) and an
// optional offset (Z, ±h, ±hh, ±hmm, ±hhmm, ±h:mm, ±hh:mm; none is Z).
func parseDateTime(s string) (time.Time, error) {
	if len(s) <= 10 {
		return parseDOB(s)
	}
	p := scan{s: s}
	y, m, d, ok := p.date()
	if !ok || !p.lit('T') {
		return bad(s)
	}
	hh, ok1 := p.digits(2)
	ok2 := p.lit(':')
	mm, ok3 := p.digits(2)
	ok4 := p.lit(':')
	ss, ok5 := p.digits(2)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || hh > 23 || mm > 59 || ss > 59 {
		return bad(s)
	}
	ms := 0
	if p.lit('.') {
		n := 0
		for ; p.i < len(s) && isDigit(s[p.i]); p.i++ {
			if n < 3 {
				ms = ms*10 + int(s[p.i]-'0')
			}
			n++
		}
		if n == 0 {
			return bad(s)
		}
		for ; n < 3; n++ {
			ms *= 10
		}
	}
	offset := 0
	switch {
	case p.i == len(s):
	case p.lit('Z'):
	case s[p.i] == '+' || s[p.i] == '-':
		sign := 1
		if s[p.i] == '-' {
			sign = -1
		}
		p.i++
		rest := s[p.i:]
		var oh, om int
		var ok bool
		switch {
		case len(rest) == 1 || len(rest) == 2: // h, hh
			oh, ok = p.digits(len(rest))
		case len(rest) == 3 || len(rest) == 4 && rest[1] != ':': // hmm, hhmm
			if oh, ok = p.digits(len(rest) - 2); ok {
				om, ok = p.digits(2)
			}
		case len(rest) == 4 || len(rest) == 5: // h:mm, hh:mm
			if oh, ok = p.digits(len(rest) - 3); ok && p.lit(':') {
				om, ok = p.digits(2)
			} else {
				ok = false
			}
		}
		if !ok || oh > 23 || om > 59 {
			return bad(s)
		}
		offset = sign * (oh*3600 + om*60)
	}
	if p.i != len(s) {
		return bad(s)
	}
	t := time.Date(y, time.Month(m), d, hh, mm, ss, ms*int(time.Millisecond), time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), nil
}

// parseDOB is dccDateOfBirth: YYYY is the 31st of December, YYYY-MM the
// last day of that month, YYYY-MM-DD that day, at midnight UTC: the last
// date consistent with the data.
func parseDOB(s string) (time.Time, error) {
	p := scan{s: s}
	y, ok := p.digits(4)
	if !ok {
		return bad(s)
	}
	if p.i == len(s) {
		return time.Date(y, time.December, 31, 0, 0, 0, 0, time.UTC), nil
	}
	m, ok := 0, p.lit('-')
	if ok {
		m, ok = p.digits(2)
	}
	if !ok || m < 1 || m > 12 {
		return bad(s)
	}
	if p.i == len(s) {
		return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC), nil
	}
	d, ok := 0, p.lit('-')
	if ok {
		d, ok = p.digits(2)
	}
	if !ok || p.i != len(s) || d < 1 || d > daysIn(y, m) {
		return bad(s)
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
}

func bad(s string) (time.Time, error) {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return time.Time{}, evalErr("%q is not a date or date-time of an allowed format", s)
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

type scan struct {
	s string
	i int
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *scan) digits(n int) (int, bool) {
	if p.i+n > len(p.s) {
		return 0, false
	}
	v := 0
	for k := 0; k < n; k++ {
		c := p.s[p.i+k]
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	return v, true
}

func (p *scan) lit(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// date reads YYYY-MM-DD.
func (p *scan) date() (y, m, d int, ok bool) {
	y, ok1 := p.digits(4)
	ok2 := p.lit('-')
	m, ok3 := p.digits(2)
	ok4 := p.lit('-')
	d, ok5 := p.digits(2)
	ok = ok1 && ok2 && ok3 && ok4 && ok5 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
	return y, m, d, ok
}
