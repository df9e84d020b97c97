package cloudwatch_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/palisade/palisade/internal/app/apptest"
)

// These tests hold Palisade to answers AWS gave, as LocalStack's AWS-validated
// snapshots (tests/aws/services/cloudwatch/test_cloudwatch.*) record them.

// validationCode is the code the SDK for Go reports for CloudWatch's ValidationError:
// over the query protocol it names it ValidationException (the wire says
// ValidationError, which TestValidationErrorOverQuery reads).
func validationCode(e *env) string {
	if strings.HasSuffix(e.Name(), "/query") {
		return "ValidationException"
	}
	return "ValidationError"
}

// test_set_alarm_invalid_input: a state outside StateValue's set is ValidationError
// listing the set in AWS's order; an unknown alarm is ResourceNotFound, 404, with no
// message.
func TestSetAlarmStateRecorded(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		apptest.Must(e.cw.PutMetricAlarm(ctx, alarmInput("a")))
		_, err := e.cw.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String("a"), StateValue: "INVALID", StateReason: aws.String("test")})
		wantError(e, err, validationCode(e), 400,
			"1 validation error detected: Value 'INVALID' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]")
		_, err = e.cw.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String("a-nonexistent"), StateValue: types.StateValueOk, StateReason: aws.String("test")})
		wantError(e, err, "ResourceNotFound", 404, "")
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorMessage() != "" {
			e.Fatalf("ResourceNotFound carries a message: %q", ae.ErrorMessage())
		}
	})
	// The JSON body has no message member at all.
	p := apptest.Start(t)
	status, b := rawCloudWatch(t, p, "application/x-amz-json-1.0", "GraniteServiceVersion20100801.SetAlarmState",
		`{"AlarmName":"nope","StateValue":"OK","StateReason":"test"}`)
	var body map[string]any
	if err := json.Unmarshal([]byte(b), &body); err != nil || status != 404 || len(body) != 1 || body["__type"] == nil {
		t.Fatalf("%d %s", status, b)
	}
}

// The same validation answers an enumeration anywhere in a request: DescribeAlarms'
// StateValue shares the shape (its order inferred from SetAlarmState's); other sets
// keep the model's order, as no answer records AWS's.
func TestEnumViolations(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		_, err := e.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{StateValue: "BAD"})
		wantError(e, err, validationCode(e), 400,
			"1 validation error detected: Value 'BAD' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]")
		bad := alarmInput("x")
		bad.ComparisonOperator = "Above"
		bad.Unit = "Parsecs"
		_, err = e.cw.PutMetricAlarm(ctx, bad)
		wantError(e, err, validationCode(e), 400, "2 validation errors detected: "+
			"Value 'Parsecs' at 'unit' failed to satisfy constraint: Member must satisfy enum value set: [Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits, Kilobits, Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second, Megabytes/Second, Gigabytes/Second, Terabytes/Second, Bits/Second, Kilobits/Second, Megabits/Second, Gigabits/Second, Terabits/Second, Count/Second, None]; "+
			"Value 'Above' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold, LessThanLowerOrGreaterThanUpperThreshold, LessThanLowerThreshold, GreaterThanUpperThreshold]")
		_, err = e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
			{MetricName: aws.String("m"), Value: aws.Float64(1)}, {MetricName: aws.String("m"), Value: aws.Float64(1), Unit: "Parsecs"}}})
		wantError(e, err, validationCode(e), 400, "1 validation error detected: Value 'Parsecs' at 'metricData.2.member.unit' failed to satisfy constraint: Member must satisfy enum value set: [Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits, Kilobits, Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second, Megabytes/Second, Gigabytes/Second, Terabytes/Second, Bits/Second, Kilobits/Second, Megabits/Second, Gigabits/Second, Terabits/Second, Count/Second, None]")
	})
}

// test_put_metric_data_validation: Values with StatisticValues in one datum is
// accepted. Which of the two AWS stores the recording does not show; Palisade stores
// the statistic set (inferred).
func TestPutMetricDataValuesAndStatisticValues(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		now := e.p.Clock.Now().Truncate(time.Minute).Add(-5 * time.Minute)
		apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{{
			MetricName: aws.String("mymetric"), Timestamp: aws.Time(now), Values: []float64{1, 10}, Unit: types.StandardUnitCount,
			StatisticValues: &types.StatisticSet{SampleCount: aws.Float64(10), Sum: aws.Float64(55), Minimum: aws.Float64(1), Maximum: aws.Float64(10)}}}}))
		out := apptest.Must(e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("mymetric"),
			StartTime: aws.Time(now), EndTime: aws.Time(now.Add(time.Minute)), Period: aws.Int32(60),
			Statistics: []types.Statistic{types.StatisticSampleCount, types.StatisticSum}}))
		if len(out.Datapoints) != 1 || aws.ToFloat64(out.Datapoints[0].SampleCount) != 10 || aws.ToFloat64(out.Datapoints[0].Sum) != 55 {
			e.Fatalf("datapoints %+v", out.Datapoints)
		}
	})
}

// rawCloudWatch sends a signed request as is and returns the status and body.
func rawCloudWatch(t *testing.T, p *apptest.Palisade, contentType, target, body string) (int, string) {
	t.Helper()
	resp, b := rawCloudWatchAnswer(t, p, contentType, target, body)
	return resp.StatusCode, string(b)
}

