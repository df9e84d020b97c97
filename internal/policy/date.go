package policy

import (
	"errors"
	"strconv"
)

// The one date grammar of the engine: what IAM accepts in a Date* condition (its
// "legacy parsing" check) is exactly what evaluation reads, so a policy IAM stored
// never holds a date the evaluator cannot compare.
//
// The IAM User Guide ("Condition operators / Date") asks for "one of the W3C
// implementations of the ISO 8601 date formats or in epoch (UNIX) time". What IAM
// was recorded accepting and refusing (LocalStack's AWS-validated CreatePolicy
// snapshots: "01T", a one-digit hour, a lower-case "t", an offset of hours only,
// nine fraction digits but not ten, month 13 and int64 overflow refused) is the
// grammar of Joda-Time's ISODateTimeFormat.dateTimeParser behind a 64-bit integer
// check, so both are followed here, meaning included:
//
//   - a string that parses as a signed 64-bit integer is epoch seconds; "2020" is
//     therefore 1970-01-01T00:33:40Z, not the year 2020;
//   - otherwise: ['T' time [offset]] | date ['T' [time] [offset]], where
//     date = yyyy ['-' MM ['-' dd]] | yyyy '-' DDD | yyyy '-W' ww ['-' e] (a signed
//     year of up to 9 digits), time = HH [':' mm [':' ss [frac]] | frac] | frac with
//     one- or two-digit fields and a fraction of 1 to 9 digits after '.' or ',', and
//     offset = 'Z' | ('+'|'-') HH [[':'] mm [[':'] ss [('.'|',') SSS]]];
//   - letters match in either case; fields are range-checked (day against its month,
//     ordinal day against its year, week against its week-year);
//   - fields left out take their value from 1970-01-01T00:00:00.000, as Joda's parser
//     fills them (so a week date without a day is a Thursday); a value without an
//     offset is UTC; fractions keep whole milliseconds, truncated, as Joda's instants
//     do.

// dateValue is an instant as the grammar yields it: seconds since the Unix epoch
// and the milliseconds past them (0 to 999). Seconds, not one count of
// milliseconds, because epoch values span all of int64.
type dateValue struct {
	sec int64
	ms  int64
}

// cmp orders two instants: -1, 0 or +1.
func (a dateValue) cmp(b dateValue) int64 {
	switch {
	case a.sec < b.sec:
		return -1
	case a.sec > b.sec:
		return 1
	case a.ms < b.ms:
		return -1
	case a.ms > b.ms:
		return 1
	}
	return 0
}

// Joda-Time's ISO chronology range.
const (
	minYear = -292275054
	maxYear = 292278993
)

// IsDate reports whether s is a date the policy engine reads: a value IAM accepts in
// a Date* condition, and one a Date* operator can compare with.
func IsDate(s string) bool {
	_, ok := parseDate(s)
	return ok
}

// parseDate reads s under the grammar above.
func parseDate(s string) (dateValue, bool) {
	if integer(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		return dateValue{sec: n}, err == nil
	}
	p := dateScanner{s: s}
	var f dateFields
	if p.lit('T') {
		if !p.timeElement(&f) || !p.offset(&f) {
			return dateValue{}, false
		}
	} else {
		if !p.dateElement(&f) {
			return dateValue{}, false
		}
		if p.lit('T') {
			if p.peekDigit() && !p.timeElement(&f) {
				return dateValue{}, false
			}
			if !p.offset(&f) {
				return dateValue{}, false
			}
		}
	}
	if !p.done() {
		return dateValue{}, false
	}
	return f.instant()
}

