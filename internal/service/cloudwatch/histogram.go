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

// addBin counts n values of v.
func (p *pointRec) addBin(v, n float64) {
	if n <= 0 {
		return
	}
	if p.H == nil {
		p.H = map[int32]float64{}
	}
	p.H[binOf(v)] += n
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
		h[binOf(v)] += w
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
		out[i] = bin{lo: math.Max(lo, p.Min), hi: math.Min(hi, p.Max), n: h[k]}
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

// rankRange counts and sums the data points ranked from..to (lowest first), each
// bin's values spread evenly over it: a part of a bin counts with the midpoint of its
// share of the bin's range (AWS's tm90 of 2, 2, 10, 10, 10 was 6.4277).
func rankRange(bs []bin, from, to float64) (count, sum float64) {
	cum := 0.0
	for _, b := range bs {
		s0, s1 := math.Max(cum, from), math.Min(cum+b.n, to)
		if s1 > s0 {
			a := b.lo + (b.hi-b.lo)*(s0-cum)/b.n
			z := b.lo + (b.hi-b.lo)*(s1-cum)/b.n
			count += s1 - s0
			sum += (s1 - s0) * (a + z) / 2
		}
		cum += b.n
	}
	return count, sum
}

// valueRange counts and sums the data points in the range of values (lo, hi], a bin
// that straddles a bound counting with the part of its range inside (AWS's PR(:2)
// of 1…10 was 12.63: a quarter of the bin from 1.1^7 to 1.1^8 lies below 2).
func valueRange(bs []bin, sp statSpec) (count, sum float64) {
	for _, b := range bs {
		if b.hi <= b.lo {
			if sp.in(b.lo) {
				count += b.n
				sum += b.n * b.lo
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
			n := b.n * (x1 - x0) / (b.hi - b.lo)
			count += n
			sum += n * (x0 + x1) / 2
		}
	}
	return count, sum
}
