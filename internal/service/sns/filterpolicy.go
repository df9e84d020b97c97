package sns

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
)

// A subscription filter policy (SNS Developer Guide, "Amazon SNS message filtering"):
// a JSON object whose keys name message attributes (FilterPolicyScope
// MessageAttributes, the default) or message body members (MessageBody, nested
// objects for nested members), each with an array of conditions of which one must
// hold; all keys must match, and "$or" offers alternatives. Conditions: a string or
// number (exact match), {"prefix"}, {"suffix"}, {"equals-ignore-case"},
// {"anything-but": value, list or {"prefix"}/{"suffix"}}, {"numeric": [op, n, ...]},
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
	kind   string // exact, prefix, suffix, ignorecase, anythingbut, numeric, exists, cidr, null
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
// allowed (MessageBody scope).
func parseFilterPolicy(src string, body bool) (*filterPolicy, error) {
	var raw map[string]any
	dec := json.NewDecoder(strings.NewReader(src))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, errPolicy("failed to parse JSON. Unexpected character")
	}
	p, err := compilePolicy(raw, body, 0)
	if err != nil {
		return nil, err
	}
	if n := p.combinations(); n > maxFilterValues {
		return nil, errPolicy("Filter policy is too complex")
	}
	return p, nil
}

func compilePolicy(raw map[string]any, body bool, depth int) (*filterPolicy, error) {
	p := &filterPolicy{keys: map[string]*filterNode{}}
	for k, v := range raw {
		if k == "$or" {
			list, ok := v.([]any)
			if !ok || len(list) < 2 {
				return nil, errPolicy("$or must be an array of at least two objects")
			}
			for _, alt := range list {
				m, ok := alt.(map[string]any)
				if !ok {
					return nil, errPolicy("$or must be an array of objects")
				}
				sub, err := compilePolicy(m, body, depth)
				if err != nil {
					return nil, err
				}
				p.or = append(p.or, sub)
			}
			continue
		}
		switch x := v.(type) {
		case []any:
			conds, err := compileConds(x)
			if err != nil {
				return nil, err
			}
			p.keys[k] = &filterNode{conds: conds}
		case map[string]any:
			if !body {
				return nil, errPolicy("Filter policy scope MessageAttributes does not support nested filter policy")
			}
			sub, err := compilePolicy(x, body, depth+1)
			if err != nil {
				return nil, err
			}
			p.keys[k] = &filterNode{nested: sub}
		default:
			return nil, errPolicy("Match value must be String, number, true, false, or null")
		}
	}
	if depth == 0 && len(p.keys) > maxFilterKeys {
		return nil, errPolicy("Filter policy can not have more than 5 keys")
	}
	return p, nil
}

func compileConds(list []any) ([]condition, error) {
	if len(list) == 0 {
		return nil, errPolicy("Empty arrays are not allowed")
	}
	var out []condition
	for _, v := range list {
		c, err := compileCond(v)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func compileCond(v any) (condition, error) {
	switch x := v.(type) {
	case string:
		return condition{kind: "exact", str: x}, nil
	case json.Number:
		f, _ := x.Float64()
		return condition{kind: "exact", num: f, isNum: true, str: x.String()}, nil
	case bool:
		return condition{kind: "exact", str: strconv.FormatBool(x)}, nil
	case nil:
		return condition{kind: "null"}, nil
	case map[string]any:
		if len(x) != 1 {
			return condition{}, errPolicy("Only one key allowed in match expression")
		}
		for op, arg := range x {
			return compileOp(op, arg)
		}
	}
	return condition{}, errPolicy("Match value must be String, number, true, false, or null")
}

func compileOp(op string, arg any) (condition, error) {
	switch op {
	case "prefix", "suffix", "equals-ignore-case":
		s, ok := arg.(string)
		if !ok {
			return condition{}, errPolicy("%s match pattern must be a string", op)
		}
		kind := map[string]string{"prefix": "prefix", "suffix": "suffix", "equals-ignore-case": "ignorecase"}[op]
		return condition{kind: kind, str: s}, nil
	case "exists":
		b, ok := arg.(bool)
		if !ok {
			return condition{}, errPolicy("exists match pattern must be either true or false.")
		}
		return condition{kind: "exists", exists: b}, nil
	case "cidr":
		s, _ := arg.(string)
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return condition{}, errPolicy("Malformed CIDR, one '/' required")
		}
		return condition{kind: "cidr", ipnet: n}, nil
	case "anything-but":
		c := condition{kind: "anythingbut"}
		switch a := arg.(type) {
		case string:
			c.strs = []string{a}
		case json.Number:
			f, _ := a.Float64()
			c.nums = []float64{f}
		case []any:
			for _, e := range a {
				switch x := e.(type) {
				case string:
					c.strs = append(c.strs, x)
				case json.Number:
					f, _ := x.Float64()
					c.nums = append(c.nums, f)
				default:
					return condition{}, errPolicy("Inside anything but list, start|null|boolean is not supported.")
				}
			}
		case map[string]any:
			if len(a) != 1 {
				return condition{}, errPolicy("Only one key allowed in match expression")
			}
			for iop, iarg := range a {
				if iop != "prefix" && iop != "suffix" {
					return condition{}, errPolicy("Unsupported anything-but pattern: %s", iop)
				}
				inner, err := compileOp(iop, iarg)
				if err != nil {
					return condition{}, err
				}
				c.inner = &inner
			}
		default:
			return condition{}, errPolicy("Value of anything-but must be an array or single string/number value.")
		}
		return c, nil
	case "numeric":
		list, ok := arg.([]any)
		if !ok || len(list) == 0 || len(list)%2 != 0 || len(list) > 4 {
			return condition{}, errPolicy("Value of numeric must be an array.")
		}
		c := condition{kind: "numeric"}
		for i := 0; i < len(list); i += 2 {
			o, ok1 := list[i].(string)
			n, ok2 := list[i+1].(json.Number)
			if !ok1 || !ok2 {
				return condition{}, errPolicy("Value of numeric must be an array.")
			}
			switch o {
			case "=", "<", "<=", ">", ">=":
			default:
				return condition{}, errPolicy("Unrecognized numeric range operator: %s", o)
			}
			f, _ := n.Float64()
			c.ranges = append(c.ranges, numRange{op: o, val: f})
		}
		return c, nil
	}
	return condition{}, errPolicy("Unrecognized match type %s", op)
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
		v := value{present: present}
		if present {
			v.add(raw)
		}
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
