package cloudwatch

import (
	"math"
	"regexp"
	"sort"
	"strconv"
)

// The statistics CloudWatch computes ("CloudWatch statistics definitions" in the
// CloudWatch User Guide): the five basic ones, percentiles pNN.NN, and the trimmed
// mean (tmN, TM(a:b)), winsorized mean (wmN, WM(a:b)), trimmed count (tcN, TC(a:b)),
// trimmed sum (tsN, TS(a:b)), percentile rank (PR(a:b)) and interquartile mean (IQM).

// Statistic kinds.
const (
	statBasic = iota // SampleCount, Sum, Average, Minimum, Maximum
	statPct          // pNN.NN
	statTM           // trimmed mean
	statWM           // winsorized mean
	statTC           // trimmed count
	statTS           // trimmed sum
	statPR           // percentile rank
)

// statSpec is a parsed statistic. For the range statistics the range is (lo, hi]:
// percentages when percent (of the data points, lowest first), values of the metric
// otherwise; a missing bound is open.
type statSpec struct {
	kind         int
	name         string  // a basic statistic's name
	pct          float64 // a percentile's percentage
	lo, hi       float64
	hasLo, hasHi bool
	percent      bool
}

var (
	// GetMetricData takes a percentile with up to ten decimal places, like the other
	// statistics' bounds (recorded, 2026: exact_bin_boundaries.json,
	// statistic-precision-*: p99.1234567890 answered, p99.12345678901 and
	// p99.00000000000 refused).
	percentileRE = regexp.MustCompile(`^p(\d{1,2}(\.\d{1,10})?|100)$`)
	// shortPercentileRE is GetMetricStatistics' and PutMetricAlarm's documented
	// pattern, p(\d{1,2}(\.\d{0,2})?|100); whether AWS holds them to it is not
	// recorded.
	shortPercentileRE = regexp.MustCompile(`^p(\d{1,2}(\.\d{1,2})?|100)$`)
	// "You define the boundaries as one or two numbers between 0 and 100, up to 10
	// decimal places." Values of the metric (TM(150:1000)) may exceed 100.
	singleRE = regexp.MustCompile(`^(tm|wm|tc|ts)(\d+(?:\.\d{1,10})?)$`)
	rangeRE  = regexp.MustCompile(`^(TM|WM|TC|TS|PR)\(((?:\d+(?:\.\d{1,10})?)%?)?:((?:\d+(?:\.\d{1,10})?)%?)?\)$`)
)

var rangeKinds = map[string]int{"tm": statTM, "wm": statWM, "tc": statTC, "ts": statTS, "TM": statTM, "WM": statWM, "TC": statTC, "TS": statTS, "PR": statPR}

// parseStat parses a statistic as GetMetricData's MetricStat.Stat takes it: a basic
// statistic or an extended one.
func parseStat(s string) (statSpec, bool) {
	switch s {
	case "SampleCount", "Sum", "Average", "Minimum", "Maximum":
		return statSpec{kind: statBasic, name: s}, true
	}
	return parseExtended(s)
}

