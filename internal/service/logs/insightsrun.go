package logs

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// eventRow is an event as a query row; JSON members are flattened on first use, and
// fields made by fields and parse are kept apart.
type eventRow struct {
	ts, ingest int64
	msg        string
	stream     string
	group      string
	ptr        string
	flat       map[string]any
	parsed     bool
	extra      map[string]any
}

func (e *eventRow) get(name string) (any, bool) {
	if v, ok := e.extra[name]; ok {
		return v, true
	}
	switch name {
	case "@timestamp":
		return qtime(e.ts), true
	case "@message":
		return e.msg, true
	case "@logStream":
		return e.stream, true
	case "@log":
		return e.group, true
	case "@ingestionTime":
		return qtime(e.ingest), true
	case "@ptr":
		return e.ptr, true
	}
	if !e.parsed {
		e.parsed = true
		var doc map[string]any
		if err := json.Unmarshal([]byte(e.msg), &doc); err == nil {
			e.flat = map[string]any{}
			flatten("", doc, e.flat)
		}
	}
	v, ok := e.flat[name]
	return v, ok
}

func (e *eventRow) set(name string, v any) {
	if e.extra == nil {
		e.extra = map[string]any{}
	}
	e.extra[name] = v
}

// retain makes the row independent of the chunk buffer it was read from.
func (e *eventRow) retain() {
	e.msg = strings.Clone(e.msg)
	for k, v := range e.extra {
		e.extra[k] = own(v)
	}
}

func flatten(prefix string, v any, out map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			flatten(join(prefix, k), c, out)
		}
	case []any:
		for i, c := range x {
			flatten(join(prefix, strconv.Itoa(i)), c, out)
		}
	default:
		out[prefix] = x
	}
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// mapRow is an aggregated row.
type mapRow map[string]any

func (m mapRow) get(name string) (any, bool) { v, ok := m[name]; return v, ok }
func (m mapRow) set(name string, v any)      { m[name] = v }

// streaming reports whether a stage works on one row at a time.
func streaming(s qstage) bool {
	switch s.(type) {
	case *stFields, *stFilter, *stParse:
		return true
	}
	return false
}

// applyRow runs per-row stages on r and reports whether it passes their filters.
func applyRow(stages []qstage, r qrow) bool {
	for _, s := range stages {
		switch st := s.(type) {
		case *stFields:
			for _, it := range st.items {
				if f, ok := it.e.(qfield); ok && string(f) == it.name {
					continue
				}
				if v := it.e.eval(r); v != nil {
					r.set(it.name, v)
				}
			}
		case *stFilter:
			if !truthy(st.e.eval(r)) {
				return false
			}
		case *stParse:
			v := st.src.eval(r)
			if v == nil {
				continue
			}
			switch st.mode {
			case "logfmt":
				for k, val := range logfmtPairs(asText(v)) {
					r.set(st.names[0]+"."+k, val)
				}
				continue
			case "csv":
				rec, err := csv.NewReader(strings.NewReader(asText(v))).Read()
				if err != nil {
					continue
				}
				for i, n := range st.names {
					if i < len(rec) {
						r.set(n, rec[i])
					}
				}
				continue
			}
			m := st.re.FindStringSubmatchIndex(asText(v))
			if m == nil {
				continue
			}
			s := asText(v)
			for i, n := range st.names {
				if i == 0 || n == "" || m[2*i] < 0 {
					continue
				}
				r.set(n, strings.Clone(s[m[2*i]:m[2*i+1]]))
			}
		}
	}
	return true
}

// logfmtPairs reads key=value pairs separated by spaces, a value optionally in
// double quotes with backslash escapes; a key without = is true (the logfmt
// convention; the User Guide names the format only).
func logfmtPairs(s string) map[string]any {
	out := map[string]any{}
	for i := 0; i < len(s); {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		j := i
		for j < len(s) && s[j] != '=' && s[j] != ' ' {
			j++
		}
		key := s[i:j]
		i = j
		if key == "" {
			i++
			continue
		}
		if i >= len(s) || s[i] != '=' {
			out[strings.Clone(key)] = "true"
			continue
		}
		i++
		var val strings.Builder
		if i < len(s) && s[i] == '"' {
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				val.WriteByte(s[i])
			}
			i++
		} else {
			for ; i < len(s) && s[i] != ' '; i++ {
				val.WriteByte(s[i])
			}
		}
		out[strings.Clone(key)] = val.String()
	}
	return out
}

// runStages runs the stages after the streamed ones over the collected rows.
func runStages(stages []qstage, rows []qrow) []qrow {
	for _, s := range stages {
		switch st := s.(type) {
		case *stFields, *stFilter, *stParse:
			kept := rows[:0]
			for _, r := range rows {
				if applyRow([]qstage{s}, r) {
					kept = append(kept, r)
				}
			}
			rows = kept
		case *stSort:
			sortRows(rows, st.keys)
		case *stLimit:
			rows = rows[:min(st.n, len(rows))]
		case *stDedup:
			rows = dedupRows(rows, st.fields)
		case *stStats:
			a := newAggregator(st)
			for _, r := range rows {
				a.add(r)
			}
			rows = a.rows()
		}
	}
	return rows
}

