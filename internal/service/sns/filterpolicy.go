package sns

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// A subscription filter policy (SNS Developer Guide, "Amazon SNS message filtering"):
// a JSON object whose keys name message attributes (FilterPolicyScope
// MessageAttributes, the default) or message body members (MessageBody, nested
// objects for nested members), each with an array of conditions of which one must
// hold; all keys must match, and "$or" offers alternatives. Conditions: a string or
// number (exact match), {"prefix"}, {"suffix"}, {"equals-ignore-case"},
// {"anything-but": value, list or {"prefix"}}, {"numeric": [op, n, ...]},
// {"exists": bool}, {"cidr"}.

type filterPolicy struct {
	keys map[string]*filterNode // key → conditions or a nested policy
	or   []*filterPolicy
}

type filterNode struct {
	conds  []condition
	nested *filterPolicy
}

type condition struct {
	kind   string // exact, prefix, prefixignorecase, suffix, ignorecase, anythingbut, numeric, exists, cidr, null
	str    string
	num    float64
	isNum  bool
	strs   []string
	nums   []float64
	inner  *condition // anything-but with prefix/suffix
	ranges []numRange
	exists bool
	ipnet  *net.IPNet
}

type numRange struct {
	op  string
	val float64
}

// Quotas (SNS quotas): five keys per policy, 150 value combinations.
const (
	maxFilterKeys   = 5
	maxFilterValues = 150
)

func errPolicy(format string, args ...any) error { return fmt.Errorf(format, args...) }

// parseFilterPolicy compiles a filter policy; body says whether nested objects are
// allowed (MessageBody scope). The policy is read token by token in the order SNS's
// reader takes it, so a policy with several faults is refused for the one SNS meets
// first, at the place SNS names.
func parseFilterPolicy(src string, body bool) (*filterPolicy, error) {
	var raw map[string]any
	if err := json.Unmarshal([]byte(src), &raw); err != nil || raw == nil {
		if msg, ok := jsonSyntaxError(src); ok {
			return nil, errPolicy("%s", msg)
		}
		return nil, errPolicy("failed to parse JSON. Unexpected character")
	}
	r := &policyReader{src: src, toks: lexPolicy(src)}
	r.next() // the opening brace
	p, err := r.object()
	if err != nil {
		return nil, err
	}
	if !body && p.nested() {
		return nil, errPolicy("Filter policy scope MessageAttributes does not support nested filter policy")
	}
	if err := p.checkKeys(); err != nil {
		return nil, err
	}
	if n := p.combinations(); n > maxFilterValues {
		return nil, errPolicy("Filter policy is too complex")
	}
	return p, nil
}

func (p *filterPolicy) nested() bool {
	for _, k := range p.keys {
		if k.nested != nil {
			return true
		}
	}
	for _, o := range p.or {
		if o.nested() {
			return true
		}
	}
	return false
}

// checkKeys applies the five-key quota to the policy and each $or alternative.
func (p *filterPolicy) checkKeys() error {
	if len(p.keys) > maxFilterKeys {
		return errPolicy("Filter policy can not have more than 5 keys")
	}
	for _, o := range p.or {
		if err := o.checkKeys(); err != nil {
			return err
		}
	}
	return nil
}

// policyError is a fault found while reading the policy. SNS reads policies with
// Jackson, whose errors end with where the reader stood: line and column (counted
// in UTF-16 units) of the next character to read; SNS's Jackson redacts the source.
type policyError struct {
	msg       string
	line, col int
}

func (e *policyError) Error() string {
	return fmt.Sprintf("%s\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: %d, column: %d]", e.msg, e.line, e.col)
}

type tokKind int

const (
	tEOF tokKind = iota
	tObjStart
	tObjEnd
	tArrStart
	tArrEnd
	tName
	tString
	tNumber
	tTrue
	tFalse
	tNull
)

