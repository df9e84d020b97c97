package cloudwatch_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/palisade/palisade/internal/app/apptest"
)

// These tests hold Palisade to answers AWS gave in 2026 (us-east-1, aws CLI over
// JSON 1.0), recorded in the public repository radkawar/stackd under
// testdata/aws/cloudwatch/; each case names its file and observation label. They run
// in every protocol.

// wantWire checks an error by the code AWS sends on the wire. Over the query protocol
// the SDK for Go reports a modelled error by its shape name, which it maps here.
func wantWire(e *env, err error, code string, status int, msg string) {
	e.Helper()
	if strings.HasSuffix(e.Name(), "/query") {
		switch code {
		case "MissingParameter":
			code = "MissingRequiredParameterException"
		case "ValidationError":
			code = "ValidationException"
		}
	}
	wantError(e, err, code, status, msg)
}

// metrics.json, admission-*, timestamp-* and the reserved namespace: PutMetricData's
// refusals.
func TestPutMetricDataRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		now := e.p.Clock.Now()
		at := aws.Time(now.Truncate(time.Minute).Add(-5 * time.Minute))
		set := func(n, sum, lo, hi float64) *types.StatisticSet {
			return &types.StatisticSet{SampleCount: aws.Float64(n), Sum: aws.Float64(sum), Minimum: aws.Float64(lo), Maximum: aws.Float64(hi)}
		}
		datum := func(d types.MetricDatum) []types.MetricDatum {
			d.MetricName = aws.String("Invalid")
			if d.Timestamp == nil {
				d.Timestamp = at
			}
			return []types.MetricDatum{d}
		}
		for _, c := range []struct {
			label     string
			namespace string
			data      []types.MetricDatum
			code, msg string
		}{
			{"admission-missing-value", "", datum(types.MetricDatum{}),
				"InvalidParameterCombination", "At least one of the parameters must be specified."},
			{"admission-counts-without-values", "", datum(types.MetricDatum{Counts: []float64{1}}),
				"InvalidParameterCombination", "The parameter values must appears when the counts parameter is specified."},
			{"admission-counts-negative", "", datum(types.MetricDatum{Values: []float64{1}, Counts: []float64{-1}}),
				"InvalidParameterValue", "The parameter MetricData.member.1.Counts must contain only values greater than 0."},
			{"admission-stat-count-zero", "", datum(types.MetricDatum{StatisticValues: set(0, 1, 1, 1)}),
				"InvalidParameterValue", "The parameter MetricData.member.1.StatisticValues.SampleCount must be greater than 0."},
			{"admission-stat-min-above-max", "", datum(types.MetricDatum{StatisticValues: set(2, 3, 2, 1)}),
				"InvalidParameterValue", "The parameter MetricData.member.1.StatisticValues.Maximum must be greater than MetricData.member.1.StatisticValues.Minimum."},
			{"admission-resolution-two", "", datum(types.MetricDatum{Value: aws.Float64(1), StorageResolution: aws.Int32(2)}),
				"InvalidParameterValue", "The parameter MetricData.member.1.StorageResolution must be a value in the set [ 1, 60 ]."},
			{"admission-duplicate-dimension-name", "", datum(types.MetricDatum{Value: aws.Float64(1), Dimensions: dims("A", "one", "A", "one")}),
				"InvalidParameterValue", "No metric may specify the same dimension name twice."},
			{"admission-empty-metric-data", "", []types.MetricDatum{},
				"MissingParameter", "At least one MetricDatum object must be present in the request."},
			{"admission-reserved-namespace", "AWS/StackdNativeMetrics/owned", datum(types.MetricDatum{Value: aws.Float64(17)}),
				"InvalidParameterValue", "The value AWS/ for parameter Namespace is invalid."},
			{"timestamp-past-too-old", "", datum(types.MetricDatum{Value: aws.Float64(19), Timestamp: aws.Time(now.Add(-15 * 24 * time.Hour))}),
				"InvalidParameterValue", "The parameter MetricData.member.1.Timestamp must specify a time within the past two weeks."},
			{"timestamp-future-too-new", "", datum(types.MetricDatum{Value: aws.Float64(19), Timestamp: aws.Time(now.Add(3 * time.Hour))}),
				"InvalidParameterValue", "The parameter MetricData.member.1.Timestamp must specify a time no more than two hours in the future."},
		} {
			ns := c.namespace
			if ns == "" {
				ns = "Stackd/NativeMetrics/owned"
			}
			_, err := e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String(ns), MetricData: c.data})
			if err == nil {
				e.Fatalf("%s: accepted", c.label)
			}
			wantWire(e, err, c.code, 400, c.msg)
		}
		// The accepted ones: a count of 0, a sum outside the bounds, a statistic set
		// whose sample count of 1 disagrees with its bounds, and a timestamp just
		// inside two weeks.
		for label, d := range map[string][]types.MetricDatum{
			"admission-counts-zero":              datum(types.MetricDatum{Values: []float64{1, 2}, Counts: []float64{0, 1}}),
			"admission-stat-sum-outside-bounds":  datum(types.MetricDatum{StatisticValues: set(2, 100, 1, 2)}),
			"admission-stat-single-inconsistent": datum(types.MetricDatum{StatisticValues: set(1, 3, 1, 2)}),
			"timestamp-past-valid":               datum(types.MetricDatum{Value: aws.Float64(19), Timestamp: aws.Time(now.Add(-14*24*time.Hour + 2*time.Minute))}),
		} {
			if _, err := e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("Stackd/NativeMetrics/owned"), MetricData: d}); err != nil {
				e.Fatalf("%s: %v", label, err)
			}
		}
	})
}

