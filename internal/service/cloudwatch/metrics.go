package cloudwatch

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	api "github.com/palisade/palisade/internal/api/cloudwatch"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
	"github.com/palisade/palisade/internal/svckit"
)

func (cw *CloudWatch) metricHandlers() []server.Handler {
	return []server.Handler{
		server.Write("PutMetricData", cw.putMetricData),
		server.Read("GetMetricStatistics", cw.getMetricStatistics),
		server.Read("GetMetricData", cw.getMetricData),
		server.Read("ListMetrics", cw.listMetrics),
	}
}

// metricRec is a stored metric.
type metricRec struct {
	Namespace  string          `json:"ns"`
	Name       string          `json:"name"`
	Dimensions []api.Dimension `json:"dims,omitempty"`
	LastPut    int64           `json:"last"` // Palisade time of the last datapoint put
}

// pointRec aggregates the values of one metric, unit and time bucket.
type pointRec struct {
	N    float64   `json:"n"`
	Sum  float64   `json:"s"`
	Min  float64   `json:"lo"`
	Max  float64   `json:"hi"`
	Vals []float64 `json:"v,omitempty"` // for percentiles, up to maxValues
	// NoPct marks values put as a statistic set whose values are not known, which
	// leaves the bucket without percentiles.
	NoPct bool `json:"x,omitempty"`
	// H counts the values in each bin of CloudWatch's histogram (histogram.go).
	H map[int32]float64 `json:"h,omitempty"`
	// NoTrim marks a statistic set whose Sum is not its value times its count: its
	// percentiles are known, the other statistics of its histogram not.
	NoTrim bool `json:"t,omitempty"`
}

// statSetPoint is a statistic set as a bucket's aggregate. Its values are known when
// its Min and Max are equal (User Guide, "Requirements to use percentiles, trimmed
// mean, and some other statistics"), and then AWS gives its percentiles; the other
// statistics of its histogram only when its Sum is also Min × SampleCount (recorded,
// 2026: statistics.json — SampleCount 3, Sum 22, Min and Max 7 had every percentile
// 7 and no trimmed mean; SampleCount 1, Sum 3, Min 1, Max 2 had only p0 and p100).
func statSetPoint(n, sum, lo, hi float64) *pointRec {
	p := &pointRec{N: n, Sum: sum, Min: lo, Max: hi}
	if lo != hi {
		p.NoPct = true
		return p
	}
	p.NoTrim = math.Abs(sum-lo*n) > 1e-9*math.Max(math.Abs(sum), 1)
	for k := 0; k < int(n) && k < maxValues; k++ {
		p.Vals = append(p.Vals, lo)
	}
	p.addBin(lo, n)
	if len(p.Vals) == 0 {
		// A fractional SampleCount below 1 still stands for its value.
		p.Vals = []float64{lo}
	}
	return p
}

// maxValues bounds the raw values kept per bucket for percentiles.
const maxValues = 1000

// merge adds q's values to p, which holds data already (a value put with a count of
// 0 counts for the minimum and maximum, as AWS's answer shows, so a sample count of 0
// does not mean an empty aggregate).
func (p *pointRec) merge(q *pointRec) {
	// Bins first: a datapoint stored before Palisade kept them derives them from its
	// values and count as they were.
	if p.H != nil || q.H != nil {
		h, add := p.hist(), q.hist()
		if h == nil {
			h = map[int32]float64{}
		}
		for k, n := range add {
			h[k] += n
		}
		p.H = h
	}
	p.Min, p.Max = math.Min(p.Min, q.Min), math.Max(p.Max, q.Max)
	p.N += q.N
	p.Sum += q.Sum
	p.NoPct = p.NoPct || q.NoPct
	p.NoTrim = p.NoTrim || q.NoTrim
	if room := maxValues - len(p.Vals); room > 0 {
		p.Vals = append(p.Vals, q.Vals[:min(room, len(q.Vals))]...)
	}
}

func pointKey(mkey string, bucket int64, unit string) string {
	return fmt.Sprintf("%s\x02%016d\x00%s", mkey, bucket, unit)
}

// metricIDPattern is what a query's Id must match, as AWS's message gives it.
var metricIDPattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

// Request limits (API reference): PutMetricData takes at most 1000 metrics
// (MetricData and EntityMetricData together), GetMetricData
// at most 500 queries.
const (
	maxDatums  = 1000
	maxQueries = 500
)

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// PutMetricData's limits (API reference): datapoints at most two weeks old and two
// hours ahead.
const (
	maxAge    = 14 * 24 * time.Hour
	maxAhead  = 2 * time.Hour
	noneUnit  = "None"
	highRes   = 1
	minuteMs  = int64(time.Minute / time.Millisecond)
	secondMs  = int64(time.Second / time.Millisecond)
	maxPoints = 1440
)

// addPoint stores one datum: the metric's record and its bucket's aggregate.
func addPoint(tx *store.Tx, account, region, namespace, name string, dims []api.Dimension, unit string, ts time.Time, highResolution bool, p *pointRec, now time.Time) error {
	mkey := metricKey(namespace, name, dims)
	if err := tx.PutJSON(ns(account, region, tMetrics), mkey, metricRec{Namespace: namespace, Name: name, Dimensions: sortDims(dims), LastPut: now.UnixMilli()}); err != nil {
		return err
	}
	if unit == "" {
		unit = noneUnit
	}
	t := ts.UnixMilli()
	bucket := t - mod(t, minuteMs)
	if highResolution {
		bucket = t - mod(t, secondMs)
	}
	key := pointKey(mkey, bucket, unit)
	cur := &pointRec{}
	found, err := tx.GetJSON(ns(account, region, tPoints), key, cur)
	if err != nil {
		return err
	}
	if !found {
		return tx.PutJSON(ns(account, region, tPoints), key, p)
	}
	cur.merge(p)
	return tx.PutJSON(ns(account, region, tPoints), key, cur)
}

func mod(a, b int64) int64 { return ((a % b) + b) % b }

// StatisticDatum is a datapoint given as statistics: what CloudWatch Logs' metric
// filters publish, one per metric, dimension values, unit and minute.
type StatisticDatum struct {
	Namespace, MetricName string
	Dimensions            map[string]string
	Unit                  string // "" for None
	Timestamp             time.Time
	SampleCount, Sum      float64
	Minimum, Maximum      float64
}