type policyToken struct {
	kind       tokKind
	start, end int    // byte offsets in the source
	text       string // names and strings decoded, numbers and literals as written
}

// lexPolicy splits a policy already known to be valid JSON into tokens.
func lexPolicy(src string) []policyToken {
	var out []policyToken
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':':
			i++
		case c == '{' || c == '}' || c == '[' || c == ']':
			k := map[byte]tokKind{'{': tObjStart, '}': tObjEnd, '[': tArrStart, ']': tArrEnd}[c]
			out = append(out, policyToken{kind: k, start: i, end: i + 1, text: string(c)})
			i++
		case c == '"':
			j := i + 1
			for src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			j++
			var s string
			_ = json.Unmarshal([]byte(src[i:j]), &s)
			k := tString
			if rest := strings.TrimLeft(src[j:], " \t\n\r"); strings.HasPrefix(rest, ":") {
				k = tName
			}
			out = append(out, policyToken{kind: k, start: i, end: j, text: s})
			i = j
		default:
			j := i
			for j < len(src) && strings.IndexByte(" \t\n\r,:{}[]\"", src[j]) < 0 {
				j++
			}
			w := src[i:j]
			k := map[string]tokKind{"true": tTrue, "false": tFalse, "null": tNull}[w]
			if k == tEOF {
				k = tNumber
			}
			out = append(out, policyToken{kind: k, start: i, end: j, text: w})
			i = j
		}
	}
	return out
}

// policyReader walks the tokens keeping the position Jackson's reader would be at:
// past a whole token, except that a string is read only up to its opening quote
// until its text is asked for, and a field name reads on through its value's first
// character (a whole number or literal).
type policyReader struct {
	src  string
	toks []policyToken
	i    int
	pos  int
	cur  policyToken
}

func (r *policyReader) next() policyToken {
	afterName := r.cur.kind == tName
	if r.i >= len(r.toks) {
		r.cur, r.pos = policyToken{kind: tEOF}, len(r.src)
		return r.cur
	}
	t := r.toks[r.i]
	r.i++
	r.cur = t
	switch {
	case t.kind == tName:
		r.pos = len(r.src)
		if r.i < len(r.toks) {
			v := r.toks[r.i]
			r.pos = v.end
			if v.kind == tString {
				r.pos = v.start + 1
			}
		}
	case afterName:
		// read with its name
	case t.kind == tString:
		r.pos = t.start + 1
	default:
		r.pos = t.end
	}
	return t
}

// text is the current token's text, reading a string to its end.
func (r *policyReader) text() string {
	if r.cur.kind == tString {
		r.pos = r.cur.end
	}
	return r.cur.text
}

func (r *policyReader) fail(format string, args ...any) error {
	line, col := lineCol(r.src, r.pos)
	return &policyError{msg: fmt.Sprintf(format, args...), line: line, col: col}
}

// lineCol is Jackson's line and column for the byte offset pos.
func lineCol(src string, pos int) (int, int) {
	line, start := 1, 0
	for i := 0; i < pos; i++ {
		switch src[i] {
		case '\n':
			line, start = line+1, i+1
		case '\r':
			if i+1 < pos && src[i+1] == '\n' {
				i++
			}
			line, start = line+1, i+1
		}
	}
	col := 1
	for _, c := range src[start:pos] {
		col += utf16.RuneLen(c)
	}
	return line, col
}

