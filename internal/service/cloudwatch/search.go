package cloudwatch

import (
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	api "github.com/palisade/palisade/internal/api/cloudwatch"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

// SEARCH(' {Namespace,Dim,...} terms ', 'Statistic', Period) of GetMetricData's
// metric math: the metrics of the account and Region that the search selects, one
// labelled series each. Behaviour is AWS's as recorded in 2026 (metric_search.json,
// radkawar/stackd) where the recording shows it, and the User Guide's "CloudWatch
// search expression syntax" elsewhere.

// maxSearchSeries is the User Guide's limit of time series one SEARCH returns.
const maxSearchSeries = 500

// searchError is an answer AWS gives in its own words; prefixed ones start with
// "Error in expression 'id': ".
type searchError struct {
	msg      string
	prefixed bool
}

func (e *searchError) Error() string { return e.msg }

func prefixedErr(msg string) error { return &searchError{msg: msg, prefixed: true} }

// mathSearch is a SEARCH call; its series are read by resolveSearches before the
// expression is evaluated.
type mathSearch struct {
	body   string
	query  searchNode
	schema *searchSchema
	stat   string
	period int64 // 0: the query's Period
	used   int64 // the period read: period, or the query's
	result *series
}

func (m *mathSearch) eval(map[string]*series) (*series, error) {
	if m.result == nil {
		return nil, errors.New("SEARCH was not resolved")
	}
	return m.result, nil
}

// searchArgs parses SEARCH's arguments after its "(": single-quoted strings and
// numbers. AWS names the types it got when they are not [String, String] or
// [String, String, Scalar] (recorded: '[]', '[String]', '[String, String, String]',
// '[String, String, Scalar, Scalar]').
func (p *mathParser) search() (mathExpr, error) {
	var strs []string
	var nums []float64
	var types []string
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
	} else {
		for {
			p.space()
			if p.i >= len(p.s) {
				return nil, prefixedErr("Invalid syntax")
			}
			switch c := p.s[p.i]; {
			case c == '\'':
				s, ok := p.quoted()
				if !ok {
					return nil, prefixedErr("Invalid syntax")
				}
				strs = append(strs, s)
				types = append(types, "String")
			case c == '-' || c == '.' || c >= '0' && c <= '9':
				j := p.i + 1
				for j < len(p.s) && (p.s[j] >= '0' && p.s[j] <= '9' || p.s[j] == '.') {
					j++
				}
				f, err := strconv.ParseFloat(p.s[p.i:j], 64)
				if err != nil {
					return nil, prefixedErr("Invalid syntax")
				}
				p.i = j
				nums = append(nums, f)
				types = append(types, "Scalar")
			default:
				return nil, prefixedErr("Invalid syntax")
			}
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == ')' {
				p.i++
				break
			}
			// A quote inside the search string ends it early, as in
			// :aws.AccountId='LOCAL' (recorded: "Invalid syntax").
			return nil, prefixedErr("Invalid syntax")
		}
	}
	sig := strings.Join(types, ", ")
	if sig != "String, String" && sig != "String, String, Scalar" {
		return nil, prefixedErr("Unsupported operand type(s) for SEARCH: '[" + sig + "]'")
	}
	m := &mathSearch{body: strs[0], stat: strs[1]}
	if len(nums) == 1 {
		// AWS drops a period's fraction and then checks it as MetricStat's Period,
		// in its own wording: 0.5 "must not equal 0", 1.5 and 5.5 answered as 1 and
		// 5, 2 and 59.5 "must be a value in the set [ 1, 5, 10, 20, 30 ]", 61.5
		// and 119.9 "must be a multiple of 60", 60.5 and 120.5 answered as 60 and
		// 120 (recorded, 2026: metric_search_windows.json, fraction-*). A period
		// beyond an int32 is refused as not a multiple of 60 (inferred).
		n := nums[0]
		if n < 0 {
			return nil, &searchError{msg: "SEARCH arguments must be '[String, String, Positive Number]'"}
		}
		p := int64(n)
		switch {
		case n > math.MaxInt32:
			return nil, prefixedErr("The parameter Period must be a multiple of 60.\n")
		case p == 0:
			return nil, prefixedErr("The parameter Period must not equal 0.\n")
		case p < 60 && p != 1 && p != 5 && p != 10 && p != 20 && p != 30:
			return nil, prefixedErr("The parameter Period must be a value in the set [ 1, 5, 10, 20, 30 ].\n")
		case p >= 60 && p%60 != 0:
			return nil, prefixedErr("The parameter Period must be a multiple of 60.\n")
		}
		m.period = p
	}
	if !validStat(m.stat) {
		return nil, prefixedErr("The value for parameter Stat is not a valid statistic.\n")
	}
	invalid := &searchError{msg: "Invalid SEARCH parameter: " + m.body}
	sp := &searchParser{s: m.body}
	sp.space()
	if sp.i < len(sp.s) && sp.s[sp.i] == '{' {
		schema, ok := sp.schema()
		if !ok {
			return nil, invalid
		}
		m.schema = schema
	}
	sp.space()
	if sp.i < len(sp.s) {
		q, ok := sp.or()
		sp.space()
		if !ok || sp.i != len(sp.s) {
			return nil, invalid
		}
		m.query = q
	}
	return m, nil
}

