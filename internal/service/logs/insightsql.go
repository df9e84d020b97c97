package logs

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A subset of the CloudWatch Logs Insights query language: commands joined by |
//
//	fields f1, f2 ...        the columns returned (display is the same)
//	filter EXPR              comparisons (= != < <= > >=), like / not like with a
//	                         "substring" or /regex/, =~ /regex/, in [...], ispresent(f),
//	                         and, or, not, parentheses
//	stats AGG [as name], ... [by f1, bin(5m) ...]
//	                         count(*), count(f), sum, avg, min, max
//	sort f [asc|desc], ...
//	limit N
//
// Fields are @timestamp, @message, @logStream, @log, @ingestionTime and, for JSON
// messages, the members discovered by flattening the object (a.b, list.0.c).

// The rows a query returns: defaultQueryLimit without a limit command or StartQuery
// limit, at most maxQueryLimit ("If you omit limit, the query defaults to returning up
// to 10,000 log events. You can specify a limit value of up to 100,000.", CloudWatch
// Logs User Guide, "limit"; StartQuery's limit has the same range in the model).
const (
	defaultQueryLimit = 10_000
	maxQueryLimit     = 100_000
)

type insightsQuery struct {
	fields  []string
	filters []qexpr
	post    []qexpr // filters after stats
	stats   *qstats
	sorts   []qsort
	limit   int
}

type qstats struct {
	aggs []qagg
	by   []qby
}

type qagg struct {
	fn    string // count, sum, avg, min, max
	field string // "" for count(*)
	name  string
}

type qby struct {
	field string
	bin   int64 // milliseconds, for bin(...)
	name  string
}

type qsort struct {
	field string
	desc  bool
}

// qrow is one row: an event's fields, or an aggregate's.
type qrow interface {
	get(name string) (any, bool)
}

type qexpr interface {
	eval(r qrow) any
}

func malformed(format string, args ...any) error {
	return fmt.Errorf(format, args...)
}

// parseInsights parses a query string.
func parseInsights(q string) (*insightsQuery, error) {
	out := &insightsQuery{}
	for _, cmd := range splitPipes(q) {
		cmd = strings.TrimSpace(cmd)
		if cmd == "" {
			continue
		}
		word, rest, _ := strings.Cut(cmd, " ")
		rest = strings.TrimSpace(rest)
		switch strings.ToLower(word) {
		case "fields", "display":
			for _, f := range splitTop(rest, ',') {
				f = strings.TrimSpace(f)
				if f == "" {
					return nil, malformed("expected a field after %s", word)
				}
				out.fields = append(out.fields, unquoteField(f))
			}
		case "filter":
			e, err := parseQExpr(rest)
			if err != nil {
				return nil, err
			}
			if out.stats != nil {
				out.post = append(out.post, e)
			} else {
				out.filters = append(out.filters, e)
			}
		case "stats":
			s, err := parseStats(rest)
			if err != nil {
				return nil, err
			}
			out.stats = s
		case "sort":
			for _, f := range splitTop(rest, ',') {
				parts := strings.Fields(f)
				if len(parts) == 0 || len(parts) > 2 {
					return nil, malformed("bad sort clause %q", f)
				}
				s := qsort{field: unquoteField(parts[0])}
				if len(parts) == 2 {
					switch strings.ToLower(parts[1]) {
					case "desc":
						s.desc = true
					case "asc":
					default:
						return nil, malformed("bad sort order %q", parts[1])
					}
				}
				out.sorts = append(out.sorts, s)
			}
		case "limit":
			n, err := strconv.Atoi(rest)
			if err != nil || n <= 0 || n > maxQueryLimit {
				return nil, malformed("limit must be a number from 1 to %d", maxQueryLimit)
			}
			out.limit = n
		default:
			return nil, malformed("unexpected command %q", word)
		}
	}
	return out, nil
}

// splitPipes splits commands on | outside quotes and regexes.
func splitPipes(q string) []string { return splitTop(q, '|') }

