package logs

import (
	"encoding/json"
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Values in a query are nil (a missing field), bool, float64, string, qtime (a
// timestamp) and whatever JSON members hold.

// qbool is the result of a comparison, a Boolean operator or a function the pages
// type boolean. GetQueryResults shows it as 1 or 0 ("fields ispresent(resolverArn) as
// isRes ... The value of isRes equals 0 or 1", User Guide, query syntax guidelines),
// and arithmetic and stats see it as that number (sum(ispresent(f))). A JSON member's
// true or false stays as written.
type qbool bool

// qtime is a timestamp in epoch milliseconds: @timestamp, @ingestionTime and the
// results of bin, datefloor, dateceil and fromMillis. GetQueryResults shows it as
// "2006-01-02 15:04:05.000"; arithmetic and comparisons see its milliseconds.
type qtime int64

const qtimeLayout = "2006-01-02 15:04:05.000"

func (t qtime) String() string { return time.UnixMilli(int64(t)).UTC().Format(qtimeLayout) }

// Expression nodes.

type qand []qexpr
type qor []qexpr
type qnot struct{ e qexpr }
type qfield string
type qlit struct{ v any }
type qpresent string
type qaggRef int

type qcmp struct {
	op   string
	l, r qexpr
}

type qlike struct {
	l   qexpr
	re  *regexp.Regexp
	sub string
	neg bool
}

type qin struct {
	l    qexpr
	vals []qexpr
	neg  bool
}

type qarith struct {
	op   byte
	l, r qexpr
}

type qcall struct {
	name string
	spec fnSpec
	args []qexpr
}

func (a qand) eval(r qrow) any { return qbool(a.test(r)) }

func (a qand) test(r qrow) bool {
	for _, e := range a {
		if !truthy(e.eval(r)) {
			return false
		}
	}
	return true
}

func (o qor) eval(r qrow) any { return qbool(o.test(r)) }

func (o qor) test(r qrow) bool {
	for _, e := range o {
		if truthy(e.eval(r)) {
			return true
		}
	}
	return false
}

func (n qnot) eval(r qrow) any { return qbool(!truthy(n.e.eval(r))) }

func (f qfield) eval(r qrow) any {
	v, _ := r.get(string(f))
	return v
}

func (l qlit) eval(qrow) any { return l.v }

func (f qpresent) eval(r qrow) any {
	v, ok := r.get(string(f))
	return qbool(ok && v != nil)
}

// aggSlot is where a stats row holds the result of its i-th aggregate call while the
// command's expressions are evaluated.
func aggSlot(i int) string { return "\x00agg" + strconv.Itoa(i) }

func (a qaggRef) eval(r qrow) any {
	v, _ := r.get(aggSlot(int(a)))
	return v
}

func (c *qcmp) eval(r qrow) any { return qbool(c.test(r)) }

func (c *qcmp) test(r qrow) bool {
	l, rv := c.l.eval(r), c.r.eval(r)
	if l == nil || rv == nil {
		return c.op == "!=" && (l == nil) != (rv == nil)
	}
	d := compareValues(l, rv)
	switch c.op {
	case "=":
		return d == 0
	case "!=":
		return d != 0
	case "<":
		return d < 0
	case "<=":
		return d <= 0
	case ">":
		return d > 0
	case ">=":
		return d >= 0
	}
	return false
}

func (l *qlike) eval(r qrow) any { return qbool(l.test(r)) }

func (l *qlike) test(r qrow) bool {
	v := l.l.eval(r)
	if v == nil {
		return l.neg
	}
	s := asText(v)
	m := false
	if l.re != nil {
		m = l.re.MatchString(s)
	} else {
		m = strings.Contains(s, l.sub)
	}
	return m != l.neg
}

func (q *qin) eval(r qrow) any { return qbool(q.test(r)) }

func (q *qin) test(r qrow) bool {
	v := q.l.eval(r)
	for _, e := range q.vals {
		if (&qcmp{op: "=", l: qlit{v}, r: e}).test(r) {
			return !q.neg
		}
	}
	return q.neg
}

// Arithmetic takes numbers (User Guide, "Arithmetic operators"); anything else, or a
// division by zero, gives no value (inferred).
func (a *qarith) eval(r qrow) any {
	l, lok := asNumber(a.l.eval(r))
	rv, rok := asNumber(a.r.eval(r))
	if !lok || !rok {
		return nil
	}
	var v float64
	switch a.op {
	case '+':
		v = l + rv
	case '-':
		v = l - rv
	case '*':
		v = l * rv
	case '/':
		if rv == 0 {
			return nil
		}
		v = l / rv
	case '%':
		if rv == 0 {
			return nil
		}
		v = math.Mod(l, rv)
	case '^':
		v = math.Pow(l, rv)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

func (c *qcall) eval(r qrow) any {
	args := make([]any, len(c.args))
	for i, a := range c.args {
		args[i] = a.eval(r)
	}
	return c.spec.f(r, args)
}

// Functions usable in fields, filter and stats (User Guide, "Boolean, comparison,
// numeric, datetime, and other functions" and "String functions"). Predicates the
// pages type as numbers (isempty, isblank, strcontains) answer 1 or 0; those typed
// boolean answer true or false.

type fnSpec struct {
	min, max int // argument counts; max -1 for any
	f        func(r qrow, args []any) any
}

var aggFns = map[string]bool{
	"count": true, "count_distinct": true, "sum": true, "avg": true, "min": true, "max": true,
	"pct": true, "stddev": true, "earliest": true, "latest": true, "sortsfirst": true, "sortslast": true,
}

var scalarFns map[string]fnSpec

func init() {
	num1 := func(f func(float64) float64) fnSpec {
		return fnSpec{1, 1, func(_ qrow, a []any) any {
			x, ok := asNumber(a[0])
			if !ok {
				return nil
			}
			v := f(x)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil
			}
			return v
		}}
	}
	str1 := func(f func(string) any) fnSpec {
		return fnSpec{1, 1, func(_ qrow, a []any) any {
			if a[0] == nil {
				return nil
			}
			return f(asText(a[0]))
		}}
	}
	trim := func(side int) fnSpec {
		return fnSpec{1, 2, func(_ qrow, a []any) any {
			if a[0] == nil {
				return nil
			}
			s := asText(a[0])
			// "If the function has a second string argument, it does not remove white
			// space. Instead, it removes the characters in trimChars".
			if len(a) == 2 {
				cut := asText(a[1])
				switch side {
				case -1:
					return strings.TrimLeft(s, cut)
				case 1:
					return strings.TrimRight(s, cut)
				}
				return strings.Trim(s, cut)
			}
			switch side {
			case -1:
				return strings.TrimLeftFunc(s, unicode.IsSpace)
			case 1:
				return strings.TrimRightFunc(s, unicode.IsSpace)
			}
			return strings.TrimSpace(s)
		}}
	}
	extreme := func(greater bool) fnSpec {
		return fnSpec{1, -1, func(_ qrow, a []any) any {
			var best float64
			found := false
			for _, v := range a {
				if x, ok := asNumber(v); ok && (!found || greater && x > best || !greater && x < best) {
					best, found = x, true
				}
			}
			if !found {
				return nil
			}
			return best
		}}
	}
	ip := func(f func(netip.Addr, []any) bool) fnSpec {
		return fnSpec{1, 2, func(_ qrow, a []any) any {
			addr, err := netip.ParseAddr(asText(a[0]))
			if a[0] == nil || err != nil || addr.Zone() != "" {
				return qbool(false)
			}
			return qbool(f(addr, a))
		}}
	}
	inSubnet := func(version int) func(netip.Addr, []any) bool {
		return func(addr netip.Addr, a []any) bool {
			if len(a) < 2 {
				return false
			}
			pfx, err := netip.ParsePrefix(asText(a[1]))
			if err != nil {
				return false
			}
			switch version {
			case 4:
				if !addr.Is4() || !pfx.Addr().Is4() {
					return false
				}
			case 6:
				if !addr.Is6() || addr.Is4In6() || !pfx.Addr().Is6() {
					return false
				}
			}
			return pfx.Contains(addr)
		}
	}
	dateRound := func(up bool) fnSpec {
		return fnSpec{2, 2, func(_ qrow, a []any) any {
			ms, ok := asMillis(a[0])
			per, pok := a[1].(period)
			if !ok || !pok {
				return nil
			}
			return qtime(per.round(ms, up))
		}}
	}
	scalarFns = map[string]fnSpec{
		// Numeric operations.
		"abs":      num1(math.Abs),
		"ceil":     num1(math.Ceil),
		"floor":    num1(math.Floor),
		"log":      num1(math.Log),
		"sqrt":     num1(math.Sqrt),
		"greatest": extreme(true),
		"least":    extreme(false),
		// General functions.
		"ispresent": {1, 1, nil}, // parsed into qpresent
		"coalesce": {1, -1, func(_ qrow, a []any) any {
			for _, v := range a {
				if v != nil {
					return v
				}
			}
			return nil
		}},
		// String functions.
		"isempty": {1, 1, func(_ qrow, a []any) any {
			return b2n(a[0] == nil || asText(a[0]) == "")
		}},
		"isblank": {1, 1, func(_ qrow, a []any) any {
			return b2n(a[0] == nil || strings.TrimSpace(asText(a[0])) == "")
		}},
		"concat": {1, -1, func(_ qrow, a []any) any {
			var b strings.Builder
			for _, v := range a {
				b.WriteString(asText(v))
			}
			return b.String()
		}},
		"ltrim":   trim(-1),
		"rtrim":   trim(1),
		"trim":    trim(0),
		"strlen":  str1(func(s string) any { return float64(utf8.RuneCountInString(s)) }),
		"toupper": str1(func(s string) any { return strings.ToUpper(s) }),
		"tolower": str1(func(s string) any { return strings.ToLower(s) }),
		// substr counts code points from 0: substr("xyZfooxyZ", 3, 3) is "foo".
		"substr": {2, 3, func(_ qrow, a []any) any {
			if a[0] == nil {
				return nil
			}
			rs := []rune(asText(a[0]))
			start, ok := asNumber(a[1])
			if !ok {
				return nil
			}
			from := int(min(max(start, 0), float64(len(rs))))
			to := len(rs)
			if len(a) == 3 {
				n, ok := asNumber(a[2])
				if !ok {
					return nil
				}
				to = from + int(min(max(n, 0), float64(len(rs)-from)))
			}
			return string(rs[from:to])
		}},
		"replace": {3, 3, func(_ qrow, a []any) any {
			if a[0] == nil {
				return nil
			}
			return strings.ReplaceAll(asText(a[0]), asText(a[1]), asText(a[2]))
		}},
		// strcontains(str, searchValue) is 1 or 0. A third argument is accepted and
		// changes nothing: a 2026 us-east-1 check found strcontains(@message, "get",
		// true) still case-sensitive.
		"strcontains": {2, 3, func(_ qrow, a []any) any {
			if a[0] == nil {
				return b2n(false)
			}
			return b2n(strings.Contains(asText(a[0]), asText(a[1])))
		}},
		// Datetime functions.
		"bin": {1, 1, func(r qrow, a []any) any {
			ts, _ := r.get("@timestamp")
			ms, ok := asMillis(ts)
			per, pok := a[0].(period)
			if !ok || !pok {
				return nil
			}
			return qtime(per.round(ms, false))
		}},
		"datefloor": dateRound(false),
		"dateceil":  dateRound(true),
		"frommillis": {1, 1, func(_ qrow, a []any) any {
			x, ok := asNumber(a[0])
			if !ok {
				return nil
			}
			return qtime(int64(x))
		}},
		"tomillis": {1, 1, func(_ qrow, a []any) any {
			ms, ok := asMillis(a[0])
			if !ok {
				return nil
			}
			return float64(ms)
		}},
		// IP address functions.
		"isvalidip":      ip(func(netip.Addr, []any) bool { return true }),
		"isvalidipv4":    ip(func(a netip.Addr, _ []any) bool { return a.Is4() }),
		"isvalidipv6":    ip(func(a netip.Addr, _ []any) bool { return a.Is6() }),
		"isipinsubnet":   ip(inSubnet(0)),
		"isipv4insubnet": ip(inSubnet(4)),
		"isipv6insubnet": ip(inSubnet(6)),
	}
	for _, n := range []string{"isvalidip", "isvalidipv4", "isvalidipv6"} {
		s := scalarFns[n]
		s.max = 1
		scalarFns[n] = s
	}
	for _, n := range []string{"isipinsubnet", "isipv4insubnet", "isipv6insubnet"} {
		s := scalarFns[n]
		s.min = 2
		scalarFns[n] = s
	}
}

func b2n(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// asMillis reads a timestamp: a qtime, a number of milliseconds, or an RFC 3339 string
// such as CloudTrail's eventTime (inferred: the pages only speak of timestamps).
func asMillis(v any) (int64, bool) {
	switch x := v.(type) {
	case qtime:
		return int64(x), true
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t.UnixMilli(), true
		}
	}
	f, ok := asNumber(v)
	return int64(f), ok
}

// period is a time period of bin, datefloor and dateceil: a number and a unit, the
// units and abbreviations of the User Guide's "stats" page (ms, s, m, h, d, w, mo, q,
// y, their long forms and plurals).
type period struct {
	n      int64
	ms     int64 // for fixed units
	months int64 // for mo, q, y
}

var periodUnits = map[string]period{}

func init() {
	for _, u := range []struct {
		names  string
		ms     int64
		months int64
	}{
		{"ms msec msecs millisecond milliseconds", 1, 0},
		{"s sec secs second seconds", 1000, 0},
		{"m min mins minute minutes", 60_000, 0},
		{"h hr hrs hour hours", 3_600_000, 0},
		{"d day days", 86_400_000, 0},
		{"w week weeks", 7 * 86_400_000, 0},
		{"mo mon mons month months", 0, 1},
		{"q qtr qtrs quarter quarters", 0, 3},
		{"y yr yrs year years", 0, 12},
	} {
		for _, n := range strings.Fields(u.names) {
			periodUnits[n] = period{ms: u.ms, months: u.months}
		}
	}
}

func parsePeriod(s string) (period, bool) {
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i <= 0 {
		return period{}, false
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	p, ok := periodUnits[strings.ToLower(s[i:])]
	// A bound keeps n times the unit within int64 (inferred; AWS's is not documented).
	if err != nil || !ok || n <= 0 || n > 1_000_000 {
		return period{}, false
	}
	p.n = n
	return p, true
}

// round truncates ms to the period, or rounds it up when up is set. Fixed units count
// from the epoch (weeks too: inferred); months, quarters and years follow the UTC
// calendar.
func (p period) round(ms int64, up bool) int64 {
	if p.months == 0 {
		step := p.n * p.ms
		f := ms - ((ms%step)+step)%step
		if up && f != ms {
			f += step
		}
		return f
	}
	t := time.UnixMilli(ms).UTC()
	step := p.n * p.months
	idx := int64(t.Year())*12 + int64(t.Month()) - 1
	idx -= ((idx % step) + step) % step
	f := time.Date(int(idx/12), time.Month(idx%12+1), 1, 0, 0, 0, 0, time.UTC)
	if up && f.UnixMilli() != ms {
		f = f.AddDate(0, int(step), 0)
	}
	return f.UnixMilli()
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case qbool:
		return bool(x)
	case nil:
		return false
	case string:
		return x != ""
	case float64:
		return x != 0
	}
	return true
}

func asNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case qtime:
		return float64(x), true
	case qbool:
		return b2n(bool(x)), true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

func asText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case qtime:
		return x.String()
	case qbool:
		return strconv.Itoa(int(b2n(bool(x))))
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// own copies a string value so that it outlives the chunk buffer it may point into.
func own(v any) any {
	if s, ok := v.(string); ok {
		return strings.Clone(s)
	}
	return v
}