// rawCloudWatchAnswer is rawCloudWatch with the answer's headers.
func rawCloudWatchAnswer(t *testing.T, p *apptest.Palisade, contentType, target, body string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", p.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	sum := sha256.Sum256([]byte(body))
	apptest.SignAsRoot(t, req, "monitoring", hex.EncodeToString(sum[:]))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, b
}

// Over the query protocol the code on the wire is ValidationError, a Sender fault, as
// AWS's recorded answer has it.
func TestValidationErrorOverQuery(t *testing.T) {
	p := apptest.Start(t)
	status, body := rawCloudWatch(t, p, "application/x-www-form-urlencoded", "",
		"Action=SetAlarmState&Version=2010-08-01&AlarmName=a&StateValue=INVALID&StateReason=test")
	if status != 400 || !strings.Contains(body, "<Error><Type>Sender</Type><Code>ValidationError</Code><Message>1 validation error detected: "+
		"Value 'INVALID' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]</Message></Error>") {
		t.Fatalf("%d %s", status, body)
	}
}

// test_label_generation and test_get_metric_data_with_zero_and_labels: without a
// Label, GetMetricData labels a query with the metric name, then the statistic and the
// period where the queries of that metric differ in them, never the unit.
func TestGetMetricDataDefaultLabels(t *testing.T) {
	e := newEnv(t, func(*cw.Options) {})
	now := e.p.Clock.Now().Truncate(time.Minute).Add(-5 * time.Minute)
	var data []types.MetricDatum
	for _, v := range []float64{0, 2, 7, 100} {
		data = append(data, types.MetricDatum{MetricName: aws.String("metric1"), Value: aws.Float64(v), Unit: types.StandardUnitSeconds, Timestamp: aws.Time(now)})
	}
	apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("test"), MetricData: data}))
	type q struct {
		stat   string
		period int32
		unit   types.StandardUnit
	}
	labels := func(qs ...q) []string {
		var in []types.MetricDataQuery
		for i, x := range qs {
			in = append(in, types.MetricDataQuery{Id: aws.String(fmt.Sprintf("q%d", i)), MetricStat: &types.MetricStat{
				Metric: &types.Metric{Namespace: aws.String("test"), MetricName: aws.String("metric1")}, Period: aws.Int32(x.period), Stat: aws.String(x.stat), Unit: x.unit}})
		}
		out := apptest.Must(e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{MetricDataQueries: in, StartTime: aws.Time(now.Add(-time.Minute)), EndTime: aws.Time(now.Add(time.Minute))}))
		var got []string
		for _, r := range out.MetricDataResults {
			got = append(got, aws.ToString(r.Label))
		}
		return got
	}
	s, ms := types.StandardUnitSeconds, types.StandardUnitMilliseconds
	for _, c := range []struct {
		qs   []q
		want string
	}{
		{[]q{{"Sum", 60, s}, {"Minimum", 30, s}}, "metric1 Sum 60,metric1 Minimum 30"},
		{[]q{{"Sum", 60, s}, {"Minimum", 60, s}}, "metric1 Sum,metric1 Minimum"},
		{[]q{{"Sum", 60, s}, {"Sum", 30, s}}, "metric1 60,metric1 30"},
		{[]q{{"Sum", 60, s}, {"Minimum", 30, ms}}, "metric1 Sum 60,metric1 Minimum 30"},
		{[]q{{"Sum", 60, s}, {"Minimum", 60, ms}}, "metric1 Sum,metric1 Minimum"},
		{[]q{{"Sum", 60, s}, {"Sum", 30, ms}}, "metric1 60,metric1 30"},
		{[]q{{"Sum", 60, s}, {"Sum", 60, ms}}, "metric1,metric1"},
		{[]q{{"Average", 60, ""}, {"Sum", 60, ""}, {"Minimum", 60, ""}, {"Maximum", 60, ""}}, "metric1 Average,metric1 Sum,metric1 Minimum,metric1 Maximum"},
	} {
		if got := strings.Join(labels(c.qs...), ","); got != c.want {
			t.Errorf("%v: labels %s, want %s", c.qs, got, c.want)
		}
	}
}

// GetMetricStatistics' answers recorded from AWS in 2026 (aws CLI, JSON 1.0): a
// sub-minute Period outside the set, and the datapoint limit without thousands
// separators.
func TestGetMetricStatisticsRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		at := e.p.Clock.Now().Truncate(time.Minute).Add(-10 * time.Minute)
		in := func(start time.Time, period int32) *cw.GetMetricStatisticsInput {
			return &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Scalar"), StartTime: aws.Time(start),
				EndTime: aws.Time(at.Add(5 * time.Minute)), Period: aws.Int32(period), Statistics: []types.Statistic{types.StatisticSum}}
		}
		_, err := e.cw.GetMetricStatistics(ctx, in(at, 7))
		wantError(e, err, "InvalidParameterValue", 400, "The parameter Period must be a value in the set [1, 5, 10, 20, 30].")
		_, err = e.cw.GetMetricStatistics(ctx, in(at.Add(-24*time.Hour), 60))
		wantError(e, err, "InvalidParameterCombination", 400, "You have requested up to 1445 datapoints, which exceeds the limit of 1440. "+
			"You may reduce the datapoints requested by increasing Period, or decreasing the time range.")
	})
}
