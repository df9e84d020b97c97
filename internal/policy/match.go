package policy

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

type segKind uint8

const (
	segLit   segKind = iota // text matches itself
	segStar                 // * : any run of characters
	segQuest                // ? : exactly one character
	segVar                  // ${key} or ${key, 'default'}: resolved per request, matches literally
)

type seg struct {
	kind   segKind
	text   string // literal text, or the variable's key in lower case
	def    string
	hasDef bool
}

type patKind uint8

const (
	patGeneral patKind = iota
	patAny             // "*"
	patLiteral         // no wildcard, no variable
	patPrefix          // literal followed by a single trailing "*"
)

// pattern is a compiled string pattern: wildcards and policy variables are found
// once at load time, so matching a request walks a few segments and never
// allocates. Literal "*" produced by ${*} stays a literal segment, which is why the
// pattern is kept as segments rather than re-expanded into a string.
type pattern struct {
	kind patKind
	lit  string
	segs []seg
	vars bool
}

// resolver supplies values of policy variables; ok is false when the request has
// no value for the key.
type resolver interface {
	resolveVar(key string) (string, bool)
}

// compilePattern parses s. With wild, * and ? are wildcards; with vars, ${...} is a
// policy variable (only in 2012-10-17 documents).
func compilePattern(s string, wild, vars bool) pattern {
	var segs []seg
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			segs = append(segs, seg{kind: segLit, text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case wild && c == '*':
			flush()
			if n := len(segs); n == 0 || segs[n-1].kind != segStar {
				segs = append(segs, seg{kind: segStar})
			}
			i++
		case wild && c == '?':
			flush()
			segs = append(segs, seg{kind: segQuest})
			i++
		case vars && c == '$' && strings.HasPrefix(s[i:], "${"):
			if v, n, ok := parseVariable(s[i:]); ok {
				if v.kind == segLit {
					lit.WriteString(v.text)
				} else {
					flush()
					segs = append(segs, v)
				}
				i += n
				continue
			}
			lit.WriteByte(c)
			i++
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	p := pattern{segs: segs}
	for _, sg := range segs {
		if sg.kind == segVar {
			p.vars = true
		}
	}
	switch {
	case len(segs) == 0:
		p.kind = patLiteral
	case len(segs) == 1 && segs[0].kind == segStar:
		p.kind = patAny
	case len(segs) == 1 && segs[0].kind == segLit:
		p.kind, p.lit = patLiteral, segs[0].text
	case len(segs) == 2 && segs[0].kind == segLit && segs[1].kind == segStar:
		p.kind, p.lit = patPrefix, segs[0].text
	}
	return p
}

// parseVariable reads "${...}" at the start of s and returns the segment and its
// length. ${*}, ${?} and ${$} stand for the literal characters; otherwise the
// content is a key, optionally followed by ", 'default'" where ” is a quote.
// Anything malformed is not a variable and is matched literally.
func parseVariable(s string) (seg, int, bool) {
	end := -1
	inQuote := false
	for i := 2; i < len(s); i++ {
		switch s[i] {
		case '\'':
			inQuote = !inQuote
		case '}':
			if !inQuote {
				end = i
			}
		}
		if end >= 0 {
			break
		}
	}
	if end < 0 {
		return seg{}, 0, false
	}
	body := strings.TrimSpace(s[2:end])
	switch body {
	case "*", "?", "$":
		return seg{kind: segLit, text: body}, end + 1, true
	}
	key, def, hasDef := strings.Cut(body, ",")
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " \t'${") {
		return seg{}, 0, false
	}
	v := seg{kind: segVar, text: strings.ToLower(key)}
	if hasDef {
		def = strings.TrimSpace(def)
		if len(def) < 2 || def[0] != '\'' || def[len(def)-1] != '\'' {
			return seg{}, 0, false
		}
		inner := def[1 : len(def)-1]
		// A lone quote inside ends the literal early: malformed.
		if strings.Count(strings.ReplaceAll(inner, "''", ""), "'") != 0 {
			return seg{}, 0, false
		}
		v.def, v.hasDef = strings.ReplaceAll(inner, "''", "'"), true
	}
	return v, end + 1, true
}

func (sg *seg) value(r resolver) (string, bool) {
	if sg.kind != segVar {
		return sg.text, true
	}
	// A multivalued key is never a variable: it stands for no value, and its
	// default is not used either (AWS was recorded failing StringEquals
	// "${aws:TagKeys, 'fallback'}" against "fallback"; radkawar/stackd
	// testdata/aws/iam/condition_sets.json).
	if multiValued(sg.text) {
		return "", false
	}
	if v, ok := r.resolveVar(sg.text); ok {
		return v, true
	}
	if sg.hasDef {
		return sg.def, true
	}
	return "", false
}

func hasPrefixAt(s string, i int, t string, fold bool) bool {
	if len(s)-i < len(t) {
		return false
	}
	if fold {
		return strings.EqualFold(s[i:i+len(t)], t)
	}
	return s[i:i+len(t)] == t
}

// match reports whether s matches the pattern. resolved is false when the pattern
// uses a variable the request has no value for: the value is then effectively null
// and the pattern matches nothing, so callers treat it as a mismatch; negated
// condition operators are then true and a NotResource entry excludes nothing (IAM
// User Guide, "Policy variables with no value").
func (p *pattern) match(s string, fold bool, r resolver) (matched, resolved bool) {
	switch p.kind {
	case patAny:
		return true, true
	case patLiteral:
		if fold {
			return strings.EqualFold(s, p.lit), true
		}
		return s == p.lit, true
	case patPrefix:
		return hasPrefixAt(s, 0, p.lit, fold), true
	}
	if p.vars && !p.resolvable(r) {
		return false, false
	}
	if !fold && hasSupplementary(s) {
		return p.matchUnits(s, r), true
	}
	segs := p.segs
	si, pi := 0, 0
	starPi, starSi := -1, 0
	for {
		if pi < len(segs) {
			sg := &segs[pi]
			switch sg.kind {
			case segStar:
				starPi, starSi = pi, si
				pi++
				continue
			case segQuest:
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					pi++
					continue
				}
			default:
				t, ok := sg.value(r)
				if !ok {
					return false, false
				}
				if hasPrefixAt(s, si, t, fold) {
					si += len(t)
					pi++
					continue
				}
			}
		} else if si == len(s) {
			return true, true
		}
		if starPi < 0 || starSi >= len(s) {
			return false, true
		}
		_, n := utf8.DecodeRuneInString(s[starSi:])
		starSi += n
		pi, si = starPi+1, starSi
	}
}

