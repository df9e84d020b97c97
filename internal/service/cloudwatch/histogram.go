package cloudwatch

import (
	"math"
	"sort"
)

// CloudWatch computes percentiles and the trimmed statistics from a histogram, not
// from the values (recorded, 2026: radkawar/stackd testdata/aws/cloudwatch/
// statistics.json and exact_bin_boundaries.json). A positive value v falls in bin
// floor(ln v / ln 1.1), which spans [1.1^i, 1.1^(i+1)) — 1.21 in bin 1, the next
// double up in bin 2, as AWS answered; the lowest and highest bins are cut to the
// period's Minimum and Maximum. Palisade keeps the bins' counts per datapoint.

// zeroBin holds the value 0, which has no logarithm (the bin of [0, 0]).
const zeroBin = math.MinInt32

var lnBin = math.Log(1.1)

func binOf(v float64) int32 {
	if v <= 0 {
		return zeroBin
	}
	return int32(math.Floor(math.Log(v) / lnBin))
}

// addBin counts n values of v. Negative values have no bin: AWS leaves them out of
// its histogram, though they count in the SampleCount (recorded, 2026:
// extreme_bin_boundaries.json, negative controls: PR(0:1) of -x and x was 50).
// A positive value put with a count of 0 keeps its bin, empty (see emptyRange).
func (p *pointRec) addBin(v, n float64) {
	if n < 0 || v < 0 || n == 0 && v == 0 {
		return
	}
	if p.H == nil {
		p.H = map[int32]float64{}
	}
	p.H[binOf(v)] += n
}

// emptyRange answers a range of values over a period whose values all had counts of
// 0: with an empty bin of a positive value, AWS gave PR and TC 0 and TS NaN, and no
// TM (recorded, 2026: statistics.json, statistics-AllZero-fixed); with 0 alone,
// nothing.
func (p *pointRec) emptyRange(sp statSpec) (float64, bool) {
	positive := false
	for k := range p.H {
		positive = positive || k != zeroBin
	}
	if !positive || sp.percent {
		return 0, false
	}
	switch sp.kind {
	case statPR, statTC:
		return 0, true
	case statTS:
		return math.NaN(), true
	}
	return 0, false
}

// hist is the datapoint's bin counts; a datapoint stored before Palisade kept bins
// has its kept values, each standing for its share of the count.
func (p *pointRec) hist() map[int32]float64 {
	if p.H != nil || len(p.Vals) == 0 {
		return p.H
	}
	h := map[int32]float64{}
	w := p.N / float64(len(p.Vals))
	for _, v := range p.Vals {
		if v >= 0 {
			h[binOf(v)] += w
		}
	}
	return h
}

// bin is one bin of a datapoint's histogram, cut to its Minimum and Maximum.
type bin struct{ lo, hi, n float64 }