// PutStatistics stores datapoints in tx without PutMetricData's checks (the caller is
// Palisade itself: metric filters run inside the transaction that ingests their
// events). A datum with a statistic that is not a finite number is dropped: it could
// not be stored, and failing would fail the caller's whole transaction.
func (cw *CloudWatch) PutStatistics(tx *store.Tx, account, region string, data []StatisticDatum) error {
	now := cw.d.Clock.Now()
	for _, d := range data {
		if !finite(d.SampleCount) || !finite(d.Sum) || !finite(d.Minimum) || !finite(d.Maximum) {
			continue
		}
		var dims []api.Dimension
		for k, v := range d.Dimensions {
			dims = append(dims, api.Dimension{Name: k, Value: v})
		}
		p := statSetPoint(d.SampleCount, d.Sum, d.Minimum, d.Maximum)
		if err := addPoint(tx, account, region, d.Namespace, d.MetricName, dims, d.Unit, d.Timestamp, false, p, now); err != nil {
			return err
		}
	}
	return nil
}

func (cw *CloudWatch) putMetricData(c *server.Call, in *api.PutMetricDataInput) (*model.Empty, error) {
	if strings.HasPrefix(in.Namespace, "AWS/") {
		// AWS names the reserved prefix, not the namespace given (recorded, 2026).
		return nil, errParam("The value AWS/ for parameter Namespace is invalid.")
	}
	if len(in.EntityMetricData) > 0 && in.StrictEntityValidation == nil {
		return nil, errCombination("Field StrictEntityValidation is required when setting EntityMetricData")
	}
	// Each datum with the name AWS's messages give it.
	type datum struct {
		member string
		d      *api.MetricDatum
	}
	var data []datum
	for i := range in.MetricData {
		data = append(data, datum{fmt.Sprintf("MetricData.member.%d", i+1), &in.MetricData[i]})
	}
	for i, e := range in.EntityMetricData {
		for j := range e.MetricData {
			data = append(data, datum{fmt.Sprintf("EntityMetricData.member.%d.MetricData.member.%d", i+1, j+1), &in.EntityMetricData[i].MetricData[j]})
		}
	}
	if len(data) == 0 {
		return nil, errMissing("At least one MetricDatum object must be present in the request.")
	}
	if len(data) > maxDatums {
		// AWS's wording from when the limit was 20 ("The collection MetricData must
		// not have a size greater than 20."), with today's documented 1000.
		return nil, errParam("The collection MetricData must not have a size greater than %d.", maxDatums)
	}
	for _, x := range data {
		if err := checkDatum(x.member, x.d, c.Now); err != nil {
			return nil, err
		}
	}
	if in.StrictEntityValidation != nil && *in.StrictEntityValidation {
		for _, e := range in.EntityMetricData {
			if err := checkEntity(e.Entity); err != nil {
				return nil, err
			}
		}
	}
	for _, x := range data {
		d := x.d
		ts := c.Now
		if d.Timestamp != nil {
			ts = *d.Timestamp
		}
		var p *pointRec
		switch {
		case d.Value != nil:
			p = &pointRec{N: 1, Sum: *d.Value, Min: *d.Value, Max: *d.Value, Vals: []float64{*d.Value}}
			p.addBin(*d.Value, 1)
		case d.StatisticValues != nil:
			s := d.StatisticValues
			p = statSetPoint(s.SampleCount, s.Sum, s.Minimum, s.Maximum)
		default:
			for i, v := range d.Values {
				n := 1.0
				if len(d.Counts) > 0 {
					n = d.Counts[i]
				}
				q := &pointRec{N: n, Sum: v * n, Min: v, Max: v}
				for k := 0; k < int(math.Ceil(n)) && k < maxValues; k++ {
					q.Vals = append(q.Vals, v)
				}
				q.addBin(v, n)
				if p == nil {
					p = q
				} else {
					p.merge(q)
				}
			}
		}
		hr := d.StorageResolution != nil && *d.StorageResolution == highRes
		if err := addPoint(c.Tx, c.Account, c.Region, in.Namespace, d.MetricName, d.Dimensions, svckit.Str(d.Unit), ts, hr, p, c.Now); err != nil {
			return nil, err
		}
	}
	return &model.Empty{}, nil
}

// checkDatum applies PutMetricData's rules to one datum, named member in messages.
// The wordings are AWS's (recorded, 2026) except where marked inferred.
func checkDatum(member string, d *api.MetricDatum, now time.Time) error {
	// Value excludes the other two; Values with StatisticValues AWS accepts
	// (recorded) and stores the statistic set (recorded: the datapoint read back is
	// the set's).
	switch {
	case d.Value != nil && d.StatisticValues != nil:
		return errCombination("The parameters %s.Value and %s.StatisticValues are mutually exclusive and you have specified both.", member, member)
	case d.Value != nil && len(d.Values) > 0:
		return errCombination("The parameters %s.Value and %s.Values are mutually exclusive and you have specified both.", member, member)
	case len(d.Counts) > 0 && len(d.Values) == 0:
		return errCombination("The parameter values must appears when the counts parameter is specified.")
	case d.Value == nil && d.StatisticValues == nil && len(d.Values) == 0:
		return errCombination("At least one of the parameters must be specified.")
	}
	if len(d.Counts) > 0 && len(d.Counts) != len(d.Values) {
		return errParam("The parameters %s.Values and %s.Counts must be of the same size.", member, member)
	}
	if s := d.StatisticValues; s != nil {
		if !svckit.MetricValueOK(s.SampleCount) || !svckit.MetricValueOK(s.Sum) || !svckit.MetricValueOK(s.Minimum) || !svckit.MetricValueOK(s.Maximum) {
			// Inferred wording.
			return errParam("The parameter %s.StatisticValues is invalid.", member)
		}
		if s.SampleCount <= 0 {
			return errParam("The parameter %s.StatisticValues.SampleCount must be greater than 0.", member)
		}
		if s.Minimum > s.Maximum {
			// AWS says "greater than" and accepts a Maximum equal to the Minimum.
			return errParam("The parameter %s.StatisticValues.Maximum must be greater than %s.StatisticValues.Minimum.", member, member)
		}
	}
	if d.Value != nil && !svckit.MetricValueOK(*d.Value) {
		return errParam("The value %s for parameter %s.Value is invalid.", javaDouble(*d.Value), member)
	}
	for j, v := range d.Values {
		if !svckit.MetricValueOK(v) {
			// Inferred: Value's wording, at the list member's query-protocol name.
			return errParam("The value %s for parameter %s.Values.member.%d is invalid.", javaDouble(v), member, j+1)
		}
	}
	for j, n := range d.Counts {
		if !svckit.MetricValueOK(n) {
			// Inferred, as for Values.
			return errParam("The value %s for parameter %s.Counts.member.%d is invalid.", javaDouble(n), member, j+1)
		}
	}
	for _, n := range d.Counts {
		if n < 0 {
			// A count of 0 AWS accepts (its value still bounds the minimum and
			// maximum), whatever the message says.
			return errParam("The parameter %s.Counts must contain only values greater than 0.", member)
		}
	}
	if d.Timestamp != nil {
		if d.Timestamp.Before(now.Add(-maxAge)) {
			return errParam("The parameter %s.Timestamp must specify a time within the past two weeks.", member)
		}
		if d.Timestamp.After(now.Add(maxAhead)) {
			return errParam("The parameter %s.Timestamp must specify a time no more than two hours in the future.", member)
		}
	}
	if r := d.StorageResolution; r != nil && *r != 1 && *r != 60 {
		return errParam("The parameter %s.StorageResolution must be a value in the set [ 1, 60 ].", member)
	}
	seen := map[string]bool{}
	for _, dim := range d.Dimensions {
		if seen[dim.Name] {
			return errParam("No metric may specify the same dimension name twice.")
		}
		seen[dim.Name] = true
	}
	return nil
}

