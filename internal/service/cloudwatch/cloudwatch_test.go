package cloudwatch_test

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/palisade/palisade/internal/app/apptest"
)

var ctx = apptest.Context()

// wantError checks an error's code, status and message. Over the query protocol the
// SDK for Go reports a modelled error by its shape name (InvalidParameterValue on the
// wire becomes InvalidParameterValueException), so that name is accepted there too.
func wantError(t testing.TB, err error, code string, status int, msg string) {
	t.Helper()
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == code+"Exception" {
		code += "Exception"
	}
	apptest.WantErr(t, err, code, status, msg)
}

// protocols are CloudWatch's three wire protocols, as the SDK for Go speaks them:
// its default rpc-v2-cbor, and the JSON 1.0 and query protocols older SDKs and the
// aws CLI use.
var protocols = []struct {
	name string
	opt  func(*cw.Options)
}{
	{"cbor", func(*cw.Options) {}},
	{"json", func(o *cw.Options) { o.Protocol = awsjson.New10(schemas.GraniteServiceVersion20100801) }},
	{"query", func(o *cw.Options) { o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801) }},
}

type env struct {
	*testing.T
	p  *apptest.Palisade
	cw *cw.Client
}

func newEnv(t *testing.T, opt func(*cw.Options)) *env {
	p := apptest.Start(t)
	return &env{T: t, p: p, cw: cw.NewFromConfig(p.RootConfig(), opt)}
}

// forEachProtocol runs a test once per protocol, each on its own server.
func forEachProtocol(t *testing.T, fn func(e *env)) {
	for _, pr := range protocols {
		t.Run(pr.name, func(t *testing.T) { fn(newEnv(t, pr.opt)) })
	}
}