// splitTop splits on sep outside quotes, /regex/ and brackets.
func splitTop(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '/' && sep == '|' && i > 0 && strings.HasSuffix(strings.TrimSpace(s[:i]), "like") || c == '/' && sep == '|' && strings.HasSuffix(strings.TrimSpace(s[:i]), "=~"):
			quote = '/'
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func unquoteField(f string) string {
	f = strings.TrimSpace(f)
	if len(f) >= 2 && f[0] == '`' && f[len(f)-1] == '`' {
		return f[1 : len(f)-1]
	}
	return f
}

var aggRE = regexp.MustCompile(`^(?i)(count|sum|avg|min|max)\s*\(\s*([^)]*)\)\s*(?:as\s+(\S+))?$`)
var binRE = regexp.MustCompile(`^(?i)bin\s*\(\s*(\d+)\s*(ms|s|m|h|d)?\s*\)\s*(?:as\s+(\S+))?$`)

func parseStats(s string) (*qstats, error) {
	st := &qstats{}
	aggPart, byPart := s, ""
	if i := indexWord(s, "by"); i >= 0 {
		aggPart, byPart = s[:i], s[i+2:]
	}
	for _, a := range splitTop(aggPart, ',') {
		m := aggRE.FindStringSubmatch(strings.TrimSpace(a))
		if m == nil {
			return nil, malformed("unsupported stats function %q", strings.TrimSpace(a))
		}
		ag := qagg{fn: strings.ToLower(m[1]), field: unquoteField(m[2]), name: m[3]}
		if ag.field == "*" {
			ag.field = ""
		}
		if ag.fn != "count" && ag.field == "" {
			return nil, malformed("%s needs a field", ag.fn)
		}
		if ag.name == "" {
			ag.name = ag.fn + "(" + strings.TrimSpace(m[2]) + ")"
		}
		st.aggs = append(st.aggs, ag)
	}
	if strings.TrimSpace(byPart) != "" {
		for _, b := range splitTop(byPart, ',') {
			b = strings.TrimSpace(b)
			if m := binRE.FindStringSubmatch(b); m != nil {
				n, _ := strconv.ParseInt(m[1], 10, 64)
				unit := map[string]int64{"ms": 1, "s": 1000, "": 1000, "m": 60000, "h": 3600000, "d": 86400000}[strings.ToLower(m[2])]
				name := m[3]
				if name == "" {
					name = strings.ReplaceAll(b, " ", "")
				}
				st.by = append(st.by, qby{bin: n * unit, name: name})
				continue
			}
			field, alias, _ := strings.Cut(b, " as ")
			field = unquoteField(field)
			if alias == "" {
				alias = field
			}
			st.by = append(st.by, qby{field: field, name: strings.TrimSpace(alias)})
		}
	}
	return st, nil
}

// indexWord finds a whole word outside parentheses.
func indexWord(s, w string) int {
	depth := 0
	for i := 0; i+len(w) <= len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 && strings.EqualFold(s[i:i+len(w)], w) && (i == 0 || s[i-1] == ' ') && (i+len(w) == len(s) || s[i+len(w)] == ' ') {
			return i
		}
	}
	return -1
}

// Filter expressions.

type qtok struct {
	kind byte // i ident, s string, n number, r regex, o operator, p punctuation
	text string
}

