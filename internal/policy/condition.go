package policy

import (
	"net/netip"
	"strings"
)

type opFamily uint8

const (
	opString opFamily = iota
	opStringIC
	opStringLike
	opNumeric
	opDate
	opBool
	opBinary
	opIP
	opARN
	opNull
)

type cmpKind uint8

const (
	cmpEq cmpKind = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

type setKind uint8

const (
	setNone setKind = iota
	setAny
	setAll
)

// ccond is one compiled (operator, key) pair. Each operator family keeps its
// policy values pre-parsed in the form it compares with, so evaluation only parses
// the request's value.
type ccond struct {
	family   opFamily
	cmp      cmpKind
	negated  bool
	set      setKind
	ifExists bool
	key      string // lower case: context keys are case-insensitive
	rawKey   string
	pats     []pattern      // String*, Bool, BinaryEquals
	arns     []arnPattern   // Arn*
	nums     []float64      // Numeric*; NaN for a value that is not a number
	dates    []dateValue    // Date*
	dateOK   []bool         // false for a value that is no date (Parse refuses those; kept for safety)
	prefixes []netip.Prefix // IpAddress; invalid prefixes never match
	nulls    []bool         // Null: true = "key must be absent"
}

func compileCondition(c Condition, vars bool) ccond {
	set, base, ifExists := splitOperator(c.Operator)
	cc := ccond{ifExists: ifExists, key: strings.ToLower(c.Key), rawKey: c.Key}
	switch set {
	case "ForAnyValue":
		cc.set = setAny
	case "ForAllValues":
		cc.set = setAll
	}
	switch base {
	case "StringEquals", "StringNotEquals":
		cc.family, cc.negated = opString, base == "StringNotEquals"
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		cc.family, cc.negated = opStringIC, base == "StringNotEqualsIgnoreCase"
	case "StringLike", "StringNotLike":
		cc.family, cc.negated = opStringLike, base == "StringNotLike"
	case "Bool":
		cc.family = opBool
	case "BinaryEquals":
		cc.family = opBinary
	case "IpAddress", "NotIpAddress":
		cc.family, cc.negated = opIP, base == "NotIpAddress"
	case "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike":
		cc.family, cc.negated = opARN, base == "ArnNotEquals" || base == "ArnNotLike"
	case "Null":
		cc.family = opNull
	default:
		if n, ok := strings.CutPrefix(base, "Numeric"); ok {
			cc.family = opNumeric
			cc.cmp, cc.negated = cmpFromName(n)
		} else if n, ok := strings.CutPrefix(base, "Date"); ok {
			cc.family = opDate
			cc.cmp, cc.negated = cmpFromName(n)
		}
	}
	for _, v := range c.Values {
		switch cc.family {
		case opString, opStringIC:
			cc.pats = append(cc.pats, compilePattern(v, false, vars))
		case opStringLike:
			cc.pats = append(cc.pats, compilePattern(v, true, vars))
		case opBool:
			cc.pats = append(cc.pats, compilePattern(v, false, vars))
		case opBinary:
			cc.pats = append(cc.pats, compilePattern(v, false, false))
		case opARN:
			cc.arns = append(cc.arns, compileARN(v, vars))
		case opNumeric:
			f, ok := parseNumber(v)
			if !ok {
				f = nan
			}
			cc.nums = append(cc.nums, f)
		case opDate:
			d, ok := parseDate(v)
			cc.dates, cc.dateOK = append(cc.dates, d), append(cc.dateOK, ok)
		case opIP:
			cc.prefixes = append(cc.prefixes, parsePrefix(v))
		case opNull:
			cc.nulls = append(cc.nulls, strings.EqualFold(v, "true"))
		}
	}
	return cc
}

var nan = func() float64 { z := 0.0; return z / z }()

func cmpFromName(n string) (cmpKind, bool) {
	switch n {
	case "Equals":
		return cmpEq, false
	case "NotEquals":
		return cmpEq, true
	case "LessThan":
		return cmpLt, false
	case "LessThanEquals":
		return cmpLe, false
	case "GreaterThan":
		return cmpGt, false
	case "GreaterThanEquals":
		return cmpGe, false
	}
	return cmpEq, false
}

func parsePrefix(v string) netip.Prefix {
	v = strings.TrimSpace(v)
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return netip.Prefix{}
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked()
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen())
}

