package wire_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
	"github.com/fxamacker/cbor/v2"

	cwapi "github.com/palisade/palisade/internal/api/cloudwatch"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/wire"
	"github.com/palisade/palisade/internal/wire/wiretest"
)

var (
	cwStart = time.Date(2025, 3, 4, 5, 0, 0, 0, time.UTC)
	cwEnd   = time.Date(2025, 3, 4, 6, 0, 0, 0, time.UTC)
	cwPoint = time.Date(2025, 3, 4, 5, 30, 15, 250_000_000, time.UTC)
)

// cloudWatchServer answers PutMetricData, GetMetricStatistics and DescribeAlarms and
// records which protocol each request arrived in and the first datum's timestamp of each
// PutMetricData that has one.
func cloudWatchServer(t *testing.T) (url string, protocols func() []string, puts func() []time.Time) {
	var mu sync.Mutex
	var seen []string
	var put []time.Time
	h := wiretest.Handle(cwapi.Service, map[string]wiretest.Handler{
		"PutMetricData": func(in map[string]any) (map[string]any, *model.Error) {
			var req cwapi.PutMetricDataInput
			mustUnmarshal(t, in, &req)
			if req.Namespace == "Bad" {
				return nil, cwapi.NewInvalidParameterValueException("The value Bad for parameter Namespace is not valid.")
			}
			d := req.MetricData
			if len(d) > 0 && d[0].Timestamp != nil {
				mu.Lock()
				put = append(put, *d[0].Timestamp)
				mu.Unlock()
			}
			if req.Namespace != "App/Test" || len(d) != 2 || d[0].MetricName != "Latency" || *d[0].Value != 12.5 ||
				d[0].Dimensions[0].Name != "Host" || d[0].Dimensions[0].Value != "a" || *d[0].Unit != "Milliseconds" || *d[0].StorageResolution != 1 ||
				d[1].StatisticValues.Maximum != 1e300 || d[1].StatisticValues.Minimum != -0.25 || d[1].StatisticValues.SampleCount != 3 ||
				len(d[1].Values) != 2 || d[1].Values[1] != 2.75 || d[1].Counts[0] != 4 {
				t.Errorf("PutMetricData decoded %+v", req)
			}
			return nil, nil
		},
		"GetMetricStatistics": func(in map[string]any) (map[string]any, *model.Error) {
			var req cwapi.GetMetricStatisticsInput
			mustUnmarshal(t, in, &req)
			if req.Namespace != "App/Test" || req.MetricName != "Latency" || !req.StartTime.Equal(cwStart) || !req.EndTime.Equal(cwEnd) ||
				req.Period != 60 || len(req.Statistics) != 2 || req.Statistics[1] != "Maximum" || req.ExtendedStatistics[0] != "p99" {
				t.Errorf("GetMetricStatistics decoded %+v", req)
			}
			return model.Marshal(&cwapi.GetMetricStatisticsOutput{
				Label: aws.String("Latency"),
				Datapoints: []cwapi.Datapoint{{
					Timestamp: &cwPoint, SampleCount: aws.Float64(3), Average: aws.Float64(1.0 / 3), Maximum: aws.Float64(math.MaxFloat64),
					Minimum: aws.Float64(-0.000001), Unit: aws.String("Milliseconds"), ExtendedStatistics: map[string]float64{"p99": 99.9},
				}},
			}), nil
		},
		"DescribeAlarms": func(in map[string]any) (map[string]any, *model.Error) {
			var req cwapi.DescribeAlarmsInput
			mustUnmarshal(t, in, &req)
			if len(req.AlarmNames) != 1 || req.AlarmNames[0] != "high-latency" || *req.MaxRecords != 5 || *req.StateValue != "ALARM" {
				t.Errorf("DescribeAlarms decoded %+v", req)
			}
			return model.Marshal(&cwapi.DescribeAlarmsOutput{
				MetricAlarms: []cwapi.MetricAlarm{{
					AlarmName: aws.String("high-latency"), AlarmArn: aws.String("arn:aws:cloudwatch:us-east-1:000000000000:alarm:high-latency"),
					StateValue: aws.String("ALARM"), StateUpdatedTimestamp: &cwPoint, AlarmConfigurationUpdatedTimestamp: &cwStart,
					ActionsEnabled: aws.Bool(true), AlarmActions: []string{"arn:aws:sns:us-east-1:000000000000:t"},
					Threshold: aws.Float64(0.1), EvaluationPeriods: aws.Int32(3), ComparisonOperator: aws.String("GreaterThanThreshold"),
					Dimensions: []cwapi.Dimension{{Name: "Host", Value: "a"}},
				}},
				NextToken: aws.String("n2"),
			}), nil
		},
	})
	srv := httptestServer(t, func(p string) {
		mu.Lock()
		seen = append(seen, p)
		mu.Unlock()
	}, h)
	return srv, func() []string {
			mu.Lock()
			defer mu.Unlock()
			return append([]string(nil), seen...)
		}, func() []time.Time {
			mu.Lock()
			defer mu.Unlock()
			return append([]time.Time(nil), put...)
		}
}