// entityTypes are the entity types the User Guide lists for KeyAttributes' Type
// ("How to add related information to telemetry").
var entityTypes = map[string]bool{"Service": true, "Resource": true, "AWS::Service": true, "AWS::Resource": true}

// checkEntity applies StrictEntityValidation to an entity: an unknown Type is AWS's
// recorded answer. The User Guide's other requirements (the keys each type needs)
// are not checked, as AWS's answers to them are not recorded.
func checkEntity(e *api.Entity) error {
	if e == nil || e.KeyAttributes == nil {
		return nil
	}
	if t, ok := e.KeyAttributes["Type"]; ok && !entityTypes[t] {
		return errParam("InvalidTypeValue: Unknown entity type")
	}
	return nil
}

// series is one metric's statistic over periods.
type series struct {
	times  []time.Time
	values []float64
	counts []float64 // sample counts per period, for alarm reasons
	unit   string
	// units lists the units of a MetricStat without Unit whose data was put with
	// more than one, in order; the series is then the first unit's alone.
	units []string
	// forbidden marks a query of another account's metric.
	forbidden bool
	// A SEARCH answers a group of series, each with its label; exceeded tells that
	// it selected more than it may answer.
	search   bool
	group    []*series
	label    string
	exceeded bool
	metric   *metricRec // the metric of a SEARCH's series
	// partial marks a SEARCH's series cut short by GetMetricData's MaxDatapoints,
	// or an expression computed from one.
	partial bool
	// viaSearch marks an expression's result computed from a SEARCH's series.
	viaSearch bool
}

// windowStats merges a metric's buckets into periods [start + k*period, ...) within
// [start, end), for one unit ("" for any: the units seen are merged and the first is
// reported).
func readWindows(tx *store.Tx, account, region, mkey string, start, end time.Time, period time.Duration, unit string) ([]time.Time, []*pointRec, []string, error) {
	return readWindowsBy(tx, account, region, mkey, start, end, period, unit, false)
}

// readWindowsBy is readWindows, with each unit's datapoints in a window of their own
// when byUnit (GetMetricStatistics without a Unit answers one datapoint per unit, as
// AWS does); windows of one time then come in unit order.
func readWindowsBy(tx *store.Tx, account, region, mkey string, start, end time.Time, period time.Duration, unit string, byUnit bool) ([]time.Time, []*pointRec, []string, error) {
	type window struct {
		at   int64
		unit string
	}
	prefix := mkey + "\x02"
	from, to := start.UnixMilli(), end.UnixMilli()
	p := period.Milliseconds()
	windows := map[window]*pointRec{}
	units := map[window]string{}
	after := fmt.Sprintf("%s%016d", prefix, from-1) + "\xff"
	err := svckit.ScanPrefix(tx, ns(account, region, tPoints), prefix, after, func(k string, v []byte) (bool, error) {
		rest := k[len(prefix):]
		b, err := strconv.ParseInt(rest[:16], 10, 64)
		if err != nil {
			return false, fmt.Errorf("cloudwatch: point key %q", k)
		}
		if b >= to {
			return false, nil
		}
		u := rest[17:]
		if unit != "" && u != unit {
			return true, nil
		}
		pr := &pointRec{}
		if err := decode(v, pr); err != nil {
			return false, err
		}
		w := window{at: from + (b-from)/p*p}
		if byUnit {
			w.unit = u
		}
		if agg, ok := windows[w]; ok {
			agg.merge(pr)
		} else {
			windows[w] = pr
			units[w] = u
		}
		return true, nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	keys := make([]window, 0, len(windows))
	for w := range windows {
		keys = append(keys, w)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].at != keys[j].at {
			return keys[i].at < keys[j].at
		}
		return keys[i].unit < keys[j].unit
	})
	times := make([]time.Time, len(keys))
	aggs := make([]*pointRec, len(keys))
	us := make([]string, len(keys))
	for i, w := range keys {
		times[i], aggs[i], us[i] = time.UnixMilli(w.at).UTC(), windows[w], units[w]
	}
	return times, aggs, us, nil
}

// retained reports whether a query starting at start can have datapoints of this
// period. The API reference (GetMetricStatistics' and MetricStat's Period): "If the
// StartTime parameter specifies a time stamp that is greater than 3 hours ago, you
// must specify the period as follows or no data points in that time range is
// returned": a multiple of 60 seconds from 3 hours to 15 days ago, of 300 to 63 days,
// of 3600 beyond — CloudWatch keeps sub-minute data 3 hours, then aggregates it to
// 1-minute, 5-minute and hourly data. A query for 1-second periods of high-resolution
// data older than 3 hours therefore gets none.
func retained(start, now time.Time, period time.Duration) bool {
	age := now.Sub(start)
	switch {
	case age > 63*24*time.Hour:
		return period%time.Hour == 0
	case age > 15*24*time.Hour:
		return period%(5*time.Minute) == 0
	case age > 3*time.Hour:
		return period%time.Minute == 0
	}
	return true
}

// roundStart is where a query's first period begins: AWS rounds StartTime down to
// the minute, or for a period of 1, 5, 10, 20 or 30 seconds to an even division of
// the minute by the period; a StartTime more than 15 days ago to 5 minutes, more than
// 63 days ago to the hour (GetMetricStatistics' and GetMetricData's API reference).
// Periods follow one another from there, whatever the period: GetMetricData's
// 120-second periods from 17:35 began at 17:35 and 17:37, not at the even minutes
// (recorded, 2026: metric_search.json, period-omitted-query-120 and
// period-explicit-120).
func roundStart(start, now time.Time, period time.Duration) time.Time {
	gran := time.Minute
	switch age := now.Sub(start); {
	case age > 63*24*time.Hour:
		gran = time.Hour
	case age > 15*24*time.Hour:
		gran = 5 * time.Minute
	case period < time.Minute:
		gran = period
	}
	return start.Truncate(gran)
}

func checkPeriod(name string, p int32) error {
	if p > 0 && p < 60 && p != 1 && p != 5 && p != 10 && p != 20 && p != 30 {
		// AWS's answer to a Period of 7 (recorded, 2026); for MetricStat inferred.
		return errParam("The parameter %s must be a value in the set [1, 5, 10, 20, 30].", name)
	}
	if p <= 0 || p >= 60 && p%60 != 0 {
		return errParam("The parameter %s must be 1, 5, 10, 20, 30, or a multiple of 60.", name)
	}
	return nil
}