// jsonSyntaxError words, as SNS's Jackson does, the two faults a JSON attribute
// most often starts with: a word where a value belongs, and an object whose first
// member name is not quoted. Other faults are not worded (ok false).
func jsonSyntaxError(src string) (string, bool) {
	i := len(src) - len(strings.TrimLeft(src, " \t\n\r"))
	if i == len(src) {
		return "", false
	}
	var msg string
	pos := i
	if c, _ := utf8.DecodeRuneInString(src[i:]); c == '{' {
		j := i + 1 + len(src[i+1:]) - len(strings.TrimLeft(src[i+1:], " \t\n\r"))
		if j == len(src) || src[j] == '"' || src[j] == '}' {
			return "", false
		}
		// Jackson points at an unexpected character, past an unrecognized word.
		c, _ := utf8.DecodeRuneInString(src[j:])
		msg, pos = fmt.Sprintf("Unexpected character (%s): was expecting double-quote to start field name", charDesc(c)), j
	} else if c == '_' || c == '$' || unicode.IsLetter(c) {
		j := i
		for _, c := range src[i:] {
			if c != '_' && c != '$' && !unicode.IsLetter(c) && !unicode.IsDigit(c) {
				break
			}
			j += utf8.RuneLen(c)
		}
		if w := src[i:j]; w != "true" && w != "false" && w != "null" {
			msg, pos = fmt.Sprintf("Unrecognized token '%s': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", w), j
		}
	}
	if msg == "" {
		return "", false
	}
	line, col := lineCol(src, pos)
	return (&policyError{msg: "failed to parse JSON. " + msg, line: line, col: col}).Error(), true
}

// charDesc is how Jackson shows a character in its messages.
func charDesc(c rune) string {
	switch {
	case c < 32:
		return fmt.Sprintf("CTRL-CHAR, code %d", c)
	case c > 255:
		return fmt.Sprintf("'%c' (code %d / 0x%x)", c, c, c)
	}
	return fmt.Sprintf("'%c' (code %d)", c, c)
}

// object reads the members of an object whose opening brace was read.
func (r *policyReader) object() (*filterPolicy, error) {
	p := &filterPolicy{keys: map[string]*filterNode{}}
	for {
		t := r.next()
		if t.kind != tName {
			return p, nil
		}
		name := t.text
		if name == "$or" {
			alts, err := r.or()
			if err != nil {
				return nil, err
			}
			p.or = append(p.or, alts...)
			continue
		}
		switch r.next().kind {
		case tObjStart:
			sub, err := r.object()
			if err != nil {
				return nil, err
			}
			p.keys[name] = &filterNode{nested: sub}
		case tArrStart:
			conds, err := r.values()
			if err != nil {
				return nil, err
			}
			p.keys[name] = &filterNode{conds: conds}
		default:
			return nil, r.fail("\"%s\" must be an object or an array", name)
		}
	}
}

func (r *policyReader) or() ([]*filterPolicy, error) {
	if r.next().kind != tArrStart {
		return nil, r.fail("$or must be an array of at least two objects")
	}
	var alts []*filterPolicy
	for {
		switch r.next().kind {
		case tArrEnd:
			if len(alts) < 2 {
				return nil, r.fail("$or must be an array of at least two objects")
			}
			return alts, nil
		case tObjStart:
			sub, err := r.object()
			if err != nil {
				return nil, err
			}
			alts = append(alts, sub)
		default:
			return nil, r.fail("$or must be an array of objects")
		}
	}
}

// values reads a key's list of conditions, its opening bracket read.
func (r *policyReader) values() ([]condition, error) {
	var out []condition
	for {
		var c condition
		switch t := r.next(); t.kind {
		case tArrEnd:
			if len(out) == 0 {
				return nil, r.fail("Empty arrays are not allowed")
			}
			return out, nil
		case tObjStart:
			var err error
			if c, err = r.matchExpression(); err != nil {
				return nil, err
			}
		case tString:
			c = condition{kind: "exact", str: r.text()}
		case tNumber:
			f, _ := strconv.ParseFloat(t.text, 64)
			c = condition{kind: "exact", num: f, isNum: true, str: t.text}
		case tTrue, tFalse:
			c = condition{kind: "exact", str: t.text}
		case tNull:
			c = condition{kind: "null"}
		default:
			return nil, r.fail("Match value must be String, number, true, false, or null")
		}
		out = append(out, c)
	}
}

