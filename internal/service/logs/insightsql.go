package logs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The CloudWatch Logs Insights query language (CloudWatch Logs User Guide, "CloudWatch
// Logs Insights language query syntax" and the pages of each command): commands
// joined by |, run in order as a pipeline.
//
//	fields EXPR [as name], ...   computed or named fields, shown unless display is used
//	display f1, f2 ...           the final projection; only the last one counts
//	filter EXPR                  comparisons (= != < <= > >=), like / not like / =~ with a
//	                             "substring" or /regex/, in [...], and, or, not, arithmetic
//	                             (+ - * / % ^) and the documented functions
//	parse FIELD "glob*" as a, ...
//	parse FIELD /(?<name>regex)/ fields extracted from a field
//	stats AGG-EXPR [as name], ... [by EXPR [as name], ...]   at most twice
//	sort f [asc|desc], ...
//	dedup f1, f2 ...             only limit may follow
//	limit N
//
// Lines starting with # are comments. Fields are @timestamp, @message, @logStream,
// @log, @ingestionTime and, for JSON messages, the members discovered by flattening
// the object (a.b, list.0.c).

// The rows a query returns: defaultQueryLimit without a limit command or StartQuery
// limit, at most maxQueryLimit ("If you omit limit, the query defaults to returning up
// to 10,000 log events. You can specify a limit value of up to 100,000.", CloudWatch
// Logs User Guide, "limit"; StartQuery's limit has the same range in the model).
const (
	defaultQueryLimit = 10_000
	maxQueryLimit     = 100_000
)

// maxStatsCommands: "A query can have a maximum of two stats commands." (User Guide,
// "stats", Use multiple stats commands in a single query).
const maxStatsCommands = 2

type insightsQuery struct {
	stages  []qstage
	display []string // the last display command's fields, nil without one
	// columns are the fields shown without display: those named by fields commands
	// ("If your query contains multiple fields commands and doesn't include a display
	// command, you'll display all of the fields that are specified in the fields
	// commands"), or @timestamp and @message without any, then those parse extracts
	// (a public example run against AWS: "you don't have to specify the new field
	// which you're creating from the parse statement in the field statement.
	// CloudWatch will automatically include that field in the query result"); after
	// stats, its fields and those made after it.
	columns  []string
	hasStats bool
	limit    int // the last limit command, 0 without one
}

type qstage interface{ stage() }

type stFields struct{ items []qnamed }
type stFilter struct{ e qexpr }
type stParse struct {
	src   qexpr
	re    *regexp.Regexp
	names []string // field per submatch (index 1...), "" for an unnamed group
	mode  string   // "" (glob or regex), "logfmt" or "csv"
}
type stStats struct {
	aggs []*qaggSpec
	by   []qnamed
	out  []qnamed
}
type stSort struct{ keys []qsort }
type stLimit struct{ n int }
type stDedup struct{ fields []string }

func (stFields) stage() {}
func (stFilter) stage() {}
func (stParse) stage()  {}
func (stStats) stage()  {}
func (stSort) stage()   {}
func (stLimit) stage()  {}
func (stDedup) stage()  {}

// qnamed is an expression and the field it produces.
type qnamed struct {
	name string
	e    qexpr
}

type qsort struct {
	field string
	desc  bool
}

// qrow is one row: an event's fields, or an aggregate's.
type qrow interface {
	get(name string) (any, bool)
	set(name string, v any)
}

type qexpr interface {
	eval(r qrow) any
}

// qerr is a query the language does not accept. AWS answers MalformedQueryException
// "unexpected symbol found <token> at line <n> and position <p>", the position counted
// from 0 in its line, "<EOF>" when the query ends too early (messages quoted in public
// reports, e.g. "unexpected symbol found fields at line 1 and position 0",
// "unexpected symbol found <EOF> at line 1 and position 0", and "unexpected symbol
// found sort" for a sort after dedup, observed on us-east-1 in 2026).
type qerr struct{ msg string }

func (e *qerr) Error() string { return e.msg }

func unexpected(t qtok) error {
	return &qerr{fmt.Sprintf("unexpected symbol found %s at line %d and position %d", t.raw, t.line, t.col)}
}

func malformed(format string, args ...any) error {
	return &qerr{fmt.Sprintf(format, args...)}
}

// Tokens.

const (
	tIdent  = 'i' // a field, keyword or function name (backticks removed)
	tString = 's'
	tNumber = 'n'
	tPeriod = 'd' // 5m, 1h, 10min
	tRegex  = 'r'
	tOp     = 'o'
	tPunct  = 'p' // ( ) [ ] , |
	tEOF    = 'e'
)

type qtok struct {
	kind      byte
	text      string // value: unquoted string, regex body, field name
	raw       string // as written
	line, col int
	quoted    bool // a `backticked` field: never a keyword
}

func (t qtok) is(kind byte, text string) bool {
	return t.kind == kind && strings.EqualFold(t.text, text) && !t.quoted
}

func (t qtok) word(w string) bool { return t.is(tIdent, w) }

func identRune(r rune) bool {
	return r == '_' || r == '@' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// lexInsights splits a query into tokens. A / opens a regex after like, =~ and the
// field of parse; elsewhere it divides.
func lexInsights(q string) ([]qtok, error) {
	var out []qtok
	line, lineStart := 1, 0
	regexNext := func() bool {
		n := len(out)
		if n == 0 {
			return false
		}
		last := out[n-1]
		if last.word("like") || last.is(tOp, "=~") {
			return true
		}
		// parse [FIELD] /regex/
		cmdStart := func(i int) bool { return i == 0 || out[i-1].is(tPunct, "|") }
		return last.word("parse") && cmdStart(n-1) ||
			n >= 2 && out[n-2].word("parse") && last.kind == tIdent && cmdStart(n-2)
	}
	for i := 0; i < len(q); {
		c := q[i]
		tok := qtok{line: line, col: utf8.RuneCountInString(q[lineStart:i])}
		switch {
		case c == '\n':
			i++
			line, lineStart = line+1, i
			continue
		case c == ' ' || c == '\t' || c == '\r':
			i++
			continue
		case c == '#':
			for i < len(q) && q[i] != '\n' {
				i++
			}
			continue
		case c == '"' || c == '\'':
			j := i + 1
			var b strings.Builder
			for j < len(q) && q[j] != c {
				if q[j] == '\\' && j+1 < len(q) {
					j++
				}
				b.WriteByte(q[j])
				j++
			}
			if j >= len(q) {
				tok.raw = q[i:]
				return nil, unexpected(tok)
			}
			tok.kind, tok.text, tok.raw = tString, b.String(), q[i:j+1]
			i = j + 1
		case c == '/' && regexNext():
			j := i + 1
			for j < len(q) && q[j] != '/' {
				if q[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(q) {
				tok.raw = q[i:]
				return nil, unexpected(tok)
			}
			tok.kind, tok.text, tok.raw = tRegex, q[i+1:j], q[i:j+1]
			i = j + 1
		case c == '`':
			j := strings.IndexByte(q[i+1:], '`')
			if j < 0 {
				tok.raw = q[i:]
				return nil, unexpected(tok)
			}
			tok.kind, tok.text, tok.raw, tok.quoted = tIdent, q[i+1:i+1+j], q[i:i+j+2], true
			i += j + 2
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9':
			j := i
			for j < len(q) && (q[j] >= '0' && q[j] <= '9' || q[j] == '.') {
				j++
			}
			tok.kind = tNumber
			if j < len(q) && (q[j] >= 'a' && q[j] <= 'z' || q[j] >= 'A' && q[j] <= 'Z') {
				for j < len(q) && (q[j] >= 'a' && q[j] <= 'z' || q[j] >= 'A' && q[j] <= 'Z') {
					j++
				}
				tok.kind = tPeriod
			}
			tok.text, tok.raw = q[i:j], q[i:j]
			if tok.kind == tNumber {
				if _, err := strconv.ParseFloat(tok.text, 64); err != nil {
					return nil, unexpected(tok)
				}
			}
			i = j
		case strings.IndexByte("=!<>", c) >= 0:
			op := string(c)
			if i+1 < len(q) && (q[i+1] == '=' || c == '=' && q[i+1] == '~') {
				op += string(q[i+1])
			}
			tok.kind, tok.text, tok.raw = tOp, op, op
			if op == "!" {
				return nil, unexpected(tok)
			}
			i += len(op)
		case strings.IndexByte("+-*/%^", c) >= 0:
			tok.kind, tok.text, tok.raw = tOp, string(c), string(c)
			i++
		case strings.IndexByte("()[],|", c) >= 0:
			tok.kind, tok.text, tok.raw = tPunct, string(c), string(c)
			i++
		default:
			j := i
			for j < len(q) {
				r, n := utf8.DecodeRuneInString(q[j:])
				if !identRune(r) {
					break
				}
				j += n
			}
			if j == i {
				_, n := utf8.DecodeRuneInString(q[i:])
				tok.raw = q[i : i+n]
				return nil, unexpected(tok)
			}
			tok.kind, tok.text, tok.raw = tIdent, q[i:j], q[i:j]
			i = j
		}
		out = append(out, tok)
	}
	out = append(out, qtok{kind: tEOF, raw: "<EOF>", line: line, col: utf8.RuneCountInString(q[lineStart:])})
	return out, nil
}

// Parsing.

type qparser struct {
	toks []qtok
	pos  int
	// aggs collects the aggregate calls of a stats command; nil where aggregates are
	// not allowed.
	aggs *[]*qaggSpec
}

func (p *qparser) peek() qtok { return p.toks[p.pos] }

func (p *qparser) next() qtok {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func (p *qparser) expect(kind byte, text string) error {
	if t := p.next(); !t.is(kind, text) {
		return unexpected(t)
	}
	return nil
}

// atEnd reports whether the current command has no more tokens.
func (p *qparser) atEnd() bool {
	t := p.peek()
	return t.kind == tEOF || t.is(tPunct, "|")
}

// text is the source of tokens [from, p.pos) without spaces, the name AWS gives an
// unnamed expression's column (count(*), bin(5m)).
func (p *qparser) text(from int) string {
	var b strings.Builder
	for _, t := range p.toks[from:p.pos] {
		b.WriteString(t.raw)
	}
	return b.String()
}

// parseInsights parses a query string.
func parseInsights(q string) (*insightsQuery, error) {
	toks, err := lexInsights(q)
	if err != nil {
		return nil, err
	}
	p := &qparser{toks: toks}
	out := &insightsQuery{}
	var parsed []string // fields extracted by parse since the last stats
	fieldsSeen, statsN, afterDedup, sortOrLimit := false, 0, false, false
	if p.peek().kind == tEOF {
		return nil, unexpected(p.peek())
	}
	for {
		cmd := p.next()
		if cmd.kind != tIdent || cmd.quoted {
			return nil, unexpected(cmd)
		}
		name := strings.ToLower(cmd.text)
		// "The only query command that you can use in a query after the dedup command
		// is limit." (User Guide, "dedup")
		if afterDedup && name != "limit" {
			return nil, unexpected(cmd)
		}
		switch name {
		case "fields":
			st, err := p.parseFields()
			if err != nil {
				return nil, err
			}
			out.stages = append(out.stages, st)
			fieldsSeen = true
			for _, it := range st.items {
				out.columns = appendUnique(out.columns, it.name)
			}
		case "display":
			names, err := p.parseFieldList()
			if err != nil {
				return nil, err
			}
			out.display = names
		case "filter":
			e, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			out.stages = append(out.stages, &stFilter{e})
		case "parse":
			st, err := p.parseParse()
			if err != nil {
				return nil, err
			}
			out.stages = append(out.stages, st)
			for _, n := range st.names {
				if n != "" && st.mode != "logfmt" {
					parsed = appendUnique(parsed, n)
				}
			}
		case "stats":
			// "If you use a sort or limit command, it must appear after the second
			// stats command." (User Guide, "stats"); a query with one stats may sort
			// and limit before it.
			if statsN == maxStatsCommands || statsN > 0 && sortOrLimit {
				return nil, unexpected(cmd)
			}
			statsN++
			st, err := p.parseStats()
			if err != nil {
				return nil, err
			}
			out.stages = append(out.stages, st)
			out.hasStats = true
			out.columns, parsed = nil, nil
			for _, b := range st.by {
				out.columns = appendUnique(out.columns, b.name)
			}
			for _, o := range st.out {
				out.columns = appendUnique(out.columns, o.name)
			}
		case "sort":
			st, err := p.parseSort()
			if err != nil {
				return nil, err
			}
			out.stages = append(out.stages, st)
			sortOrLimit = true
		case "limit":
			t := p.next()
			n, err := strconv.Atoi(t.text)
			if t.kind != tNumber || err != nil {
				return nil, unexpected(t)
			}
			if n <= 0 || n > maxQueryLimit {
				return nil, malformed("limit must be a number from 1 to %d", maxQueryLimit)
			}
			out.stages = append(out.stages, &stLimit{n})
			out.limit = n
			sortOrLimit = true
		case "dedup":
			names, err := p.parseFieldList()
			if err != nil {
				return nil, err
			}
			out.stages = append(out.stages, &stDedup{names})
			afterDedup = true
		default:
			return nil, unexpected(cmd)
		}
		t := p.next()
		if t.kind == tEOF {
			break
		}
		if !t.is(tPunct, "|") {
			return nil, unexpected(t)
		}
	}
	if !fieldsSeen && !out.hasStats {
		out.columns = []string{"@timestamp", "@message"}
	}
	for _, n := range parsed {
		out.columns = appendUnique(out.columns, n)
	}
	return out, nil
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// parseNamedList parses EXPR [as name], ... up to the end of the command or a stop word.
func (p *qparser) parseNamedList(stop string) ([]qnamed, error) {
	var out []qnamed
	for {
		from := p.pos
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		n := qnamed{name: p.text(from), e: e}
		if f, ok := e.(qfield); ok {
			n.name = string(f)
		}
		if p.peek().word("as") {
			p.next()
			t := p.next()
			if t.kind != tIdent {
				return nil, unexpected(t)
			}
			n.name = t.text
		}
		out = append(out, n)
		if !p.peek().is(tPunct, ",") {
			if !p.atEnd() && (stop == "" || !p.peek().word(stop)) {
				return nil, unexpected(p.peek())
			}
			return out, nil
		}
		p.next()
	}
}

func (p *qparser) parseFields() (*stFields, error) {
	items, err := p.parseNamedList("")
	if err != nil {
		return nil, err
	}
	return &stFields{items}, nil
}

func (p *qparser) parseFieldList() ([]string, error) {
	var out []string
	for {
		t := p.next()
		if t.kind != tIdent {
			return nil, unexpected(t)
		}
		out = append(out, t.text)
		if !p.peek().is(tPunct, ",") {
			if !p.atEnd() {
				return nil, unexpected(p.peek())
			}
			return out, nil
		}
		p.next()
	}
}

func (p *qparser) parseSort() (*stSort, error) {
	st := &stSort{}
	for {
		t := p.next()
		if t.kind != tIdent {
			return nil, unexpected(t)
		}
		k := qsort{field: t.text}
		switch {
		case p.peek().word("desc"):
			p.next()
			k.desc = true
		case p.peek().word("asc"):
			p.next()
		}
		st.keys = append(st.keys, k)
		if !p.peek().is(tPunct, ",") {
			if !p.atEnd() {
				return nil, unexpected(p.peek())
			}
			return st, nil
		}
		p.next()
	}
}

// parseParse reads [FIELD] "glob" as a, b; [FIELD] /regex/ [as a, b]; [FIELD] logfmt
// as m; or [FIELD] csv as a, b (User Guide, "parse": "If fieldName is omitted,
// @message is used by default."). A glob's * are the extracted values: each matches
// as little as it can, a final one the rest of the value, and the glob may match
// anywhere in the field (the User Guide's example "[*] * The error was: *" takes
// level, config and exception out of "25 May 2019 10:24:39,474 [ERROR] {foo=2,
// bar=data} The error was: DataIntegrityException"). A regex names its fields with
// named groups, or "as" names its groups in order. An event that does not match keeps
// its place in the results without the fields ("If a log event doesn't match the
// specified pattern, you still see it in the results, but without the extracted
// fields.").
func (p *qparser) parseParse() (*stParse, error) {
	st := &stParse{src: qfield("@message")}
	t := p.peek()
	modeWord := func(t qtok) bool { return t.word("logfmt") || t.word("csv") }
	if t.kind == tIdent && !(modeWord(t) && p.toks[p.pos+1].word("as")) {
		p.next()
		st.src = qfield(t.text)
	}
	pat := p.next()
	var aliases []string
	if p.peek().word("as") {
		p.next()
		var err error
		if aliases, err = p.parseFieldList(); err != nil {
			return nil, err
		}
	}
	switch {
	case pat.kind == tString:
		parts := strings.Split(pat.text, "*")
		var b strings.Builder
		for i, part := range parts {
			if i > 0 {
				if i == len(parts)-1 && part == "" {
					b.WriteString("(.*)")
				} else {
					b.WriteString("(.*?)")
				}
			}
			b.WriteString(regexp.QuoteMeta(part))
		}
		re, err := regexp.Compile("(?s)" + b.String())
		if err != nil {
			return nil, unexpected(pat)
		}
		if aliases == nil {
			return nil, unexpected(p.peek())
		}
		// "The number of * wildcards must equal the number of aliases."
		if len(aliases) != len(parts)-1 {
			return nil, malformed("The number of fields in the parse command (%d) does not match the number of wildcards in the pattern (%d)", len(aliases), len(parts)-1)
		}
		st.re, st.names = re, append([]string{""}, aliases...)
	case pat.kind == tRegex:
		re, err := regexp.Compile(pat.text)
		if err != nil {
			return nil, unexpected(pat)
		}
		st.re, st.names = re, re.SubexpNames()
		if aliases != nil {
			if len(aliases) != re.NumSubexp() {
				return nil, malformed("The number of fields in the parse command (%d) does not match the number of capturing groups in the pattern (%d)", len(aliases), re.NumSubexp())
			}
			st.names = append([]string{""}, aliases...)
		}
		named := false
		for _, n := range st.names {
			named = named || n != ""
		}
		if !named {
			return nil, unexpected(pat)
		}
	case modeWord(pat):
		st.mode = strings.ToLower(pat.text)
		if aliases == nil {
			return nil, unexpected(p.peek())
		}
		if st.mode == "logfmt" && len(aliases) != 1 {
			return nil, unexpected(p.toks[p.pos-1])
		}
		st.names = aliases
	default:
		return nil, unexpected(pat)
	}
	return st, nil
}

// parseStats reads AGG-EXPR [as name], ... [by EXPR [as name], ...].
func (p *qparser) parseStats() (*stStats, error) {
	st := &stStats{}
	p.aggs = &st.aggs
	out, err := p.parseNamedList("by")
	p.aggs = nil
	if err != nil {
		return nil, err
	}
	st.out = out
	if p.peek().word("by") {
		p.next()
		if st.by, err = p.parseNamedList(""); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// Expressions, loosest first: or, and, not, comparisons, + -, * / %, ^, unary -.

func (p *qparser) parseExpr() (qexpr, error) { return p.or() }

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

func (p *qparser) chain(op string, operand func() (qexpr, error)) ([]qexpr, error) {
	var list []qexpr
	for {
		e, err := operand()
		if err != nil {
			return nil, err
		}
		list = append(list, e)
		if !p.peek().word(op) {
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
	if p.peek().word("not") {
		p.next()
		e, err := p.not()
		if err != nil {
			return nil, err
		}
		return qnot{e}, nil
	}
	return p.cmp()
}

func (p *qparser) cmp() (qexpr, error) {
	l, err := p.additive()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	neg := false
	if t.word("not") {
		nt := p.toks[p.pos+1]
		if nt.word("like") || nt.word("in") {
			p.next()
			neg = true
			t = p.peek()
		}
	}
	switch {
	case t.is(tOp, "=~"), t.word("like"):
		p.next()
		v := p.next()
		switch v.kind {
		case tRegex:
			re, err := regexp.Compile(v.text)
			if err != nil {
				return nil, unexpected(v)
			}
			return &qlike{l: l, re: re, neg: neg}, nil
		case tString:
			return &qlike{l: l, sub: v.text, neg: neg}, nil
		}
		return nil, unexpected(v)
	case t.word("in"):
		p.next()
		if err := p.expect(tPunct, "["); err != nil {
			return nil, err
		}
		in := &qin{l: l, neg: neg}
		for {
			v, err := p.additive()
			if err != nil {
				return nil, err
			}
			in.vals = append(in.vals, v)
			sep := p.next()
			if sep.is(tPunct, "]") {
				return in, nil
			}
			if !sep.is(tPunct, ",") {
				return nil, unexpected(sep)
			}
		}
	case t.kind == tOp && strings.Contains("= != < <= > >=", t.text) && t.text != "!":
		p.next()
		r, err := p.additive()
		if err != nil {
			return nil, err
		}
		return &qcmp{op: t.text, l: l, r: r}, nil
	}
	if neg {
		return nil, unexpected(t)
	}
	return l, nil
}

func (p *qparser) additive() (qexpr, error) {
	l, err := p.multiplicative()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.is(tOp, "+") || t.is(tOp, "-"); t = p.peek() {
		p.next()
		r, err := p.multiplicative()
		if err != nil {
			return nil, err
		}
		l = &qarith{op: t.text[0], l: l, r: r}
	}
	return l, nil
}

func (p *qparser) multiplicative() (qexpr, error) {
	l, err := p.power()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.is(tOp, "*") || t.is(tOp, "/") || t.is(tOp, "%"); t = p.peek() {
		p.next()
		r, err := p.power()
		if err != nil {
			return nil, err
		}
		l = &qarith{op: t.text[0], l: l, r: r}
	}
	return l, nil
}

func (p *qparser) power() (qexpr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	if p.peek().is(tOp, "^") {
		p.next()
		r, err := p.power()
		if err != nil {
			return nil, err
		}
		return &qarith{op: '^', l: l, r: r}, nil
	}
	return l, nil
}

func (p *qparser) unary() (qexpr, error) {
	if p.peek().is(tOp, "-") {
		p.next()
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &qarith{op: '-', l: qlit{0.0}, r: e}, nil
	}
	return p.primary()
}

func (p *qparser) primary() (qexpr, error) {
	t := p.next()
	switch t.kind {
	case tString:
		return qlit{t.text}, nil
	case tNumber:
		f, _ := strconv.ParseFloat(t.text, 64)
		return qlit{f}, nil
	case tPunct:
		if t.text == "(" {
			e, err := p.or()
			if err != nil {
				return nil, err
			}
			if err := p.expect(tPunct, ")"); err != nil {
				return nil, err
			}
			return e, nil
		}
	case tIdent:
		if !t.quoted && p.peek().is(tPunct, "(") {
			return p.call(t)
		}
		if !t.quoted {
			switch strings.ToLower(t.text) {
			case "true":
				return qlit{qbool(true)}, nil
			case "false":
				return qlit{qbool(false)}, nil
			}
		}
		return qfield(t.text), nil
	}
	return nil, unexpected(t)
}

// call parses a function call after its name.
func (p *qparser) call(name qtok) (qexpr, error) {
	fn := strings.ToLower(name.text)
	p.next() // (
	if aggFns[fn] {
		if p.aggs == nil {
			return nil, unexpected(name)
		}
		spec := &qaggSpec{fn: fn}
		if fn == "count" && (p.peek().is(tOp, "*") || p.peek().is(tPunct, ")")) {
			if p.peek().is(tOp, "*") {
				p.next()
			}
		} else {
			aggs := p.aggs
			p.aggs = nil // no aggregate inside an aggregate
			arg, err := p.parseExpr()
			p.aggs = aggs
			if err != nil {
				return nil, err
			}
			spec.arg = arg
			if fn == "pct" {
				if err := p.expect(tPunct, ","); err != nil {
					return nil, err
				}
				t := p.next()
				v, err := strconv.ParseFloat(t.text, 64)
				if t.kind != tNumber || err != nil || v < 0 || v > 100 {
					return nil, unexpected(t)
				}
				spec.pct = v
			}
		}
		if err := p.expect(tPunct, ")"); err != nil {
			return nil, err
		}
		*p.aggs = append(*p.aggs, spec)
		return qaggRef(len(*p.aggs) - 1), nil
	}
	spec, ok := scalarFns[fn]
	if !ok {
		return nil, unexpected(name)
	}
	var args []qexpr
	if !p.peek().is(tPunct, ")") {
		for {
			var arg qexpr
			if t := p.peek(); t.kind == tPeriod {
				p.next()
				per, ok := parsePeriod(t.text)
				if !ok {
					return nil, unexpected(t)
				}
				arg = qlit{per}
			} else {
				var err error
				if arg, err = p.parseExpr(); err != nil {
					return nil, err
				}
			}
			args = append(args, arg)
			if !p.peek().is(tPunct, ",") {
				break
			}
			p.next()
		}
	}
	if err := p.expect(tPunct, ")"); err != nil {
		return nil, err
	}
	if len(args) < spec.min || spec.max >= 0 && len(args) > spec.max {
		return nil, malformed("Invalid number of arguments for function %s: %d", name.text, len(args))
	}
	if fn == "ispresent" {
		f, ok := args[0].(qfield)
		if !ok {
			return nil, unexpected(name)
		}
		return qpresent(f), nil
	}
	return &qcall{name: fn, spec: spec, args: args}, nil
}