// arnPattern matches ARNs segment by segment, as ArnLike and the Resource element
// do: a wildcard never crosses one of the first five colons (IAM User Guide,
// "Amazon Resource Name (ARN) condition operators").
type arnPattern struct {
	whole bool // not ARN-shaped: match the whole value as one string
	all   pattern
	parts [6]pattern
	// prefix is "arn:aws:s3:::" when the first five parts are plain text, the
	// common case, so they are compared in one step.
	prefix    string
	hasPrefix bool
	vars      bool
}

// resolvable reports whether every variable of the pattern has a value. It is
// checked before matching, so a variable the request lacks is reported as a
// missing context key even where an earlier part would already have failed to
// match; the pattern then matches nothing.
func (a *arnPattern) resolvable(r resolver) bool {
	for i := range a.parts {
		if a.parts[i].vars && !a.parts[i].resolvable(r) {
			return false
		}
	}
	return true
}

func (p *pattern) resolvable(r resolver) bool {
	for i := range p.segs {
		if _, ok := p.segs[i].value(r); !ok {
			return false
		}
	}
	return true
}

// splitTop splits s at the first n colons that are not inside ${...}.
func splitTop(s string, n int) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s) && len(out) < n; i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
		case s[i] == '}' && depth > 0:
			depth--
		case s[i] == ':' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func compileARN(s string, vars bool) arnPattern {
	parts := splitTop(s, 5)
	if len(parts) < 6 {
		all := compilePattern(s, true, vars)
		return arnPattern{whole: true, all: all, vars: all.vars}
	}
	var a arnPattern
	a.hasPrefix = true
	for i, p := range parts {
		a.parts[i] = compilePattern(p, true, vars)
		if i < 5 && a.parts[i].kind != patLiteral {
			a.hasPrefix = false
		}
		a.vars = a.vars || a.parts[i].vars
	}
	if a.hasPrefix {
		a.prefix = strings.Join(parts[:5], ":") + ":"
	}
	return a
}

