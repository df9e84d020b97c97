package cloudwatch

import (
	"fmt"
	"strconv"
	"strings"
)

// A composite alarm's AlarmRule: ALARM(name), OK(name), INSUFFICIENT_DATA(name),
// TRUE, FALSE and AT_LEAST(threshold, [NOT] STATE, (name, ...)), combined with NOT,
// AND, OR and parentheses. Keywords are upper case only; NOT binds tighter than AND,
// AND tighter than OR (recorded, 2026: radkawar/stackd
// testdata/aws/cloudwatch/alarm_composites.json, language/10/operator-precedence).
// A name is quoted with double quotes (a backslash escapes the next character) or
// not; an unquoted name ends at white space, a comma or a parenthesis, and may be any
// word, a keyword included. AWS refuses a malformed rule naming the first token it
// could not take, where it stands and what it would have taken, in its own words
// (alarm_composites.json, language/*); the token it shows runs to the next white
// space, comma or opening parenthesis.

// ruleNode is a parsed rule: a small tree evaluated against alarm states.
type ruleNode struct {
	op    string // "ALARM", "OK", "INSUFFICIENT_DATA", "TRUE", "FALSE", "NOT", "AND", "OR", "AT_LEAST"
	ref   string // the alarm reference of a state function, as written
	left  *ruleNode
	right *ruleNode
	// AT_LEAST: at least count (percent: count per cent) of list are in state, or
	// not in it with not.
	count   int
	percent bool
	not     bool
	state   string
	list    []string
}

// eval computes the rule's value, state giving a referenced alarm's current state.
func (n *ruleNode) eval(state func(ref string) string) bool {
	switch n.op {
	case "TRUE":
		return true
	case "FALSE":
		return false
	case "NOT":
		return !n.left.eval(state)
	case "AND":
		return n.left.eval(state) && n.right.eval(state)
	case "OR":
		return n.left.eval(state) || n.right.eval(state)
	case "AT_LEAST":
		k := 0
		for _, ref := range n.list {
			if (state(ref) == n.state) != n.not {
				k++
			}
		}
		if n.percent {
			return k*100 >= n.count*len(n.list)
		}
		return k >= n.count
	}
	return state(n.ref) == n.op
}

// refs lists the alarm references of the rule, each once, in order of appearance.
func (n *ruleNode) refs() []string {
	var out []string
	seen := map[string]bool{}
	var walk func(*ruleNode)
	walk = func(n *ruleNode) {
		if n == nil {
			return
		}
		refs := n.list
		switch n.op {
		case "ALARM", "OK", "INSUFFICIENT_DATA":
			refs = []string{n.ref} // "" too: ALARM("") names a missing alarm
		}
		for _, ref := range refs {
			if !seen[ref] {
				seen[ref] = true
				out = append(out, ref)
			}
		}
		walk(n.left)
		walk(n.right)
	}
	walk(n)
	return out
}

// What AWS says it would have taken, by position in the rule.
const (
	wantOperand = "'(', 'NOT', AT_LEAST, TRUE or FALSE, ALARM, OK, or INSUFFICIENT_DATA"
	wantName    = "'NOT', 'AND', 'OR', 'AT_LEAST', NUMBER, PERCENTAGE NUMBER, TRUE or FALSE, ALARM, OK, or INSUFFICIENT_DATA, unquoted alarm name, quoted alarm name"
	wantNumber  = "NUMBER, PERCENTAGE NUMBER"
	wantState   = "'NOT', ALARM, OK, or INSUFFICIENT_DATA"
)

type ruleParser struct {
	s     string
	pos   int
	depth int // open parentheses of the rule's own grouping
}

// ruleError is AWS's refusal of a rule it cannot use, as PutCompositeAlarm words it.
type ruleError string

func (e ruleError) Error() string { return "Error in AlarmRule [" + string(e) + "]" }

// parseRule parses an AlarmRule; the error is AWS's message for it.
func parseRule(s string) (*ruleNode, error) {
	p := &ruleParser{s: s}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.next(); p.pos < len(p.s) {
		return nil, p.unexpected(p.afterOperand())
	}
	return n, nil
}

