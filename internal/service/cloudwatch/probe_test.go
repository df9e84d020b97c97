package cloudwatch_test

import (
	"math"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// GetMetricStatistics' API reference: "If you set Period to 5, 10, 20, or 30, the start
// time of your request is rounded down to the nearest time that corresponds to even
// 5-, 10-, 20-, or 30-second divisions of a minute ... if you make a query at 01:05:23
// for the previous 10-second period ... you receive data from 01:05:10 to 01:05:20."
func TestStatisticsSubMinuteStartRounded(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	minute := e.p.Clock.Now().Truncate(time.Minute).Add(-5 * time.Minute)
	put := func(at time.Duration, v float64) {
		apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
			{MetricName: aws.String("Hi"), Timestamp: aws.Time(minute.Add(at)), Value: aws.Float64(v), StorageResolution: aws.Int32(1)}}}))
	}
	put(12*time.Second, 1)
	put(18*time.Second, 2)
	put(23*time.Second, 4)
	st := apptest.Must(e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Hi"),
		StartTime: aws.Time(minute.Add(13 * time.Second)), EndTime: aws.Time(minute.Add(20 * time.Second)), Period: aws.Int32(10),
		Statistics: []types.Statistic{types.StatisticSum, types.StatisticSampleCount}}))
	if len(st.Datapoints) != 1 || !st.Datapoints[0].Timestamp.Equal(minute.Add(10*time.Second)) || aws.ToFloat64(st.Datapoints[0].Sum) != 3 {
		for _, d := range st.Datapoints {
			t.Logf("%s sum %v n %v", d.Timestamp.Sub(minute), aws.ToFloat64(d.Sum), aws.ToFloat64(d.SampleCount))
		}
		t.Fatalf("want one datapoint at :10 with the sum of :12 and :18 (3)")
	}
}

// GetMetricStatistics' API reference: "CloudWatch needs raw data points to calculate
// percentile statistics. If you publish data using a statistic set instead, you can
// only retrieve percentile statistics for this data if one of the following conditions
// is true: The SampleCount value of the statistic set is 1. The Min and the Max values
// of the statistic set are equal. Percentile statistics are not available for metrics
// when any of the metric values are negative numbers."
func TestPercentilesOfStatisticSets(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	now := e.p.Clock.Now().Truncate(time.Minute).Add(-5 * time.Minute)
	apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("One"), Timestamp: aws.Time(now), StatisticValues: statSet(1, 7, 7, 7)},
		{MetricName: aws.String("Equal"), Timestamp: aws.Time(now), StatisticValues: statSet(4, 20, 5, 5)},
		{MetricName: aws.String("Equal"), Timestamp: aws.Time(now), Value: aws.Float64(9)},
		{MetricName: aws.String("Spread"), Timestamp: aws.Time(now), StatisticValues: statSet(4, 40, 5, 15)},
		{MetricName: aws.String("Mixed"), Timestamp: aws.Time(now), Values: []float64{1, 2, 3}},
		{MetricName: aws.String("Mixed"), Timestamp: aws.Time(now), StatisticValues: statSet(4, 40, 5, 15)},
		{MetricName: aws.String("Negative"), Timestamp: aws.Time(now), Values: []float64{-1, 2, 3}},
	}}))
	for _, c := range []struct {
		metric string
		p50    float64
		ok     bool
	}{{"One", 7, true}, {"Equal", 5 * math.Pow(1.1*math.Pow(1.1, 16)/5, 0.625), true}, {"Spread", 0, false}, {"Mixed", 0, false}, {"Negative", 0, false}} {
		st := apptest.Must(e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String(c.metric),
			StartTime: aws.Time(now), EndTime: aws.Time(now.Add(time.Minute)), Period: aws.Int32(60), ExtendedStatistics: []string{"p50"}}))
		if len(st.Datapoints) != 1 {
			t.Fatalf("%s: %d datapoints", c.metric, len(st.Datapoints))
		}
		v, ok := st.Datapoints[0].ExtendedStatistics["p50"]
		// Equal's median lies 2.5 of 4 values into the bin of 5, cut below at 5 (the
		// geometric interpolation of AWS's histogram).
		if ok != c.ok || math.Abs(v-c.p50) > 1e-12 {
			t.Errorf("%s: p50 %v (given: %v), want %v (given: %v)", c.metric, v, ok, c.p50, c.ok)
		}
	}
}

// DescribeAlarmsForMetric's API reference: "If the metric has any associated
// dimensions, you must specify them in order for the call to succeed": a metric is its
// namespace, name and dimensions together.
func TestAlarmsForMetricMatchDimensions(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	for name, d := range map[string][]types.Dimension{"plain": nil, "host-a": dims("Host", "a"), "host-a-b": dims("Host", "a", "Az", "b")} {
		in := alarmInput(name)
		in.Dimensions = d
		apptest.Must(e.cw.PutMetricAlarm(ctx, in))
	}
	for _, c := range []struct {
		dims []types.Dimension
		want string
	}{{nil, "plain"}, {dims("Host", "a"), "host-a"}, {dims("Az", "b", "Host", "a"), "host-a-b"}, {dims("Host", "b"), ""}} {
		out := apptest.Must(e.cw.DescribeAlarmsForMetric(ctx, &cw.DescribeAlarmsForMetricInput{Namespace: aws.String("CIS"),
			MetricName: aws.String("UnauthorizedAPICalls"), Dimensions: c.dims}))
		var got []string
		for _, a := range out.MetricAlarms {
			got = append(got, aws.ToString(a.AlarmName))
		}
		if c.want == "" && len(got) != 0 || c.want != "" && (len(got) != 1 || got[0] != c.want) {
			t.Errorf("dimensions %v: alarms %v, want %q", c.dims, got, c.want)
		}
	}
}

// AWS answers an unknown MetricStat statistic with ValidationError, one line per such
// query, without the value (recorded in prometheus-community/yet-another-cloudwatch-exporter
// issue 1435, 2024: "ValidationError: The value for parameter
// MetricDataQueries.member.37.MetricStat.Stat is not a valid statistic.\nThe value for
// parameter MetricDataQueries.member.38.MetricStat.Stat is not a valid statistic.", and
// in 2026 for "not-a-stat"; issue 385 shows AWS writing "The value None for …" in 2021).
func TestGetMetricDataInvalidStats(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		now := e.p.Clock.Now().Truncate(time.Minute)
		q := func(id, stat string) types.MetricDataQuery {
			return types.MetricDataQuery{Id: aws.String(id), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("M")},
				Period: aws.Int32(60), Stat: aws.String(stat)}}
		}
		_, err := e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now),
			MetricDataQueries: []types.MetricDataQuery{q("a", "Sum"), q("b", "None"), q("c", "Avg")}})
		wantError(e, err, validationCode(e), 400, "The value for parameter MetricDataQueries.member.2.MetricStat.Stat is not a valid statistic.\n"+
			"The value for parameter MetricDataQueries.member.3.MetricStat.Stat is not a valid statistic.")
	})
}