func (a *arnPattern) match(s string, r resolver) (matched, resolved bool) {
	if a.whole {
		return a.all.match(s, false, r)
	}
	if a.vars && !a.resolvable(r) {
		return false, false
	}
	if a.hasPrefix {
		if !strings.HasPrefix(s, a.prefix) {
			return false, true
		}
		return a.parts[5].match(s[len(a.prefix):], false, r)
	}
	rest := s
	for i := 0; i < 6; i++ {
		part := rest
		if i < 5 {
			j := strings.IndexByte(rest, ':')
			if j < 0 {
				return false, true
			}
			part, rest = rest[:j], rest[j+1:]
		}
		m, ok := a.parts[i].match(part, false, r)
		if !ok {
			return false, false
		}
		if !m {
			return false, true
		}
	}
	return true, true
}

// resolve returns the text of a pattern without wildcards, its variables
// substituted; ok is false when one has no value.
func (p *pattern) resolve(r resolver) (string, bool) {
	switch p.kind {
	case patLiteral:
		return p.lit, true
	}
	var b strings.Builder
	for i := range p.segs {
		sg := &p.segs[i]
		switch sg.kind {
		case segStar:
			b.WriteByte('*')
		case segQuest:
			b.WriteByte('?')
		default:
			t, ok := sg.value(r)
			if !ok {
				return "", false
			}
			b.WriteString(t)
		}
	}
	return b.String(), true
}

// arnShaped reports whether a request value can be compared by an ARN operator: it
// has the six colon-separated parts of an ARN.
func arnShaped(s string) bool {
	return strings.Count(s, ":") >= 5
}

// arnValue reports whether an ARN condition's policy value is one IAM can read:
// six colon-separated parts, or a pattern with a wildcard (such as "*") that
// matches the whole value. "not-an-arn" is neither: IAM refuses to store it, and a
// session policy holding it errs when evaluated (radkawar/stackd
// testdata/aws/iam/condition_values.json).
func arnValue(s string) bool {
	return len(splitTop(s, 5)) == 6 || strings.ContainsAny(s, "*?")
}

// matchValue is match for ARN condition operators. bad is true when the value,
// once its variables are substituted, is no ARN pattern (see arnValue).
func (a *arnPattern) matchValue(s string, r resolver) (matched, bad bool) {
	if !a.whole {
		m, _ := a.match(s, r)
		return m, false
	}
	if !a.vars {
		if !arnValue(a.all.lit) && a.all.kind == patLiteral {
			return false, true
		}
		m, _ := a.match(s, r)
		return m, false
	}
	text, ok := a.all.resolve(r)
	if !ok {
		return false, false
	}
	if !arnValue(text) {
		return false, true
	}
	resolved := compileARN(text, false)
	m, _ := resolved.match(s, r)
	return m, false
}

// hasSupplementary reports whether s holds a character outside the Basic
// Multilingual Plane (four bytes in UTF-8).
func hasSupplementary(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xF0 {
			return true
		}
	}
	return false
}

// matchUnits matches s counting UTF-16 code units, as IAM does: "?" matches one
// unit, so a character outside the Basic Multilingual Plane needs "??" ("a??b"
// matches "a𐐀b", "a?b" does not; recorded for StringLike and Resource in
// radkawar/stackd testdata/aws/iam/condition_strings.json). Variables are known
// to resolve.
func (p *pattern) matchUnits(s string, r resolver) bool {
	units := utf16.Encode([]rune(s))
	type useg struct {
		kind segKind
		text []uint16
	}
	segs := make([]useg, len(p.segs))
	for i := range p.segs {
		sg := &p.segs[i]
		segs[i].kind = sg.kind
		if sg.kind == segLit || sg.kind == segVar {
			t, _ := sg.value(r)
			segs[i].text = utf16.Encode([]rune(t))
		}
	}
	si, pi := 0, 0
	starPi, starSi := -1, 0
	for {
		if pi < len(segs) {
			sg := &segs[pi]
			switch sg.kind {
			case segStar:
				starPi, starSi = pi, si
				pi++
				continue
			case segQuest:
				if si < len(units) {
					si++
					pi++
					continue
				}
			default:
				if len(units)-si >= len(sg.text) && equalUnits(units[si:si+len(sg.text)], sg.text) {
					si += len(sg.text)
					pi++
					continue
				}
			}
		} else if si == len(units) {
			return true
		}
		if starPi < 0 || starSi >= len(units) {
			return false
		}
		starSi++
		pi, si = starPi+1, starSi
	}
}

func equalUnits(a, b []uint16) bool {
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
