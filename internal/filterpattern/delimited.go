package filterpattern

import (
	"strconv"
	"strings"
)

// delimPattern is the space-delimited form: one slot per field, an optional ellipsis
// standing for any number of fields, and conditions over the named fields.
type delimPattern struct {
	slots    []slot
	ellipsis int // index of the ... slot, -1 if none
	conds    []node
	regex    int
}

type slot struct {
	name string // "" for an unnamed field
}

// delimEnv is what conditions see: the value bound to each slot.
type delimEnv struct{ values []string }

func parseDelimited(s string) (*delimPattern, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	dp := &delimPattern{ellipsis: -1}
	var groups [][]token
	cur := []token{}
	for _, t := range toks {
		if t.kind == tComma {
			groups = append(groups, cur)
			cur = []token{}
			continue
		}
		cur = append(cur, t)
	}
	groups = append(groups, cur)
	type pending struct {
		toks []token
	}
	var conds []pending
	for _, g := range groups {
		switch {
		case len(g) == 0:
			dp.slots = append(dp.slots, slot{})
		case len(g) == 1 && g[0].kind == tWord && (g[0].text == "..." || g[0].text == "…"):
			if dp.ellipsis >= 0 {
				return nil, errInvalid("only one ... is allowed")
			}
			dp.ellipsis = len(dp.slots)
			dp.slots = append(dp.slots, slot{})
		case g[0].kind == tWord || g[0].kind == tLParen:
			name := firstWord(g)
			if name == "" || !validFieldName(name) {
				return nil, errInvalid("bad field name in a space-delimited pattern")
			}
			dp.slots = append(dp.slots, slot{name: name})
			if len(g) > 1 {
				conds = append(conds, pending{g})
			}
		default:
			return nil, errInvalid("a field must start with its name")
		}
	}
	if len(dp.slots) == 1 && dp.slots[0].name == "" && dp.ellipsis < 0 {
		return nil, errInvalid("empty space-delimited pattern")
	}
	for _, c := range conds {
		p := &exprParser{toks: c.toks, leaf: dp.leaf}
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.peek().kind != tEOF {
			return nil, errInvalid("unexpected " + p.peek().text)
		}
		dp.regex += p.regex
		dp.conds = append(dp.conds, n)
	}
	return dp, nil
}

func firstWord(g []token) string {
	for _, t := range g {
		if t.kind == tWord {
			return t.text
		}
		if t.kind != tLParen {
			return ""
		}
	}
	return ""
}

func validFieldName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// slotIndex finds a named slot, exactly first, then ignoring case (AWS's own example
// writes `[w1=ERROR || W1=WARNING, w2]`).
func (dp *delimPattern) slotIndex(name string) int {
	for i, s := range dp.slots {
		if s.name == name {
			return i
		}
	}
	for i, s := range dp.slots {
		if s.name != "" && strings.EqualFold(s.name, name) {
			return i
		}
	}
	return -1
}

func (dp *delimPattern) leaf(p *exprParser) (node, error) {
	t := p.next()
	if t.kind != tWord {
		return nil, errInvalid("a condition starts with a field name")
	}
	idx := dp.slotIndex(t.text)
	if idx < 0 {
		return nil, errInvalid("condition on unknown field " + t.text)
	}
	ot := p.next()
	if ot.kind != tOp {
		return nil, errInvalid("a condition needs an operator")
	}
	o := parseOp(ot.text)
	lit, err := p.parseLiteral(o, true)
	if err != nil {
		return nil, err
	}
	return &delimCmp{slot: idx, op: o, lit: lit}, nil
}

type delimCmp struct {
	slot int
	op   op
	lit  literal
}

func (c *delimCmp) eval(env any) bool {
	return c.lit.compareText(c.op, env.(*delimEnv).values[c.slot], false)
}

// splitFields splits a message into space-delimited fields: characters between
// double quotes or between square brackets form one field, without its delimiters.
func splitFields(msg string) []string {
	var out []string
	i := 0
	for i < len(msg) {
		for i < len(msg) && isSpace(msg[i]) {
			i++
		}
		if i >= len(msg) {
			break
		}
		var closer byte
		switch msg[i] {
		case '"':
			closer = '"'
		case '[':
			closer = ']'
		}
		if closer != 0 {
			if j := strings.IndexByte(msg[i+1:], closer); j >= 0 {
				out = append(out, msg[i+1:i+1+j])
				i += j + 2
				continue
			}
		}
		j := i
		for j < len(msg) && !isSpace(msg[j]) {
			j++
		}
		out = append(out, msg[i:j])
		i = j
	}
	return out
}

// match binds the message's fields to the slots and checks the conditions; it
// returns the extracted values ($name, or $N for unnamed and ellipsis fields).
func (dp *delimPattern) match(msg string) (map[string]string, bool) {
	fields := splitFields(msg)
	n := len(dp.slots)
	env := &delimEnv{values: make([]string, n)}
	// pos[i] is the 1-based field number bound to slot i.
	pos := make([]int, n)
	var covered []int
	if dp.ellipsis < 0 {
		if len(fields) != n {
			return nil, false
		}
		for i := range n {
			env.values[i], pos[i] = fields[i], i+1
		}
	} else {
		if len(fields) < n-1 {
			return nil, false
		}
		for i := 0; i < dp.ellipsis; i++ {
			env.values[i], pos[i] = fields[i], i+1
		}
		after := n - dp.ellipsis - 1
		for k := 0; k < after; k++ {
			fi := len(fields) - after + k
			env.values[dp.ellipsis+1+k], pos[dp.ellipsis+1+k] = fields[fi], fi+1
		}
		for fi := dp.ellipsis; fi < len(fields)-after; fi++ {
			covered = append(covered, fi)
		}
	}
	for _, c := range dp.conds {
		if !c.eval(env) {
			return nil, false
		}
	}
	out := make(map[string]string, len(fields))
	for _, fi := range covered {
		out["$"+strconv.Itoa(fi+1)] = fields[fi]
	}
	for i, s := range dp.slots {
		if i == dp.ellipsis {
			continue
		}
		if s.name != "" {
			out["$"+s.name] = env.values[i]
		} else {
			out["$"+strconv.Itoa(pos[i])] = env.values[i]
		}
	}
	return out, true
}
