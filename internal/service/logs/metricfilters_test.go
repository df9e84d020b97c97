package logs_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

func transform(name string) []types.MetricTransformation {
	return []types.MetricTransformation{{MetricName: aws.String(name), MetricNamespace: aws.String("App"), MetricValue: aws.String("1")}}
}

func TestMetricFilters(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	put := func(name, pattern string, tr []types.MetricTransformation) error {
		_, err := e.logs.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String(name),
			FilterPattern: aws.String(pattern), MetricTransformations: tr})
		return err
	}
	if err := put("errors", "ERROR", transform("Errors")); err != nil {
		t.Fatal(err)
	}
	if err := put("denied", `{ $.errorCode = "AccessDenied*" }`, []types.MetricTransformation{{MetricName: aws.String("Denied"),
		MetricNamespace: aws.String("CIS"), MetricValue: aws.String("1"), Dimensions: map[string]string{"User": "$.userIdentity.userName"}}}); err != nil {
		t.Fatal(err)
	}
	// Updating keeps one filter.
	if err := put("errors", "ERROR -retry", transform("Errors")); err != nil {
		t.Fatal(err)
	}
	wantError(t, put("bad", "{ $.a = }", transform("X")), "InvalidParameterException", 400, "Invalid metric filter pattern")
	wantError(t, put("dims", "ERROR", []types.MetricTransformation{{MetricName: aws.String("X"), MetricNamespace: aws.String("App"),
		MetricValue: aws.String("1"), Dimensions: map[string]string{"a": "$.a"}}}), "InvalidParameterException", 400, "The specified filter pattern does not support dimensions")
	wantError(t, put("regex", "{ $.a = %x% || $.b = %y% || $.c = %z% }", transform("X")), "InvalidParameterException", 400, "Invalid metric filter pattern")
	_, err := e.logs.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String("nope"), FilterName: aws.String("f"),
		FilterPattern: aws.String(""), MetricTransformations: transform("X")})
	wantError(t, err, "ResourceNotFoundException", 400, "The specified log group does not exist.")

	out := apptest.Must(e.logs.DescribeMetricFilters(ctx, &cwl.DescribeMetricFiltersInput{LogGroupName: aws.String("g")}))
	if len(out.MetricFilters) != 2 || aws.ToString(out.MetricFilters[1].FilterName) != "errors" || aws.ToString(out.MetricFilters[1].FilterPattern) != "ERROR -retry" ||
		aws.ToString(out.MetricFilters[1].LogGroupName) != "g" || out.MetricFilters[1].CreationTime == nil {
		t.Fatalf("filters %+v", out.MetricFilters)
	}
	out = apptest.Must(e.logs.DescribeMetricFilters(ctx, &cwl.DescribeMetricFiltersInput{MetricNamespace: aws.String("CIS"), MetricName: aws.String("Denied")}))
	if len(out.MetricFilters) != 1 || aws.ToString(out.MetricFilters[0].FilterName) != "denied" {
		t.Fatalf("by metric: %+v", out.MetricFilters)
	}
	// A name prefix without a group reaches every group's filters.
	e.group("h")
	apptest.Must(e.logs.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String("h"), FilterName: aws.String("errors-h"),
		FilterPattern: aws.String("ERROR"), MetricTransformations: transform("ErrorsH")}))
	out = apptest.Must(e.logs.DescribeMetricFilters(ctx, &cwl.DescribeMetricFiltersInput{FilterNamePrefix: aws.String("err")}))
	if len(out.MetricFilters) != 2 || aws.ToString(out.MetricFilters[0].LogGroupName) != "g" || aws.ToString(out.MetricFilters[1].FilterName) != "errors-h" {
		t.Fatalf("by prefix alone: %+v", out.MetricFilters)
	}
	apptest.Must(e.logs.DeleteMetricFilter(ctx, &cwl.DeleteMetricFilterInput{LogGroupName: aws.String("h"), FilterName: aws.String("errors-h")}))
	groups := apptest.Must(e.logs.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{}))
	if aws.ToInt32(groups.LogGroups[0].MetricFilterCount) != 2 {
		t.Fatalf("metric filter count %d", aws.ToInt32(groups.LogGroups[0].MetricFilterCount))
	}
	apptest.Must(e.logs.DeleteMetricFilter(ctx, &cwl.DeleteMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("errors")}))
	_, err = e.logs.DeleteMetricFilter(ctx, &cwl.DeleteMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("errors")})
	wantError(t, err, "ResourceNotFoundException", 400, "The specified metric filter does not exist.")
}

func TestTestMetricFilter(t *testing.T) {
	e := newEnv(t)
	out := apptest.Must(e.logs.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{
		FilterPattern: aws.String(`[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`),
		LogEventMessages: []string{
			`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`,
			`127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`,
		}}))
	if len(out.Matches) != 1 {
		t.Fatalf("matches %+v", out.Matches)
	}
	m := out.Matches[0]
	if m.EventNumber != 2 || m.ExtractedValues["$status_code"] != "404" || m.ExtractedValues["$request"] != "GET /index.html HTTP/1.0" ||
		m.ExtractedValues["$user"] != "Prod" || len(m.ExtractedValues) != 7 {
		t.Fatalf("match %+v", m)
	}
	_, err := e.logs.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String("[a, b"), LogEventMessages: []string{"x"}})
	wantError(t, err, "InvalidParameterException", 400, "Invalid metric filter pattern")
}