func (cw *CloudWatch) getMetricStatistics(c *server.Call, in *api.GetMetricStatisticsInput) (*api.GetMetricStatisticsOutput, error) {
	if !in.StartTime.Before(in.EndTime) {
		return nil, errParam("The parameter StartTime must be less than the parameter EndTime.")
	}
	if err := checkPeriod("Period", in.Period); err != nil {
		return nil, err
	}
	if len(in.Statistics) == 0 && len(in.ExtendedStatistics) == 0 {
		return nil, errCombination("At least one of the parameters Statistics and ExtendedStatistics must be specified.")
	}
	for i, s := range in.Statistics {
		switch s {
		case "SampleCount", "Average", "Sum", "Minimum", "Maximum":
		default:
			// AWS's answer to Median (recorded, 2026); the first such member is named
			// (inferred for more than one).
			return nil, errParam("The parameter Statistics.member.%d.<list element> must be a value in the set [SampleCount, Average, Sum, Minimum, Maximum].", i+1)
		}
	}
	// Statistics and ExtendedStatistics together AWS answers with both (recorded,
	// though the API reference says "either ... but not both").
	for i, s := range in.ExtendedStatistics {
		if _, ok := documentedExtended(s); !ok {
			// AWS's answer to p101 (recorded).
			return nil, errParam("The value %s for parameter ExtendedStatistics.member.%d.<list element> is not supported.", s, i+1)
		}
	}
	period := time.Duration(in.Period) * time.Second
	start := roundStart(in.StartTime, c.Now, period)
	// Counted in milliseconds: a Duration saturates at 292 years, which a range from
	// 1970 to 9999 exceeds.
	if n := (in.EndTime.UnixMilli() - start.UnixMilli()) / period.Milliseconds(); n > maxPoints {
		// AWS's wording (recorded in 2026 as "up to 1445 datapoints, which exceeds the
		// limit of 1440"; older answers wrote the numbers with commas).
		return nil, errCombination("You have requested up to %d datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.", n)
	}
	out := &api.GetMetricStatisticsOutput{Label: svckit.Ptr(in.MetricName), Datapoints: []api.Datapoint{}}
	if !retained(in.StartTime, c.Now, period) {
		return out, nil
	}
	times, aggs, units, err := readWindowsBy(c.Tx, c.Account, c.Region, metricKey(in.Namespace, in.MetricName, in.Dimensions), start, in.EndTime, period, svckit.Str(in.Unit), in.Unit == nil)
	if err != nil {
		return nil, err
	}
	for i, agg := range aggs {
		dp := api.Datapoint{Timestamp: svckit.Ptr(times[i]), Unit: svckit.Ptr(units[i])}
		for _, s := range in.Statistics {
			v, ok := statistic(agg, s)
			if !ok {
				continue
			}
			switch s {
			case "SampleCount":
				dp.SampleCount = &v
			case "Sum":
				dp.Sum = &v
			case "Average":
				dp.Average = &v
			case "Minimum":
				dp.Minimum = &v
			case "Maximum":
				dp.Maximum = &v
			}
		}
		for _, s := range in.ExtendedStatistics {
			if v, ok := statistic(agg, s); ok {
				if dp.ExtendedStatistics == nil {
					dp.ExtendedStatistics = map[string]float64{}
				}
				dp.ExtendedStatistics[s] = v
			}
		}
		out.Datapoints = append(out.Datapoints, dp)
	}
	return out, nil
}

// metricSeries computes a MetricStat over [start, end). For GetMetricData (now set)
// the periods begin at StartTime as roundStart rounds it, and data before that is
// left out. An alarm's periods (now zero) stay aligned to the period since the
// epoch, the first one reaching back before start: AWS's alarm answers recorded so
// far do not show another alignment.
//
// multiUnit asks for GetMetricData's answer to a metric put with several units and
// queried without Unit; alarms keep merging them (AWS: "the alarm's behavior is not
// defined").
func metricSeries(tx *store.Tx, account, region string, ms *api.MetricStat, start, end, now time.Time, multiUnit bool) (*series, error) {
	if ms.Metric == nil {
		return nil, errMissing("The parameter MetricStat.Metric is required.")
	}
	period := time.Duration(ms.Period) * time.Second
	if !now.IsZero() && !retained(start, now, period) {
		return &series{}, nil
	}
	aligned := time.UnixMilli(start.UnixMilli() - mod(start.UnixMilli(), period.Milliseconds())).UTC()
	if !now.IsZero() {
		aligned = roundStart(start, now, period)
		start = aligned
	}
	mkey := metricKey(svckit.Str(ms.Metric.Namespace), svckit.Str(ms.Metric.MetricName), ms.Metric.Dimensions)
	unit := svckit.Str(ms.Unit)
	var several []string
	if unit == "" && multiUnit {
		// GetMetricData without a Unit answers one unit's values, not their merge, and
		// says so: for Seconds and Milliseconds put in one minute AWS answered the
		// Milliseconds value with "Multiple units returned: '[Milliseconds,
		// Seconds]'" (recorded, 2026). That the first unit in name order is the one
		// answered, and that units are gathered over the whole query, are inferred.
		_, _, us, err := readWindowsBy(tx, account, region, mkey, aligned, end, period, "", true)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, u := range us {
			if !seen[u] {
				seen[u] = true
				several = append(several, u)
			}
		}
		sort.Strings(several)
		if len(several) > 1 {
			unit = several[0]
		} else {
			several = nil
		}
	}
	times, aggs, units, err := readWindows(tx, account, region, mkey, aligned, end, period, unit)
	if err != nil {
		return nil, err
	}
	s := &series{units: several}
	for i, agg := range aggs {
		// A period of values put only with counts of 0 is no datapoint here, though
		// GetMetricStatistics gives it (recorded, 2026: statistics.json, AllZero's
		// SampleCount in visibility-* and statistics-AllZero-*; alarms inferred).
		if agg.N <= 0 {
			continue
		}
		v, ok := statistic(agg, ms.Stat)
		if !ok || times[i].Before(start) && !times[i].Equal(aligned) {
			continue
		}
		s.times = append(s.times, times[i])
		s.values = append(s.values, v)
		s.counts = append(s.counts, agg.N)
		if s.unit == "" {
			s.unit = units[i]
		}
	}
	return s, nil
}