// metrics.json, admission-counts-zero read back by admitted-validation-terminal: a
// value with a count of 0 adds nothing to the sample count and sum but still bounds
// the minimum (SampleCount 1, Sum 2, Minimum 1, Maximum 2).
func TestPutMetricDataZeroCountRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		at := e.p.Clock.Now().Truncate(time.Minute).Add(-5 * time.Minute)
		apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("N"), MetricData: []types.MetricDatum{
			{MetricName: aws.String("Invalid"), Timestamp: aws.Time(at), Values: []float64{1, 2}, Counts: []float64{0, 1}}}}))
		st := apptest.Must(e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("N"), MetricName: aws.String("Invalid"),
			StartTime: aws.Time(at), EndTime: aws.Time(at.Add(time.Minute)), Period: aws.Int32(60),
			Statistics: []types.Statistic{types.StatisticSampleCount, types.StatisticSum, types.StatisticMinimum, types.StatisticMaximum, types.StatisticAverage}}))
		if len(st.Datapoints) != 1 {
			e.Fatalf("datapoints %+v", st.Datapoints)
		}
		d := st.Datapoints[0]
		if *d.SampleCount != 1 || *d.Sum != 2 || *d.Minimum != 1 || *d.Maximum != 2 || *d.Average != 2 {
			e.Fatalf("n %v sum %v min %v max %v avg %v, want 1 2 1 2 2", *d.SampleCount, *d.Sum, *d.Minimum, *d.Maximum, *d.Average)
		}
	})
}