// bins is the datapoint's histogram, lowest first.
func (p *pointRec) bins() []bin {
	h := p.hist()
	keys := make([]int32, 0, len(h))
	for k, n := range h {
		if n > 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	out := make([]bin, len(keys))
	for i, k := range keys {
		lo, hi := 0.0, 0.0
		if k != zeroBin {
			lo, hi = math.Pow(1.1, float64(k)), math.Pow(1.1, float64(k)+1)
		}
		// Both edges within [Minimum, Maximum]: near the smallest doubles the
		// logarithm's bins need not hold their values (AWS kept a lone 5e-324's
		// percentiles exact; recorded, 2026: extreme_bin_boundaries.json).
		out[i] = bin{lo: math.Min(math.Max(lo, p.Min), p.Max), hi: math.Max(math.Min(hi, p.Max), p.Min), n: h[k]}
		if out[i].hi < out[i].lo {
			out[i].hi = out[i].lo
		}
	}
	return out
}

// percentile interpolates geometrically inside the bin that holds the rank: AWS's
// p50 of the values 2, 2, 10, 10, 10 was 9.8746, a sixth of the way from 1.1^24 to
// the Maximum 10 on a logarithmic scale; a rank at a bin's end is its upper edge
// (p40 there was 1.1^8).
func percentileOf(bs []bin, total, pct float64) float64 {
	r := total * pct / 100
	cum := 0.0
	for i, b := range bs {
		if cum+b.n >= r || i == len(bs)-1 {
			f := math.Min(math.Max((r-cum)/b.n, 0), 1)
			if b.lo <= 0 || b.hi <= b.lo {
				return b.lo + (b.hi-b.lo)*f
			}
			return b.lo * math.Pow(b.hi/b.lo, f)
		}
		cum += b.n
	}
	return 0
}

// rankRange counts and sums the data points ranked from..to (lowest first). The
// first and last bins the ranks reach count with the midpoint of their share of the
// bin's range, its values spread evenly (AWS's tm90 of 2, 2, 10, 10, 10 was 6.4277);
// the bins between them with their geometric midpoint, √lo·√hi (AWS's ts90 of 1…10
// was 44.9389: 1 and 9 at 1.05 and 9.4020, 2…8 at 1.1^(i+½)).
func rankRange(bs []bin, from, to float64) (count, sum float64) {
	first, last := -1, -1
	cum := 0.0
	for i, b := range bs {
		if math.Min(cum+b.n, to) > math.Max(cum, from) {
			if first < 0 {
				first = i
			}
			last = i
		}
		cum += b.n
	}
	cum = 0
	for i, b := range bs {
		s0, s1 := math.Max(cum, from), math.Min(cum+b.n, to)
		if s1 > s0 {
			mid := math.Sqrt(b.lo) * math.Sqrt(b.hi)
			if i == first || i == last {
				a := b.lo + (b.hi-b.lo)*(s0-cum)/b.n
				z := b.lo + (b.hi-b.lo)*(s1-cum)/b.n
				mid = (a + z) / 2
			}
			count += s1 - s0
			sum += (s1 - s0) * mid
		}
		cum += b.n
	}
	return count, sum
}

// valueRange counts and sums the data points in the range of values (lo, hi], a bin
// that straddles a bound counting with the part of its range inside (AWS's PR(:2)
// of 1…10 was 12.63: a quarter of the bin from 1.1^7 to 1.1^8 lies below 2); as for
// ranks, the first and last bins reached count at the midpoint of their part, those
// between at their geometric midpoint (AWS's TS(2:10) of 1…10 was 53.2859).
func valueRange(bs []bin, sp statSpec) (count, sum float64) {
	type part struct {
		b      bin
		x0, x1 float64
	}
	var parts []part
	for _, b := range bs {
		if b.hi <= b.lo {
			if sp.in(b.lo) {
				parts = append(parts, part{b, b.lo, b.lo})
			}
			continue
		}
		x0, x1 := b.lo, b.hi
		if sp.hasLo {
			x0 = math.Max(x0, sp.lo)
		}
		if sp.hasHi {
			x1 = math.Min(x1, sp.hi)
		}
		if x1 > x0 {
			parts = append(parts, part{b, x0, x1})
		}
	}
	for i, p := range parts {
		n, mid := p.b.n, p.x0
		if p.b.hi > p.b.lo {
			n = p.b.n * (p.x1 - p.x0) / (p.b.hi - p.b.lo)
			mid = (p.x0 + p.x1) / 2
			if i > 0 && i < len(parts)-1 {
				mid = math.Sqrt(p.b.lo) * math.Sqrt(p.b.hi)
			}
		}
		count += n
		sum += n * mid
	}
	return count, sum
}

// outside counts the data points below and above a range of values, a bin across a
// bound split by the part of its range on each side (a point on the lower bound is
// below the range, which excludes it).
func outside(bs []bin, sp statSpec) (below, above float64) {
	for _, b := range bs {
		if b.hi <= b.lo {
			if sp.hasLo && b.lo <= sp.lo {
				below += b.n
			} else if sp.hasHi && b.lo > sp.hi {
				above += b.n
			}
			continue
		}
		if sp.hasLo && b.lo < sp.lo {
			below += b.n * (math.Min(b.hi, sp.lo) - b.lo) / (b.hi - b.lo)
		}
		if sp.hasHi && b.hi > sp.hi {
			above += b.n * (b.hi - math.Max(b.lo, sp.hi)) / (b.hi - b.lo)
		}
	}
	return below, above
}