// next skips white space.
func (p *ruleParser) next() {
	for p.pos < len(p.s) && isSpace(p.s[p.pos]) {
		p.pos++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// word is the word at the current position (after white space), not consumed: up to
// white space, a comma or a parenthesis.
func (p *ruleParser) word() string {
	p.next()
	end := p.pos
	for end < len(p.s) && !isSpace(p.s[end]) && !strings.ContainsRune("(),", rune(p.s[end])) {
		end++
	}
	return p.s[p.pos:end]
}

// unexpected refuses the token at the current position.
func (p *ruleParser) unexpected(want string) error {
	p.next()
	if p.pos >= len(p.s) {
		// Inferred wording for a rule that ends too soon.
		return ruleError(fmt.Sprintf("Unsupported token '<EOF>' at char %d, must be: %s", p.pos, want))
	}
	end := p.pos
	for end < len(p.s) && !isSpace(p.s[end]) && p.s[end] != '(' && p.s[end] != ',' {
		end++
	}
	if end == p.pos {
		end++
	}
	return ruleError(fmt.Sprintf("Unsupported token '%s' at char %d, must be: %s", p.s[p.pos:end], p.pos, want))
}

// afterOperand is what may follow a complete operand: the end of the rule (or of
// its group) alone, or with the operators when the token looks like one in another
// spelling (recorded: "TRUE and FALSE", "TRUE && FALSE" list AND and OR; "TRUE junk",
// "TRUE FALSE" do not).
func (p *ruleParser) afterOperand() string {
	end := "<EOF>"
	if p.depth > 0 {
		end = "')'" // inferred
	}
	switch strings.ToLower(p.word()) {
	case "and", "or", "&&", "||", "&", "|":
		return end + ", 'AND', 'OR'"
	}
	return end
}

// punct consumes c, or refuses what stands there.
func (p *ruleParser) punct(c byte, want string) error {
	p.next()
	if p.pos < len(p.s) && p.s[p.pos] == c {
		p.pos++
		return nil
	}
	return p.unexpected(want)
}

func (p *ruleParser) or() (*ruleNode, error) { return p.binary("OR", p.and) }

func (p *ruleParser) and() (*ruleNode, error) { return p.binary("AND", p.unary) }

// binary parses operands joined by op, left-associative, each operand by next.
func (p *ruleParser) binary(op string, next func() (*ruleNode, error)) (*ruleNode, error) {
	left, err := next()
	if err != nil {
		return nil, err
	}
	for p.word() == op {
		p.pos += len(op)
		right, err := next()
		if err != nil {
			return nil, err
		}
		left = &ruleNode{op: op, left: left, right: right}
	}
	return left, nil
}

func (p *ruleParser) unary() (*ruleNode, error) {
	switch w := p.word(); w {
	case "NOT":
		p.pos += len(w)
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &ruleNode{op: "NOT", left: n}, nil
	case "TRUE", "FALSE":
		p.pos += len(w)
		return &ruleNode{op: w}, nil
	case "ALARM", "OK", "INSUFFICIENT_DATA":
		p.pos += len(w)
		if err := p.punct('(', "'('"); err != nil { // inferred expectation
			return nil, err
		}
		ref, err := p.name()
		if err != nil {
			return nil, err
		}
		if err := p.punct(')', "')'"); err != nil {
			return nil, err
		}
		return &ruleNode{op: w, ref: ref}, nil
	case "AT_LEAST":
		p.pos += len(w)
		return p.atLeast()
	case "":
		if p.pos < len(p.s) && p.s[p.pos] == '(' {
			p.pos++
			p.depth++
			n, err := p.or()
			if err != nil {
				return nil, err
			}
			p.next()
			if p.pos >= len(p.s) || p.s[p.pos] != ')' {
				return nil, p.unexpected(p.afterOperand())
			}
			p.pos++
			p.depth--
			return n, nil
		}
	}
	return nil, p.unexpected(wantOperand)
}

// name reads an alarm name, quoted or not.
func (p *ruleParser) name() (string, error) {
	p.next()
	if p.pos < len(p.s) && p.s[p.pos] == '"' {
		var b strings.Builder
		for i := p.pos + 1; i < len(p.s); i++ {
			switch c := p.s[i]; {
			case c == '\\' && i+1 < len(p.s):
				i++
				b.WriteByte(p.s[i])
			case c == '"':
				p.pos = i + 1
				return b.String(), nil
			default:
				b.WriteByte(c)
			}
		}
		return "", p.unexpected(wantName) // an unterminated quote: inferred
	}
	w := p.word()
	if w == "" {
		return "", p.unexpected(wantName)
	}
	p.pos += len(w)
	return w, nil
}

// atLeast reads AT_LEAST's arguments: (threshold, [NOT] STATE, (names)).
func (p *ruleParser) atLeast() (*ruleNode, error) {
	if err := p.punct('(', "'('"); err != nil { // inferred expectation
		return nil, err
	}
	n := &ruleNode{op: "AT_LEAST"}
	w := p.word()
	digits := strings.TrimSuffix(w, "%")
	v, err := strconv.Atoi(digits)
	if digits == "" || strings.Trim(digits, "0123456789") != "" || err != nil {
		return nil, p.unexpected(wantNumber)
	}
	p.pos += len(w)
	n.count, n.percent = v, digits != w
	if err := p.punct(',', "','"); err != nil { // inferred expectation
		return nil, err
	}
	if p.word() == "NOT" {
		p.pos += 3
		n.not = true
	}
	switch w := p.word(); w {
	case "ALARM", "OK", "INSUFFICIENT_DATA":
		p.pos += len(w)
		n.state = w
	default:
		want := wantState
		if n.not {
			want = "ALARM, OK, or INSUFFICIENT_DATA" // inferred
		}
		return nil, p.unexpected(want)
	}
	if err := p.punct(',', "','"); err != nil {
		return nil, err
	}
	if err := p.punct('(', "'('"); err != nil {
		return nil, err
	}
	for {
		ref, err := p.name()
		if err != nil {
			return nil, err
		}
		n.list = append(n.list, ref)
		if p.next(); p.pos < len(p.s) && p.s[p.pos] == ',' {
			p.pos++
			continue
		}
		if err := p.punct(')', "',', ')'"); err != nil { // inferred expectation
			return nil, err
		}
		break
	}
	if err := p.punct(')', "')'"); err != nil {
		return nil, err
	}
	switch {
	case n.percent && (n.count < 1 || n.count > 100):
		return nil, ruleError("AT_LEAST percentage threshold must be between 1 and 100")
	case !n.percent && (n.count < 1 || n.count > len(n.list)):
		return nil, ruleError(fmt.Sprintf("AT_LEAST absolute threshold must be between 1 and number of alarms (%d)", len(n.list)))
	}
	return n, nil
}