// dedupRows keeps the first row of each combination of the fields' values. "Null
// values are not considered duplicates for evaluation. Log events with null values
// for any of the specified fields are retained." (User Guide, "dedup")
func dedupRows(rows []qrow, fields []string) []qrow {
	seen := map[string]bool{}
	kept := rows[:0]
	for _, r := range rows {
		var kb strings.Builder
		null := false
		for _, f := range fields {
			v, _ := r.get(f)
			if v == nil {
				null = true
				break
			}
			kb.WriteString(asText(v) + "\x00")
		}
		if !null {
			k := kb.String()
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		kept = append(kept, r)
	}
	return kept
}

// Aggregation.

type qaggSpec struct {
	fn  string // lower case
	arg qexpr  // nil for count(*)
	pct float64
}

// aggregator computes a stats command: its groups in the order they first appear.
type aggregator struct {
	st     *stStats
	groups map[string]*aggGroup
	order  []string
}

type aggGroup struct {
	keys []any
	acc  []aggAcc
}

type aggAcc struct {
	n, sum, sumsq float64
	nums          int
	min, max      float64
	vals          []float64
	distinct      map[string]struct{}
	best          any
	bestTS        float64
	has           bool
}

func newAggregator(st *stStats) *aggregator {
	return &aggregator{st: st, groups: map[string]*aggGroup{}}
}

func (a *aggregator) add(r qrow) {
	keys := make([]any, len(a.st.by))
	var kb strings.Builder
	for i, b := range a.st.by {
		v := b.e.eval(r)
		keys[i] = v
		if v == nil {
			kb.WriteString("\x01")
		}
		kb.WriteString(asText(v) + "\x00")
	}
	k := kb.String()
	g, ok := a.groups[k]
	if !ok {
		for i := range keys {
			keys[i] = own(keys[i])
		}
		g = &aggGroup{keys: keys, acc: make([]aggAcc, len(a.st.aggs))}
		for i := range g.acc {
			g.acc[i].min, g.acc[i].max = math.Inf(1), math.Inf(-1)
		}
		a.groups[k] = g
		a.order = append(a.order, k)
	}
	var ts float64
	tsOK := false
	for i, ag := range a.st.aggs {
		acc := &g.acc[i]
		if ag.arg == nil {
			acc.n++
			continue
		}
		v := ag.arg.eval(r)
		if v == nil {
			continue
		}
		acc.n++
		switch ag.fn {
		case "count_distinct":
			if acc.distinct == nil {
				acc.distinct = map[string]struct{}{}
			}
			if _, ok := acc.distinct[asText(v)]; !ok {
				acc.distinct[strings.Clone(asText(v))] = struct{}{}
			}
		case "earliest", "latest":
			if !tsOK {
				t, _ := r.get("@timestamp")
				ts, _ = asNumber(t)
				tsOK = true
			}
			if !acc.has || ag.fn == "earliest" && ts < acc.bestTS || ag.fn == "latest" && ts >= acc.bestTS {
				acc.best, acc.bestTS, acc.has = own(v), ts, true
			}
		case "sortsfirst", "sortslast":
			if !acc.has {
				acc.best, acc.has = own(v), true
				continue
			}
			c := sortCompare(v, acc.best)
			if ag.fn == "sortsfirst" && c < 0 || ag.fn == "sortslast" && c > 0 {
				acc.best = own(v)
			}
		default:
			f, ok := asNumber(v)
			if !ok {
				continue
			}
			acc.nums++
			acc.sum += f
			acc.sumsq += f * f
			acc.min = min(acc.min, f)
			acc.max = max(acc.max, f)
			if ag.fn == "pct" {
				acc.vals = append(acc.vals, f)
			}
		}
	}
}

// result is an aggregate's value for a group.
func (acc *aggAcc) result(ag *qaggSpec) any {
	switch ag.fn {
	case "count":
		return acc.n
	case "count_distinct":
		return float64(len(acc.distinct))
	case "sum":
		return acc.sum
	case "avg":
		if acc.nums > 0 {
			return acc.sum / float64(acc.nums)
		}
	case "min":
		if acc.nums > 0 {
			return acc.min
		}
	case "max":
		if acc.nums > 0 {
			return acc.max
		}
	case "stddev":
		// The sample standard deviation (inferred: the page does not say which).
		if acc.nums > 1 {
			n := float64(acc.nums)
			return math.Sqrt(max(0, (acc.sumsq-acc.sum*acc.sum/n)/(n-1)))
		}
		if acc.nums == 1 {
			return 0.0
		}
	case "pct":
		// pct(f, p) is the value below which p percent of the values fall: the
		// nearest-rank percentile (inferred).
		if len(acc.vals) == 0 {
			return nil
		}
		sort.Float64s(acc.vals)
		i := int(math.Ceil(ag.pct/100*float64(len(acc.vals)))) - 1
		return acc.vals[min(max(i, 0), len(acc.vals)-1)]
	case "earliest", "latest", "sortsfirst", "sortslast":
		if !acc.has {
			return nil
		}
		// earliest(@timestamp) answers epoch milliseconds, not a formatted time
		// (observed on us-east-1, 2026: "first=1780503582214").
		if t, ok := acc.best.(qtime); ok {
			return float64(t)
		}
		return acc.best
	}
	return nil
}

func (a *aggregator) rows() []qrow {
	out := make([]qrow, 0, len(a.order))
	for _, k := range a.order {
		g := a.groups[k]
		row := mapRow{}
		for i, ag := range a.st.aggs {
			row[aggSlot(i)] = g.acc[i].result(ag)
		}
		for i, b := range a.st.by {
			if g.keys[i] != nil {
				row[b.name] = g.keys[i]
			}
		}
		for _, o := range a.st.out {
			if v := o.e.eval(row); v != nil {
				row[o.name] = v
			} else {
				delete(row, o.name)
			}
		}
		for i := range a.st.aggs {
			delete(row, aggSlot(i))
		}
		out = append(out, row)
	}
	return out
}

// formatValue renders a field value the way GetQueryResults does: timestamps as
// "2006-01-02 15:04:05.000", numbers without exponent.
func formatValue(v any) string {
	if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return asText(v)
}

// sortRows orders rows by the query's sort keys, in Logs Insights' sort order.
func sortRows(rows []qrow, keys []qsort) {
	sort.SliceStable(rows, func(i, j int) bool {
		for _, k := range keys {
			a, _ := rows[i].get(k.field)
			b, _ := rows[j].get(k.field)
			c := sortCompare(a, b)
			if c == 0 {
				continue
			}
			if k.desc {
				return c > 0
			}
			return c < 0
		}
		return false
	})
}

// compareValues orders two values: numerically when both read as numbers, else as
// text.
func compareValues(a, b any) int {
	// A JSON true compares equal to the literal true and to a true predicate.
	if ab, ok := boolOf(a); ok {
		if bb, ok := boolOf(b); ok {
			return int(b2n(ab) - b2n(bb))
		}
	}
	an, aok := asNumber(a)
	bn, bok := asNumber(b)
	if aok && bok {
		switch {
		case an < bn:
			return -1
		case an > bn:
			return 1
		}
		return 0
	}
	return strings.Compare(asText(a), asText(b))
}

func boolOf(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case qbool:
		return bool(x), true
	}
	return false, false
}