func (cw *CloudWatch) getMetricData(c *server.Call, in *api.GetMetricDataInput) (*api.GetMetricDataOutput, error) {
	if !in.StartTime.Before(in.EndTime) {
		return nil, errParam("The parameter StartTime must be less than the parameter EndTime.")
	}
	if len(in.MetricDataQueries) > maxQueries {
		// Inferred wording, PutMetricData's for its collection.
		return nil, errParam("The collection MetricDataQueries must not have a size greater than %d.", maxQueries)
	}
	desc := svckit.Str(in.ScanBy) != "TimestampAscending"
	limit := 100_800
	if in.MaxDatapoints != nil {
		if *in.MaxDatapoints < 1 {
			// Inferred wording. 0 answered a page of nothing with a NextToken that
			// led back to it, a paginator's endless loop; a negative value meant no
			// limit at all.
			return nil, errParam("The parameter MaxDatapoints must be greater than 0.")
		}
		limit = int(*in.MaxDatapoints)
	}
	results, err := evalQueries(c.Tx, c.Account, c.Region, "MetricDataQueries", in.MetricDataQueries, in.StartTime, in.EndTime, c.Now,
		&searchBudget{max: limit, desc: desc})
	if err != nil {
		return nil, err
	}
	// A request of SEARCHes alone, or whose MetricStat queries are all hidden, has
	// its series cut by cutSeries and no pages.
	paged := false
	for _, q := range in.MetricDataQueries {
		paged = paged || q.MetricStat != nil
	}
	paged = paged && !hiddenOnly(in.MetricDataQueries)
	out := &api.GetMetricDataOutput{MetricDataResults: []api.MetricDataResult{}, Messages: []api.MessageData{}}
	// A request of MetricStat queries alone, one of them at least visible, is paged
	// by windows of periods, not by datapoints (pageWindows); a hidden one, which
	// nothing reads, takes no share (recorded, 2026: metric_search_windows.json,
	// allocation-hidden-direct-unused-max-3 gave m1 three periods a page beside a
	// hidden m2).
	windowed := !hiddenOnly(in.MetricDataQueries)
	for _, q := range in.MetricDataQueries {
		windowed = windowed && q.MetricStat != nil
	}
	skip := 0
	if in.NextToken != nil && !windowed {
		p, ok := svckit.ParseToken(c.Tx, *in.NextToken)
		n, err := strconv.Atoi(p)
		if !ok || err != nil || n < 0 {
			// AWS answers without a message (recorded, 2026).
			return nil, api.NewInvalidNextToken("")
		}
		skip = n
	}
	seen, emitted := 0, 0
	labels := queryLabels(in.MetricDataQueries, results)
	var answers []answer
	for _, q := range in.MetricDataQueries {
		if s := results[q.Id]; !s.search && !s.viaSearch && (q.ReturnData == nil || *q.ReturnData) {
			answers = append(answers, answer{q, s, labels[q.Id]})
		}
	}
	// A SEARCH's results follow the others, whatever the order of the queries
	// (recorded, 2026: metric_search_order.json), and so do the expressions that
	// read them, in the order of the queries: a SEARCH's two series came before
	// SUM() of them (recorded, 2026: metric_search_windows.json,
	// allocation-visible-search-visible-sum-max-5).
	for _, q := range in.MetricDataQueries {
		s := results[q.Id]
		if !s.search && !s.viaSearch || q.ReturnData != nil && !*q.ReturnData {
			continue
		}
		if !s.search {
			answers = append(answers, answer{q, s, labels[q.Id]})
			continue
		}
		// A SEARCH answers a result per series, under the query's Id.
		if s.exceeded {
			out.Messages = append(out.Messages, api.MessageData{Code: svckit.Ptr("MaxMetricsExceeded"),
				Value: svckit.Ptr("Maximum number of allowed metrics exceeded")})
		}
		for _, m := range s.group {
			answers = append(answers, answer{q, m, m.label})
		}
	}
	if windowed {
		return pageWindows(c, in, out, answers, limit, desc)
	}
	for _, a := range answers {
		q, s := a.q, a.s
		r := api.MetricDataResult{Id: svckit.Ptr(q.Id), Label: svckit.Ptr(a.label), StatusCode: svckit.Ptr("Complete"),
			Timestamps: []time.Time{}, Values: []float64{}}
		switch {
		case s.forbidden:
			r.StatusCode = svckit.Ptr("Forbidden")
			r.Messages = []api.MessageData{{Code: svckit.Ptr("Forbidden"),
				Value: svckit.Ptr("Access denied when getting data - please check that this account and the requested metric account are linked")}}
		case len(s.units) > 1:
			r.Messages = []api.MessageData{{Code: svckit.Ptr("MultipleUnits"),
				Value: svckit.Ptr("Multiple units returned: '[" + strings.Join(s.units, ", ") + "]'")}}
		case s.partial:
			r.StatusCode = svckit.Ptr("PartialData")
			r.Messages = []api.MessageData{{Code: svckit.Ptr("PartialData"),
				Value: svckit.Ptr("The expression may contain partial data as one or more metrics have StatusCode 'Paginated'")}}
		}
		n := len(s.times)
		for i := range n {
			j := i
			if desc {
				j = n - 1 - i
			}
			if !paged {
				r.Timestamps = append(r.Timestamps, s.times[j])
				r.Values = append(r.Values, s.values[j])
				continue
			}
			seen++
			if seen <= skip {
				continue
			}
			if emitted == limit {
				out.NextToken = svckit.Ptr(svckit.Token(c.Tx, strconv.Itoa(seen-1)))
				r.StatusCode = svckit.Ptr("PartialData")
				break
			}
			r.Timestamps = append(r.Timestamps, s.times[j])
			r.Values = append(r.Values, s.values[j])
			emitted++
		}
		out.MetricDataResults = append(out.MetricDataResults, r)
	}
	return out, nil
}

// answer is a result GetMetricData returns: a query's series, or one of a SEARCH's.
type answer struct {
	q     api.MetricDataQuery
	s     *series
	label string
}

