package cloudwatch_test

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// The expected values below follow "CloudWatch statistics definitions" (CloudWatch
// User Guide) over CloudWatch's histogram: ranges in values exclude the lower bound
// and include the upper; ranges in percentages leave out the lowest and highest data
// points by rank, a data point on a boundary counting with its part inside (AWS
// answered tc90 = 4.5 for the five data points 2, 2, 10, 10, 10).

// extended fetches extended statistics of one minute of a metric, ten at a time as
// the API takes them; a statistic AWS does not give is absent from the map.
func (e *env) extended(metric string, at time.Time, stats ...string) map[string]float64 {
	e.Helper()
	got := map[string]float64{}
	for len(stats) > 0 {
		n := min(10, len(stats))
		out := apptest.Must(e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String(metric),
			StartTime: aws.Time(at), EndTime: aws.Time(at.Add(time.Minute)), Period: aws.Int32(60), ExtendedStatistics: stats[:n]}))
		if len(out.Datapoints) != 1 {
			e.Fatalf("%s: %d datapoints", metric, len(out.Datapoints))
		}
		for k, v := range out.Datapoints[0].ExtendedStatistics {
			got[k] = v
		}
		stats = stats[n:]
	}
	return got
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestExtendedStatisticsDefinitions(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		at := e.p.Clock.Now().Truncate(time.Minute).Add(-5 * time.Minute)
		apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
			{MetricName: aws.String("Ten"), Timestamp: aws.Time(at), Values: []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
			// AWS's recorded example: 2 twice and 10 three times.
			{MetricName: aws.String("Weighted"), Timestamp: aws.Time(at), Values: []float64{2, 10}, Counts: []float64{2, 3}},
		}}))
		// The values of AWS's histogram (histogram.go): each of 1..10 in its bin of
		// [1.1^i, 1.1^(i+1)), the last cut at the Maximum 10; tm90, IQM and p50 are
		// AWS's answers for these data (statistics.json, Uniform at 01:43).
		want := map[string]float64{
			"tm90":         4.993213453867572,
			"TM(10%:90%)":  5.486405287843457,
			"TM(:90%)":     4.993213453867572, // the same as tm90
			"TM(10%:)":     5.978382522991547,
			"IQM":          5.403085690619041,
			"TM(2:8)":      4.956060659766342,
			"TM(150:1000)": 0, // no value in range: not given (below)
			"tc90":         9,
			"TC(2:8)":      6.547283309869032, // a part of 2's bin lies above 2, of 8's above 8
			"TC(:5)":       4.881456789507427,
			"TC(11:20)":    0,
			"ts50":         14.893777274498273,
			"TS(2:8)":      32.44873324038667,
			"TS(80%:)":     19.32688389208382,
			"wm80":         5.2,               // 9 and 10 count as 8: (36 + 16) / 10
			"WM(10%:90%)":  5.5,               // 1 counts as 2, 10 as 9: 55 / 10
			"WM(3:7)":      5.161178159029678, // 1, 2 and the part of 3's bin up to 3 count as 3; 8, 9, 10 and 7's part above 7 as 7
			"PR(:3)":       25.14816984441766,
			"PR(3:)":       74.85183015558235,
			"PR(0.5:1)":    0, // 1 lies at its bin's lower edge
			"PR(2:8)":      65.47283309869032,
			"p0":           1,
			"p100":         10,
			"p50":          5.054470284992944, // 1.1^17, where 5's bin ends
		}
		var names []string
		for k := range want {
			names = append(names, k)
		}
		sort.Strings(names)
		got := e.extended("Ten", at, names...)
		for _, k := range names {
			v, ok := got[k]
			if k == "TM(150:1000)" {
				if ok {
					e.Errorf("%s = %v, want none (no value in range)", k, v)
				}
				continue
			}
			if !ok || !near(v, want[k]) {
				e.Errorf("%s = %v (given %v), want %v", k, v, ok, want[k])
			}
		}
		// The five data points of AWS's recording, and AWS's answers (statistics.json,
		// Weighted at 01:43) but for wm90 (AWS 6.7849), which Palisade computes from
		// the values.
		got = e.extended("Weighted", at, "tc90", "ts90", "tm90", "wm90", "IQM", "PR(:2)", "PR(2:10)", "p0", "p100", "p50")
		for k, w := range map[string]float64{"tc90": 4.5, "ts90": 28.924448962219458, "tm90": 6.427655324937657, "wm90": 6.8, "IQM": 7.5604922241921155,
			"PR(:2)": 0, "PR(2:10)": 100, "p0": 2, "p100": 10, "p50": 9.874619498547638} {
			if v, ok := got[k]; !ok || !near(v, w) {
				e.Errorf("Weighted %s = %v (given %v), want %v", k, v, ok, w)
			}
		}

		// GetMetricData takes them as MetricStat.Stat.
		q := func(id, stat string) types.MetricDataQuery {
			return types.MetricDataQuery{Id: aws.String(id), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("Ten")},
				Period: aws.Int32(60), Stat: aws.String(stat)}}
		}
		md := apptest.Must(e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(at), EndTime: aws.Time(at.Add(time.Minute)),
			MetricDataQueries: []types.MetricDataQuery{q("a", "tm90"), q("b", "WM(10%:90%)"), q("c", "PR(:3)"), q("d", "TM(150:1000)"), q("e", "tc90")}}))
		for i, w := range []float64{4.993213453867572, 5.5, 25.14816984441766, -1, 9} {
			r := md.MetricDataResults[i]
			if w < 0 {
				if len(r.Values) != 0 {
					e.Errorf("%s: %v, want no datapoint", aws.ToString(r.Id), r.Values)
				}
				continue
			}
			if len(r.Values) != 1 || !near(r.Values[0], w) {
				e.Errorf("%s (%s): %v, want %v", aws.ToString(r.Id), aws.ToString(r.Label), r.Values, w)
			}
		}
		if l := aws.ToString(md.MetricDataResults[0].Label); l != "Ten tm90" {
			e.Errorf("label %q", l)
		}
	})
}