// matchExpression reads {"operator": argument}, its opening brace read.
func (r *policyReader) matchExpression() (condition, error) {
	t := r.next()
	if t.kind != tName {
		return condition{}, r.fail("Match expression name not found")
	}
	var c condition
	switch op := t.text; op {
	case "prefix", "suffix", "equals-ignore-case":
		t := r.next()
		if op == "prefix" && t.kind == tObjStart {
			// {"prefix": {"equals-ignore-case": "abc"}}: a prefix in any case (SNS
			// admits it, recorded in 2026; event-ruler's prefix-equals-ignore-case).
			// The wording of its faults is inferred from the plain prefix's.
			if n := r.next(); n.kind != tName || n.text != "equals-ignore-case" || r.next().kind != tString {
				return c, r.fail("prefix match pattern must be a string")
			}
			c = condition{kind: "prefixignorecase", str: r.text()}
			if r.next().kind != tObjEnd {
				return c, r.fail("Only one key allowed in match expression")
			}
			break
		}
		if t.kind != tString {
			return c, r.fail("%s match pattern must be a string", op)
		}
		kind := map[string]string{"prefix": "prefix", "suffix": "suffix", "equals-ignore-case": "ignorecase"}[op]
		c = condition{kind: kind, str: r.text()}
	case "exists":
		switch r.next().kind {
		case tTrue:
			c = condition{kind: "exists", exists: true}
		case tFalse:
			c = condition{kind: "exists"}
		default:
			return c, r.fail("exists match pattern must be either true or false.")
		}
	case "cidr":
		var n *net.IPNet
		var err error
		if r.next().kind == tString {
			_, n, err = net.ParseCIDR(r.text())
		}
		if n == nil || err != nil {
			return c, r.fail("Malformed CIDR, one '/' required")
		}
		c = condition{kind: "cidr", ipnet: n}
	case "numeric":
		if r.next().kind != tArrStart {
			return c, r.fail("Value of numeric must be an array.")
		}
		ranges, err := r.numeric()
		if err != nil {
			return c, err
		}
		c = condition{kind: "numeric", ranges: ranges}
		if r.next().kind != tObjEnd {
			return c, r.fail("Too many elements in numeric expression")
		}
		return c, nil
	case "anything-but":
		return r.anythingBut()
	default:
		return c, r.fail("Unrecognized match type %s", op)
	}
	if r.next().kind != tObjEnd {
		return c, r.fail("Only one key allowed in match expression")
	}
	return c, nil
}

// numeric reads ["op", n] or [">"|">=", n, "<"|"<=", m], its opening bracket read.
// Each check comes where SNS makes it: an unknown first operator is reported only
// after the token that follows it has been read.
func (r *policyReader) numeric() ([]numRange, error) {
	t := r.next()
	if t.kind != tString {
		return nil, r.fail("Invalid member in numeric match: %s", t.text)
	}
	op := r.text()
	v := r.next()
	name := op
	if op == "=" {
		name = "equals"
	}
	switch op {
	case "=", "<", "<=", ">", ">=":
	default:
		return nil, r.fail("Unrecognized numeric range operator: %s", op)
	}
	if v.kind != tNumber {
		return nil, r.fail("Value of %s must be numeric", name)
	}
	val, _ := strconv.ParseFloat(v.text, 64)
	out := []numRange{{op: op, val: val}}
	n := r.next()
	if n.kind == tArrEnd {
		return out, nil
	}
	if op != ">" && op != ">=" {
		return nil, r.fail("Too many elements in numeric expression")
	}
	if n.kind != tString {
		return nil, r.fail("Bad value in numeric range: %s", n.text)
	}
	op2 := r.text()
	if op2 != "<" && op2 != "<=" {
		return nil, r.fail("Bad numeric range operator: %s", op2)
	}
	if v = r.next(); v.kind != tNumber {
		return nil, r.fail("Value of %s must be numeric", op2)
	}
	top, _ := strconv.ParseFloat(v.text, 64)
	if r.next().kind != tArrEnd {
		return nil, r.fail("Too many terms in numeric range expression")
	}
	if val >= top {
		return nil, r.fail("Bottom must be less than top")
	}
	return append(out, numRange{op: op2, val: top}), nil
}