// pageWindows pages a request of MetricStat queries as AWS does: each page gives
// the queries not yet complete MaxDatapoints periods between them — divided among
// them, the remainder one each to the first — counted in each query's own period
// from the scan's start, whether the periods hold data or not. A query whose
// periods all went out is Complete on that page and left out of the pages after;
// the others are PartialData, even with no datapoint in their share, and the page
// has a NextToken (recorded, 2026: metric_search_windows.json, window-direct-* and
// mixed-period-direct-60-120-*: one query of six periods at MaxDatapoints 1 gave
// six pages, empty, 212, empty, 220, empty and an empty Complete one; two queries
// at 1 gave the first all the budget until it was complete, at 3 two periods to
// the first and one to the second, and a query of 120-second periods beside one of
// 60 one period of 120 seconds for each of 60).
func pageWindows(c *server.Call, in *api.GetMetricDataInput, out *api.GetMetricDataOutput, answers []answer, limit int, desc bool) (*api.GetMetricDataOutput, error) {
	type grid struct{ from, p, n int64 }
	grids := make([]grid, len(answers))
	end := in.EndTime.UnixMilli()
	for i, a := range answers {
		p := time.Duration(a.q.MetricStat.Period) * time.Second
		from := roundStart(in.StartTime, c.Now, p).UnixMilli()
		ms := p.Milliseconds()
		n := int64(0)
		if ms > 0 && end > from {
			n = (end - from + ms - 1) / ms
		}
		grids[i] = grid{from, ms, n}
	}
	done := make([]int64, len(answers))
	if in.NextToken != nil {
		p, ok := svckit.ParseToken(c.Tx, *in.NextToken)
		parts := strings.Split(strings.TrimPrefix(p, "w"), ",")
		if !ok || !strings.HasPrefix(p, "w") || len(parts) != len(answers) {
			return nil, api.NewInvalidNextToken("")
		}
		for i, f := range parts {
			n, err := strconv.ParseInt(f, 10, 64)
			if err != nil || n < 0 || n > grids[i].n {
				return nil, api.NewInvalidNextToken("")
			}
			done[i] = n
		}
	}
	var active []int
	for i := range answers {
		if done[i] < grids[i].n || in.NextToken == nil {
			active = append(active, i)
		}
	}
	more := false
	for k, i := range active {
		a, g := answers[i], grids[i]
		share := int64(limit / len(active))
		if k < limit%len(active) {
			share++
		}
		lo, hi := done[i], min(done[i]+share, g.n)
		done[i] = hi
		r := api.MetricDataResult{Id: svckit.Ptr(a.q.Id), Label: svckit.Ptr(a.label), StatusCode: svckit.Ptr("Complete"),
			Timestamps: []time.Time{}, Values: []float64{}}
		switch {
		case a.s.forbidden:
			r.StatusCode = svckit.Ptr("Forbidden")
			r.Messages = []api.MessageData{{Code: svckit.Ptr("Forbidden"),
				Value: svckit.Ptr("Access denied when getting data - please check that this account and the requested metric account are linked")}}
		case len(a.s.units) > 1:
			r.Messages = []api.MessageData{{Code: svckit.Ptr("MultipleUnits"),
				Value: svckit.Ptr("Multiple units returned: '[" + strings.Join(a.s.units, ", ") + "]'")}}
		}
		if hi < g.n {
			r.StatusCode = svckit.Ptr("PartialData")
			more = true
		}
		n := len(a.s.times)
		if g.p == 0 {
			n = 0
		}
		for j := range n {
			if desc {
				j = n - 1 - j
			}
			// The period's place counted from the scan's start.
			at := (a.s.times[j].UnixMilli() - g.from) / g.p
			if desc {
				at = g.n - 1 - at
			}
			if at >= lo && at < hi {
				r.Timestamps = append(r.Timestamps, a.s.times[j])
				r.Values = append(r.Values, a.s.values[j])
			}
		}
		out.MetricDataResults = append(out.MetricDataResults, r)
	}
	if more {
		parts := make([]string, len(done))
		for i, n := range done {
			parts[i] = strconv.FormatInt(n, 10)
		}
		out.NextToken = svckit.Ptr(svckit.Token(c.Tx, "w"+strings.Join(parts, ",")))
	}
	return out, nil
}

// queryLabels gives each query its Label or, without one, AWS's default, and labels
// the series of each SEARCH. A default label names what tells the request's
// unlabelled returned metrics apart — the MetricStat queries' and the SEARCH
// results' (autoLabels) — followed by the statistic when queries of that metric ask
// for different statistics and by the period when they ask for different periods;
// the unit is never added (recorded, 2026: metric_labels.json, "AllZero Sum" and
// "AllZero Average", "AllZero 60" and "AllZero 120", but "AllZero" beside a hidden or
// labelled query of AllZero's Average; LocalStack's AWS-validated
// test_label_generation: "metric1 Sum 60", "metric1 Minimum 30"). An expression
// without a label is labelled with its Id. A SEARCH's series are labelled after the
// query's Label when it has a non-empty one (recorded, 2026: metric_search.json
// "explicit-label").
func queryLabels(qs []api.MetricDataQuery, results map[string]*series) map[string]string {
	returned := func(q api.MetricDataQuery) bool { return q.ReturnData == nil || *q.ReturnData }
	unlabelled := func(q api.MetricDataQuery) bool {
		return q.Label == nil && q.MetricStat != nil && q.MetricStat.Metric != nil && returned(q)
	}
	var recs []*metricRec
	var set []func(string)
	labels := make(map[string]string, len(qs))
	for _, q := range qs {
		if s := results[q.Id]; s != nil && s.search {
			if !returned(q) {
				continue
			}
			prefix := ""
			if q.Label != nil && *q.Label != "" {
				prefix = *q.Label + " "
			}
			for _, m := range s.group {
				recs = append(recs, m.metric)
				set = append(set, func(l string) { m.label = prefix + l })
			}
			continue
		}
		if unlabelled(q) {
			m := q.MetricStat.Metric
			recs = append(recs, &metricRec{Namespace: svckit.Str(m.Namespace), Name: svckit.Str(m.MetricName), Dimensions: m.Dimensions})
			id := q.Id
			set = append(set, func(l string) { labels[id] = l })
		}
	}
	for i, l := range autoLabels(recs) {
		set[i](l)
	}
	type variety struct{ stats, periods map[string]bool }
	byMetric := map[string]*variety{}
	key := func(q api.MetricDataQuery) string {
		m := q.MetricStat.Metric
		return metricKey(svckit.Str(m.Namespace), svckit.Str(m.MetricName), m.Dimensions)
	}
	for _, q := range qs {
		if !unlabelled(q) {
			continue
		}
		v := byMetric[key(q)]
		if v == nil {
			v = &variety{stats: map[string]bool{}, periods: map[string]bool{}}
			byMetric[key(q)] = v
		}
		v.stats[q.MetricStat.Stat] = true
		v.periods[strconv.Itoa(int(q.MetricStat.Period))] = true
	}
	for _, q := range qs {
		switch {
		case q.Label != nil:
			labels[q.Id] = *q.Label
		case unlabelled(q):
			v := byMetric[key(q)]
			if len(v.stats) > 1 {
				labels[q.Id] += " " + q.MetricStat.Stat
			}
			if len(v.periods) > 1 {
				labels[q.Id] += " " + strconv.Itoa(int(q.MetricStat.Period))
			}
		case q.MetricStat != nil && q.MetricStat.Metric != nil:
			labels[q.Id] = svckit.Str(q.MetricStat.Metric.MetricName)
		default:
			labels[q.Id] = q.Id
		}
	}
	return labels
}

// searchBudget is GetMetricData's MaxDatapoints and scan order, which cut a SEARCH's
// series; alarms and the checks of PutMetricAlarm pass none.
type searchBudget struct {
	max  int
	desc bool
}