// parseExtended parses an extended statistic, following the definitions page's
// syntax: one number without parentheses in lower case ("tm99", the same as
// TM(:99%)); parentheses in upper case with one or two bounds, both percentages or
// both values; PR takes values only ("PR(n:m) where n and m are values of the
// metric"). What the page does not define — mixed bounds, a lower bound not below
// the upper, TM99, tm(…) — is refused, as it was before these statistics were served.
func parseExtended(s string) (statSpec, bool) {
	if s == "IQM" {
		// "It is equivalent to TM(25%:75%)."
		return statSpec{kind: statTM, lo: 25, hi: 75, hasLo: true, hasHi: true, percent: true}, true
	}
	if m := percentileRE.FindStringSubmatch(s); m != nil {
		q, _ := strconv.ParseFloat(m[1], 64)
		return statSpec{kind: statPct, pct: q}, true
	}
	if m := singleRE.FindStringSubmatch(s); m != nil {
		hi, _ := strconv.ParseFloat(m[2], 64)
		if hi > 100 {
			return statSpec{}, false
		}
		return statSpec{kind: rangeKinds[m[1]], hi: hi, hasHi: true, percent: true}, true
	}
	m := rangeRE.FindStringSubmatch(s)
	if m == nil || m[2] == "" && m[3] == "" {
		return statSpec{}, false
	}
	sp := statSpec{kind: rangeKinds[m[1]]}
	lower, upper := m[2], m[3]
	lp, up := len(lower) > 0 && lower[len(lower)-1] == '%', len(upper) > 0 && upper[len(upper)-1] == '%'
	if lower != "" && upper != "" && lp != up {
		return statSpec{}, false
	}
	sp.percent = lp || up
	if sp.percent && sp.kind == statPR {
		return statSpec{}, false
	}
	num := func(t string) float64 {
		if t[len(t)-1] == '%' {
			t = t[:len(t)-1]
		}
		f, _ := strconv.ParseFloat(t, 64)
		return f
	}
	if lower != "" {
		sp.lo, sp.hasLo = num(lower), true
	}
	if upper != "" {
		sp.hi, sp.hasHi = num(upper), true
	}
	if sp.percent && (sp.lo > 100 || sp.hi > 100) || sp.hasLo && sp.hasHi && sp.lo >= sp.hi {
		return statSpec{}, false
	}
	return sp, true
}

// alarmExtendedOK applies PutMetricAlarm's list of ExtendedStatistic values (API
// reference): "p90, tm90, tc90, ts90, wm90, IQM, PR(n:m) where n and m are values of
// the metric, TC(X%:X%) where X is between 10 and 90 inclusive" (TM, TS and WM
// alike). A range of those four is therefore two percentages from 10 to 90.
func alarmExtendedOK(sp statSpec, s string) bool {
	if sp.kind == statBasic {
		return false
	}
	if s[0] >= 'A' && s[0] <= 'Z' && sp.kind != statPR && s != "IQM" {
		return sp.percent && sp.hasLo && sp.hasHi && sp.lo >= 10 && sp.hi <= 90
	}
	return true
}

// documentedExtended is parseExtended held to the two decimal places of the
// percentile pattern GetMetricStatistics and PutMetricAlarm document.
func documentedExtended(s string) (statSpec, bool) {
	sp, ok := parseExtended(s)
	if ok && sp.kind == statPct && !shortPercentileRE.MatchString(s) {
		return statSpec{}, false
	}
	return sp, ok
}

func validStat(s string) bool {
	_, ok := parseStat(s)
	return ok
}

// statistic computes a statistic of an aggregate; ok is false when it cannot.
func statistic(p *pointRec, stat string) (float64, bool) {
	sp, ok := parseStat(stat)
	if !ok {
		return 0, false
	}
	return sp.of(p)
}

// of computes the statistic of an aggregate. The extended statistics need the
// period's values, in the bins of CloudWatch's histogram: percentiles and the
// statistics of ranks are not available for values put as a statistic set whose
// values are unknown, nor when any value is negative ("Requirements to use
// percentiles, trimmed mean, and some other statistics"). p0 and p100, the minimum
// and maximum, AWS answers for such data too (recorded: a statistic set of 3 samples
// from 1 to 9 and the values -1 and 3 got p0 and p100 but no p50 or p90).
func (sp statSpec) of(p *pointRec) (float64, bool) {
	switch sp.kind {
	case statBasic:
		switch sp.name {
		case "SampleCount":
			return p.N, true
		case "Sum":
			return p.Sum, true
		case "Average":
			if p.N == 0 {
				// AWS answers NaN for values put only with counts of 0 (recorded,
				// 2026: statistics.json, statistics-AllZero-*).
				return math.NaN(), true
			}
			return p.Sum / p.N, true
		case "Minimum":
			return p.Min, true
		}
		return p.Max, true
	case statPct:
		// p0 and p100 are the Minimum and Maximum even of values put only with counts
		// of 0; of those, only 0 alone has its other percentiles, 0 (recorded, 2026:
		// statistics.json, statistics-AllZero-percentile).
		if sp.pct == 0 {
			return p.Min, true
		}
		if sp.pct == 100 {
			return p.Max, true
		}
		if p.N == 0 && p.Min == 0 && p.Max == 0 && !p.NoPct {
			return 0, true
		}
	}
	if p.N <= 0 {
		return p.emptyRange(sp)
	}
	// What AWS gives depends on what the period's data lets its histogram know
	// (recorded, 2026: statistics.json). Percentiles and the statistics of ranks
	// need every value in bins (no statistic set with Min below Max) and a
	// SampleCount of at least 1 (for counts summing to 0.5 AWS gave neither);
	// ranges of values need some values in bins and count the others in the
	// SampleCount (PR(:10) was 62.5 for five values up to 10 and a statistic set
	// of three from 1 to 9). A statistic set whose Sum does not match its value
	// leaves only the percentiles. A negative value leaves out what a statistic set
	// of unknown values does, its value ranges counting only the values from 0 up.
	ranked := sp.kind == statPct || sp.percent || sp.kind == statWM
	if ranked && (p.NoPct || p.N < 1 || p.Min < 0) || sp.kind != statPct && p.NoTrim {
		return 0, false
	}
	if sp.kind != statWM || !sp.percent {
		return sp.ofBins(p)
	}
	if len(p.Vals) == 0 {
		return 0, false
	}
	return winsorized(sp, p), true
}