// metrics.json, entity-*: EntityMetricData needs StrictEntityValidation; a strict
// request with an unknown entity type is refused, a lenient one stores the data, and
// its datums are checked and named as EntityMetricData.member.N.MetricData.member.M.
func TestPutMetricDataEntitiesRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		at := e.p.Clock.Now().Truncate(time.Minute).Add(-5 * time.Minute)
		put := func(strict *bool, keys map[string]string, d types.MetricDatum) error {
			d.MetricName = aws.String("Entity")
			d.Timestamp = aws.Time(at)
			_, err := e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("N"), StrictEntityValidation: strict,
				EntityMetricData: []types.EntityMetricData{{Entity: &types.Entity{KeyAttributes: keys}, MetricData: []types.MetricDatum{d}}}})
			return err
		}
		bad := map[string]string{"Type": "NotAValidEntityType", "Name": "owned"}
		wantWire(e, put(aws.Bool(true), bad, types.MetricDatum{Value: aws.Float64(101)}), "InvalidParameterValue", 400, "InvalidTypeValue: Unknown entity type")
		wantWire(e, put(nil, bad, types.MetricDatum{Value: aws.Float64(109)}), "InvalidParameterCombination", 400,
			"Field StrictEntityValidation is required when setting EntityMetricData")
		wantWire(e, put(aws.Bool(false), bad, types.MetricDatum{Value: aws.Float64(1), Values: []float64{2}}), "InvalidParameterCombination", 400,
			"The parameters EntityMetricData.member.1.MetricData.member.1.Value and EntityMetricData.member.1.MetricData.member.1.Values are mutually exclusive and you have specified both.")
		must(e, put(aws.Bool(false), bad, types.MetricDatum{Value: aws.Float64(103)}))
		must(e, put(aws.Bool(true), map[string]string{"Type": "Service", "Name": "svc", "Environment": "probe"}, types.MetricDatum{Value: aws.Float64(107)}))
		must(e, put(aws.Bool(false), nil, types.MetricDatum{Value: aws.Float64(113)}))
		st := apptest.Must(e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("N"), MetricName: aws.String("Entity"),
			StartTime: aws.Time(at), EndTime: aws.Time(at.Add(time.Minute)), Period: aws.Int32(60), Statistics: []types.Statistic{types.StatisticSum, types.StatisticSampleCount}}))
		if len(st.Datapoints) != 1 || *st.Datapoints[0].Sum != 103+107+113 || *st.Datapoints[0].SampleCount != 3 {
			e.Fatalf("datapoints %+v", st.Datapoints)
		}
	})
}

// metrics.json, window-or-validation-invalid-standard, list-invalid-recent,
// list-invalid-token and list-wrong-account: GetMetricStatistics' and ListMetrics'
// own wordings for values the model lists, a token ListMetrics did not hand out, and
// another account's metrics.
func TestStatisticsAndListMetricsRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		at := e.p.Clock.Now().Truncate(time.Minute).Add(-10 * time.Minute)
		apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("N"), MetricData: []types.MetricDatum{
			{MetricName: aws.String("Scalar"), Timestamp: aws.Time(at), Value: aws.Float64(2)}}}))
		_, err := e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("N"), MetricName: aws.String("Scalar"),
			StartTime: aws.Time(at), EndTime: aws.Time(at.Add(5 * time.Minute)), Period: aws.Int32(60), Statistics: []types.Statistic{"Median"}})
		wantWire(e, err, "InvalidParameterValue", 400, "The parameter Statistics.member.1.<list element> must be a value in the set [SampleCount, Average, Sum, Minimum, Maximum].")
		_, err = e.cw.ListMetrics(ctx, &cw.ListMetricsInput{Namespace: aws.String("N"), RecentlyActive: "PT1H"})
		wantWire(e, err, "InvalidParameterValue", 400, "Request parameter recentlyActive value is invalid")
		_, err = e.cw.ListMetrics(ctx, &cw.ListMetricsInput{Namespace: aws.String("N"), NextToken: aws.String("invalid-owned-token")})
		wantWire(e, err, "InvalidParameterValue", 400, "Request parameter NextToken is invalid")
		lm := apptest.Must(e.cw.ListMetrics(ctx, &cw.ListMetricsInput{Namespace: aws.String("N"), OwningAccount: aws.String("111111111111"), IncludeLinkedAccounts: aws.Bool(true)}))
		if len(lm.Metrics) != 0 || lm.OwningAccounts == nil || len(lm.OwningAccounts) != 0 {
			e.Fatalf("another account's metrics: %+v, owning accounts %v", lm.Metrics, lm.OwningAccounts)
		}
		lm = apptest.Must(e.cw.ListMetrics(ctx, &cw.ListMetricsInput{Namespace: aws.String("N"), RecentlyActive: types.RecentlyActivePt3h}))
		if len(lm.Metrics) != 1 {
			e.Fatalf("recent: %+v", lm.Metrics)
		}
	})
}