func dims(kv ...string) []types.Dimension {
	var out []types.Dimension
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func TestMetrics(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		now := e.p.Clock.Now().Truncate(time.Minute).Add(-10 * time.Minute)
		apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
			{MetricName: aws.String("Latency"), Dimensions: dims("Host", "a"), Timestamp: aws.Time(now), Value: aws.Float64(10), Unit: types.StandardUnitMilliseconds},
			{MetricName: aws.String("Latency"), Dimensions: dims("Host", "a"), Timestamp: aws.Time(now.Add(10 * time.Second)), Value: aws.Float64(30), Unit: types.StandardUnitMilliseconds},
			{MetricName: aws.String("Latency"), Dimensions: dims("Host", "a"), Timestamp: aws.Time(now.Add(time.Minute)), Values: []float64{1, 2, 3}, Counts: []float64{1, 1, 2}, Unit: types.StandardUnitMilliseconds},
			{MetricName: aws.String("Latency"), Dimensions: dims("Host", "b"), Timestamp: aws.Time(now), StatisticValues: &types.StatisticSet{SampleCount: aws.Float64(4), Sum: aws.Float64(40), Minimum: aws.Float64(5), Maximum: aws.Float64(15)}},
			{MetricName: aws.String("Requests"), Timestamp: aws.Time(now), Value: aws.Float64(1)},
		}}))
		st := apptest.Must(e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Latency"),
			Dimensions: dims("Host", "a"), StartTime: aws.Time(now), EndTime: aws.Time(now.Add(2 * time.Minute)), Period: aws.Int32(60),
			Statistics:         []types.Statistic{types.StatisticSum, types.StatisticAverage, types.StatisticSampleCount, types.StatisticMaximum, types.StatisticMinimum},
			ExtendedStatistics: []string{"p50"}}))
		if aws.ToString(st.Label) != "Latency" || len(st.Datapoints) != 2 {
			e.Fatalf("statistics %+v", st)
		}
		d0, d1 := st.Datapoints[0], st.Datapoints[1]
		if d0.Timestamp.After(*d1.Timestamp) {
			d0, d1 = d1, d0
		}
		if aws.ToFloat64(d0.Sum) != 40 || aws.ToFloat64(d0.Average) != 20 || aws.ToFloat64(d0.SampleCount) != 2 || aws.ToFloat64(d0.Minimum) != 10 ||
			aws.ToFloat64(d0.Maximum) != 30 || d0.Unit != types.StandardUnitMilliseconds || !d0.Timestamp.Equal(now) || !near(d0.ExtendedStatistics["p50"], math.Pow(1.1, 25)) {
			e.Fatalf("first minute %+v", d0)
		}
		// CloudWatch's percentiles come from its histogram: the median's rank ends a
		// bin, so p50 is the bin's upper edge (1.1^25 above 10; 1.1^8 above 2).
		if aws.ToFloat64(d1.Sum) != 9 || aws.ToFloat64(d1.SampleCount) != 4 || !near(d1.ExtendedStatistics["p50"], math.Pow(1.1, 8)) {
			e.Fatalf("second minute %+v", d1)
		}
		// One period over both minutes.
		st = apptest.Must(e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Latency"),
			Dimensions: dims("Host", "b"), StartTime: aws.Time(now), EndTime: aws.Time(now.Add(5 * time.Minute)), Period: aws.Int32(300),
			Statistics: []types.Statistic{types.StatisticAverage}}))
		if len(st.Datapoints) != 1 || aws.ToFloat64(st.Datapoints[0].Average) != 10 || st.Datapoints[0].Unit != types.StandardUnitNone {
			e.Fatalf("statistic set %+v", st.Datapoints)
		}

		md := apptest.Must(e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(2 * time.Minute)),
			MetricDataQueries: []types.MetricDataQuery{
				{Id: aws.String("a"), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("Latency"), Dimensions: dims("Host", "a")}, Period: aws.Int32(60), Stat: aws.String("Sum")}, ReturnData: aws.Bool(false)},
				{Id: aws.String("b"), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("Latency"), Dimensions: dims("Host", "b")}, Period: aws.Int32(60), Stat: aws.String("Sum")}},
				{Id: aws.String("total"), Expression: aws.String("SUM([a, b]) * 2"), Label: aws.String("Twice the total")},
			}}))
		if len(md.MetricDataResults) != 2 {
			e.Fatalf("results %+v", md.MetricDataResults)
		}
		b, total := md.MetricDataResults[0], md.MetricDataResults[1]
		if aws.ToString(b.Label) != "Latency" || len(b.Values) != 1 || b.Values[0] != 40 || b.StatusCode != types.StatusCodeComplete {
			e.Fatalf("b %+v", b)
		}
		// Newest first by default.
		if aws.ToString(total.Label) != "Twice the total" || len(total.Values) != 2 || total.Values[0] != 18 || total.Values[1] != 160 || !total.Timestamps[1].Equal(now) {
			e.Fatalf("total %+v", total)
		}

		lm := apptest.Must(e.cw.ListMetrics(ctx, &cw.ListMetricsInput{Namespace: aws.String("App")}))
		if len(lm.Metrics) != 3 {
			e.Fatalf("list %+v", lm.Metrics)
		}
		lm = apptest.Must(e.cw.ListMetrics(ctx, &cw.ListMetricsInput{Dimensions: []types.DimensionFilter{{Name: aws.String("Host"), Value: aws.String("b")}}}))
		if len(lm.Metrics) != 1 || aws.ToString(lm.Metrics[0].Dimensions[0].Value) != "b" {
			e.Fatalf("by dimension %+v", lm.Metrics)
		}

		_, err := e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("AWS/EC2"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1)}}})
		// AWS names the reserved prefix, not the namespace (radkawar/stackd
		// testdata/aws/cloudwatch/metrics.json, admission-reserved-namespace).
		wantError(e, err, "InvalidParameterValue", 400, "The value AWS/ for parameter Namespace is invalid.")
		_, err = e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1),
			StatisticValues: &types.StatisticSet{SampleCount: aws.Float64(1), Sum: aws.Float64(1), Minimum: aws.Float64(1), Maximum: aws.Float64(1)}}}})
		wantError(e, err, "InvalidParameterCombination", 400, "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues are mutually exclusive and you have specified both.")
		_, err = e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1.5),
			Values: []float64{1, 10}}}})
		wantError(e, err, "InvalidParameterCombination", 400, "The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually exclusive and you have specified both.")
		_, err = e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"),
			Values: []float64{1, 10}, Counts: []float64{2, 4, 5}}}})
		wantError(e, err, "InvalidParameterValue", 400, "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size.")
		_, err = e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1),
			Timestamp: aws.Time(e.p.Clock.Now().Add(-15 * 24 * time.Hour))}}})
		wantError(e, err, "InvalidParameterValue", 400, "The parameter MetricData.member.1.Timestamp must specify a time within the past two weeks.")
		_, err = e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Latency"),
			StartTime: aws.Time(now), EndTime: aws.Time(now.Add(25 * time.Hour)), Period: aws.Int32(60), Statistics: []types.Statistic{types.StatisticSum}})
		wantError(e, err, "InvalidParameterCombination", 400, "You have requested up to 1500 datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.")
		_, err = e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Latency"),
			StartTime: aws.Time(now), EndTime: aws.Time(now.Add(time.Hour)), Period: aws.Int32(60)})
		wantError(e, err, "InvalidParameterCombination", 400, "At least one of the parameters Statistics and ExtendedStatistics must be specified.")
		_, err = e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Latency"),
			StartTime: aws.Time(now), EndTime: aws.Time(now), Period: aws.Int32(60), Statistics: []types.Statistic{types.StatisticSum}})
		wantError(e, err, "InvalidParameterValue", 400, "The parameter StartTime must be less than the parameter EndTime.")
	})
}