// quoted reads a single-quoted string; \' stands for a quote, and other backslashes
// are kept for the search's own parser.
func (p *mathParser) quoted() (string, bool) {
	var b strings.Builder
	for j := p.i + 1; j < len(p.s); j++ {
		switch c := p.s[j]; c {
		case '\\':
			if j+1 < len(p.s) && p.s[j+1] == '\'' {
				b.WriteByte('\'')
			} else if j+1 < len(p.s) {
				b.WriteByte('\\')
				b.WriteByte(p.s[j+1])
			}
			j++
		case '\'':
			p.i = j + 1
			return b.String(), true
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}

type searchSchema struct {
	namespace string
	dims      []string // sorted
}

// searchNode decides whether a metric is selected.
type searchNode interface {
	match(m *metricRec, account string) bool
}

type searchAnd struct{ l, r searchNode }
type searchOr struct{ l, r searchNode }
type searchNot struct{ n searchNode }

// searchTerm is a term, with a designator (Namespace, MetricName, :aws.AccountId or
// a dimension name) or without; quoted terms match exactly and case-sensitively,
// others by token.
type searchTerm struct {
	designator string
	value      string
	exact      bool
}

func (n searchAnd) match(m *metricRec, a string) bool { return n.l.match(m, a) && n.r.match(m, a) }
func (n searchOr) match(m *metricRec, a string) bool  { return n.l.match(m, a) || n.r.match(m, a) }
func (n searchNot) match(m *metricRec, a string) bool { return !n.n.match(m, a) }

func (t searchTerm) match(m *metricRec, account string) bool {
	is := func(s string) bool {
		if t.exact {
			return s == t.value
		}
		return tokenMatch(s, t.value)
	}
	switch t.designator {
	case "":
		if is(m.Namespace) || is(m.Name) {
			return true
		}
		for _, d := range m.Dimensions {
			if is(d.Name) || is(d.Value) {
				return true
			}
		}
		return false
	case "Namespace":
		return is(m.Namespace)
	case "MetricName":
		return is(m.Name)
	case ":aws.AccountId":
		// No account is linked to this one: only its own ID selects anything
		// (recorded: 111122223333 selected nothing).
		return t.value == account
	}
	for _, d := range m.Dimensions {
		if d.Name == t.designator && is(d.Value) {
			return true
		}
	}
	return false
}

type searchParser struct {
	s string
	i int
}

func (p *searchParser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *searchParser) schema() (*searchSchema, bool) {
	p.i++ // {
	var names []string
	for {
		p.space()
		name, ok := p.name(",}")
		if !ok {
			return nil, false
		}
		names = append(names, name)
		p.space()
		if p.i >= len(p.s) {
			return nil, false
		}
		c := p.s[p.i]
		p.i++
		if c == '}' {
			break
		}
	}
	dims := append([]string(nil), names[1:]...)
	sort.Strings(dims)
	return &searchSchema{namespace: names[0], dims: dims}, true
}

// name reads a double-quoted string (with backslash escapes) or a bare word that
// ends at a space or one of stops.
func (p *searchParser) name(stops string) (string, bool) {
	if p.i < len(p.s) && p.s[p.i] == '"' {
		var b strings.Builder
		for j := p.i + 1; j < len(p.s); j++ {
			switch c := p.s[j]; c {
			case '\\':
				if j+1 < len(p.s) {
					j++
					b.WriteByte(p.s[j])
				}
			case '"':
				p.i = j + 1
				return b.String(), true
			default:
				b.WriteByte(c)
			}
		}
		return "", false
	}
	j := p.i
	for j < len(p.s) && p.s[j] != ' ' && p.s[j] != '"' && !strings.ContainsRune(stops, rune(p.s[j])) {
		j++
	}
	if j == p.i {
		return "", false
	}
	w := p.s[p.i:j]
	p.i = j
	return w, true
}

func (p *searchParser) keyword(k string) bool {
	if strings.HasPrefix(p.s[p.i:], k) {
		end := p.i + len(k)
		if end == len(p.s) || p.s[end] == ' ' || p.s[end] == '(' || p.s[end] == ')' {
			p.i = end
			return true
		}
	}
	return false
}

func (p *searchParser) or() (searchNode, bool) {
	l, ok := p.and()
	for ok {
		p.space()
		if !p.keyword("OR") {
			return l, true
		}
		var r searchNode
		if r, ok = p.and(); ok {
			l = searchOr{l, r}
		}
	}
	return nil, false
}

// and joins terms written one after another (an implicit AND) or with AND, which
// binds tighter than OR (recorded: A OR B AND C selected A and B-and-C).
func (p *searchParser) and() (searchNode, bool) {
	l, ok := p.not()
	for ok {
		p.space()
		if p.i >= len(p.s) || p.s[p.i] == ')' || strings.HasPrefix(p.s[p.i:], "OR") && p.peekKeyword("OR") {
			return l, true
		}
		p.keyword("AND")
		var r searchNode
		if r, ok = p.not(); ok {
			l = searchAnd{l, r}
		}
	}
	return nil, false
}

func (p *searchParser) peekKeyword(k string) bool {
	i := p.i
	ok := p.keyword(k)
	p.i = i
	return ok
}

func (p *searchParser) not() (searchNode, bool) {
	p.space()
	if p.keyword("NOT") {
		n, ok := p.not()
		return searchNot{n}, ok
	}
	return p.primary()
}

func (p *searchParser) primary() (searchNode, bool) {
	p.space()
	if p.i >= len(p.s) {
		return nil, false
	}
	if p.s[p.i] == '(' {
		p.i++
		n, ok := p.or()
		p.space()
		if !ok || p.i >= len(p.s) || p.s[p.i] != ')' {
			return nil, false
		}
		p.i++
		return n, true
	}
	if p.s[p.i] == ')' || p.s[p.i] == '=' {
		return nil, false
	}
	exact := p.s[p.i] == '"'
	w, ok := p.name("()=")
	if !ok {
		return nil, false
	}
	if p.i < len(p.s) && p.s[p.i] == '=' {
		p.i++
		if p.i >= len(p.s) || p.s[p.i] == ' ' || p.s[p.i] == '=' || p.s[p.i] == '(' || p.s[p.i] == ')' {
			return nil, false
		}
		exact = p.s[p.i] == '"'
		v, ok := p.name("()=")
		if !ok {
			return nil, false
		}
		return searchTerm{designator: w, value: v, exact: exact}, true
	}
	return searchTerm{value: w, exact: exact}, true
}

// tokenMatch is a partial match: every word of the term (split at punctuation) must
// match a run of the tokens of one word of s, where words split at case changes and
// between letters and digits, and a term's token may span several adjacent tokens
// of s, case aside. So "count", "COUNT" and "customcount" select CustomCount1 and
// "couNT" or "33" selects nothing (recorded).
func tokenMatch(s, term string) bool {
	words := splitWords(s)
	for _, tw := range splitWords(term) {
		q := camelParts(tw)
		found := false
		for _, w := range words {
			if partsMatch(camelParts(w), q) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// camelParts splits a word into lower-cased tokens: "SDBFailure" into sdb and
// failure, "CustomCount1" into custom, count and 1.
func camelParts(w string) []string {
	rs := []rune(w)
	var out []string
	start := 0
	kind := func(r rune) int {
		switch {
		case unicode.IsDigit(r):
			return 0
		case unicode.IsUpper(r):
			return 1
		}
		return 2
	}
	for i := 1; i < len(rs); i++ {
		a, b := kind(rs[i-1]), kind(rs[i])
		split := a == 0 && b != 0 || a != 0 && b == 0 || a == 2 && b == 1 ||
			a == 1 && b == 1 && i+1 < len(rs) && kind(rs[i+1]) == 2
		if split {
			out = append(out, strings.ToLower(string(rs[start:i])))
			start = i
		}
	}
	return append(out, strings.ToLower(string(rs[start:])))
}

// partsMatch: q, in order, spells a run of adjacent parts of p, each of q's tokens
// being one or more whole parts.
func partsMatch(p, q []string) bool {
	var from func(i, k int) bool
	from = func(i, k int) bool {
		if k == len(q) {
			return true
		}
		acc := ""
		for j := i; j < len(p); j++ {
			acc += p[j]
			if len(acc) > len(q[k]) || !strings.HasPrefix(q[k], acc) {
				return false
			}
			if acc == q[k] && from(j+1, k+1) {
				return true
			}
		}
		return false
	}
	for i := range p {
		if from(i, 0) {
			return true
		}
	}
	return false
}

// resolveSearches reads the series of every SEARCH in e.
func resolveSearches(e mathExpr, fn func(*mathSearch) error) error {
	switch x := e.(type) {
	case *mathSearch:
		return fn(x)
	case *mathBin:
		if err := resolveSearches(x.l, fn); err != nil {
			return err
		}
		return resolveSearches(x.r, fn)
	case *mathAgg:
		for _, a := range x.args {
			if err := resolveSearches(a, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasSearch(e mathExpr) bool {
	found := false
	_ = resolveSearches(e, func(*mathSearch) error { found = true; return nil })
	return found
}

// runSearch selects the metrics of the account and Region put in the last two weeks
// that m's schema and terms select, and reads each with m's statistic and period.
func runSearch(tx *store.Tx, account, region string, m *mathSearch, queryPeriod int64, start, end, now time.Time) (*series, error) {
	period := m.period
	if period == 0 {
		period = queryPeriod
	}
	if period == 0 {
		// Recorded, without the "Error in expression" prefix.
		return nil, validationError("Period is a required field when using SEARCH function within an expression")
	}
	m.used = period
	var picked []*metricRec
	since := now.Add(-maxAge).UnixMilli()
	err := tx.Scan(ns(account, region, tMetrics), "", 0, func(_ string, v []byte) bool {
		rec := &metricRec{}
		if decode(v, rec) != nil || rec.LastPut < since {
			return true
		}
		if s := m.schema; s != nil {
			if rec.Namespace != s.namespace || len(rec.Dimensions) != len(s.dims) {
				return true
			}
			for i, d := range sortDims(rec.Dimensions) {
				if d.Name != s.dims[i] {
					return true
				}
			}
		}
		if m.query != nil && !m.query.match(rec, account) {
			return true
		}
		picked = append(picked, rec)
		return true
	})
	if err != nil {
		return nil, err
	}
	labels := autoLabels(picked)
	order := make([]int, len(picked))
	for i := range order {
		order[i] = i
	}
	keys := make([]string, len(picked))
	for i, r := range picked {
		keys[i] = metricKey(r.Namespace, r.Name, r.Dimensions)
	}
	// AWS orders the series by label (recorded); ties by the metric's identity are
	// inferred.
	sort.SliceStable(order, func(a, b int) bool {
		ia, ib := order[a], order[b]
		if labels[ia] != labels[ib] {
			return labels[ia] < labels[ib]
		}
		return keys[ia] < keys[ib]
	})
	out := &series{search: true}
	for n, i := range order {
		if n == maxSearchSeries {
			out.exceeded = true
			break
		}
		r := picked[i]
		ms := &api.MetricStat{Metric: &api.Metric{Namespace: svckit.Ptr(r.Namespace), MetricName: svckit.Ptr(r.Name), Dimensions: r.Dimensions},
			Period: int32(period), Stat: m.stat}
		s, err := metricSeries(tx, account, region, ms, start, end, now, false)
		if err != nil {
			return nil, err
		}
		s.label, s.metric = labels[i], r
		out.group = append(out.group, s)
	}
	return out, nil
}

// autoLabels labels metrics by what tells them apart: the namespace, the dimension
// values in order of dimension name, then the metric name, leaving out what every
// metric shares: the namespace, the metric name, and a dimension all have with one
// value. A label left empty is the metric name (recorded, 2026: metric_search.json,
// "blue Project2-trial333 CustomCount1", and "blue" and "CustomCount1" when only
// CustomCount1 with ServiceName=Project2-trial333 was selected; metric_labels.json,
// "Stackd/NativeStatistics/owned AllZero", "a1 z1" for Zebra=z1 and Alpha=a1).
func autoLabels(ms []*metricRec) []string {
	sameName, sameNS := true, true
	common := map[string]string{}
	for i, m := range ms {
		sameName = sameName && m.Name == ms[0].Name
		sameNS = sameNS && m.Namespace == ms[0].Namespace
		have := map[string]string{}
		for _, d := range m.Dimensions {
			have[d.Name] = d.Value
		}
		if i == 0 {
			common = have
			continue
		}
		for k, v := range common {
			if w, ok := have[k]; !ok || w != v {
				delete(common, k)
			}
		}
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		var parts []string
		if !sameNS {
			parts = append(parts, m.Namespace)
		}
		for _, d := range sortDims(m.Dimensions) {
			if _, ok := common[d.Name]; !ok {
				parts = append(parts, d.Value)
			}
		}
		if !sameName {
			parts = append(parts, m.Name)
		}
		out[i] = strings.Join(parts, " ")
		if out[i] == "" {
			out[i] = m.Name
		}
	}
	return out
}