// exerciseCloudWatch makes the calls through c. errCode is the code the SDK reports for
// InvalidParameterValueException: the json-family protocols override it with the query
// code from x-amzn-query-error; the query protocol keeps the shape name.
func exerciseCloudWatch(t *testing.T, c *cloudwatch.Client, errCode string) {
	t.Helper()
	ctx := context.Background()
	_, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{
		Namespace: aws.String("App/Test"),
		MetricData: []cwtypes.MetricDatum{
			{MetricName: aws.String("Latency"), Value: aws.Float64(12.5), Timestamp: &cwPoint, Unit: cwtypes.StandardUnitMilliseconds,
				StorageResolution: aws.Int32(1), Dimensions: []cwtypes.Dimension{{Name: aws.String("Host"), Value: aws.String("a")}}},
			{MetricName: aws.String("Size"), StatisticValues: &cwtypes.StatisticSet{SampleCount: aws.Float64(3), Sum: aws.Float64(6), Minimum: aws.Float64(-0.25), Maximum: aws.Float64(1e300)},
				Values: []float64{1, 2.75}, Counts: []float64{4, 5}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}

	gs, err := c.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("App/Test"), MetricName: aws.String("Latency"), StartTime: &cwStart, EndTime: &cwEnd, Period: aws.Int32(60),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticAverage, cwtypes.StatisticMaximum}, ExtendedStatistics: []string{"p99"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if *gs.Label != "Latency" || len(gs.Datapoints) != 1 {
		t.Fatalf("GetMetricStatistics got %+v", gs)
	}
	dp := gs.Datapoints[0]
	if !dp.Timestamp.Equal(cwPoint) || *dp.SampleCount != 3 || *dp.Average != 1.0/3 || *dp.Maximum != math.MaxFloat64 || *dp.Minimum != -0.000001 ||
		dp.Unit != cwtypes.StandardUnitMilliseconds || dp.ExtendedStatistics["p99"] != 99.9 || dp.Sum != nil {
		t.Fatalf("GetMetricStatistics datapoint %+v", dp)
	}

	da, err := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"high-latency"}, MaxRecords: aws.Int32(5), StateValue: cwtypes.StateValueAlarm})
	if err != nil {
		t.Fatal(err)
	}
	if len(da.MetricAlarms) != 1 || *da.NextToken != "n2" {
		t.Fatalf("DescribeAlarms got %+v", da)
	}
	a := da.MetricAlarms[0]
	if *a.AlarmName != "high-latency" || a.StateValue != cwtypes.StateValueAlarm || !a.StateUpdatedTimestamp.Equal(cwPoint) ||
		!a.AlarmConfigurationUpdatedTimestamp.Equal(cwStart) || !*a.ActionsEnabled || a.AlarmActions[0] != "arn:aws:sns:us-east-1:000000000000:t" ||
		*a.Threshold != 0.1 || *a.EvaluationPeriods != 3 || a.ComparisonOperator != cwtypes.ComparisonOperatorGreaterThanThreshold ||
		*a.Dimensions[0].Value != "a" || !strings.HasSuffix(*a.AlarmArn, ":alarm:high-latency") {
		t.Fatalf("DescribeAlarms alarm %+v", a)
	}

	// The modelled error comes back typed, with the query code CloudWatch's SDKs expect.
	_, err = c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Bad"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(1)}}})
	var ipv *cwtypes.InvalidParameterValueException
	if !errors.As(err, &ipv) || ipv.ErrorCode() != errCode || ipv.ErrorMessage() != "The value Bad for parameter Namespace is not valid." {
		t.Fatalf("want InvalidParameterValueException, got %v", err)
	}
}

// TestCloudWatchThreeProtocols runs the same calls through the SDK's default
// rpc-v2-cbor binding and, by swapping the client's protocol, through json 1.0 and
// query; Detect must route each to its codec. The test config leaves the SDK's minimum
// compression size at zero, so every PutMetricData arrives gzipped.
func TestCloudWatchThreeProtocols(t *testing.T) {
	url, protocols, puts := cloudWatchServer(t)
	for _, tc := range []struct {
		name, errCode string
		proto         func(*cloudwatch.Options)
	}{
		{"smithy-rpc-v2-cbor", "InvalidParameterValue", func(*cloudwatch.Options) {}},
		{"json", "InvalidParameterValue", func(o *cloudwatch.Options) { o.Protocol = awsjson.New10(schemas.GraniteServiceVersion20100801) }},
		{"query", "InvalidParameterValueException", func(o *cloudwatch.Options) { o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(protocols())
			exerciseCloudWatch(t, cloudwatch.NewFromConfig(sdkConfig(url), tc.proto), tc.errCode)
			if p := puts(); !p[len(p)-1].Equal(cwPoint) {
				t.Errorf("PutMetricData timestamp %v, want %v", p[len(p)-1], cwPoint)
			}
			got := protocols()[before:]
			want := []string{tc.name + "+gzip", tc.name, tc.name, tc.name + "+gzip"}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("requests detected as %v, want %v", got, want)
			}
		})
	}
}