func alarmInput(name string) *cw.PutMetricAlarmInput {
	return &cw.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("CIS"), MetricName: aws.String("UnauthorizedAPICalls"),
		Statistic: types.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: types.ComparisonOperatorGreaterThanOrEqualToThreshold,
		AlarmActions:       []string{"arn:aws:sns:us-east-1:000000000000:alarms"}}
}

func (e *env) alarm(name string) types.MetricAlarm {
	e.Helper()
	out := apptest.Must(e.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{name}}))
	if len(out.MetricAlarms) != 1 {
		e.Fatalf("alarm %s: %d found", name, len(out.MetricAlarms))
	}
	return out.MetricAlarms[0]
}

// advance moves the clock and evaluates at once (the background evaluator does the
// same on its own; evaluation is idempotent within a minute).
func (e *env) advance(d time.Duration) {
	e.p.AdvanceClock(d)
	e.p.CloudWatch.EvaluateAll(ctx)
}

func TestAlarmStateMachine(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		apptest.Must(e.cw.PutMetricAlarm(ctx, alarmInput("unauth")))
		a := e.alarm("unauth")
		if a.StateValue != types.StateValueInsufficientData || aws.ToString(a.StateReason) != "Unchecked: Initial alarm creation" ||
			aws.ToString(a.AlarmArn) != "arn:aws:cloudwatch:us-east-1:000000000000:alarm:unauth" || a.TreatMissingData != nil || !aws.ToBool(a.ActionsEnabled) {
			e.Fatalf("new alarm %+v", a)
		}
		apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("CIS"), MetricData: []types.MetricDatum{
			{MetricName: aws.String("UnauthorizedAPICalls"), Value: aws.Float64(1)}}}))
		e.advance(time.Minute)
		a = e.alarm("unauth")
		if a.StateValue != types.StateValueAlarm || !strings.HasPrefix(aws.ToString(a.StateReason), "Threshold Crossed: 1 datapoint [1.0 (") ||
			!strings.HasSuffix(aws.ToString(a.StateReason), ")] was greater than or equal to the threshold (1.0).") {
			e.Fatalf("after a breaching datapoint: %s %q", a.StateValue, aws.ToString(a.StateReason))
		}
		var data map[string]any
		if err := json.Unmarshal([]byte(aws.ToString(a.StateReasonData)), &data); err != nil || data["statistic"] != "Sum" || data["threshold"] != 1.0 {
			e.Fatalf("reason data %q", aws.ToString(a.StateReasonData))
		}
		// The evaluation range reaches two periods further back: a minute later the
		// datapoint still counts.
		e.advance(time.Minute)
		if a = e.alarm("unauth"); a.StateValue != types.StateValueAlarm {
			e.Fatalf("within the evaluation range: %s %q", a.StateValue, aws.ToString(a.StateReason))
		}
		// No data in the range: missing → INSUFFICIENT_DATA.
		e.advance(2 * time.Minute)
		if a = e.alarm("unauth"); a.StateValue != types.StateValueInsufficientData || aws.ToString(a.StateReason) != "Insufficient Data: 1 datapoint was unknown." {
			e.Fatalf("without data: %s %q", a.StateValue, aws.ToString(a.StateReason))
		}
		// notBreaching: missing data is OK.
		in := alarmInput("unauth")
		in.TreatMissingData = aws.String("notBreaching")
		apptest.Must(e.cw.PutMetricAlarm(ctx, in))
		e.advance(time.Minute)
		if a = e.alarm("unauth"); a.StateValue != types.StateValueOk {
			e.Fatalf("notBreaching: %s %q", a.StateValue, aws.ToString(a.StateReason))
		}
		// SetAlarmState holds until the next evaluation, a minute later.
		apptest.Must(e.cw.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String("unauth"), StateValue: types.StateValueAlarm, StateReason: aws.String("testing")}))
		e.p.CloudWatch.EvaluateAll(ctx)
		if a = e.alarm("unauth"); a.StateValue != types.StateValueAlarm || aws.ToString(a.StateReason) != "testing" {
			e.Fatalf("SetAlarmState: %s %q", a.StateValue, aws.ToString(a.StateReason))
		}
		e.advance(time.Minute)
		if a = e.alarm("unauth"); a.StateValue != types.StateValueOk {
			e.Fatalf("after SetAlarmState's minute: %s", a.StateValue)
		}
		_, err := e.cw.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String("nope"), StateValue: types.StateValueAlarm, StateReason: aws.String("x")})
		wantError(e, err, "ResourceNotFound", 404, "")

		hist := apptest.Must(e.cw.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("unauth")}))
		var summaries []string
		for _, h := range hist.AlarmHistoryItems {
			summaries = append(summaries, string(h.HistoryItemType)+": "+aws.ToString(h.HistorySummary))
		}
		joined := strings.Join(summaries, "\n")
		for _, want := range []string{
			`ConfigurationUpdate: Alarm "unauth" created`, `ConfigurationUpdate: Alarm "unauth" updated`,
			"StateUpdate: Alarm updated from INSUFFICIENT_DATA to ALARM", "StateUpdate: Alarm updated from ALARM to INSUFFICIENT_DATA",
			"StateUpdate: Alarm updated from OK to ALARM", "Action: Failed to execute action arn:aws:sns:us-east-1:000000000000:alarms",
		} {
			if !strings.Contains(joined, want) {
				e.Fatalf("history lacks %q:\n%s", want, joined)
			}
		}
		// Newest first.
		if !hist.AlarmHistoryItems[0].Timestamp.After(*hist.AlarmHistoryItems[len(hist.AlarmHistoryItems)-1].Timestamp) {
			e.Fatal("history order")
		}
		only := apptest.Must(e.cw.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{HistoryItemType: types.HistoryItemTypeStateUpdate, MaxRecords: aws.Int32(2)}))
		if len(only.AlarmHistoryItems) != 2 || only.NextToken == nil || only.AlarmHistoryItems[0].HistoryItemType != types.HistoryItemTypeStateUpdate {
			e.Fatalf("filtered history %+v", only)
		}
	})
}