// integer reports whether s is a sign and digits, what Java's Long.parseLong reads:
// such a string is epoch seconds or nothing (it is no ISO date, a year having at most
// 9 digits). Checked first because a failed ParseInt allocates its error, and request
// values are read on every evaluation.
func integer(s string) bool {
	i := 0
	if len(s) > 1 && (s[0] == '+' || s[0] == '-') {
		i = 1
	}
	if i == len(s) {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// dateFields are the fields one date string set.
type dateFields struct {
	form                 byte // 0 time only, 'd' calendar, 'o' ordinal, 'w' week
	year                 int64
	month, day           int64 // calendar
	yday                 int64 // ordinal
	week, wday           int64 // week date; wday 0 = not given
	hour, minute, second int64
	frac                 int64 // milliseconds the fraction adds to the last time field
	offset               int64 // milliseconds east of UTC
}

// instant checks the fields' ranges and computes the instant.
func (f *dateFields) instant() (dateValue, bool) {
	var days int64
	if f.form != 0 && (f.year < minYear || f.year > maxYear) {
		return dateValue{}, false
	}
	switch f.form {
	case 'd':
		if f.month < 1 || f.month > 12 || f.day < 1 || f.day > monthDays(f.year, f.month) {
			return dateValue{}, false
		}
		days = civilDays(f.year, f.month, f.day)
	case 'o':
		n := int64(365)
		if leap(f.year) {
			n = 366
		}
		if f.yday < 1 || f.yday > n {
			return dateValue{}, false
		}
		days = civilDays(f.year, 1, 1) + f.yday - 1
	case 'w':
		start := weekYearStart(f.year)
		wday := f.wday
		if wday == 0 {
			wday = 4 // 1970-01-01, the parser's base, was a Thursday
		}
		if f.week < 1 || f.week > (weekYearStart(f.year+1)-start)/7 || wday < 1 || wday > 7 {
			return dateValue{}, false
		}
		days = start + (f.week-1)*7 + wday - 1
	}
	if f.hour > 23 || f.minute > 59 || f.second > 59 {
		return dateValue{}, false
	}
	ms := ((f.hour*60+f.minute)*60+f.second)*1000 + f.frac - f.offset
	sec := days*86400 + floorDiv(ms, 1000)
	return dateValue{sec: sec, ms: ms - floorDiv(ms, 1000)*1000}, true
}

func leap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func monthDays(y, m int64) int64 {
	if m == 2 && leap(y) {
		return 29
	}
	return [...]int64{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// civilDays counts days from 1970-01-01 to a date of the proleptic Gregorian
// calendar, year 0 included (Howard Hinnant's days_from_civil).
func civilDays(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// weekYearStart is the Monday of ISO week 1 of week-year y: the week holding 4 January.
func weekYearStart(y int64) int64 {
	jan4 := civilDays(y, 1, 4)
	monday := jan4 + 3 - floorDiv(jan4+3, 7)*7 // days past Monday; day 0 was a Thursday
	return jan4 - monday
}

type dateScanner struct {
	s string
	i int
}

func (p *dateScanner) done() bool { return p.i == len(p.s) }

func (p *dateScanner) peekDigit() bool { return p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' }

func (p *dateScanner) peek(c byte) bool { return p.i < len(p.s) && p.s[p.i] == c }

// lit consumes the letter or sign c, ignoring case as Joda's literals do.
func (p *dateScanner) lit(c byte) bool {
	if p.i < len(p.s) && (p.s[p.i] == c || c >= 'A' && p.s[p.i]|0x20 == c|0x20) {
		p.i++
		return true
	}
	return false
}

// digits reads 1 to max digits; ok is false when there is none.
func (p *dateScanner) digits(max int) (n int64, ok bool) {
	d := 0
	for d < max && p.peekDigit() {
		n = n*10 + int64(p.s[p.i]-'0')
		p.i++
		d++
	}
	return n, d > 0
}

// exact reads exactly n digits.
func (p *dateScanner) exact(n int) (int64, bool) {
	start := p.i
	v, ok := p.digits(n)
	return v, ok && p.i-start == n
}

// fraction reads an optional fraction of 1 to 9 digits after '.' or ',' as the
// milliseconds it adds to a field of unit milliseconds, truncated digit by digit as
// Joda does; ok is false for a separator without digits.
func (p *dateScanner) fraction(unit int64) (ms int64, ok bool) {
	if !p.peek('.') && !p.peek(',') {
		return 0, true
	}
	p.i++
	n, d := unit*10, 0
	for d < 9 && p.peekDigit() {
		n /= 10
		ms += int64(p.s[p.i]-'0') * n
		p.i++
		d++
	}
	return ms / 10, d > 0
}

// dateElement: yyyy ['-' MM ['-' dd]] | yyyy '-' DDD | yyyy '-W' ww ['-' e]. Joda
// tries the three and keeps the one that reads furthest, so three digits after the
// first '-' are an ordinal day and one or two a month.
func (p *dateScanner) dateElement(f *dateFields) bool {
	neg := false
	if p.peek('-') || p.peek('+') {
		neg = p.s[p.i] == '-'
		p.i++
	}
	y, ok := p.digits(9)
	if !ok {
		return false
	}
	if neg {
		y = -y
	}
	f.form, f.year, f.month, f.day = 'd', y, 1, 1
	if !p.lit('-') {
		return true
	}
	if p.lit('W') {
		f.form = 'w'
		if f.week, ok = p.digits(2); !ok {
			return false
		}
		if p.lit('-') {
			f.wday, ok = p.exact(1)
			return ok
		}
		return true
	}
	run := 0
	for p.i+run < len(p.s) && p.s[p.i+run] >= '0' && p.s[p.i+run] <= '9' {
		run++
	}
	if run == 3 {
		f.form = 'o'
		f.yday, _ = p.digits(3)
		return true
	}
	if f.month, ok = p.digits(2); !ok {
		return false
	}
	if p.lit('-') {
		f.day, ok = p.digits(2)
		return ok
	}
	return true
}

// timeElement: HH [':' mm [':' ss [frac]] | frac] | frac].
func (p *dateScanner) timeElement(f *dateFields) bool {
	var ok bool
	if f.hour, ok = p.digits(2); !ok {
		return false
	}
	if !p.lit(':') {
		f.frac, ok = p.fraction(3600000)
		return ok
	}
	if f.minute, ok = p.digits(2); !ok {
		return false
	}
	if !p.lit(':') {
		f.frac, ok = p.fraction(60000)
		return ok
	}
	if f.second, ok = p.digits(2); !ok {
		return false
	}
	f.frac, ok = p.fraction(1000)
	return ok
}

// offset: 'Z' | ('+' | '-') HH [[':'] mm [[':'] ss [('.' | ',') SSS]]], optional;
// the separators are all present or all absent (Joda's TimeZoneOffset parser). What
// is left unread is refused by done().
func (p *dateScanner) offset(f *dateFields) bool {
	if p.lit('Z') || p.done() {
		return true
	}
	if !p.peek('+') && !p.peek('-') {
		return true
	}
	neg := p.s[p.i] == '-'
	p.i++
	h, ok := p.exact(2)
	if !ok || h > 23 {
		return false
	}
	off := h * 3600000
	set := func() bool {
		if neg {
			off = -off
		}
		f.offset = off
		return true
	}
	sep := p.peek(':')
	if !sep && !p.peekDigit() {
		return set()
	}
	if sep {
		p.i++
	}
	m, ok := p.exact(2)
	if !ok || m > 59 {
		return false
	}
	off += m * 60000
	if sep && !p.lit(':') || !sep && !p.peekDigit() {
		return set()
	}
	s, ok := p.exact(2)
	if !ok || s > 59 {
		return false
	}
	off += s * 1000
	if sep {
		if !p.peek('.') && !p.peek(',') {
			return set()
		}
		p.i++
	} else if !p.peekDigit() {
		return set()
	}
	start := p.i
	n, ok := p.digits(3)
	if !ok {
		return false
	}
	for i := p.i - start; i < 3; i++ {
		n *= 10
	}
	off += n
	return set()
}

// parseNumber reads a Numeric* value: an integer or decimal, as the IAM User Guide
// describes them ("Condition operators / Numeric"), with an optional sign and
// exponent. Go's ParseFloat would also take "inf", "NaN", hexadecimal and
// underscores, which are no numbers to IAM's Java parsers (neither
// Double.parseDouble nor BigDecimal reads "inf" or "0x10").
func parseNumber(s string) (float64, bool) {
	i, digits := 0, 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	// Out of float64's range ParseFloat answers ±Inf or 0 with ErrRange: the value
	// still orders as the number does.
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, true
}

// IsNumber reports whether s is a number the policy engine reads in a Numeric*
// condition.
func IsNumber(s string) bool {
	_, ok := parseNumber(s)
	return ok
}