// "CloudWatch needs raw data points to calculate" these statistics: a statistic set
// gives them only when its values are known, and with a negative value only ranges
// of values are given (extreme_bin_boundaries.json) — besides p0 and p100, which AWS
// answered for both (recorded).
func TestExtendedStatisticsNeedValues(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	at := e.p.Clock.Now().Truncate(time.Minute).Add(-5 * time.Minute)
	apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("Spread"), Timestamp: aws.Time(at), StatisticValues: statSet(3, 15, 1, 9)},
		{MetricName: aws.String("Equal"), Timestamp: aws.Time(at), StatisticValues: statSet(3, 21, 7, 7)},
		{MetricName: aws.String("Inconsistent"), Timestamp: aws.Time(at), StatisticValues: statSet(1, 3, 1, 2)},
		{MetricName: aws.String("Negative"), Timestamp: aws.Time(at), Values: []float64{-1, 3}},
	}}))
	stats := []string{"p0", "p50", "p100", "tm90", "tc90", "PR(:5)", "IQM"}
	for metric, want := range map[string]map[string]float64{
		"Spread":       {"p0": 1, "p100": 9},
		"Equal":        {"p0": 7, "p50": 7, "p100": 7, "tm90": 7, "tc90": 2.7, "PR(:5)": 0, "IQM": 7},
		"Inconsistent": {"p0": 1, "p100": 2},
		"Negative":     {"p0": -1, "p100": 3, "PR(:5)": 50},
	} {
		got := e.extended(metric, at, stats...)
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", metric, got, want)
			continue
		}
		for k, w := range want {
			if v, ok := got[k]; !ok || !near(v, w) {
				t.Errorf("%s %s = %v (given %v), want %v", metric, k, v, ok, w)
			}
		}
	}
}

