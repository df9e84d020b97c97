package filterpattern

import (
	"regexp"
	"strconv"
	"strings"
)

// The expression language JSON and space-delimited patterns share: comparisons joined
// by && and || with parentheses, && binding tighter (AWS: "() > && > ||").

type tokKind int

const (
	tEOF tokKind = iota
	tLParen
	tRParen
	tAnd
	tOr
	tComma
	tOp
	tString // "quoted"
	tRegex  // %regex%
	tWord   // selector, field name, bare value, keyword
)

type token struct {
	kind tokKind
	text string
}

// lex splits an expression into tokens. Words run until a space or one of the
// characters the grammar uses: ( ) , = ! < > & | "
func lex(s string) ([]token, error) {
	var out []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case isSpace(c):
			i++
		case c == '(':
			out = append(out, token{tLParen, "("})
			i++
		case c == ')':
			out = append(out, token{tRParen, ")"})
			i++
		case c == ',':
			out = append(out, token{tComma, ","})
			i++
		case c == '&':
			if i+1 >= len(s) || s[i+1] != '&' {
				return nil, errInvalid("& must be &&")
			}
			out = append(out, token{tAnd, "&&"})
			i += 2
		case c == '|':
			if i+1 >= len(s) || s[i+1] != '|' {
				return nil, errInvalid("| must be ||")
			}
			out = append(out, token{tOr, "||"})
			i += 2
		case c == '=':
			out = append(out, token{tOp, "="})
			i++
		case c == '!':
			if i+1 >= len(s) || s[i+1] != '=' {
				return nil, errInvalid("! must be !=")
			}
			out = append(out, token{tOp, "!="})
			i += 2
		case c == '<' || c == '>':
			if i+1 < len(s) && s[i+1] == '=' {
				out = append(out, token{tOp, s[i : i+2]})
				i += 2
			} else {
				out = append(out, token{tOp, s[i : i+1]})
				i++
			}
		case c == '"':
			text, n, err := readQuoted(s[i:])
			if err != nil {
				return nil, err
			}
			out = append(out, token{tString, text})
			i += n
		case c == '%':
			src, n, err := readRegex(s[i:])
			if err != nil {
				return nil, err
			}
			out = append(out, token{tRegex, src})
			i += n
		default:
			j := i
			for j < len(s) && !isSpace(s[j]) && strings.IndexByte("(),=!<>&|\"", s[j]) < 0 {
				j++
			}
			out = append(out, token{tWord, s[i:j]})
			i = j
		}
	}
	return out, nil
}

// node is a compiled boolean expression over an environment (a JSON document, or
// the fields of a space-delimited event).
type node interface{ eval(env any) bool }

type andNode []node
type orNode []node

func (n andNode) eval(env any) bool {
	for _, c := range n {
		if !c.eval(env) {
			return false
		}
	}
	return true
}

func (n orNode) eval(env any) bool {
	for _, c := range n {
		if c.eval(env) {
			return true
		}
	}
	return false
}

// exprParser is a recursive-descent parser over tokens; leaf parses one comparison.
type exprParser struct {
	toks  []token
	pos   int
	leaf  func(p *exprParser) (node, error)
	regex int
}

func (p *exprParser) peek() token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return token{kind: tEOF}
}