func lexQ(s string) ([]qtok, error) {
	var out []qtok
	prevKw := ""
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
			continue
		case c == '"' || c == '\'':
			j := i + 1
			var b strings.Builder
			for j < len(s) && s[j] != c {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
				j++
			}
			if j >= len(s) {
				return nil, malformed("unterminated string")
			}
			out = append(out, qtok{'s', b.String()})
			i = j + 1
		case c == '/' && (prevKw == "like" || prevKw == "=~"):
			j := i + 1
			for j < len(s) && s[j] != '/' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, malformed("unterminated regex")
			}
			out = append(out, qtok{'r', s[i+1 : j]})
			i = j + 1
		case c == '`':
			j := strings.IndexByte(s[i+1:], '`')
			if j < 0 {
				return nil, malformed("unterminated field name")
			}
			out = append(out, qtok{'i', s[i+1 : i+1+j]})
			i += j + 2
		case strings.IndexByte("=!<>", c) >= 0:
			op := string(c)
			if i+1 < len(s) && (s[i+1] == '=' || c == '=' && s[i+1] == '~') {
				op += string(s[i+1])
			}
			if op == "!" {
				return nil, malformed("unexpected !")
			}
			out = append(out, qtok{'o', op})
			i += len(op)
		case strings.IndexByte("(),[]", c) >= 0:
			out = append(out, qtok{'p', string(c)})
			i++
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \t\n\"'`=!<>(),[]", s[j]) < 0 {
				j++
			}
			w := s[i:j]
			if _, err := strconv.ParseFloat(w, 64); err == nil {
				out = append(out, qtok{'n', w})
			} else {
				out = append(out, qtok{'i', w})
			}
			i = j
		}
		last := out[len(out)-1]
		prevKw = strings.ToLower(last.text)
		if last.kind == 's' {
			prevKw = ""
		}
	}
	return out, nil
}

type qparser struct {
	toks []qtok
	pos  int
}

func (p *qparser) peek() qtok {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return qtok{}
}

func (p *qparser) next() qtok { t := p.peek(); p.pos++; return t }

func (p *qparser) isWord(w string) bool {
	t := p.peek()
	return t.kind == 'i' && strings.EqualFold(t.text, w)
}

func parseQExpr(s string) (qexpr, error) {
	toks, err := lexQ(s)
	if err != nil {
		return nil, err
	}
	p := &qparser{toks: toks}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, malformed("unexpected %q", p.peek().text)
	}
	return e, nil
}

type qand []qexpr
type qor []qexpr
type qnot struct{ e qexpr }

func (a qand) eval(r qrow) any {
	for _, e := range a {
		if !truthy(e.eval(r)) {
			return false
		}
	}
	return true
}
func (o qor) eval(r qrow) any {
	for _, e := range o {
		if truthy(e.eval(r)) {
			return true
		}
	}
	return false
}
func (n qnot) eval(r qrow) any { return !truthy(n.e.eval(r)) }

func (p *qparser) or() (qexpr, error) {
	list, err := p.chain("or", p.and)
	if err != nil || len(list) == 1 {
		return firstExpr(list), err
	}
	return qor(list), nil
}

func (p *qparser) and() (qexpr, error) {
	list, err := p.chain("and", p.not)
	if err != nil || len(list) == 1 {
		return firstExpr(list), err
	}
	return qand(list), nil
}

// chain parses operands joined by the keyword op.
func (p *qparser) chain(op string, operand func() (qexpr, error)) ([]qexpr, error) {
	var list []qexpr
	for {
		e, err := operand()
		if err != nil {
			return nil, err
		}
		list = append(list, e)
		if !p.isWord(op) {
			return list, nil
		}
		p.next()
	}
}

func firstExpr(list []qexpr) qexpr {
	if len(list) == 0 {
		return nil
	}
	return list[0]
}

func (p *qparser) not() (qexpr, error) {
	if p.isWord("not") {
		p.next()
		e, err := p.not()
		if err != nil {
			return nil, err
		}
		return qnot{e}, nil
	}
	return p.cmp()
}

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