// matchOne reports whether one request value matches any of the condition's policy
// values under the positive form of the operator. A policy value whose variable
// has no value is effectively null and matches nothing (IAM User Guide, "Policy
// variables with no value"), so the negated operators, which require that no
// value match, are then true.
func (c *ccond) matchOne(v string, r resolver) bool {
	switch c.family {
	case opString, opBinary:
		return anyPattern(c.pats, v, false, r)
	case opStringIC, opBool:
		return anyPattern(c.pats, v, true, r)
	case opStringLike:
		return anyPattern(c.pats, v, false, r)
	case opARN:
		for i := range c.arns {
			if m, _ := c.arns[i].match(v, r); m {
				return true
			}
		}
		return false
	case opNumeric:
		f, ok := parseNumber(v)
		if !ok {
			return false
		}
		for _, p := range c.nums {
			if compare(f, p, c.cmp) {
				return true
			}
		}
		return false
	case opDate:
		d, ok := parseDate(v)
		if !ok {
			return false
		}
		for i, p := range c.dates {
			if c.dateOK[i] && compare(d.cmp(p), 0, c.cmp) {
				return true
			}
		}
		return false
	case opIP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, p := range c.prefixes {
			if p.IsValid() && p.Contains(a) {
				return true
			}
		}
		return false
	}
	return false
}

// anyPattern reports whether v matches one of pats; a pattern with an unresolved
// variable matches nothing.
func anyPattern(pats []pattern, v string, fold bool, r resolver) bool {
	for i := range pats {
		if m, _ := pats[i].match(v, fold, r); m {
			return true
		}
	}
	return false
}

// noteVars resolves every variable of the condition's values, so those the
// request lacks are reported as missing context keys.
func (c *ccond) noteVars(r resolver) {
	for i := range c.pats {
		if c.pats[i].vars {
			c.pats[i].resolvable(r)
		}
	}
	for i := range c.arns {
		if c.arns[i].vars {
			if c.arns[i].whole {
				c.arns[i].all.resolvable(r)
			} else {
				c.arns[i].resolvable(r)
			}
		}
	}
}

// nullSet reports whether request values resolve to a null data set: none, or
// only empty strings (IAM User Guide, "Single-valued vs. multivalued context keys":
// ForAllValues "also returns true if there are no keys in the request, or if the
// key values resolve to a null data set, such as an empty string"; ForAnyValue
// returns false "for no matching key or a null dataset").
func nullSet(vals []string) bool {
	for _, v := range vals {
		if v != "" {
			return false
		}
	}
	return true
}

func compare[T int64 | float64](a, b T, k cmpKind) bool {
	switch k {
	case cmpLt:
		return a < b
	case cmpLe:
		return a <= b
	case cmpGt:
		return a > b
	case cmpGe:
		return a >= b
	}
	return a == b
}

// eval applies the operator to the request's values (IAM User Guide, "Condition
// operators" and "Single-valued vs. multivalued context keys"):
//   - a missing key fails a positive operator and satisfies a negated one, except
//     that ...IfExists is then true and Null tests presence itself;
//   - ForAllValues is true for a missing key or a null data set (no values, or
//     only empty strings), ForAnyValue false;
//   - several policy values are ORed; under a negated operator a request value
//     must match none of them (NOR);
//   - a policy value holding a variable the request has no value for matches
//     nothing ("Policy variables with no value"): positive operators fail on it,
//     negated ones succeed;
//   - without a set qualifier, several request values behave like ForAnyValue
//     for positive operators and must all miss for negated ones.
//
// present tells whether the key was in the request.
func (c *ccond) eval(vals []string, present bool, r resolver) bool {
	if c.family == opNull {
		absent := !present || len(vals) == 0
		for _, want := range c.nulls {
			if want == absent {
				return true
			}
		}
		return false
	}
	if !present || len(vals) == 0 || (c.set != setNone && nullSet(vals)) {
		switch {
		case c.ifExists:
			return true
		case c.set == setAll:
			return true
		case c.set == setAny:
			return false
		}
		// Variables are still resolved, so the ones the request lacks are
		// reported as missing.
		c.noteVars(r)
		return c.negated
	}
	switch c.set {
	case setAll:
		for _, v := range vals {
			if c.matchOne(v, r) == c.negated {
				return false
			}
		}
		return true
	case setAny:
		for _, v := range vals {
			if c.matchOne(v, r) != c.negated {
				return true
			}
		}
		return false
	}
	any := false
	for _, v := range vals {
		if c.matchOne(v, r) {
			any = true
			break
		}
	}
	return any != c.negated
}