// A metric namespace may hold ':', which the model's pattern refuses and AWS takes
// (LocalStack's AWS-validated test_put_metric_filter_with_special_namespace); '*'
// stays refused.
func TestMetricFilterNamespaceColon(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	const namespace = "A.B-c_d/1#2:metricNamespace"
	put := func(namespace string) error {
		_, err := e.logs.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("f"),
			FilterPattern: aws.String("filterPattern"), MetricTransformations: []types.MetricTransformation{{MetricName: aws.String("metricName"),
				MetricNamespace: aws.String(namespace), MetricValue: aws.String("1")}}})
		return err
	}
	if err := put(namespace); err != nil {
		t.Fatal(err)
	}
	out := apptest.Must(e.logs.DescribeMetricFilters(ctx, &cwl.DescribeMetricFiltersInput{MetricName: aws.String("metricName"), MetricNamespace: aws.String(namespace)}))
	if len(out.MetricFilters) != 1 || aws.ToString(out.MetricFilters[0].FilterName) != "f" {
		t.Fatalf("by namespace: %+v", out.MetricFilters)
	}
	wantError(t, put("a*b"), "InvalidParameterException", 400,
		"1 validation error detected: Value 'a*b' at 'metricTransformations.1.member.metricNamespace' failed to satisfy constraint: Member must satisfy regular expression pattern: [^*$]*")
}

// A log group or stream name over 512 characters gets AWS's own message, not the
// generic constraint one (recorded: CreateLogGroup in test_create_log_group_invalid_name_length,
// DeleteMetricFilter in test_delete_metric_filter_invalid_log_group_name; the other
// operations are inferred to answer alike).
func TestNameOver512(t *testing.T) {
	e := newEnv(t)
	const msg = "Invalid LogGroup or LogStream, both must have length less than or equal to 512."
	_, err := e.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(strings.Repeat("a", 513))})
	wantError(t, err, "InvalidParameterException", 400, msg)
	_, err = e.logs.DeleteMetricFilter(ctx, &cwl.DeleteMetricFilterInput{LogGroupName: aws.String(strings.Repeat("X", 513)), FilterName: aws.String("valid-filter")})
	wantError(t, err, "InvalidParameterException", 400, msg)
	e.group("g")
	_, err = e.logs.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(strings.Repeat("s", 513))})
	wantError(t, err, "InvalidParameterException", 400, msg)
	_, err = e.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(strings.Repeat("s", 513)),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(e.now()), Message: aws.String("m")}}})
	wantError(t, err, "InvalidParameterException", 400, msg)
	// 512 is allowed; the filter name keeps the generic message, as AWS answers it.
	apptest.Must(e.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(strings.Repeat("a", 512))}))
	_, err = e.logs.DeleteMetricFilter(ctx, &cwl.DeleteMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String(strings.Repeat("X", 513))})
	wantError(t, err, "InvalidParameterException", 400,
		"1 validation error detected: Value '"+strings.Repeat("X", 513)+"' at 'filterName' failed to satisfy constraint: Member must have length less than or equal to 512")
}

// A metric value CloudWatch cannot take (NaN, Infinity, beyond ±2^360) is refused in
// a filter's literal value and default (the default answered 500: the filter could
// not be stored), and one read from an event is not published: a filter with value
// "NaN" made every later PutLogEvents to its group answer 500, and so did an event
// whose referenced field held "NaN", "Infinity" or 1e400.
func TestMetricFilterNonFiniteValues(t *testing.T) {
	e := newEnv(t)
	e.group("g")
	e.stream("g", "s")
	put := func(name string, tr types.MetricTransformation) error {
		tr.MetricName, tr.MetricNamespace = aws.String(name), aws.String("App")
		_, err := e.logs.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String(name),
			FilterPattern: aws.String("{ $.a = * }"), MetricTransformations: []types.MetricTransformation{tr}})
		return err
	}
	for _, v := range []string{"NaN", "Infinity", "-Inf", "1e400", "1e200"} {
		wantError(t, put("lit", types.MetricTransformation{MetricValue: aws.String(v)}), "InvalidParameterException", 400, "Invalid metric value: "+v)
	}
	for v, text := range map[float64]string{math.Inf(1): "Infinity", math.Inf(-1): "-Infinity", 1e200: "1e+200"} {
		wantError(t, put("def", types.MetricTransformation{MetricValue: aws.String("1"), DefaultValue: aws.Float64(v)}),
			"InvalidParameterException", 400, "Invalid default value: "+text)
	}
	wantError(t, put("def", types.MetricTransformation{MetricValue: aws.String("1"), DefaultValue: aws.Float64(math.NaN())}),
		"InvalidParameterException", 400, "Invalid default value: NaN")
	if err := put("A", types.MetricTransformation{MetricValue: aws.String("$.a")}); err != nil {
		t.Fatal(err)
	}
	e.put("g", "s", e.now(), `{"a":"NaN"}`, `{"a":"Infinity"}`, `{"a":1e400}`, `{"a":-1e300}`, `{"a":2}`, `{"a":3}`)
	cw := cloudwatch.NewFromConfig(e.p.RootConfig())
	now := e.p.Clock.Now()
	out := apptest.Must(cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("A"),
		StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Hour)), Period: aws.Int32(7200),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticSampleCount, cwtypes.StatisticSum}}))
	if len(out.Datapoints) != 1 || *out.Datapoints[0].SampleCount != 2 || *out.Datapoints[0].Sum != 5 {
		t.Fatalf("published: %+v", out.Datapoints)
	}
}
