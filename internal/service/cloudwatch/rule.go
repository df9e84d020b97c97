package cloudwatch

import (
	"fmt"
	"strings"
)

// A composite alarm's AlarmRule: ALARM(name), OK(name), INSUFFICIENT_DATA(name),
// TRUE, FALSE, combined with NOT, AND, OR and parentheses. Names may be quoted with
// double quotes or not ("Alarm names specified in AlarmRule can be surrounded with
// double-quotes, but do not have to be"); an unquoted name runs to the closing
// parenthesis. Keywords are upper case, as AWS documents them; NOT binds tighter
// than AND, AND tighter than OR (AWS does not document precedence: this is the
// usual one).

// ruleNode is a parsed rule: a small tree evaluated against alarm states.
type ruleNode struct {
	op    string // "ALARM", "OK", "INSUFFICIENT_DATA", "TRUE", "FALSE", "NOT", "AND", "OR"
	ref   string // the alarm reference of a state function, as written
	left  *ruleNode
	right *ruleNode
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
		if n.ref != "" && !seen[n.ref] {
			seen[n.ref] = true
			out = append(out, n.ref)
		}
		walk(n.left)
		walk(n.right)
	}
	walk(n)
	return out
}

type ruleParser struct {
	s   string
	pos int
}

// parseRule parses an AlarmRule; the error says where it is malformed.
func parseRule(s string) (*ruleNode, error) {
	p := &ruleParser{s: s}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.s) {
		return nil, fmt.Errorf("unexpected %q at position %d", p.rest(), p.pos)
	}
	return n, nil
}

func (p *ruleParser) space() {
	for p.pos < len(p.s) && strings.ContainsRune(" \t\r\n", rune(p.s[p.pos])) {
		p.pos++
	}
}

func (p *ruleParser) rest() string {
	r := p.s[p.pos:]
	if len(r) > 20 {
		r = r[:20]
	}
	return r
}

// word reads the keyword at the current position, if any, without consuming it.
func (p *ruleParser) word() string {
	p.space()
	end := p.pos
	for end < len(p.s) && (p.s[end] >= 'A' && p.s[end] <= 'Z' || p.s[end] == '_' || p.s[end] >= 'a' && p.s[end] <= 'z') {
		end++
	}
	return p.s[p.pos:end]
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
	w := p.word()
	switch w {
	case "NOT":
		p.pos += 3
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
		ref, err := p.argument()
		if err != nil {
			return nil, err
		}
		return &ruleNode{op: w, ref: ref}, nil
	case "":
		if p.pos < len(p.s) && p.s[p.pos] == '(' {
			p.pos++
			n, err := p.or()
			if err != nil {
				return nil, err
			}
			p.space()
			if p.pos >= len(p.s) || p.s[p.pos] != ')' {
				return nil, fmt.Errorf("missing ) at position %d", p.pos)
			}
			p.pos++
			return n, nil
		}
	}
	if p.pos >= len(p.s) {
		return nil, fmt.Errorf("unexpected end of the rule")
	}
	return nil, fmt.Errorf("unexpected %q at position %d", p.rest(), p.pos)
}

// argument reads a state function's (name) or ("name").
func (p *ruleParser) argument() (string, error) {
	p.space()
	if p.pos >= len(p.s) || p.s[p.pos] != '(' {
		return "", fmt.Errorf("missing ( at position %d", p.pos)
	}
	p.pos++
	p.space()
	var ref string
	if p.pos < len(p.s) && p.s[p.pos] == '"' {
		end := strings.IndexByte(p.s[p.pos+1:], '"')
		if end < 0 {
			return "", fmt.Errorf("unterminated quoted alarm name at position %d", p.pos)
		}
		ref = p.s[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
		p.space()
	} else {
		end := strings.IndexByte(p.s[p.pos:], ')')
		if end < 0 {
			return "", fmt.Errorf("missing ) at position %d", len(p.s))
		}
		ref = strings.TrimRight(p.s[p.pos:p.pos+end], " \t\r\n")
		p.pos += len(ref)
		p.space()
	}
	if ref == "" {
		return "", fmt.Errorf("empty alarm name at position %d", p.pos)
	}
	if p.pos >= len(p.s) || p.s[p.pos] != ')' {
		return "", fmt.Errorf("missing ) at position %d", p.pos)
	}
	p.pos++
	return ref, nil
}