func (p *qparser) cmp() (qexpr, error) {
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	neg := false
	if t.kind == 'i' && strings.EqualFold(t.text, "not") && p.pos+1 < len(p.toks) {
		nt := p.toks[p.pos+1]
		if nt.kind == 'i' && (strings.EqualFold(nt.text, "like") || strings.EqualFold(nt.text, "in")) {
			p.next()
			neg = true
			t = p.peek()
		}
	}
	switch {
	case t.kind == 'o' && t.text == "=~", t.kind == 'i' && strings.EqualFold(t.text, "like"):
		p.next()
		v := p.next()
		switch v.kind {
		case 'r':
			re, err := regexp.Compile(v.text)
			if err != nil {
				return nil, malformed("bad regex: %v", err)
			}
			return &qlike{l: l, re: re, neg: neg}, nil
		case 's':
			return &qlike{l: l, sub: v.text, neg: neg}, nil
		}
		return nil, malformed("like needs a string or a /regex/")
	case t.kind == 'i' && strings.EqualFold(t.text, "in"):
		p.next()
		if p.next().text != "[" {
			return nil, malformed("in needs a [list]")
		}
		in := &qin{l: l, neg: neg}
		for {
			v, err := p.operand()
			if err != nil {
				return nil, err
			}
			in.vals = append(in.vals, v)
			sep := p.next()
			if sep.text == "]" {
				return in, nil
			}
			if sep.text != "," {
				return nil, malformed("in list needs , or ]")
			}
		}
	case t.kind == 'o':
		p.next()
		r, err := p.operand()
		if err != nil {
			return nil, err
		}
		return &qcmp{op: t.text, l: l, r: r}, nil
	}
	return l, nil
}

type qfield string
type qlit struct{ v any }
type qpresent string

func (f qfield) eval(r qrow) any {
	v, _ := r.get(string(f))
	return v
}
func (l qlit) eval(qrow) any { return l.v }
func (f qpresent) eval(r qrow) any {
	_, ok := r.get(string(f))
	return ok
}