func TestCBORWireCloudWatch(t *testing.T) {
	url, _, _ := cloudWatchServer(t)
	cborPost := func(path string, body any) rawResponse {
		b, err := cbor.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		return post(t, url+path, map[string]string{"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Accept": "application/cbor"}, b)
	}
	decode := func(r rawResponse) map[string]any {
		var v map[string]any
		dm, _ := cbor.DecOptions{DefaultMapType: reflect.TypeFor[map[string]any]()}.DecMode()
		if err := dm.Unmarshal([]byte(r.Body), &v); err != nil {
			t.Fatalf("response is not CBOR: %v (%q)", err, r.Body)
		}
		return v
	}

	// Timestamps go out as tag 1 epoch seconds.
	r := cborPost("/service/GraniteServiceVersion20100801/operation/DescribeAlarms", map[string]any{"AlarmNames": []string{"high-latency"}, "MaxRecords": 5, "StateValue": "ALARM"})
	if r.Status != 200 || r.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" || r.Header.Get("Content-Type") != "application/cbor" {
		t.Fatalf("got %d %v", r.Status, r.Header)
	}
	alarm := decode(r)["MetricAlarms"].([]any)[0].(map[string]any)
	if tag, ok := alarm["StateUpdatedTimestamp"].(time.Time); !ok || !tag.Equal(cwPoint) || !strings.Contains(r.Body, "\xc1\xfb") {
		t.Fatalf("timestamp %T %v", alarm["StateUpdatedTimestamp"], alarm["StateUpdatedTimestamp"])
	}

	// Errors: the shape ID in __type (in Coral's namespace, as AWS answers), the query
	// code in x-amzn-query-error.
	r = cborPost("/service/GraniteServiceVersion20100801/operation/PutMetricData", map[string]any{"Namespace": "Bad", "MetricData": []any{map[string]any{"MetricName": "m"}}})
	e := decode(r)
	if r.Status != 400 || e["__type"] != "com.amazon.coral.service#InvalidParameterValueException" || e["message"] != "The value Bad for parameter Namespace is not valid." ||
		r.Header.Get("X-Amzn-Query-Error") != "InvalidParameterValue;Sender" || r.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" {
		t.Fatalf("got %d %v %v", r.Status, r.Header, e)
	}

	cases := []struct {
		name, path string
		body       []byte
		typ        string
	}{
		{"unknown operation", "/service/GraniteServiceVersion20100801/operation/Nope", []byte{0xa0}, "com.amazon.coral.service#UnknownOperationException"},
		{"wrong service", "/service/AmazonSQS/operation/DescribeAlarms", []byte{0xa0}, "com.amazon.coral.service#UnknownOperationException"},
		{"truncated CBOR", "/service/GraniteServiceVersion20100801/operation/DescribeAlarms", []byte{0xbf, 0x61}, "com.amazon.coral.service#SerializationException"},
		{"array body", "/service/GraniteServiceVersion20100801/operation/DescribeAlarms", []byte{0x80}, "com.amazon.coral.service#SerializationException"},
		{"string for integer", "/service/GraniteServiceVersion20100801/operation/DescribeAlarms", mustCBOR(t, map[string]any{"MaxRecords": "5"}), "com.amazon.coral.service#SerializationException"},
	}
	for _, tc := range cases {
		r := post(t, url+tc.path, map[string]string{"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"}, tc.body)
		if e := decode(r); r.Status != 400 || e["__type"] != tc.typ {
			t.Errorf("%s: got %d %v", tc.name, r.Status, e)
		}
	}
	// A validation failure is CloudWatch's InvalidParameterValue, typed as the
	// modelled exception.
	r = cborPost("/service/GraniteServiceVersion20100801/operation/DescribeAlarms", map[string]any{"MaxRecords": 500})
	e = decode(r)
	if r.Status != 400 || e["__type"] != "com.amazon.coral.service#InvalidParameterValueException" || r.Header.Get("X-Amzn-Query-Error") != "InvalidParameterValue;Sender" ||
		e["message"] != "1 validation error detected: Value '500' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100" {
		t.Fatalf("got %d %v %v", r.Status, r.Header, e)
	}
}

func mustCBOR(t *testing.T, v any) []byte {
	t.Helper()
	b, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// httptestServer serves h and reports the protocol Detect picks for each request,
// suffixed "+gzip" for a compressed one.
func httptestServer(t *testing.T, record func(string), h http.Handler) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := wire.Detect(cwapi.Service, r).Name()
		if r.Header.Get("Content-Encoding") == "gzip" {
			name += "+gzip"
		}
		record(name)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
