// Package filterpattern is CloudWatch Logs' filter pattern language, the one metric
// filters, subscription filters, FilterLogEvents and Live Tail share: pure Go, no I/O.
//
// Three forms exist, told apart by the first character (AWS, "Filter pattern syntax
// for metric filters, subscription filters, filter log events, and Live Tail"):
//
//   - terms, for unstructured events: `ERROR Exception` (all terms), `?ERROR ?WARN`
//     (any), `ERROR -Exiting` (exclusion), `"exact phrase"`, `%regex%`; terms match
//     anywhere in the message, case-sensitively; an empty pattern matches everything;
//   - JSON, in braces: `{ $.a.b[0] = "x*" && ($.n >= 10 || $.f IS TRUE) }` with
//     `=`/`!=` on strings (leading and trailing `*` wildcards, `%regex%`), the six
//     numeric comparisons, `IS NULL`, `IS TRUE`, `IS FALSE`, `NOT EXISTS`, `&&`, `||`
//     and parentheses (&& binds tighter than ||);
//   - space-delimited, in brackets: `[ip, user, ..., status = 4* && bytes > 1000, size]`,
//     which splits the message on spaces ("..." and [...] are single fields), binds the
//     named fields and checks their conditions; `...` stands for any number of fields.
//
// Parse compiles a pattern once; Pattern.Match and Pattern.Evaluate are then safe for
// concurrent use. Evaluate also returns what metric filters need: the extracted fields
// of a space-delimited pattern, and lookups of `$.selector` / `$field` values for metric
// values and dimensions.
package filterpattern

import (
	"fmt"
	"strings"
)

// Error is a filter pattern AWS would refuse; its message is the one CloudWatch Logs
// puts in InvalidParameterException.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// errInvalid reports why a pattern does not parse. AWS itself answers every such
// pattern with one message ("Invalid metric filter pattern" from PutMetricFilter,
// "Invalid filter pattern" from FilterLogEvents); the service layer uses those and
// keeps this detail for its logs.
func errInvalid(detail string) *Error { return &Error{Msg: detail} }

// Kind is the form of a pattern.
type Kind int

// The forms of a pattern.
const (
	KindTerms Kind = iota
	KindJSON
	KindDelimited
)

// MaxRegex is the number of %regex% a JSON or space-delimited pattern may hold.
const MaxRegex = 2

// Pattern is a compiled filter pattern.
type Pattern struct {
	src   string
	kind  Kind
	terms *termPattern
	json  node
	delim *delimPattern
	regex int
}

// Parse compiles a filter pattern.
func Parse(src string) (*Pattern, error) {
	p := &Pattern{src: src}
	s := strings.TrimSpace(src)
	var err error
	switch {
	case strings.HasPrefix(s, "{"):
		if !strings.HasSuffix(s, "}") {
			return nil, errInvalid("a JSON pattern must end with }")
		}
		p.kind = KindJSON
		p.json, p.regex, err = parseJSON(s[1 : len(s)-1])
	case strings.HasPrefix(s, "["):
		if !strings.HasSuffix(s, "]") {
			return nil, errInvalid("a space-delimited pattern must end with ]")
		}
		p.kind = KindDelimited
		p.delim, err = parseDelimited(s[1 : len(s)-1])
		if err == nil {
			p.regex = p.delim.regex
		}
	default:
		p.kind = KindTerms
		p.terms, err = parseTerms(s)
	}
	if err != nil {
		return nil, err
	}
	if p.kind != KindTerms && p.regex > MaxRegex {
		return nil, errInvalid(fmt.Sprintf("a filter pattern may hold at most %d regular expressions", MaxRegex))
	}
	return p, nil
}

// MustParse is Parse for patterns known to be valid; it panics otherwise.
func MustParse(src string) *Pattern {
	p, err := Parse(src)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the pattern as written.
func (p *Pattern) String() string { return p.src }

// Kind returns the pattern's form.
func (p *Pattern) Kind() Kind { return p.kind }

// RegexCount is the number of %regex% the pattern holds (metric filters count them
// against a per-log-group quota).
func (p *Pattern) RegexCount() int { return p.regex }

// MatchAll reports whether the pattern matches every event (an empty pattern).
func (p *Pattern) MatchAll() bool { return p.kind == KindTerms && p.terms.all }

// Match reports whether a log event message matches the pattern.
func (p *Pattern) Match(msg string) bool {
	switch p.kind {
	case KindTerms:
		return p.terms.match(msg)
	case KindJSON:
		doc, ok := parseDoc(msg)
		return ok && p.json.eval(doc)
	default:
		_, ok := p.delim.match(msg)
		return ok
	}
}

// Result is a successful match, with what metric filters read from it.
type Result struct {
	msg    string
	doc    any
	parsed bool
	// Fields are the values a space-delimited pattern extracted, by "$name" (named
	// fields) and "$N" (1-based position, for unnamed fields and those an ellipsis
	// covered). Empty for other forms, as TestMetricFilter's extractedValues are.
	Fields map[string]string
}

// Evaluate matches a message and, when it matches, returns the extracted values.
func (p *Pattern) Evaluate(msg string) (*Result, bool) {
	switch p.kind {
	case KindTerms:
		if !p.terms.match(msg) {
			return nil, false
		}
		return &Result{msg: msg, Fields: map[string]string{}}, true
	case KindJSON:
		doc, ok := parseDoc(msg)
		if !ok || !p.json.eval(doc) {
			return nil, false
		}
		return &Result{msg: msg, doc: doc, parsed: true, Fields: map[string]string{}}, true
	default:
		fields, ok := p.delim.match(msg)
		if !ok {
			return nil, false
		}
		return &Result{msg: msg, Fields: fields}, true
	}
}

// Lookup resolves a metric value or dimension reference against the matched event:
// "$.a.b[0]" reads the JSON event (it must be a string, number or boolean), "$name"
// or "$3" a space-delimited field. ok is false when the reference resolves to nothing.
func (r *Result) Lookup(ref string) (string, bool) {
	if strings.HasPrefix(ref, "$.") {
		if !r.parsed {
			r.doc, _ = parseDoc(r.msg)
			r.parsed = true
		}
		sel, err := parseSelector(ref)
		if err != nil || r.doc == nil {
			return "", false
		}
		v, ok := sel.resolve(r.doc)
		if !ok {
			return "", false
		}
		s, scalar := scalarText(v)
		return s, scalar
	}
	if v, ok := r.Fields[ref]; ok {
		return v, true
	}
	for k, v := range r.Fields {
		if strings.EqualFold(k, ref) {
			return v, true
		}
	}
	return "", false
}