func TestAlarmConfiguration(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	for _, n := range []string{"b", "a", "c"} {
		apptest.Must(e.cw.PutMetricAlarm(ctx, alarmInput(n)))
	}
	// DescribeAlarms gives back what was put: dimensions, metric math queries.
	dimmed := alarmInput("dimmed")
	dimmed.Dimensions = []types.Dimension{{Name: aws.String("Host"), Value: aws.String("a")}}
	apptest.Must(e.cw.PutMetricAlarm(ctx, dimmed))
	if d := e.alarm("dimmed").Dimensions; len(d) != 1 || aws.ToString(d[0].Name) != "Host" || aws.ToString(d[0].Value) != "a" {
		t.Fatalf("dimensions %+v", d)
	}
	math := &cw.PutMetricAlarmInput{AlarmName: aws.String("math"), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, Metrics: []types.MetricDataQuery{
			{Id: aws.String("m1"), ReturnData: aws.Bool(false), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("CIS"), MetricName: aws.String("X")}, Period: aws.Int32(60), Stat: aws.String("Sum")}},
			{Id: aws.String("e1"), Expression: aws.String("m1 * 2"), ReturnData: aws.Bool(true)},
		}}
	apptest.Must(e.cw.PutMetricAlarm(ctx, math))
	if m := e.alarm("math").Metrics; len(m) != 2 || aws.ToString(m[1].Expression) != "m1 * 2" {
		t.Fatalf("metric math queries %+v", m)
	}
	apptest.Must(e.cw.DeleteAlarms(ctx, &cw.DeleteAlarmsInput{AlarmNames: []string{"dimmed", "math"}}))
	out := apptest.Must(e.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{MaxRecords: aws.Int32(2)}))
	if len(out.MetricAlarms) != 2 || aws.ToString(out.MetricAlarms[0].AlarmName) != "a" || out.NextToken == nil {
		t.Fatalf("page 1 %+v", out)
	}
	out = apptest.Must(e.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{MaxRecords: aws.Int32(2), NextToken: out.NextToken}))
	if len(out.MetricAlarms) != 1 || aws.ToString(out.MetricAlarms[0].AlarmName) != "c" || out.NextToken != nil {
		t.Fatalf("page 2 %+v", out)
	}
	if n := len(apptest.Must(e.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{StateValue: types.StateValueOk})).MetricAlarms); n != 0 {
		t.Fatalf("%d OK alarms", n)
	}
	if n := len(apptest.Must(e.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{ActionPrefix: aws.String("arn:aws:sns:")})).MetricAlarms); n != 3 {
		t.Fatalf("%d alarms with SNS actions", n)
	}
	fm := apptest.Must(e.cw.DescribeAlarmsForMetric(ctx, &cw.DescribeAlarmsForMetricInput{Namespace: aws.String("CIS"), MetricName: aws.String("UnauthorizedAPICalls")}))
	if len(fm.MetricAlarms) != 3 {
		t.Fatalf("for metric %d", len(fm.MetricAlarms))
	}
	bad := alarmInput("x")
	bad.DatapointsToAlarm = aws.Int32(2)
	_, err := e.cw.PutMetricAlarm(ctx, bad)
	wantError(t, err, "ValidationError", 400, "")
	bad = alarmInput("x")
	bad.Period = aws.Int32(45)
	_, err = e.cw.PutMetricAlarm(ctx, bad)
	wantError(t, err, "InvalidParameterValue", 400, "The parameter Period must be 10, 20, 30 or a multiple of 60.")
	bad = alarmInput("x")
	bad.AlarmActions = []string{"arn:aws:sns:eu-west-1:000000000000:t"}
	_, err = e.cw.PutMetricAlarm(ctx, bad)
	wantError(t, err, "ValidationError", 400, "Invalid region eu-west-1 specified. Only us-east-1 is supported.")
	bad = alarmInput("x")
	bad.ExtendedStatistic = aws.String("p99")
	_, err = e.cw.PutMetricAlarm(ctx, bad)
	wantError(t, err, "ValidationError", 400, "PutMetricAlarm request can not be made with both Statistic and ExtendedStatistic parameters. Only one of them should be present")

	arn := "arn:aws:cloudwatch:us-east-1:000000000000:alarm:a"
	apptest.Must(e.cw.TagResource(ctx, &cw.TagResourceInput{ResourceARN: aws.String(arn), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
	tags := apptest.Must(e.cw.ListTagsForResource(ctx, &cw.ListTagsForResourceInput{ResourceARN: aws.String(arn)})).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Key) != "k" {
		t.Fatalf("tags %+v", tags)
	}
	apptest.Must(e.cw.UntagResource(ctx, &cw.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: []string{"k"}}))
	apptest.Must(e.cw.DisableAlarmActions(ctx, &cw.DisableAlarmActionsInput{AlarmNames: []string{"a"}}))
	if aws.ToBool(e.alarm("a").ActionsEnabled) {
		t.Fatal("actions still enabled")
	}
	// A name of no alarm is passed over (AWS's answer, radkawar/stackd
	// testdata/aws/cloudwatch/alarm_controls.json).
	apptest.Must(e.cw.DeleteAlarms(ctx, &cw.DeleteAlarmsInput{AlarmNames: []string{"a", "zz"}}))
	apptest.Must(e.cw.DeleteAlarms(ctx, &cw.DeleteAlarmsInput{AlarmNames: []string{"a", "b"}}))
	if n := len(apptest.Must(e.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{})).MetricAlarms); n != 1 {
		t.Fatalf("%d alarms left", n)
	}
}

