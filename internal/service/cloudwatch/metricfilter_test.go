package cloudwatch_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	lt "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// Metric filters turn matching log events into CloudWatch datapoints: the value (a
// constant or a field), the default value for events that do not match, dimensions
// from JSON fields, the unit.
func TestMetricFiltersPublish(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	logs := cwl.NewFromConfig(e.p.RootConfig())
	apptest.Must(logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("app")}))
	apptest.Must(logs.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("app"), LogStreamName: aws.String("s")}))
	put := func(name, pattern string, tr lt.MetricTransformation) {
		tr.MetricNamespace = aws.String("App")
		apptest.Must(logs.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String("app"), FilterName: aws.String(name),
			FilterPattern: aws.String(pattern), MetricTransformations: []lt.MetricTransformation{tr}}))
	}
	put("errors", "ERROR", lt.MetricTransformation{MetricName: aws.String("Errors"), MetricValue: aws.String("1"), DefaultValue: aws.Float64(0), Unit: lt.StandardUnitCount})
	put("latency", `{ $.latency = * }`, lt.MetricTransformation{MetricName: aws.String("Latency"), MetricValue: aws.String("$.latency"),
		Dimensions: map[string]string{"Op": "$.op"}, Unit: lt.StandardUnitMilliseconds})
	put("bytes", `[ip, user, ts, request, status, bytes]`, lt.MetricTransformation{MetricName: aws.String("Bytes"), MetricValue: aws.String("$bytes")})

	minute := e.p.Clock.Now().Truncate(time.Minute).Add(-2 * time.Minute)
	ts := minute.UnixMilli()
	msgs := []string{"ERROR one", `{"op":"get","latency":20}`, "ERROR two", `{"op":"get","latency":40}`, `{"op":"put","latency":7}`,
		`1.2.3.4 - [x] "GET /" 200 512`, "fine"}
	evs := make([]lt.InputLogEvent, len(msgs))
	for i, m := range msgs {
		evs[i] = lt.InputLogEvent{Timestamp: aws.Int64(ts + int64(i)), Message: aws.String(m)}
	}
	apptest.Must(logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("app"), LogStreamName: aws.String("s"), LogEvents: evs}))

	stat := func(name string, d []types.Dimension) types.Datapoint {
		t.Helper()
		out := apptest.Must(e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String(name), Dimensions: d,
			StartTime: aws.Time(minute), EndTime: aws.Time(minute.Add(time.Minute)), Period: aws.Int32(60),
			Statistics: []types.Statistic{types.StatisticSum, types.StatisticSampleCount, types.StatisticAverage}}))
		if len(out.Datapoints) != 1 {
			t.Fatalf("%s: %d datapoints", name, len(out.Datapoints))
		}
		return out.Datapoints[0]
	}
	// 2 matches and 5 default values of 0.
	if d := stat("Errors", nil); aws.ToFloat64(d.Sum) != 2 || aws.ToFloat64(d.SampleCount) != 7 || d.Unit != types.StandardUnitCount {
		t.Fatalf("Errors %+v", d)
	}
	if d := stat("Latency", dims("Op", "get")); aws.ToFloat64(d.Average) != 30 || d.Unit != types.StandardUnitMilliseconds {
		t.Fatalf("Latency get %+v", d)
	}
	if d := stat("Latency", dims("Op", "put")); aws.ToFloat64(d.Sum) != 7 {
		t.Fatalf("Latency put %+v", d)
	}
	if d := stat("Bytes", nil); aws.ToFloat64(d.Sum) != 512 || d.Unit != types.StandardUnitNone {
		t.Fatalf("Bytes %+v", d)
	}
	// And an alarm on the filter's metric fires.
	in := alarmInput("errors")
	in.Namespace, in.MetricName, in.AlarmActions = aws.String("App"), aws.String("Errors"), nil
	in.Period, in.EvaluationPeriods = aws.Int32(300), aws.Int32(1)
	apptest.Must(e.cw.PutMetricAlarm(ctx, in))
	e.advance(time.Minute)
	if a := e.alarm("errors"); a.StateValue != types.StateValueAlarm {
		t.Fatalf("alarm on a metric filter's metric: %s %q", a.StateValue, aws.ToString(a.StateReason))
	}
}