// anythingBut reads anything-but's argument: a string, a number, a list of them,
// {"prefix": string} or {"suffix": string} (SNS refused the suffix form in 2024 and
// took it in 2026, radkawar/stackd testdata/aws/sns/filters.json; every other operator
// there is refused).
func (r *policyReader) anythingBut() (condition, error) {
	c := condition{kind: "anythingbut"}
	switch t := r.next(); t.kind {
	case tObjStart:
		n := r.next()
		if n.kind != tName {
			return c, r.fail("Anything-But expression name not found")
		}
		if n.text != "prefix" && n.text != "suffix" {
			return c, r.fail("Unsupported anything-but pattern: %s", n.text)
		}
		if r.next().kind != tString {
			return c, r.fail("%s match pattern must be a string", n.text)
		}
		c.inner = &condition{kind: n.text, str: r.text()}
		for range 2 {
			if r.next().kind != tObjEnd {
				return c, r.fail("Only one key allowed in match expression")
			}
		}
		return c, nil
	case tString:
		c.strs = []string{r.text()}
	case tNumber:
		f, _ := strconv.ParseFloat(t.text, 64)
		c.nums = []float64{f}
	case tArrStart:
		for e := r.next(); e.kind != tArrEnd; e = r.next() {
			switch e.kind {
			case tString:
				c.strs = append(c.strs, r.text())
			case tNumber:
				f, _ := strconv.ParseFloat(e.text, 64)
				c.nums = append(c.nums, f)
			default:
				return c, r.fail("Inside anything but list, start|null|boolean is not supported.")
			}
		}
	default:
		return c, r.fail("Value of anything-but must be an array or single string/number value.")
	}
	if r.next().kind != tObjEnd {
		return c, r.fail("Too many elements in numeric expression")
	}
	return c, nil
}

func (p *filterPolicy) combinations() int {
	n := 1
	for _, k := range p.keys {
		if k.nested != nil {
			n *= k.nested.combinations()
		} else {
			n *= len(k.conds)
		}
	}
	for _, o := range p.or {
		n += o.combinations()
	}
	return n
}

// value is what a key resolves to in a message: absent, or one or more scalars
// (arrays match when any element does).
type value struct {
	present bool
	strs    []string
	nums    []float64 // parallel to strs; NaN when not a number
	null    bool
}

// attrValue is a message attribute's value for matching.
func attrValue(a *attribute) value {
	if a == nil {
		return value{}
	}
	switch {
	case a.DataType == "String.Array":
		var list []any
		if err := json.Unmarshal([]byte(a.StringValue), &list); err != nil {
			return value{present: true}
		}
		v := value{present: true}
		for _, e := range list {
			v.add(e)
		}
		return v
	case strings.HasPrefix(a.DataType, "Number"):
		f, err := strconv.ParseFloat(a.StringValue, 64)
		if err != nil {
			f = math.NaN()
		}
		return value{present: true, strs: []string{a.StringValue}, nums: []float64{f}}
	case strings.HasPrefix(a.DataType, "Binary"):
		return value{present: true}
	}
	return value{present: true, strs: []string{a.StringValue}, nums: []float64{math.NaN()}}
}

func (v *value) add(e any) {
	switch x := e.(type) {
	case string:
		v.strs, v.nums = append(v.strs, x), append(v.nums, math.NaN())
	case float64:
		v.strs, v.nums = append(v.strs, strconv.FormatFloat(x, 'f', -1, 64)), append(v.nums, x)
	case json.Number:
		f, _ := x.Float64()
		v.strs, v.nums = append(v.strs, x.String()), append(v.nums, f)
	case bool:
		v.strs, v.nums = append(v.strs, strconv.FormatBool(x)), append(v.nums, math.NaN())
	case nil:
		v.null = true
	case []any:
		for _, y := range x {
			v.add(y)
		}
	}
}