// evalQueries computes every query of a GetMetricData request (or an alarm's
// metric math): MetricStat queries read their metric, expressions combine them.
// param is the request's name for the list, in error messages: MetricDataQueries, or
// an alarm's Metrics. now is the time of the request, which tells which periods
// CloudWatch still has data for; an alarm's evaluation passes the zero time, as its
// evaluation range is not a query of stored data (a day of 10-second periods is
// allowed).
func evalQueries(tx *store.Tx, account, region, param string, qs []api.MetricDataQuery, start, end, now time.Time, budget *searchBudget) (map[string]*series, error) {
	if len(qs) == 0 {
		return nil, errMissing("The parameter %s is required.", param)
	}
	// AWS answers every unknown statistic at once, a line each, as ValidationError,
	// without the value (users' recordings of 2024: "The value for parameter
	// MetricDataQueries.member.37.MetricStat.Stat is not a valid statistic.\nThe value
	// for parameter MetricDataQueries.member.38.MetricStat.Stat is not a valid
	// statistic.", and of 2026 for "not-a-stat"; in 2021 AWS wrote "The value None for
	// parameter …"); for an alarm's Metrics the same wording is inferred.
	var badStats []string
	for i, q := range qs {
		if q.MetricStat != nil && !validStat(q.MetricStat.Stat) {
			badStats = append(badStats, fmt.Sprintf("The value for parameter %s.member.%d.MetricStat.Stat is not a valid statistic.", param, i+1))
		}
	}
	if len(badStats) > 0 {
		return nil, validationError("%s", strings.Join(badStats, "\n"))
	}
	// AWS's answers (recorded, 2026, for GetMetricData; for an alarm's Metrics
	// inferred): an Id outside the pattern, Ids used twice, and a query with both an
	// Expression and a MetricStat are ValidationError.
	ids := map[string]bool{}
	for i, q := range qs {
		if !metricIDPattern.MatchString(q.Id) {
			return nil, validationError("The value for parameter %s.member.%d.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.", param, i+1)
		}
		if ids[q.Id] {
			return nil, validationError("The values for parameter id in %s are not unique.", param)
		}
		ids[q.Id] = true
	}
	out := map[string]*series{}
	for i, q := range qs {
		if q.MetricStat != nil && q.Expression != nil {
			return nil, validationError("The parameters %s.member.%d.Expression and %s.member.%d.MetricStat are mutually exclusive and you have specified both.", param, i+1, param, i+1)
		}
		if q.MetricStat == nil && q.Expression == nil {
			// Inferred wording.
			return nil, errParam("The parameter %s.member.%d must specify exactly one of MetricStat and Expression.", param, i+1)
		}
		if q.MetricStat != nil {
			if err := checkPeriod(fmt.Sprintf("%s.member.%d.MetricStat.Period", param, i+1), q.MetricStat.Period); err != nil {
				return nil, err
			}
			if q.AccountId != nil && *q.AccountId != account {
				// Palisade links no accounts for cross-account observability: another
				// account's metric is AWS's per-query Forbidden (recorded, 2026).
				out[q.Id] = &series{forbidden: true}
				continue
			}
			// Only GetMetricData's queries answer one unit of several.
			s, err := metricSeries(tx, account, region, q.MetricStat, start, end, now, param == "MetricDataQueries")
			if err != nil {
				return nil, err
			}
			out[q.Id] = s
		} else {
			out[q.Id] = nil // computed below, once every MetricStat is read
		}
	}
	type parsedExpr struct {
		i int
		q api.MetricDataQuery
		e mathExpr
	}
	var exprs []parsedExpr
	var searches []*mathSearch
	for i, q := range qs {
		if q.Expression == nil {
			continue
		}
		e, err := parseMath(*q.Expression)
		var nf unknownFunction
		if errors.As(err, &nf) {
			// AWS's answer to NOT_A_FUNCTION(m) (recorded, 2026).
			return nil, validationError("Error in expression '%s': Function '%s' not found", q.Id, string(nf))
		}
		var se *searchError
		if errors.As(err, &se) {
			if se.prefixed {
				return nil, validationError("Error in expression '%s': %s", q.Id, se.msg)
			}
			return nil, validationError("%s", se.msg)
		}
		if err != nil {
			return nil, errParam("The value %s for parameter %s.member.%d.Expression is not valid: %v", *q.Expression, param, i+1, err)
		}
		if hasSearch(e) {
			if param != "MetricDataQueries" {
				// The User Guide: "You can't create an alarm based on a search
				// expression" — AWS's answer, returned data or not, alone or inside
				// a function (recorded, 2026: metric_discovery_alarms.json,
				// search-array, search-reduced, search-unused).
				return nil, validationError("SEARCH is not supported on Metric Alarms.")
			}
			var period int64
			if q.Period != nil {
				period = int64(*q.Period)
			}
			err := resolveSearches(e, func(m *mathSearch) error {
				r, err := runSearch(tx, account, region, m, period, start, end, now)
				m.result = r
				searches = append(searches, m)
				return err
			})
			if err != nil {
				return nil, err
			}
		}
		exprs = append(exprs, parsedExpr{i, q, e})
	}
	direct := false
	for _, q := range qs {
		direct = direct || q.MetricStat != nil
	}
	if budget != nil && !direct {
		cutSearches(searches, budget, start, end, now)
	}
	if budget != nil && hiddenOnly(qs) && len(searches) == 0 {
		// MetricStat queries only read by expressions are cut alike, without a
		// NextToken: m1+m2 of two hidden queries of six periods answered 17:35's
		// 212 alone at MaxDatapoints 3, two periods of m1 and one of m2, PartialData
		// with the SEARCH's message (recorded, 2026: metric_search_windows.json,
		// window-hidden-direct-sum-*).
		var all []cutMember
		for _, q := range qs {
			if q.MetricStat != nil && out[q.Id] != nil {
				all = append(all, cutMember{out[q.Id], time.Duration(q.MetricStat.Period) * time.Second})
			}
		}
		cutSeries(all, budget, start, end, now)
	}
	for _, x := range exprs {
		s, err := x.e.eval(out)
		if err != nil {
			return nil, errParam("The value %s for parameter %s.member.%d.Expression is not valid: %v", *x.q.Expression, param, x.i+1, err)
		}
		if _, bare := x.e.(*mathSearch); !bare && usesPartial(x.e, out) {
			s = markPartial(s)
		}
		if s != nil && !s.search && usesSearch(x.e, out) {
			s.viaSearch = true
		}
		out[x.q.Id] = s
	}
	return out, nil
}