func (p *qparser) operand() (qexpr, error) {
	t := p.next()
	switch t.kind {
	case 's':
		return qlit{t.text}, nil
	case 'n':
		f, _ := strconv.ParseFloat(t.text, 64)
		return qlit{f}, nil
	case 'p':
		if t.text == "(" {
			e, err := p.or()
			if err != nil {
				return nil, err
			}
			if p.next().text != ")" {
				return nil, malformed("missing )")
			}
			return e, nil
		}
	case 'i':
		if strings.EqualFold(t.text, "ispresent") && p.peek().text == "(" {
			p.next()
			f := p.next()
			if f.kind != 'i' || p.next().text != ")" {
				return nil, malformed("ispresent needs a field")
			}
			return qpresent(f.text), nil
		}
		switch strings.ToLower(t.text) {
		case "true":
			return qlit{true}, nil
		case "false":
			return qlit{false}, nil
		}
		return qfield(t.text), nil
	}
	return nil, malformed("unexpected %q", t.text)
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
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
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	case bool:
		return 0, false
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
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (c *qcmp) eval(r qrow) any {
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

func (l *qlike) eval(r qrow) any {
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

func (q *qin) eval(r qrow) any {
	v := q.l.eval(r)
	for _, e := range q.vals {
		if (&qcmp{op: "=", l: qlit{v}, r: e}).eval(r) == true {
			return !q.neg
		}
	}
	return q.neg
}

// eventRow is an event as a query row; JSON members are flattened on first use.
type eventRow struct {
	ts, ingest int64
	msg        string
	stream     string
	group      string
	ptr        string
	flat       map[string]any
	parsed     bool
}

func (e *eventRow) get(name string) (any, bool) {
	switch name {
	case "@timestamp":
		return e.ts, true
	case "@message":
		return e.msg, true
	case "@logStream":
		return e.stream, true
	case "@log":
		return e.group, true
	case "@ingestionTime":
		return e.ingest, true
	case "@ptr":
		return e.ptr, true
	}
	if !e.parsed {
		e.parsed = true
		var doc map[string]any
		if err := json.Unmarshal([]byte(e.msg), &doc); err == nil {
			e.flat = map[string]any{}
			flatten("", doc, e.flat)
		}
	}
	v, ok := e.flat[name]
	return v, ok
}

func flatten(prefix string, v any, out map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			flatten(join(prefix, k), c, out)
		}
	case []any:
		for i, c := range x {
			flatten(join(prefix, strconv.Itoa(i)), c, out)
		}
	default:
		out[prefix] = x
	}
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// mapRow is an aggregated row.
type mapRow map[string]any

func (m mapRow) get(name string) (any, bool) { v, ok := m[name]; return v, ok }

// formatValue renders a field value the way GetQueryResults does: timestamps as
// "2006-01-02 15:04:05.000", numbers without exponent.
func formatValue(name string, v any) string {
	if name == "@timestamp" || name == "@ingestionTime" {
		if n, ok := v.(int64); ok {
			return time.UnixMilli(n).UTC().Format("2006-01-02 15:04:05.000")
		}
	}
	if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return asText(v)
}

// sortRows orders rows by the query's sort keys, in Logs Insights' sort order.
func sortRows(rows []qrow, keys []qsort) {
	sort.SliceStable(rows, func(i, j int) bool {
		for _, k := range keys {
			a, _ := rows[i].get(k.field)
			b, _ := rows[j].get(k.field)
			c := sortCompare(a, b)
			if c == 0 {
				continue
			}
			if k.desc {
				return c > 0
			}
			return c < 0
		}
		return false
	})
}

// compareValues orders two values: numerically when both read as numbers, else as
// text.
func compareValues(a, b any) int {
	an, aok := asNumber(a)
	bn, bok := asNumber(b)
	if aok && bok {
		switch {
		case an < bn:
			return -1
		case an > bn:
			return 1
		}
		return 0
	}
	return strings.Compare(asText(a), asText(b))
}

// sortCompare is the order of the sort command, "an updated version of natural
// sorting" (CloudWatch Logs User Guide, "sort"): every non-number value comes before
// every number; numbers (values made only of digits, here also with a sign or a
// decimal point, and JSON numbers) by value; other values chunk by chunk, runs of
// digits and runs of letters each one chunk, two digit runs ordered by their length and
// then their value, anything else by Unicode order. The page's example, ascending:
// !: # *%04 0# 5A 111A 2345_ @ @_ A A9876fghj a12345hfh 0 01 1 2 3.
func sortCompare(a, b any) int {
	an, aok := sortNumber(a)
	bn, bok := sortNumber(b)
	switch {
	case aok && bok:
		if an != bn {
			if an < bn {
				return -1
			}
			return 1
		}
		return strings.Compare(asText(a), asText(b))
	case aok:
		return 1
	case bok:
		return -1
	}
	return naturalCompare(asText(a), asText(b))
}

var sortNumberRE = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)

// sortNumber reports whether a value is a number for sort, and its value: as
// asNumber, but a string only in plain decimal form (sort orders "1e3" or "NaN" as
// text).
func sortNumber(v any) (float64, bool) {
	if x, ok := v.(string); ok && !sortNumberRE.MatchString(x) {
		return 0, false
	}
	return asNumber(v)
}

// naturalCompare compares two non-number values chunk by chunk.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		ca, da := nextChunk(a)
		cb, db := nextChunk(b)
		a, b = a[len(ca):], b[len(cb):]
		if da && db {
			if len(ca) != len(cb) {
				if len(ca) < len(cb) {
					return -1
				}
				return 1
			}
		}
		if c := strings.Compare(ca, cb); c != 0 {
			return c
		}
	}
	switch {
	case a == b:
		return 0
	case a == "":
		return -1
	}
	return 1
}

// nextChunk returns the first chunk of s: a run of digits (digits true), a run of
// letters, or one other character.
func nextChunk(s string) (chunk string, digits bool) {
	r, n := utf8.DecodeRuneInString(s)
	class := func(r rune) int {
		switch {
		case r >= '0' && r <= '9':
			return 1
		case unicode.IsLetter(r):
			return 2
		}
		return 0
	}
	c := class(r)
	if c == 0 {
		return s[:n], false
	}
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if class(r) != c {
			break
		}
		n += size
	}
	return s[:n], c == 1
}
