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

// parsePrefix reads an IpAddress value; one IAM cannot read never matches (the
// zero Prefix is not valid).
func parsePrefix(v string) netip.Prefix {
	p, ok := parsePolicyIP(strings.TrimSpace(v))
	if !ok {
		return netip.Prefix{}
	}
	return p
}

// outcome of comparing one request value with a condition's policy values.
type valueOutcome uint8

const (
	vNoMatch valueOutcome = iota
	vMatch
	// vIncomparable: the request value is not of the operator's type (an IP or
	// ARN condition given something else); it satisfies neither the operator nor
	// its negation (IpAddress and NotIpAddress, ArnLike and ArnNotLike are both
	// false, as AWS was recorded answering in radkawar/stackd
	// testdata/aws/iam/condition_ip.json and condition_values.json).
	vIncomparable
	// vError: a policy value reached before any match is not of the operator's
	// type (an ARN condition value that is no ARN): the statement errs, which
	// AWS resolves against the caller (an Allow does not apply, a Deny does;
	// condition_values.json).
	vError
)

// test compares one request value with the condition's policy values under the
// positive form of the operator. A policy value whose variable has no value is
// effectively null and matches nothing (IAM User Guide, "Policy variables with no
// value"), so the negated operators, which require that no value match, are then
// true.
func (c *ccond) test(v string, r resolver) valueOutcome {
	switch c.family {
	case opString, opBinary, opStringLike:
		return matchOutcome(anyPattern(c.pats, v, false, r))
	case opStringIC:
		lv := javaLower(v)
		for i := range c.pats {
			if pv, ok := c.pats[i].resolve(r); ok && javaLower(pv) == lv {
				return vMatch
			}
		}
		return vNoMatch
	case opBool:
		// Both sides are read as Java's Boolean.parseBoolean reads them: "true" in
		// any case is true, anything else false ("yes" equals "false";
		// condition_values.json).
		b := strings.EqualFold(v, "true")
		for i := range c.pats {
			if pv, ok := c.pats[i].resolve(r); ok && strings.EqualFold(pv, "true") == b {
				return vMatch
			}
		}
		return vNoMatch
	case opARN:
		if !arnShaped(v) {
			return vIncomparable
		}
		for i := range c.arns {
			m, bad := c.arns[i].matchValue(v, r)
			if bad {
				return vError
			}
			if m {
				return vMatch
			}
		}
		return vNoMatch
	case opNumeric:
		f, ok := parseNumber(v)
		if !ok {
			return vNoMatch
		}
		for _, p := range c.nums {
			if compare(f, p, c.cmp) {
				return vMatch
			}
		}
		return vNoMatch
	case opDate:
		d, ok := parseDate(v)
		if !ok {
			return vNoMatch
		}
		for i, p := range c.dates {
			if c.dateOK[i] && compare(d.cmp(p), 0, c.cmp) {
				return vMatch
			}
		}
		return vNoMatch
	case opIP:
		a, ok := parseRequestIP(v)
		if !ok {
			return vIncomparable
		}
		for _, p := range c.prefixes {
			if p.IsValid() && p.Contains(a) {
				return vMatch
			}
		}
		return vNoMatch
	}
	return vNoMatch
}

func matchOutcome(m bool) valueOutcome {
	if m {
		return vMatch
	}
	return vNoMatch
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
//   - ForAllValues is true for a missing key or a null data set, ForAnyValue
//     false: no values, or a multivalued key's empty strings ("such as an empty
//     string"); a single-valued key's empty string is a value like any other (AWS
//     was recorded matching ForAnyValue:StringEquals "" and failing
//     ForAllValues:StringEquals "capture" against a tag whose value is "";
//     radkawar/stackd testdata/aws/iam/condition_sets.json);
//   - several policy values are ORed; under a negated operator a request value
//     must match none of them (NOR);
//   - a policy value holding a variable the request has no value for matches
//     nothing ("Policy variables with no value"): positive operators fail on it,
//     negated ones succeed;
//   - an operator without ForAllValues/ForAnyValue on aws:TagKeys is false
//     whatever the values, negated or not (condition_sets.json: StringEquals,
//     StringNotEquals and their IfExists forms on aws:TagKeys never held when tags
//     were sent; other multivalued keys were not recorded and keep the rule
//     below);
//   - without a set qualifier, several request values of a single-valued key
//     behave like ForAnyValue for positive operators and must all miss for
//     negated ones.
//
// present tells whether the key was in the request. errs is true when the
// condition could not be evaluated (see vError); ok is then meaningless.
func (c *ccond) eval(vals []string, present bool, r resolver) (ok, errs bool) {
	if c.family == opNull {
		absent := !present || len(vals) == 0
		for _, want := range c.nulls {
			if want == absent {
				return true, false
			}
		}
		return false, false
	}
	if !present || len(vals) == 0 || (c.set != setNone && multiValued(c.key) && allEmpty(vals)) {
		switch {
		case c.ifExists:
			return true, false
		case c.set == setAll:
			return true, false
		case c.set == setAny:
			return false, false
		}
		// Variables are still resolved, so the ones the request lacks are
		// reported as missing.
		c.noteVars(r)
		return c.negated, false
	}
	if c.set == setNone && c.key == "aws:tagkeys" {
		return false, false
	}
	// want is the outcome a value needs for the (possibly negated) operator to hold.
	want := vMatch
	if c.negated {
		want = vNoMatch
	}
	switch c.set {
	case setAll:
		for _, v := range vals {
			switch c.test(v, r) {
			case vError:
				return false, true
			case want:
			default:
				return false, false
			}
		}
		return true, false
	case setAny:
		for _, v := range vals {
			switch c.test(v, r) {
			case vError:
				return false, true
			case want:
				return true, false
			}
		}
		return false, false
	}
	if !c.negated {
		for _, v := range vals {
			switch c.test(v, r) {
			case vError:
				return false, true
			case vMatch:
				return true, false
			}
		}
		return false, false
	}
	for _, v := range vals {
		switch c.test(v, r) {
		case vError:
			return false, true
		case vNoMatch:
		default:
			return false, false
		}
	}
	return true, false
}

// multiValued reports the global condition keys that are multivalued (IAM User
// Guide, "AWS global condition context keys": type ArrayOfString).
func multiValued(key string) bool {
	switch key {
	case "aws:tagkeys", "aws:calledvia", "aws:principalorgpaths", "aws:resourceorgpaths",
		"aws:principalservicenameslist", "aws:sourceorgpaths":
		return true
	}
	return false
}

func allEmpty(vals []string) bool {
	for _, v := range vals {
		if v != "" {
			return false
		}
	}
	return true
}