// cutSearches applies GetMetricData's MaxDatapoints to the series of the request's
// SEARCHes when it has no MetricStat query: AWS answers them without a NextToken,
// each series cut to a number of periods from the scan's start — MaxDatapoints
// divided among the series, the remainder one each to the first — and a series cut
// short is PartialData with the message "The expression may contain partial data as
// one or more metrics have StatusCode 'Paginated'" (recorded, 2026:
// metric_search_windows.json: two series of six periods answered 1 and 1 periods for
// 2 datapoints, 2 and 1 for 3, 4 and 3 for 7, 5 and 4 for 9, all 6 and 5 for 11;
// one series 3 periods for 3), counted from the end for TimestampDescending (one
// series 3 periods for 3, two series 2 and 1 for 3). That several SEARCHes share one
// division in the order of the queries is inferred. A request with MetricStat
// queries too is paged as before: AWS's division there is not matched.
func cutSearches(searches []*mathSearch, budget *searchBudget, start, end, now time.Time) {
	var all []cutMember
	for _, m := range searches {
		if m.result == nil {
			continue
		}
		for _, s := range m.result.group {
			all = append(all, cutMember{s, time.Duration(m.used) * time.Second})
		}
	}
	cutSeries(all, budget, start, end, now)
}

// hiddenOnly reports whether a request's MetricStat queries, at least one, are all
// hidden (ReturnData false).
func hiddenOnly(qs []api.MetricDataQuery) bool {
	n := 0
	for _, q := range qs {
		if q.MetricStat != nil {
			if q.ReturnData == nil || *q.ReturnData {
				return false
			}
			n++
		}
	}
	return n > 0
}

// cutMember is a series MaxDatapoints cuts, and its period.
type cutMember struct {
	s      *series
	period time.Duration
}

// cutSeries cuts each series to its share of MaxDatapoints periods (cutSearches).
func cutSeries(all []cutMember, budget *searchBudget, start, end, now time.Time) {
	n := len(all)
	if n == 0 {
		return
	}
	for i, x := range all {
		k := int64(budget.max / n)
		if i < budget.max%n {
			k++
		}
		from := roundStart(start, now, x.period)
		p := x.period.Milliseconds()
		periods := (end.UnixMilli() - from.UnixMilli() + p - 1) / p
		if k >= periods {
			continue
		}
		lo, hi := from.UnixMilli(), from.UnixMilli()+k*p
		if budget.desc {
			lo, hi = from.UnixMilli()+(periods-k)*p, end.UnixMilli()
		}
		kept := &series{}
		for j, t := range x.s.times {
			if ms := t.UnixMilli(); ms >= lo && ms < hi {
				kept.times = append(kept.times, t)
				kept.values = append(kept.values, x.s.values[j])
				kept.counts = append(kept.counts, x.s.counts[j])
			}
		}
		x.s.times, x.s.values, x.s.counts, x.s.partial = kept.times, kept.values, kept.counts, true
	}
}

// usesPartial reports whether an expression reads a series cut short: AWS marks
// such an expression's result PartialData with the same message (recorded, 2026:
// metric_search_windows.json, SUM(hidden) and SUM(SEARCH(...))).
func usesPartial(e mathExpr, env map[string]*series) bool {
	return reads(e, env, func(s *series) bool {
		if s.partial {
			return true
		}
		for _, m := range s.group {
			if m.partial {
				return true
			}
		}
		return false
	})
}

// usesSearch reports whether an expression reads a SEARCH's series, inline or by Id.
func usesSearch(e mathExpr, env map[string]*series) bool {
	return reads(e, env, func(s *series) bool { return s.search || s.viaSearch })
}

// reads reports whether an expression reads a series for which pred holds.
func reads(e mathExpr, env map[string]*series, pred func(*series) bool) bool {
	switch x := e.(type) {
	case mathRef:
		return env[string(x)] != nil && pred(env[string(x)])
	case *mathSearch:
		return x.result != nil && pred(x.result)
	case *mathBin:
		return reads(x.l, env, pred) || reads(x.r, env, pred)
	case *mathAgg:
		if x.all {
			for _, s := range env {
				if s != nil && pred(s) {
					return true
				}
			}
		}
		for _, a := range x.args {
			if reads(a, env, pred) {
				return true
			}
		}
	}
	return false
}

// markPartial marks an expression's result, or each series of a group, as partial.
func markPartial(s *series) *series {
	if s == nil {
		return s
	}
	s.partial = true
	for _, m := range s.group {
		m.partial = true
	}
	return s
}

func (cw *CloudWatch) listMetrics(c *server.Call, in *api.ListMetricsInput) (*api.ListMetricsOutput, error) {
	since := c.Now.Add(-maxAge).UnixMilli()
	if in.RecentlyActive != nil {
		if *in.RecentlyActive != "PT3H" {
			// AWS's answer to PT1H (recorded, 2026).
			return nil, errParam("Request parameter recentlyActive value is invalid")
		}
		since = c.Now.Add(-3 * time.Hour).UnixMilli()
	}
	prefix := ""
	if in.Namespace != nil {
		prefix = *in.Namespace + "\x00"
		if in.MetricName != nil {
			prefix += *in.MetricName + "\x00"
		}
	}
	out := &api.ListMetricsOutput{Metrics: []api.Metric{}}
	if in.IncludeLinkedAccounts != nil && *in.IncludeLinkedAccounts && in.OwningAccount != nil && *in.OwningAccount != c.Account {
		// No account is linked to this one: another account's metrics are none, and
		// so are the owning accounts (AWS's answer, recorded, 2026).
		out.OwningAccounts = []string{}
		return out, nil
	}
	var err error
	// A token ListMetrics did not hand out is InvalidParameterValue, not
	// InvalidNextToken (AWS's answer, recorded, 2026).
	badToken := errParam("Request parameter NextToken is invalid")
	out.NextToken, err = svckit.Page(c.Tx, ns(c.Account, c.Region, tMetrics), prefix, in.NextToken, 500, badToken, func(_ string, v []byte, take bool) (bool, error) {
		m := &metricRec{}
		if err := decode(v, m); err != nil {
			return false, err
		}
		if m.LastPut < since || in.MetricName != nil && m.Name != *in.MetricName || !dimsMatch(m.Dimensions, in.Dimensions) {
			return false, nil
		}
		if !take {
			return true, nil
		}
		out.Metrics = append(out.Metrics, api.Metric{Namespace: svckit.Ptr(m.Namespace), MetricName: svckit.Ptr(m.Name), Dimensions: nonNilDims(m.Dimensions)})
		return true, nil
	})
	return out, err
}

func nonNilDims(d []api.Dimension) []api.Dimension {
	if d == nil {
		return []api.Dimension{}
	}
	return d
}

// dimsMatch applies ListMetrics' dimension filters: every filter's name must be a
// dimension of the metric, with the given value when there is one.
func dimsMatch(dims []api.Dimension, filters []api.DimensionFilter) bool {
	for _, f := range filters {
		found := false
		for _, d := range dims {
			if d.Name == f.Name && (f.Value == nil || *f.Value == d.Value) {
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