// Statistics with ExtendedStatistics AWS answers with both (recorded: Sum and p90),
// whatever the API reference's "but not both" says.
func TestStatisticsWithExtendedStatistics(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	at := e.p.Clock.Now().Truncate(time.Minute).Add(-5 * time.Minute)
	apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("M"), Timestamp: aws.Time(at), Values: []float64{2, 4}}}}))
	out := apptest.Must(e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("M"),
		StartTime: aws.Time(at), EndTime: aws.Time(at.Add(time.Minute)), Period: aws.Int32(60),
		Statistics: []types.Statistic{types.StatisticSum}, ExtendedStatistics: []string{"p90", "tm50"}}))
	if len(out.Datapoints) != 1 {
		t.Fatalf("%+v", out.Datapoints)
	}
	d := out.Datapoints[0]
	// From the histogram: p90 lies 0.8 of the way into 4's bin (cut above at 4), tm50
	// is the midpoint of 2's bin (cut below at 2).
	p90, tm50 := math.Pow(1.1, 14)*math.Pow(4/math.Pow(1.1, 14), 0.8), (2+math.Pow(1.1, 8))/2
	if aws.ToFloat64(d.Sum) != 6 || !near(d.ExtendedStatistics["p90"], p90) || !near(d.ExtendedStatistics["tm50"], tm50) || d.Average != nil {
		t.Fatalf("%+v", d)
	}
}

// badExtended are statistics the definitions page's syntax does not define.
var badExtended = []string{"tm101", "TM(10%:500)", "TM(90%:10%)", "TM(5:5)", "tm(10%:90%)", "TM99", "PR(10%:20%)", "TM(:)", "iqm",
	"p101", "Sum", "wm99.12345678901", "TM(-1:5)", "pr300", "TX(1:2)"}

// goodExtended are forms the page defines and uses as examples.
var goodExtended = []string{"p99.99", "tm99", "tm99.5", "TM(2%:98%)", "TM(150:1000)", "TS(80%:)", "TC(0.005:0.030)", "PR(:300)", "PR(100:2000)",
	"PR(10:)", "WM(10%:90%)", "wm98", "IQM", "TM(:95%)"}

func TestExtendedStatisticsValidation(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		now := e.p.Clock.Now().Truncate(time.Minute)
		for _, s := range badExtended {
			_, err := e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("M"),
				StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), Period: aws.Int32(60), ExtendedStatistics: []string{"p50", s}})
			// AWS's answer to p101 (recorded).
			wantError(e, err, "InvalidParameterValue", 400, "The value "+s+" for parameter ExtendedStatistics.member.2.<list element> is not supported.")
		}
		for _, s := range goodExtended {
			apptest.Must(e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("M"),
				StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), Period: aws.Int32(60), ExtendedStatistics: []string{s}}))
		}
		var qs []types.MetricDataQuery
		var lines []string
		for i, s := range append(append([]string{}, goodExtended...), badExtended[:3]...) {
			qs = append(qs, types.MetricDataQuery{Id: aws.String(fmt.Sprintf("q%d", i)), MetricStat: &types.MetricStat{
				Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("M")}, Period: aws.Int32(60), Stat: aws.String(s)}})
			if i >= len(goodExtended) {
				lines = append(lines, fmt.Sprintf("The value for parameter MetricDataQueries.member.%d.MetricStat.Stat is not a valid statistic.", i+1))
			}
		}
		_, err := e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), MetricDataQueries: qs})
		wantError(e, err, validationCode(e), 400, strings.Join(lines, "\n"))
		apptest.Must(e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), MetricDataQueries: qs[:len(goodExtended)]}))

		// PutMetricAlarm takes the values its API reference lists: ranges of TM, TC,
		// TS and WM only as two percentages from 10 to 90.
		for s, ok := range map[string]bool{"p99.9": true, "tm99": true, "tc90": true, "ts90": true, "wm90": true, "IQM": true, "PR(:300)": true, "PR(100:2000)": true,
			"TM(10%:90%)": true, "TC(25%:75%)": true, "WM(10%:90%)": true, "TS(50%:60%)": true,
			"TM(5%:95%)": false, "TM(:90%)": false, "TM(10%:)": false, "TM(150:1000)": false, "tm101": false, "Sum": false} {
			in := alarmInput("x")
			in.Statistic, in.ExtendedStatistic = "", aws.String(s)
			_, err := e.cw.PutMetricAlarm(ctx, in)
			if ok {
				if err != nil {
					e.Errorf("%s: %v", s, err)
				}
				continue
			}
			wantError(e, err, "InvalidParameterValue", 400, "The value "+s+" for parameter ExtendedStatistic is not supported.")
		}
	})
}

