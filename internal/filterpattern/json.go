package filterpattern

import (
	"encoding/json"
	"strconv"
	"strings"
)

// parseJSON compiles the inside of a { ... } pattern.
func parseJSON(s string) (node, int, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, 0, err
	}
	if len(toks) == 0 {
		return nil, 0, errInvalid("empty JSON pattern")
	}
	p := &exprParser{toks: toks, leaf: jsonLeaf}
	n, err := p.parseOr()
	if err != nil {
		return nil, 0, err
	}
	if p.peek().kind != tEOF {
		return nil, 0, errInvalid("unexpected " + p.peek().text)
	}
	return n, p.regex, nil
}

// jsonLeaf parses `SELECTOR op VALUE`, `SELECTOR IS NULL|TRUE|FALSE` or
// `SELECTOR NOT EXISTS`.
func jsonLeaf(p *exprParser) (node, error) {
	t := p.next()
	if t.kind != tWord || !strings.HasPrefix(t.text, "$") {
		return nil, errInvalid("a JSON condition starts with a $. selector")
	}
	sel, err := parseSelector(t.text)
	if err != nil {
		return nil, err
	}
	nt := p.peek()
	if nt.kind == tWord {
		p.next()
		kw := strings.ToUpper(nt.text)
		arg := p.next()
		word := strings.ToUpper(arg.text)
		switch {
		case kw == "IS" && arg.kind == tWord && (word == "NULL" || word == "TRUE" || word == "FALSE"):
			return &isNode{sel: sel, want: word}, nil
		case kw == "NOT" && arg.kind == tWord && word == "EXISTS":
			return &notExistsNode{sel: sel}, nil
		}
		// AWS: "The variables IS NOT and EXISTS currently aren't supported."
		return nil, errInvalid("unsupported " + nt.text + " " + arg.text)
	}
	if nt.kind != tOp {
		return nil, errInvalid("a JSON condition needs an operator")
	}
	p.next()
	o := parseOp(nt.text)
	lit, err := p.parseLiteral(o, false)
	if err != nil {
		return nil, err
	}
	return &jsonCmp{sel: sel, op: o, lit: lit}, nil
}

// selector is a JSON path: $.a.b[0][1].c
type selector struct {
	steps []step
}

type step struct {
	key   string
	index int // -1 for a key step
}

func parseSelector(s string) (*selector, error) {
	if !strings.HasPrefix(s, "$") {
		return nil, errInvalid("selector must start with $")
	}
	sel := &selector{}
	i := 1
	for i < len(s) {
		switch s[i] {
		case '.':
			j := i + 1
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			if j == i+1 {
				return nil, errInvalid("empty property in selector " + s)
			}
			sel.steps = append(sel.steps, step{key: s[i+1 : j], index: -1})
			i = j
		case '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return nil, errInvalid("unterminated [ in selector " + s)
			}
			n, err := strconv.Atoi(s[i+1 : i+j])
			if err != nil || n < 0 {
				return nil, errInvalid("array index must be a number in selector " + s)
			}
			if len(sel.steps) == 0 {
				// AWS: array elements "must follow a property".
				return nil, errInvalid("array index must follow a property in selector " + s)
			}
			sel.steps = append(sel.steps, step{index: n})
			i += j + 1
		default:
			return nil, errInvalid("bad selector " + s)
		}
	}
	if len(sel.steps) == 0 {
		return nil, errInvalid("selector names no property")
	}
	return sel, nil
}

// resolve walks the document; ok is false when the path does not exist.
func (sel *selector) resolve(doc any) (any, bool) {
	v := doc
	for _, st := range sel.steps {
		if st.index >= 0 {
			a, ok := v.([]any)
			if !ok || st.index >= len(a) {
				return nil, false
			}
			v = a[st.index]
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		v, ok = m[st.key]
		if !ok {
			return nil, false
		}
	}
	return v, true
}

// parseDoc parses a message as one JSON object; ok is false for anything else.
func parseDoc(msg string) (any, bool) {
	s := strings.TrimSpace(msg)
	if len(s) < 2 || s[0] != '{' {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, false
	}
	if dec.InputOffset() != int64(len(s)) {
		return nil, false
	}
	return doc, true
}

// scalarText is a JSON scalar's text: strings as they are, numbers as written,
// booleans as true/false. scalar is false for null, objects and arrays.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return string(x), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

type jsonCmp struct {
	sel *selector
	op  op
	lit literal
}

// eval: a selector that points nowhere, or at an object, array or null, matches no
// comparison, = or != (AWS: "If a property selector points to an array or object,
// the metric filter won't match the log format").
func (c *jsonCmp) eval(env any) bool {
	v, ok := c.sel.resolve(env)
	if !ok {
		return false
	}
	text, scalar := scalarText(v)
	if !scalar {
		return false
	}
	_, numeric := v.(json.Number)
	return c.lit.compareText(c.op, text, numeric)
}

type isNode struct {
	sel  *selector
	want string // NULL, TRUE, FALSE
}

func (n *isNode) eval(env any) bool {
	v, ok := n.sel.resolve(env)
	if !ok {
		return false
	}
	switch n.want {
	case "NULL":
		return v == nil
	case "TRUE":
		return v == true
	}
	return v == false
}

type notExistsNode struct{ sel *selector }

func (n *notExistsNode) eval(env any) bool {
	_, ok := n.sel.resolve(env)
	return !ok
}