// metrics.json, data-*: GetMetricData's refusals (all ValidationError but the
// token's), one unit of several with a MultipleUnits message, and another account's
// metric as a Forbidden result.
func TestGetMetricDataRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		at := e.p.Clock.Now().Truncate(time.Minute).Add(-10 * time.Minute)
		apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("N"), MetricData: []types.MetricDatum{
			{MetricName: aws.String("Scalar"), Timestamp: aws.Time(at), Value: aws.Float64(2)},
			{MetricName: aws.String("Units"), Timestamp: aws.Time(at), Value: aws.Float64(1), Unit: types.StandardUnitSeconds},
			{MetricName: aws.String("Units"), Timestamp: aws.Time(at), Value: aws.Float64(1000), Unit: types.StandardUnitMilliseconds},
		}}))
		ms := func(id, metric string, unit types.StandardUnit) types.MetricDataQuery {
			return types.MetricDataQuery{Id: aws.String(id), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("N"), MetricName: aws.String(metric)},
				Period: aws.Int32(60), Stat: aws.String("Sum"), Unit: unit}}
		}
		get := func(token *string, qs ...types.MetricDataQuery) (*cw.GetMetricDataOutput, error) {
			return e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(at), EndTime: aws.Time(at.Add(5 * time.Minute)), MetricDataQueries: qs, NextToken: token})
		}
		both := ms("m", "Scalar", "")
		both.Expression = aws.String("1+1")
		for _, c := range []struct {
			label string
			qs    []types.MetricDataQuery
			msg   string
		}{
			{"data-duplicate-id", []types.MetricDataQuery{ms("m", "Scalar", ""), ms("m", "Weighted", "")},
				"The values for parameter id in MetricDataQueries are not unique."},
			{"data-expression-and-metric", []types.MetricDataQuery{both},
				"The parameters MetricDataQueries.member.1.Expression and MetricDataQueries.member.1.MetricStat are mutually exclusive and you have specified both."},
			{"data-invalid-expression", []types.MetricDataQuery{{Id: aws.String("bad"), Expression: aws.String("NOT_A_FUNCTION(m)")}, ms("m", "Scalar", "")},
				"Error in expression 'bad': Function 'NOT_A_FUNCTION' not found"},
			{"data-invalid-id", []types.MetricDataQuery{ms("Bad", "Scalar", "")},
				"The value for parameter MetricDataQueries.member.1.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$."},
		} {
			_, err := get(nil, c.qs...)
			if err == nil {
				e.Fatalf("%s: accepted", c.label)
			}
			wantWire(e, err, "ValidationError", 400, c.msg)
		}
		_, err := get(aws.String("invalid-owned-token"), ms("m", "Scalar", ""))
		wantWire(e, err, "InvalidNextToken", 400, "")
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorMessage() != "" {
			e.Fatalf("data-invalid-token: message %q, want none", ae.ErrorMessage())
		}

		// data-units: without Unit, one unit's values (1000, not 1001) and a message.
		out := apptest.Must(get(nil, ms("all", "Units", ""), ms("seconds", "Units", types.StandardUnitSeconds), ms("wrong", "Units", types.StandardUnitBytes)))
		all, sec, wrong := out.MetricDataResults[0], out.MetricDataResults[1], out.MetricDataResults[2]
		if len(all.Values) != 1 || all.Values[0] != 1000 || len(all.Messages) != 1 || aws.ToString(all.Messages[0].Code) != "MultipleUnits" ||
			aws.ToString(all.Messages[0].Value) != "Multiple units returned: '[Milliseconds, Seconds]'" {
			e.Fatalf("all units: %v %+v", all.Values, all.Messages)
		}
		if len(sec.Values) != 1 || sec.Values[0] != 1 || len(sec.Messages) != 0 || len(wrong.Values) != 0 || wrong.StatusCode != types.StatusCodeComplete {
			e.Fatalf("seconds %v %+v, bytes %v", sec.Values, sec.Messages, wrong.Values)
		}

		// data-valid-account and data-wrong-account.
		mine, theirs := ms("m", "Scalar", ""), ms("o", "Scalar", "")
		mine.AccountId = aws.String("000000000000")
		theirs.AccountId = aws.String("111111111111")
		out = apptest.Must(get(nil, mine, theirs))
		if r := out.MetricDataResults[0]; r.StatusCode != types.StatusCodeComplete || len(r.Values) != 1 {
			e.Fatalf("own account: %s %v", r.StatusCode, r.Values)
		}
		r := out.MetricDataResults[1]
		if r.StatusCode != "Forbidden" || len(r.Values) != 0 || r.Timestamps == nil || len(r.Messages) != 1 || aws.ToString(r.Messages[0].Code) != "Forbidden" ||
			aws.ToString(r.Messages[0].Value) != "Access denied when getting data - please check that this account and the requested metric account are linked" {
			e.Fatalf("another account: %s %v %+v", r.StatusCode, r.Values, r.Messages)
		}
	})
}