func (p *exprParser) next() token {
	t := p.peek()
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func (p *exprParser) parseOr() (node, error) {
	nodes, err := p.chain(tOr, p.parseAnd)
	if err != nil || len(nodes) == 1 {
		return first(nodes), err
	}
	return orNode(nodes), nil
}

func (p *exprParser) parseAnd() (node, error) {
	nodes, err := p.chain(tAnd, p.parseUnary)
	if err != nil || len(nodes) == 1 {
		return first(nodes), err
	}
	return andNode(nodes), nil
}

// chain parses operands joined by the operator op.
func (p *exprParser) chain(op tokKind, operand func() (node, error)) ([]node, error) {
	var nodes []node
	for {
		n, err := operand()
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
		if p.peek().kind != op {
			return nodes, nil
		}
		p.next()
	}
}

func first(nodes []node) node {
	if len(nodes) == 0 {
		return nil
	}
	return nodes[0]
}

func (p *exprParser) parseUnary() (node, error) {
	if p.peek().kind == tLParen {
		p.next()
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.next().kind != tRParen {
			return nil, errInvalid("missing )")
		}
		return n, nil
	}
	return p.leaf(p)
}

// op is a comparison operator.
type op int

const (
	opEq op = iota
	opNe
	opLt
	opLe
	opGt
	opGe
)

func parseOp(s string) op {
	switch s {
	case "!=":
		return opNe
	case "<":
		return opLt
	case "<=":
		return opLe
	case ">":
		return opGt
	case ">=":
		return opGe
	}
	return opEq
}

// literal is the right-hand side of a comparison.
type literal struct {
	text    string
	re      *regexp.Regexp
	isNum   bool
	num     float64
	star    bool     // a lone *: any value
	parts   []string // glob segments between the * wildcards
	anchorL bool     // no * at the start
	anchorR bool     // no * at the end
	quoted  bool
}

var numberRE = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// parseLiteral reads the value token of a comparison. midWildcards says whether a *
// inside the value is a wildcard (space-delimited) or itself (JSON: AWS, "Ev*ent will
// only match the actual string Ev*ent").
func (p *exprParser) parseLiteral(o op, midWildcards bool) (literal, error) {
	t := p.next()
	var l literal
	switch t.kind {
	case tRegex:
		re, err := compileRegex(t.text)
		if err != nil {
			return l, err
		}
		p.regex++
		l.re = re
		l.text = "%" + t.text + "%"
	case tString, tWord:
		l.text = t.text
		l.quoted = t.kind == tString
		if t.kind == tWord && numberRE.MatchString(t.text) {
			l.isNum = true
			l.num, _ = strconv.ParseFloat(t.text, 64)
		}
		if l.text == "*" {
			l.star = true
		}
		l.parts, l.anchorL, l.anchorR = globParts(l.text, midWildcards)
	default:
		return l, errInvalid("a comparison needs a value")
	}
	if o != opEq && o != opNe && !l.isNum {
		return l, errInvalid("<, <=, > and >= compare numbers")
	}
	return l, nil
}

func globParts(s string, mid bool) (parts []string, anchorL, anchorR bool) {
	anchorL, anchorR = !strings.HasPrefix(s, "*"), !strings.HasSuffix(s, "*")
	inner := strings.TrimSuffix(strings.TrimPrefix(s, "*"), "*")
	if s == "*" {
		return nil, false, false
	}
	if !mid {
		return []string{inner}, anchorL, anchorR
	}
	return strings.Split(inner, "*"), anchorL, anchorR
}

// matchString compares a value's text with a string literal (glob or regex).
func (l *literal) matchString(v string) bool {
	if l.re != nil {
		return l.re.MatchString(v)
	}
	if l.star {
		return true
	}
	if len(l.parts) == 1 {
		p := l.parts[0]
		switch {
		case l.anchorL && l.anchorR:
			return v == p
		case l.anchorL:
			return strings.HasPrefix(v, p)
		case l.anchorR:
			return strings.HasSuffix(v, p)
		default:
			return strings.Contains(v, p)
		}
	}
	rest := v
	for i, p := range l.parts {
		switch {
		case i == 0 && l.anchorL:
			if !strings.HasPrefix(rest, p) {
				return false
			}
			rest = rest[len(p):]
		case i == len(l.parts)-1 && l.anchorR:
			return len(rest) >= len(p) && strings.HasSuffix(rest, p)
		default:
			k := strings.Index(rest, p)
			if k < 0 {
				return false
			}
			rest = rest[k+len(p):]
		}
	}
	return true
}

// compareNumber applies a numeric operator.
func compareNumber(o op, v, lit float64) bool {
	switch o {
	case opEq:
		return v == lit
	case opNe:
		return v != lit
	case opLt:
		return v < lit
	case opLe:
		return v <= lit
	case opGt:
		return v > lit
	}
	return v >= lit
}

// compareText applies a comparison to a scalar value given as text; numeric says the
// value is a JSON number. An unquoted numeric literal compares numerically with any
// value that reads as a number (400 = "400" = 4e2); otherwise = and != compare text.
func (l *literal) compareText(o op, v string, numeric bool) bool {
	if l.isNum && !l.quoted {
		if numeric || numberRE.MatchString(v) {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				return compareNumber(o, f, l.num)
			}
		}
		if o != opEq && o != opNe {
			return false
		}
	}
	m := l.matchString(v)
	if o == opNe {
		return !m
	}
	return m
}