// winsorized is the winsorized mean of a range of percentages, from the kept values:
// AWS's answers for it (statistics.json) are not those of its histogram's other
// statistics — the data points beyond the range counted at neither its edges'
// percentiles nor their bins' edges alike — so Palisade keeps the definition.
func winsorized(sp statSpec, p *pointRec) float64 {
	vals := append([]float64(nil), p.Vals...)
	sort.Float64s(vals)
	// Each kept value stands for N/len(vals) data points: all of them unless the
	// period had more values than a bucket keeps (maxValues).
	w := p.N / float64(len(vals))
	total := p.N
	var sum float64
	// Percentages select data points by rank: the lowest lo% and the highest
	// (100-hi)% count as the values at the range's edges, a data point on a boundary
	// with its part inside.
	from, to := total*sp.lo/100, total
	if sp.hasHi {
		to = total * sp.hi / 100
	}
	low, high := vals[0], vals[0]
	for i, v := range vals {
		start := float64(i) * w
		if part := math.Min(start+w, to) - math.Max(start, from); part > 0 {
			sum += v * part
		}
		if start+w <= from {
			low = vals[min(i+1, len(vals)-1)]
		}
		if start < to {
			high = v
		}
	}
	return (sum + from*low + (total-to)*high) / total
}

// in reports whether a value lies in a range of values: "exclusive on the lower
// bound and inclusive on the upper bound".
func (sp statSpec) in(v float64) bool {
	return (!sp.hasLo || v > sp.lo) && (!sp.hasHi || v <= sp.hi)
}

// ofBins computes a statistic other than the winsorized mean from the datapoint's
// histogram, as CloudWatch does (histogram.go).
func (sp statSpec) ofBins(p *pointRec) (float64, bool) {
	bs := p.bins()
	total := 0.0
	for _, b := range bs {
		total += b.n
	}
	if total <= 0 {
		return 0, false
	}
	if sp.kind == statPct {
		return percentileOf(bs, total, sp.pct), true
	}
	if !sp.percent {
		// Values outside the bins (a statistic set of unknown values) count in the
		// SampleCount a rank is a share of.
		total = p.N
	}
	if sp.kind == statWM {
		// A range of values: the values below it count as its lower bound, those
		// above as its upper one, a bin across a bound split by its range (AWS's
		// WM(1.1:1.99) of 1…10 was 1.90056, of 1, 3, 7, 11, 23 1.901).
		_, sum := valueRange(bs, sp)
		below, above := outside(bs, sp)
		return (sum + below*sp.lo + above*sp.hi) / total, true
	}
	var count, sum float64
	if sp.percent {
		from, to := total*sp.lo/100, total
		if sp.hasHi {
			to = total * sp.hi / 100
		}
		count, sum = rankRange(bs, from, to)
	} else {
		count, sum = valueRange(bs, sp)
	}
	switch sp.kind {
	case statPR:
		return 100 * count / total, true
	case statTC:
		return count, true
	case statTS:
		return sum, true
	}
	if count == 0 {
		return 0, false
	}
	return sum / count, true
}