// sortCompare is the order of the sort command, "an updated version of natural
// sorting" (CloudWatch Logs User Guide, "sort"): every non-number value comes before
// every number; numbers (values made only of digits, here also with a sign or a
// decimal point, and JSON numbers) by value; other values chunk by chunk, runs of
// digits and runs of letters each one chunk, two digit runs ordered by their length and
// then their value, anything else by Unicode order. The page's example, ascending:
// !: # *%04 0# 5A 111A 2345_ @ @_ A A9876fghj a12345hfh 0 01 1 2 3.
func sortCompare(a, b any) int {
	an, aok := sortNumber(a)
	bn, bok := sortNumber(b)
	switch {
	case aok && bok:
		if an != bn {
			if an < bn {
				return -1
			}
			return 1
		}
		return strings.Compare(asText(a), asText(b))
	case aok:
		return 1
	case bok:
		return -1
	}
	return naturalCompare(asText(a), asText(b))
}

var sortNumberRE = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)

// sortNumber reports whether a value is a number for sort, and its value: as
// asNumber, but a string only in plain decimal form (sort orders "1e3" or "NaN" as
// text).
func sortNumber(v any) (float64, bool) {
	if x, ok := v.(string); ok && !sortNumberRE.MatchString(x) {
		return 0, false
	}
	return asNumber(v)
}

// naturalCompare compares two non-number values chunk by chunk.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		ca, da := nextChunk(a)
		cb, db := nextChunk(b)
		a, b = a[len(ca):], b[len(cb):]
		if da && db {
			if len(ca) != len(cb) {
				if len(ca) < len(cb) {
					return -1
				}
				return 1
			}
		}
		if c := strings.Compare(ca, cb); c != 0 {
			return c
		}
	}
	switch {
	case a == b:
		return 0
	case a == "":
		return -1
	}
	return 1
}

// nextChunk returns the first chunk of s: a run of digits (digits true), a run of
// letters, or one other character.
func nextChunk(s string) (chunk string, digits bool) {
	r, n := utf8.DecodeRuneInString(s)
	class := func(r rune) int {
		switch {
		case r >= '0' && r <= '9':
			return 1
		case unicode.IsLetter(r):
			return 2
		}
		return 0
	}
	c := class(r)
	if c == 0 {
		return s[:n], false
	}
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if class(r) != c {
			break
		}
		n += size
	}
	return s[:n], c == 1
}