// Alarm operations are authorized on each alarm they name; listing every alarm is
// authorized on "alarm:*"; an alarm's tags are aws:ResourceTag/*, and PutMetricAlarm's
// actions are cloudwatch:AlarmActions.
func TestAlarmAuthorization(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	for _, n := range []string{"a", "b"} {
		apptest.Must(e.cw.PutMetricAlarm(ctx, alarmInput(n)))
	}
	apptest.Must(e.cw.TagResource(ctx, &cw.TagResourceInput{ResourceARN: aws.String("arn:aws:cloudwatch:us-east-1:000000000000:alarm:b"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))
	iamc := iam.NewFromConfig(e.p.RootConfig())
	apptest.Must(iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	apptest.Must(iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["cloudwatch:DescribeAlarms","cloudwatch:DisableAlarmActions"],"Resource":"arn:aws:cloudwatch:us-east-1:000000000000:alarm:a"},
		{"Effect":"Allow","Action":"cloudwatch:DeleteAlarms","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}},
		{"Effect":"Allow","Action":"cloudwatch:PutMetricAlarm","Resource":"*","Condition":{"ForAllValues:StringLike":{"cloudwatch:AlarmActions":"arn:aws:sns:*:*:alarms"}}}]}`)}))
	k := apptest.Must(iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})).AccessKey
	bob := cw.NewFromConfig(e.p.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	deny := func(err error, action, resource string) {
		t.Helper()
		wantError(t, err, "AccessDenied", 403, "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: cloudwatch:"+action+
			" on resource: arn:aws:cloudwatch:us-east-1:000000000000:alarm:"+resource+" because no identity-based policy allows the cloudwatch:"+action+" action")
	}
	if n := len(apptest.Must(bob.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{"a"}})).MetricAlarms); n != 1 {
		t.Fatalf("%d alarms", n)
	}
	_, err := bob.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{})
	deny(err, "DescribeAlarms", "*")
	_, err = bob.DisableAlarmActions(ctx, &cw.DisableAlarmActionsInput{AlarmNames: []string{"a", "b"}})
	deny(err, "DisableAlarmActions", "b")
	_, err = bob.DeleteAlarms(ctx, &cw.DeleteAlarmsInput{AlarmNames: []string{"a"}})
	deny(err, "DeleteAlarms", "a")
	apptest.Must(bob.DeleteAlarms(ctx, &cw.DeleteAlarmsInput{AlarmNames: []string{"b"}}))
	apptest.Must(bob.PutMetricAlarm(ctx, alarmInput("c")))
	other := alarmInput("d")
	other.AlarmActions = []string{"arn:aws:sns:us-east-1:000000000000:elsewhere"}
	_, err = bob.PutMetricAlarm(ctx, other)
	deny(err, "PutMetricAlarm", "d")
}

// GetMetricStatistics without a Unit answers one datapoint per unit a period's data
// was put with, as AWS does; with a Unit, that unit's alone.
func TestStatisticsPerUnit(t *testing.T) {
	e := newEnv(t, func(*cw.Options) {})
	at := e.p.Clock.Now().Add(-5 * time.Minute).Truncate(time.Minute)
	for _, d := range []types.MetricDatum{
		{MetricName: aws.String("m"), Value: aws.Float64(1), Unit: types.StandardUnitSeconds, Timestamp: aws.Time(at)},
		{MetricName: aws.String("m"), Value: aws.Float64(5), Unit: types.StandardUnitCount, Timestamp: aws.Time(at)},
		{MetricName: aws.String("m"), Value: aws.Float64(10), Timestamp: aws.Time(at)},
	} {
		apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("Units"), MetricData: []types.MetricDatum{d}}))
	}
	in := &cw.GetMetricStatisticsInput{Namespace: aws.String("Units"), MetricName: aws.String("m"), StartTime: aws.Time(at.Add(-time.Minute)),
		EndTime: aws.Time(at.Add(time.Minute)), Period: aws.Int32(60), Statistics: []types.Statistic{types.StatisticAverage}}
	out := apptest.Must(e.cw.GetMetricStatistics(ctx, in))
	got := map[types.StandardUnit]float64{}
	for _, dp := range out.Datapoints {
		got[dp.Unit] = aws.ToFloat64(dp.Average)
	}
	if len(out.Datapoints) != 3 || got[types.StandardUnitNone] != 10 || got[types.StandardUnitCount] != 5 || got[types.StandardUnitSeconds] != 1 {
		t.Fatalf("per unit: %v", got)
	}
	in.Unit = types.StandardUnitCount
	out = apptest.Must(e.cw.GetMetricStatistics(ctx, in))
	if len(out.Datapoints) != 1 || aws.ToFloat64(out.Datapoints[0].Average) != 5 {
		t.Fatalf("Count alone: %+v", out.Datapoints)
	}
}

// An expression of numbers alone has no time series to return: refused as an invalid
// expression (it answered 500).
func TestNumberOnlyExpression(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		now := time.Now()
		for _, expr := range []string{"5", "123456789012", "SUM([5])", "2 * 3"} {
			_, err := e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now),
				MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("m1"), Expression: aws.String(expr)}}})
			wantError(e, err, "InvalidParameterValue", 400, "The value "+expr+" for parameter MetricDataQueries.member.1.Expression is not valid: an expression must involve a metric")
		}
	})
}

// A metric value must be a number within -2^360..2^360, however near zero (AWS took
// 5e-324 in 2026: extreme_bin_boundaries.json): NaN and the infinities answered 500 (the datapoint could not be stored),
// now they are InvalidParameterValue as on AWS, and so is an alarm threshold that is
// not a finite number (found with generated inputs).
func TestNonFiniteValues(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		put := func(d types.MetricDatum) error {
			d.MetricName = aws.String("Latency")
			_, err := e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{d}})
			return err
		}
		for _, c := range []struct {
			v    float64
			text string
		}{{math.NaN(), "NaN"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"},
			{math.Ldexp(1, 361), "4.6970851655476665E108"}, {-math.Ldexp(1, 361), "-4.6970851655476665E108"}} {
			v, text := c.v, c.text
			wantError(e, put(types.MetricDatum{Value: aws.Float64(v)}), "InvalidParameterValue", 400,
				"The value "+text+" for parameter MetricData.member.1.Value is invalid.")
			wantError(e, put(types.MetricDatum{Values: []float64{1, v}}), "InvalidParameterValue", 400,
				"The value "+text+" for parameter MetricData.member.1.Values.member.2 is invalid.")
			wantError(e, put(types.MetricDatum{Values: []float64{1}, Counts: []float64{v}}), "InvalidParameterValue", 400,
				"The value "+text+" for parameter MetricData.member.1.Counts.member.1 is invalid.")
			wantError(e, put(types.MetricDatum{StatisticValues: &types.StatisticSet{SampleCount: aws.Float64(1), Sum: aws.Float64(v),
				Minimum: aws.Float64(1), Maximum: aws.Float64(1)}}), "InvalidParameterValue", 400,
				"The parameter MetricData.member.1.StatisticValues is invalid.")
			in := alarmInput("nan")
			in.Threshold = aws.Float64(v)
			_, err := e.cw.PutMetricAlarm(ctx, in)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				wantError(e, err, "InvalidParameterValue", 400, "The value "+text+" for parameter Threshold is invalid.")
			} else if err != nil {
				e.Fatalf("threshold %v: %v", v, err)
			}
		}
		// The bounds themselves are values, and the metric takes more after a refusal.
		for _, v := range []float64{math.Ldexp(1, 360), -math.Ldexp(1, 360), math.Ldexp(1, -360), 0, 5e-324, -math.Ldexp(1, -361)} {
			if err := put(types.MetricDatum{Value: aws.Float64(v)}); err != nil {
				e.Fatalf("value %v: %v", v, err)
			}
		}
		now := time.Now()
		out := apptest.Must(e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Latency"),
			StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Hour)), Period: aws.Int32(3600),
			Statistics: []types.Statistic{types.StatisticSampleCount, types.StatisticMaximum}}))
		if len(out.Datapoints) != 1 || *out.Datapoints[0].SampleCount != 6 || *out.Datapoints[0].Maximum != math.Ldexp(1, 360) {
			e.Fatalf("datapoints: %+v", out.Datapoints)
		}
	})
}

// An alarm's metric math must be queries GetMetricData would run: an expression it
// refuses ("0/0", "[m1,m1]") or a query with neither MetricStat nor Expression was
// stored, and every evaluation of the alarm failed. They are refused as GetMetricData
// refuses them, naming the Metrics parameter.
func TestAlarmMetricMathChecked(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		stat := types.MetricDataQuery{Id: aws.String("m1"), ReturnData: aws.Bool(false), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String("CIS"), MetricName: aws.String("X")}, Period: aws.Int32(60), Stat: aws.String("Sum")}}
		put := func(q types.MetricDataQuery) error {
			q.Id, q.ReturnData = aws.String("e1"), aws.Bool(true)
			_, err := e.cw.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String("math"), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
				ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, Metrics: []types.MetricDataQuery{stat, q}})
			return err
		}
		wantError(e, put(types.MetricDataQuery{Expression: aws.String("0/0")}), "InvalidParameterValue", 400,
			"The value 0/0 for parameter Metrics.member.2.Expression is not valid: an expression must involve a metric")
		wantError(e, put(types.MetricDataQuery{Expression: aws.String("[m1,m1]")}), "InvalidParameterValue", 400, "")
		wantError(e, put(types.MetricDataQuery{Expression: aws.String("nope * 2")}), "InvalidParameterValue", 400, "")
		wantError(e, put(types.MetricDataQuery{}), "InvalidParameterValue", 400,
			"The parameter Metrics.member.2 must specify exactly one of MetricStat and Expression.")
		if n := len(apptest.Must(e.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{})).MetricAlarms); n != 0 {
			e.Fatalf("%d alarms stored", n)
		}
		if err := put(types.MetricDataQuery{Expression: aws.String("m1 * 2")}); err != nil {
			e.Fatal(err)
		}
	})
}

// The datapoints a GetMetricStatistics range asks for are counted over any range the
// request can carry: 1970 to 9999 in seconds was reported as 9,223,372,036 (a
// time.Duration saturating at 292 years).
func TestStatisticsDatapointCountOverLongRange(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	_, err := e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Latency"),
		StartTime: aws.Time(time.Unix(0, 0)), EndTime: aws.Time(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)), Period: aws.Int32(1),
		Statistics: []types.Statistic{types.StatisticSum}})
	wantError(e, err, "InvalidParameterCombination", 400, "You have requested up to 253370764800 datapoints, which exceeds the limit of 1440. "+
		"You may reduce the datapoints requested by increasing Period, or decreasing the time range.")
}

// A metric math alarm's evaluation range is limited as a metric alarm's is (a day, a
// week for periods of an hour or more): EvaluationPeriods 2^31-1 was stored, and the
// first evaluation exhausted memory and killed the server, again at every restart.
func TestMetricMathAlarmRangeLimited(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		put := func(evals int32, period int32) error {
			_, err := e.cw.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String("math"), EvaluationPeriods: aws.Int32(evals),
				DatapointsToAlarm: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold,
				Metrics: []types.MetricDataQuery{{Id: aws.String("m1"), ReturnData: aws.Bool(true), MetricStat: &types.MetricStat{
					Metric: &types.Metric{Namespace: aws.String("CIS"), MetricName: aws.String("X")}, Period: aws.Int32(period), Stat: aws.String("Sum")}}}})
			return err
		}
		wantError(e, put(math.MaxInt32, 60), "InvalidParameterValue", 400,
			"The evaluation period multiplied by the period must be less than or equal to 86400 seconds.")
		wantError(e, put(1441, 60), "InvalidParameterValue", 400,
			"The evaluation period multiplied by the period must be less than or equal to 86400 seconds.")
		wantError(e, put(169, 3600), "InvalidParameterValue", 400,
			"The evaluation period multiplied by the period must be less than or equal to 604800 seconds.")
		for _, c := range [][2]int32{{1440, 60}, {168, 3600}} {
			if err := put(c[0], c[1]); err != nil {
				e.Fatalf("%d periods of %d s: %v", c[0], c[1], err)
			}
		}
		e.advance(time.Minute)
		if s := e.alarm("math").StateValue; s != types.StateValueInsufficientData {
			e.Fatalf("state %s", s)
		}
	})
}

// MaxDatapoints below 1 is refused: 0 answered an empty page whose NextToken led back
// to the same page (a paginator looped for ever), and -1 meant no limit.
func TestMaxDatapointsAtLeastOne(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		now := time.Now()
		in := &cw.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now),
			MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("m1"), MetricStat: &types.MetricStat{
				Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("Latency")}, Period: aws.Int32(60), Stat: aws.String("Sum")}}}}
		for _, n := range []int32{0, -1} {
			in.MaxDatapoints = aws.Int32(n)
			_, err := e.cw.GetMetricData(ctx, in)
			wantError(e, err, "InvalidParameterValue", 400, "The parameter MaxDatapoints must be greater than 0.")
		}
		in.MaxDatapoints = aws.Int32(1)
		apptest.Must(e.cw.GetMetricData(ctx, in))
	})
}

// PutMetricData takes at most 1000 metrics and GetMetricData at most 500 queries, as
// documented; more were accepted.
func TestRequestCollectionLimits(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		data := make([]types.MetricDatum, 1001)
		for i := range data {
			data[i] = types.MetricDatum{MetricName: aws.String("M" + strconv.Itoa(i)), Value: aws.Float64(1)}
		}
		_, err := e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: data})
		wantError(e, err, "InvalidParameterValue", 400, "The collection MetricData must not have a size greater than 1000.")
		apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: data[:1000]}))
		now := time.Now()
		qs := make([]types.MetricDataQuery, 501)
		for i := range qs {
			qs[i] = types.MetricDataQuery{Id: aws.String("m" + strconv.Itoa(i)), MetricStat: &types.MetricStat{
				Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("M" + strconv.Itoa(i))}, Period: aws.Int32(60), Stat: aws.String("Sum")}}
		}
		in := &cw.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Minute)), MetricDataQueries: qs}
		_, err = e.cw.GetMetricData(ctx, in)
		wantError(e, err, "InvalidParameterValue", 400, "The collection MetricDataQueries must not have a size greater than 500.")
		in.MetricDataQueries = qs[:500]
		if n := len(apptest.Must(e.cw.GetMetricData(ctx, in)).MetricDataResults); n != 500 {
			e.Fatalf("%d results", n)
		}
	})
}

// statSet is a statistic set of n samples summing to sum, from lo to hi.
func statSet(n, sum, lo, hi float64) *types.StatisticSet {
	return &types.StatisticSet{SampleCount: aws.Float64(n), Sum: aws.Float64(sum), Minimum: aws.Float64(lo), Maximum: aws.Float64(hi)}
}