// An alarm on an extended statistic evaluates it from the period's values.
func TestAlarmOnTrimmedMean(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	for name, stat := range map[string]string{"tm": "tm90", "wm": "WM(10%:90%)"} {
		in := alarmInput(name)
		in.Namespace, in.MetricName, in.Statistic, in.ExtendedStatistic = aws.String("App"), aws.String("Latency"), "", aws.String(stat)
		in.Threshold, in.ComparisonOperator = aws.Float64(5.5), types.ComparisonOperatorGreaterThanOrEqualToThreshold
		in.AlarmActions = nil
		apptest.Must(e.cw.PutMetricAlarm(ctx, in))
	}
	apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("Latency"), Values: []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 100}}}}))
	e.advance(time.Minute)
	// tm90 leaves 100 out: the mean of the bins of 1..9, 4.9976 in CloudWatch's
	// histogram; WM(10%:90%) counts 1 as 2 and 100 as 9: 5.5.
	if a := e.alarm("tm"); a.StateValue != types.StateValueOk || !strings.HasPrefix(aws.ToString(a.StateReason), "Threshold Crossed: 1 datapoint [4.99") {
		t.Fatalf("tm90: %s %q", a.StateValue, aws.ToString(a.StateReason))
	}
	if a := e.alarm("wm"); a.StateValue != types.StateValueAlarm || !strings.HasPrefix(aws.ToString(a.StateReason), "Threshold Crossed: 1 datapoint [5.5 (") ||
		!strings.Contains(aws.ToString(a.StateReasonData), `"statistic":"WM(10%:90%)"`) { // as AWS writes p90's (recorded, 2026: alarm_evaluation.json)
		t.Fatalf("WM: %s %q %s", a.StateValue, aws.ToString(a.StateReason), aws.ToString(a.StateReasonData))
	}
}

// CloudWatch keeps sub-minute data for 3 hours, then as 1-minute data; a query whose
// StartTime is more than 3 hours ago gets datapoints only for periods that are
// multiples of a minute, more than 15 days ago of 5 minutes (API reference).
func TestHighResolutionAfterThreeHours(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	at := e.p.Clock.Now().Truncate(time.Minute).Add(-10 * time.Minute)
	var data []types.MetricDatum
	for s := range 3 {
		data = append(data, types.MetricDatum{MetricName: aws.String("Hi"), Timestamp: aws.Time(at.Add(time.Duration(s) * time.Second)),
			Value: aws.Float64(float64(s + 1)), StorageResolution: aws.Int32(1)})
	}
	apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: data}))
	stats := func(period int32) []types.Datapoint {
		return apptest.Must(e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Hi"),
			StartTime: aws.Time(at), EndTime: aws.Time(at.Add(5 * time.Minute)), Period: aws.Int32(period), Statistics: []types.Statistic{types.StatisticSum}})).Datapoints
	}
	metricData := func(period int32) []float64 {
		out := apptest.Must(e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(at), EndTime: aws.Time(at.Add(5 * time.Minute)),
			MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("m"), MetricStat: &types.MetricStat{
				Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("Hi")}, Period: aws.Int32(period), Stat: aws.String("Sum")}}}}))
		return out.MetricDataResults[0].Values
	}
	if n, m := len(stats(1)), len(metricData(1)); n != 3 || m != 3 {
		t.Fatalf("within 3 hours: %d and %d one-second datapoints", n, m)
	}
	e.p.AdvanceClock(3 * time.Hour)
	if n, m := len(stats(1)), len(metricData(10)); n != 0 || m != 0 {
		t.Fatalf("after 3 hours: %d and %d sub-minute datapoints, want none", n, m)
	}
	if d := stats(60); len(d) != 1 || aws.ToFloat64(d[0].Sum) != 6 {
		t.Fatalf("after 3 hours, a minute: %+v", d)
	}
	e.p.AdvanceClock(15 * 24 * time.Hour)
	if n := len(stats(60)); n != 0 {
		t.Fatalf("after 15 days: %d one-minute datapoints, want none", n)
	}
	// The StartTime is rounded down to 5 minutes, and the period holds the data.
	if d := stats(300); len(d) != 1 || aws.ToFloat64(d[0].Sum) != 6 || !d[0].Timestamp.Equal(at.Truncate(5*time.Minute)) {
		t.Fatalf("after 15 days, 5 minutes: %+v", d)
	}
}