func must(e *env, err error) {
	e.Helper()
	if err != nil {
		e.Fatal(err)
	}
}

// protocol_errors.json: over rpc-v2-cbor and json 1.0 AWS types CloudWatch's
// exceptions in Coral's namespace, with the query code in x-amzn-query-error; over
// query the XML error carries Type, Code and Message.
func TestErrorBodiesRecorded2026(t *testing.T) {
	p := apptest.Start(t)
	const msg = "The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually exclusive and you have specified both."

	body := cbor.Encode(cbor.Map{"Namespace": cbor.String("N"), "MetricData": cbor.List{cbor.Map{
		"MetricName": cbor.String("m"), "Value": cbor.Float64(1), "Values": cbor.List{cbor.Float64(2)}}}})
	req, _ := http.NewRequest("POST", p.URL+"/service/GraniteServiceVersion20100801/operation/PutMetricData", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/cbor")
	req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
	req.Header.Set("X-Amzn-Query-Mode", "true")
	sum := sha256.Sum256(body)
	apptest.SignAsRoot(t, req, "monitoring", hex.EncodeToString(sum[:]))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	v, err := cbor.Decode(b)
	m, _ := v.(cbor.Map)
	if err != nil || resp.StatusCode != 400 || m["__type"] != cbor.String("com.amazon.coral.service#InvalidParameterCombinationException") ||
		m["message"] != cbor.String(msg) || resp.Header.Get("X-Amzn-Query-Error") != "InvalidParameterCombination;Sender" ||
		resp.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" || resp.Header.Get("Content-Type") != "application/cbor" {
		t.Fatalf("cbor: %d %v %v %v", resp.StatusCode, resp.Header, v, err)
	}

	status, text := rawCloudWatch(t, p, "application/x-amz-json-1.0", "GraniteServiceVersion20100801.PutMetricData",
		`{"Namespace":"N","MetricData":[{"MetricName":"m","Value":1,"Values":[2]}]}`)
	var j map[string]any
	if err := json.Unmarshal([]byte(text), &j); err != nil || status != 400 || j["__type"] != "com.amazon.coral.service#InvalidParameterCombinationException" || j["message"] != msg {
		t.Fatalf("json: %d %s", status, text)
	}

	status, text = rawCloudWatch(t, p, "application/x-www-form-urlencoded", "",
		"Action=PutMetricData&Version=2010-08-01&Namespace=N&MetricData.member.1.MetricName=m&MetricData.member.1.Value=1&MetricData.member.1.Values.member.1=2")
	if status != 400 || !strings.Contains(text, "<Error>") || !strings.Contains(text, "<Type>Sender</Type>") ||
		!strings.Contains(text, "<Code>InvalidParameterCombination</Code>") || !strings.Contains(text, "<Message>"+msg+"</Message>") {
		t.Fatalf("query: %d %s", status, text)
	}
}