func (c *condition) match(v value) bool {
	if c.kind == "exists" {
		return v.present == c.exists
	}
	if !v.present {
		return false
	}
	if c.kind == "null" {
		return v.null
	}
	for i, s := range v.strs {
		if c.matchOne(s, v.nums[i]) {
			return true
		}
	}
	return false
}

func (c *condition) matchOne(s string, n float64) bool {
	switch c.kind {
	case "exact":
		if c.isNum {
			return !math.IsNaN(n) && n == c.num
		}
		return s == c.str && math.IsNaN(n)
	case "prefix":
		return strings.HasPrefix(s, c.str)
	case "prefixignorecase":
		return strings.HasPrefix(strings.ToLower(s), strings.ToLower(c.str))
	case "suffix":
		return strings.HasSuffix(s, c.str)
	case "ignorecase":
		return strings.EqualFold(s, c.str)
	case "cidr":
		ip := net.ParseIP(s)
		return ip != nil && c.ipnet.Contains(ip)
	case "numeric":
		if math.IsNaN(n) {
			return false
		}
		for _, r := range c.ranges {
			ok := false
			switch r.op {
			case "=":
				ok = n == r.val
			case "<":
				ok = n < r.val
			case "<=":
				ok = n <= r.val
			case ">":
				ok = n > r.val
			case ">=":
				ok = n >= r.val
			}
			if !ok {
				return false
			}
		}
		return true
	case "anythingbut":
		if c.inner != nil {
			return !c.inner.matchOne(s, n)
		}
		for _, x := range c.strs {
			if s == x {
				return false
			}
		}
		for _, x := range c.nums {
			if !math.IsNaN(n) && n == x {
				return false
			}
		}
		return true
	}
	return false
}

// matchAttributes applies a MessageAttributes-scope policy.
func (p *filterPolicy) matchAttributes(attrs map[string]attribute) bool {
	for k, node := range p.keys {
		var v value
		if a, ok := attrs[k]; ok {
			v = attrValue(&a)
		}
		if !anyCond(node.conds, v) {
			return false
		}
	}
	if len(p.or) > 0 {
		for _, alt := range p.or {
			if alt.matchAttributes(attrs) {
				return true
			}
		}
		return false
	}
	return true
}

// matchBody applies a MessageBody-scope policy to a JSON message.
func (p *filterPolicy) matchBody(doc map[string]any) bool {
	for k, node := range p.keys {
		raw, present := doc[k]
		if node.nested != nil {
			m, ok := raw.(map[string]any)
			if !ok || !node.nested.matchBody(m) {
				return false
			}
			continue
		}
		var v value
		if present {
			v.add(raw)
		}
		// A field exists when it holds a value, null and "" included: an empty array
		// holds none, and an object's values are other keys' (recorded:
		// exists:true took "", null and a string, not [] or {}).
		v.present = len(v.strs) > 0 || v.null
		if !anyCond(node.conds, v) {
			return false
		}
	}
	if len(p.or) > 0 {
		for _, alt := range p.or {
			if alt.matchBody(doc) {
				return true
			}
		}
		return false
	}
	return true
}

func anyCond(conds []condition, v value) bool {
	for i := range conds {
		if conds[i].match(v) {
			return true
		}
	}
	return false
}

var errNotJSON = errors.New("message body is not a JSON object")

// parseBody parses a message body for MessageBody-scope policies.
func parseBody(msg string) (map[string]any, error) {
	var doc map[string]any
	dec := json.NewDecoder(strings.NewReader(msg))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, errNotJSON
	}
	return doc, nil
}
