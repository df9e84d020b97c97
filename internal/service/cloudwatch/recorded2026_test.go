package cloudwatch_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/store"
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
		case "InvalidFormat":
			code = "InvalidFormatFault"
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
			{"admission-stat-count-zero", "", datum(types.MetricDatum{StatisticValues: statSet(0, 1, 1, 1)}),
				"InvalidParameterValue", "The parameter MetricData.member.1.StatisticValues.SampleCount must be greater than 0."},
			{"admission-stat-min-above-max", "", datum(types.MetricDatum{StatisticValues: statSet(2, 3, 2, 1)}),
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
			"admission-stat-sum-outside-bounds":  datum(types.MetricDatum{StatisticValues: statSet(2, 100, 1, 2)}),
			"admission-stat-single-inconsistent": datum(types.MetricDatum{StatisticValues: statSet(1, 3, 1, 2)}),
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

// postCBOR sends an rpc-v2-cbor request of op, in query-compatible mode, signed by the
// root key, and returns the answer with its body read.
func postCBOR(t *testing.T, p *apptest.Palisade, op string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", p.URL+"/service/GraniteServiceVersion20100801/operation/"+op, bytes.NewReader(body))
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
	return resp, b
}

// protocol_errors.json: over rpc-v2-cbor and json 1.0 AWS types CloudWatch's
// exceptions in Coral's namespace, with the query code in x-amzn-query-error; over
// query the XML error carries Type, Code and Message.
func TestErrorBodiesRecorded2026(t *testing.T) {
	p := apptest.Start(t)
	const msg = "The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually exclusive and you have specified both."

	body := cbor.Encode(cbor.Map{"Namespace": cbor.String("N"), "MetricData": cbor.List{cbor.Map{
		"MetricName": cbor.String("m"), "Value": cbor.Float64(1), "Values": cbor.List{cbor.Float64(2)}}}})
	resp, b := postCBOR(t, p, "PutMetricData", body)
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

// alarm_controls.json: PutMetricAlarm's, SetAlarmState's, the tagging operations',
// DeleteAlarms' and DescribeAlarmHistory's answers.
func TestAlarmControlsRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		base := func(name string) *cw.PutMetricAlarmInput {
			return &cw.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("Stackd/NativeAlarmControls"), MetricName: aws.String("unpublished"),
				Statistic: types.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(3), Threshold: aws.Float64(10),
				ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold}
		}
		arn := func(name string) *string {
			return aws.String("arn:aws:cloudwatch:us-east-1:000000000000:alarm:" + name)
		}
		tags := func(kv ...string) []types.Tag {
			var out []types.Tag
			for i := 0; i+1 < len(kv); i += 2 {
				out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
			}
			return out
		}
		tagMap := func(name string) map[string]string {
			out := map[string]string{}
			for _, t := range apptest.Must(e.cw.ListTagsForResource(ctx, &cw.ListTagsForResourceInput{ResourceARN: arn(name)})).Tags {
				out[*t.Key] = *t.Value
			}
			return out
		}
		apptest.Must(e.cw.PutMetricAlarm(ctx, base("a")))

		// set-malformed-reason-json; missing-*.
		_, err := e.cw.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String("a"), StateValue: types.StateValueAlarm,
			StateReason: aws.String("must-not-apply"), StateReasonData: aws.String(`{"unfinished":`)})
		noMessage := func(err error) {
			e.Helper()
			var ae smithy.APIError
			if errors.As(err, &ae) && ae.ErrorMessage() != "" {
				e.Fatalf("%s: message %q, want none", ae.ErrorCode(), ae.ErrorMessage())
			}
		}
		wantWire(e, err, "InvalidFormat", 400, "")
		noMessage(err)
		_, err = e.cw.ListTagsForResource(ctx, &cw.ListTagsForResourceInput{ResourceARN: arn("missing")})
		wantWire(e, err, "ResourceNotFoundException", 404, "")
		noMessage(err)
		_, err = e.cw.TagResource(ctx, &cw.TagResourceInput{ResourceARN: arn("missing"), Tags: tags("k", "v")})
		wantWire(e, err, "ResourceNotFoundException", 404, "")
		noMessage(err)
		_, err = e.cw.UntagResource(ctx, &cw.UntagResourceInput{ResourceARN: arn("missing"), TagKeys: []string{"k"}})
		wantWire(e, err, "ResourceNotFoundException", 404, "")
		noMessage(err)

		// invalid-update-*: refused, and the alarm stays as it was.
		bad := base("a")
		bad.Metrics = []types.MetricDataQuery{{Id: aws.String("m1"), ReturnData: aws.Bool(true), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String("Stackd/NativeAlarmControls"), MetricName: aws.String("unpublished")}, Period: aws.Int32(60), Stat: aws.String("Average")}}}
		_, err = e.cw.PutMetricAlarm(ctx, bad)
		wantWire(e, err, "ValidationError", 400, "MetricName should not be set if list of Metrics is set.")
		bad = base("a")
		bad.ExtendedStatistic = aws.String("p90")
		_, err = e.cw.PutMetricAlarm(ctx, bad)
		wantWire(e, err, "ValidationError", 400, "PutMetricAlarm request can not be made with both Statistic and ExtendedStatistic parameters. Only one of them should be present")
		bad = base("a")
		bad.Statistic, bad.ExtendedStatistic = "", aws.String("p101")
		_, err = e.cw.PutMetricAlarm(ctx, bad)
		wantWire(e, err, "InvalidParameterValue", 400, "The value p101 for parameter ExtendedStatistic is not supported.")
		bad = base("a")
		bad.AlarmActions, bad.ActionsEnabled = []string{"not-an-arn"}, aws.Bool(false)
		_, err = e.cw.PutMetricAlarm(ctx, bad)
		wantWire(e, err, "ValidationError", 400, "Invalid arn syntax: not-an-arn")

		// Tags: an update's are ignored; TagResource upserts, the last of a key twice
		// wins, aws: keys are refused whole, and so are 51.
		in := base("b")
		in.Tags = tags("create", "original", "keep", "yes")
		apptest.Must(e.cw.PutMetricAlarm(ctx, in))
		in.Tags = tags("create", "ignored", "new", "ignored")
		apptest.Must(e.cw.PutMetricAlarm(ctx, in))
		if got := tagMap("b"); len(got) != 2 || got["create"] != "original" || got["keep"] != "yes" {
			e.Fatalf("tags after an update: %v", got)
		}
		apptest.Must(e.cw.TagResource(ctx, &cw.TagResourceInput{ResourceARN: arn("b"), Tags: tags("dup", "first", "dup", "second")}))
		_, err = e.cw.TagResource(ctx, &cw.TagResourceInput{ResourceARN: arn("b"), Tags: tags("must-not-apply", "valid", "aws:reserved", "invalid")})
		wantWire(e, err, "AccessDenied", 403, `The provided tag keys must not start with any case of "aws:"`)
		var many []string
		for i := range 51 {
			many = append(many, "key"+strconv.Itoa(i), "v")
		}
		_, err = e.cw.TagResource(ctx, &cw.TagResourceInput{ResourceARN: arn("b"), Tags: tags(many...)})
		wantWire(e, err, "InvalidParameterValue", 400, "tags are invalid.")
		if got := tagMap("b"); len(got) != 3 || got["dup"] != "second" {
			e.Fatalf("tags after the refusals: %v", got)
		}
		in = base("c")
		in.Tags = tags("valid", "v", "aws:reserved", "v")
		_, err = e.cw.PutMetricAlarm(ctx, in)
		wantWire(e, err, "AccessDenied", 403, `The provided tag keys must not start with any case of "aws:"`)
		in.Tags = tags(many...)
		_, err = e.cw.PutMetricAlarm(ctx, in)
		wantWire(e, err, "ValidationError", 400, "The resultant tag set must not have more than 50 user tags.")
		if out := apptest.Must(e.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{"c"}})); len(out.MetricAlarms) != 0 {
			e.Fatal("a refused alarm was stored")
		}

		// create-composite, metric-over-composite, composite-over-metric.
		apptest.Must(e.cw.PutCompositeAlarm(ctx, &cw.PutCompositeAlarmInput{AlarmName: aws.String("composite"), AlarmRule: aws.String("FALSE")}))
		da := apptest.Must(e.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{"composite"}, AlarmTypes: []types.AlarmType{types.AlarmTypeCompositeAlarm}}))
		if c := da.CompositeAlarms[0]; c.StateValue != types.StateValueOk || aws.ToString(c.StateReasonData) != `{"triggeringAlarms":[]}` ||
			aws.ToString(c.StateReason) != "arn:aws:cloudwatch:us-east-1:000000000000:alarm:composite was created and its alarm rule evaluates to OK" {
			e.Fatalf("composite: %s %q %q", c.StateValue, aws.ToString(c.StateReason), aws.ToString(c.StateReasonData))
		}
		_, err = e.cw.PutMetricAlarm(ctx, base("composite"))
		wantWire(e, err, "ValidationError", 400, "AlarmName [composite] is already used by another alarm of a different type")
		_, err = e.cw.PutCompositeAlarm(ctx, &cw.PutCompositeAlarmInput{AlarmName: aws.String("a"), AlarmRule: aws.String("FALSE")})
		wantWire(e, err, "ValidationError", 400, "AlarmName [a] is already used by another alarm of a different type")

		// supplement-set-alarm and supplement-same-state-*: setting the state the
		// alarm is in changes nothing; the reason data is kept as given, in the
		// history too. The alarm ignores missing data, so that the evaluation of a
		// minute the clock crosses meanwhile (the test may run at any second) keeps
		// the state the test set instead of finding the metric's data missing.
		same := base("same")
		same.TreatMissingData = aws.String("ignore")
		apptest.Must(e.cw.PutMetricAlarm(ctx, same))
		apptest.Must(e.cw.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String("same"), StateValue: types.StateValueAlarm,
			StateReason: aws.String("retained-first"), StateReasonData: aws.String(`{ "raw": 1 }`)}))
		first := e.alarm("same")
		e.p.AdvanceClock(time.Second)
		apptest.Must(e.cw.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String("same"), StateValue: types.StateValueAlarm,
			StateReason: aws.String("same-state-second"), StateReasonData: aws.String(`{"new":true}`)}))
		if a := e.alarm("same"); aws.ToString(a.StateReason) != "retained-first" || aws.ToString(a.StateReasonData) != `{ "raw": 1 }` || !a.StateUpdatedTimestamp.Equal(*first.StateUpdatedTimestamp) {
			e.Fatalf("same state: %q %q %v", aws.ToString(a.StateReason), aws.ToString(a.StateReasonData), a.StateUpdatedTimestamp)
		}
		hist := apptest.Must(e.cw.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("same"), HistoryItemType: types.HistoryItemTypeStateUpdate}))
		if len(hist.AlarmHistoryItems) != 1 || aws.ToString(hist.AlarmHistoryItems[0].HistoryData) != `{"version":"1.0","oldState":{"stateValue":"INSUFFICIENT_DATA",`+
			`"stateReason":"Unchecked: Initial alarm creation"},"newState":{"stateValue":"ALARM","stateReason":"retained-first","stateReasonData":{ "raw": 1 }}}` {
			e.Fatalf("state history: %+v", hist.AlarmHistoryItems)
		}

		// disable-existing: a configuration update, with its timestamp and history.
		e.p.AdvanceClock(time.Second)
		before := e.alarm("a").AlarmConfigurationUpdatedTimestamp
		apptest.Must(e.cw.DisableAlarmActions(ctx, &cw.DisableAlarmActionsInput{AlarmNames: []string{"a", "missing"}}))
		if a := e.alarm("a"); aws.ToBool(a.ActionsEnabled) || !a.AlarmConfigurationUpdatedTimestamp.After(*before) {
			e.Fatalf("disabled: %v %v", aws.ToBool(a.ActionsEnabled), a.AlarmConfigurationUpdatedTimestamp)
		}
		hist = apptest.Must(e.cw.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("a"), HistoryItemType: types.HistoryItemTypeConfigurationUpdate}))
		if len(hist.AlarmHistoryItems) != 2 || aws.ToString(hist.AlarmHistoryItems[0].HistorySummary) != `Alarm "a" updated` {
			e.Fatalf("configuration history: %+v", hist.AlarmHistoryItems)
		}

		// history-invalid-token, delete-mixed-existing-missing, delete-idempotent,
		// tags-deleted.
		_, err = e.cw.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("a"), NextToken: aws.String("invalid-token")})
		wantWire(e, err, "InvalidNextToken", 400, "Invalid NextToken : invalid-token")
		apptest.Must(e.cw.DeleteAlarms(ctx, &cw.DeleteAlarmsInput{AlarmNames: []string{"a", "missing"}}))
		apptest.Must(e.cw.DeleteAlarms(ctx, &cw.DeleteAlarmsInput{AlarmNames: []string{"a", "missing"}}))
		_, err = e.cw.ListTagsForResource(ctx, &cw.ListTagsForResourceInput{ResourceARN: arn("a")})
		wantWire(e, err, "ResourceNotFoundException", 404, "")
	})
}

// alarm_idempotence.json, exact_repeat_*: putting a metric or composite alarm again
// exactly as it is changes neither AlarmConfigurationUpdatedTimestamp nor the history.
func TestAlarmIdenticalPutRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		metric := &cw.PutMetricAlarmInput{AlarmName: aws.String("metric"), AlarmDescription: aws.String("Owned identical-write probe baseline"),
			Namespace: aws.String("StackdNativeOwnedProbe"), MetricName: aws.String("unpublished"), Statistic: types.StatisticSum, Period: aws.Int32(60),
			EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold,
			TreatMissingData: aws.String("ignore"), ActionsEnabled: aws.Bool(false)}
		composite := &cw.PutCompositeAlarmInput{AlarmName: aws.String("composite"), AlarmDescription: aws.String("Owned identical-write probe baseline"),
			AlarmRule: aws.String("FALSE"), ActionsEnabled: aws.Bool(false)}
		apptest.Must(e.cw.PutMetricAlarm(ctx, metric))
		apptest.Must(e.cw.PutCompositeAlarm(ctx, composite))
		describe := func() *cw.DescribeAlarmsOutput {
			return apptest.Must(e.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{"metric", "composite"},
				AlarmTypes: []types.AlarmType{types.AlarmTypeMetricAlarm, types.AlarmTypeCompositeAlarm}}))
		}
		before := describe()
		e.p.AdvanceClock(time.Minute)
		apptest.Must(e.cw.PutMetricAlarm(ctx, metric))
		apptest.Must(e.cw.PutCompositeAlarm(ctx, composite))
		after := describe()
		if !after.MetricAlarms[0].AlarmConfigurationUpdatedTimestamp.Equal(*before.MetricAlarms[0].AlarmConfigurationUpdatedTimestamp) ||
			!after.CompositeAlarms[0].AlarmConfigurationUpdatedTimestamp.Equal(*before.CompositeAlarms[0].AlarmConfigurationUpdatedTimestamp) {
			e.Fatal("an identical put moved AlarmConfigurationUpdatedTimestamp")
		}
		for _, kind := range []types.AlarmType{types.AlarmTypeMetricAlarm, types.AlarmTypeCompositeAlarm} {
			h := apptest.Must(e.cw.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{AlarmTypes: []types.AlarmType{kind},
				HistoryItemType: types.HistoryItemTypeConfigurationUpdate}))
			if len(h.AlarmHistoryItems) != 1 {
				e.Fatalf("%s: %d configuration history items, want 1", kind, len(h.AlarmHistoryItems))
			}
		}
	})
}

// alarm_namespaces.json: an AWS/DynamoDB alarm ignores missing data only when
// TreatMissingData is left out (with breaching it went to ALARM, with notBreaching
// to OK), and a metric math alarm only when all its MetricStats are AWS/DynamoDB's.
func TestDynamoDBMissingDataRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		dims := []types.Dimension{{Name: aws.String("TableName"), Value: aws.String("absent")}}
		scalar := func(name, ns, treat string) {
			in := &cw.PutMetricAlarmInput{AlarmName: aws.String(name), ActionsEnabled: aws.Bool(false), EvaluationPeriods: aws.Int32(1),
				DatapointsToAlarm: aws.Int32(1), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, Threshold: aws.Float64(0),
				Namespace: aws.String(ns), MetricName: aws.String("Unpublished"), Dimensions: dims, Period: aws.Int32(10), Statistic: types.StatisticSum}
			if treat != "" {
				in.TreatMissingData = aws.String(treat)
			}
			apptest.Must(e.cw.PutMetricAlarm(ctx, in))
		}
		stat := func(id, ns string) types.MetricDataQuery {
			return types.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(false), MetricStat: &types.MetricStat{
				Metric: &types.Metric{Namespace: aws.String(ns), MetricName: aws.String("Unpublished"), Dimensions: dims}, Period: aws.Int32(10), Stat: aws.String("Sum")}}
		}
		math := func(name, expr string, qs ...types.MetricDataQuery) {
			qs = append(qs, types.MetricDataQuery{Id: aws.String("e1"), Expression: aws.String(expr), ReturnData: aws.Bool(true)})
			apptest.Must(e.cw.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String(name), ActionsEnabled: aws.Bool(false), Metrics: qs,
				EvaluationPeriods: aws.Int32(1), DatapointsToAlarm: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold}))
		}
		const ddb, own = "AWS/DynamoDB", "Stackd/NativeNamespaceMath"
		scalar("ordinary-omitted", own, "")
		scalar("ddb-scalar-omitted", ddb, "")
		scalar("ddb-scalar-breaching", ddb, "breaching")
		scalar("ddb-scalar-notbreaching", ddb, "notBreaching")
		math("ddb", "d1+1", stat("d1", ddb))
		math("ddb-unused-ordinary", "d1+1", stat("d1", ddb), stat("c1", own))
		math("ordinary-unused-ddb", "c1+1", stat("d1", ddb), stat("c1", own))
		// Each alarm starts from a baseline state other than the one its missing data
		// gives, so the outcome does not hang on whether the background evaluator got to
		// the new alarm first: alarms that ignore missing data keep ALARM, the others
		// move (and a move sets the reason).
		type outcome struct{ baseline, want types.StateValue }
		ignored := outcome{types.StateValueAlarm, types.StateValueAlarm}
		insufficient := outcome{types.StateValueOk, types.StateValueInsufficientData}
		want := map[string]outcome{"ordinary-omitted": insufficient, "ddb-scalar-omitted": ignored,
			"ddb-scalar-breaching": {types.StateValueOk, types.StateValueAlarm}, "ddb-scalar-notbreaching": {types.StateValueAlarm, types.StateValueOk},
			"ddb": ignored, "ddb-unused-ordinary": insufficient, "ordinary-unused-ddb": insufficient}
		for name, o := range want {
			apptest.Must(e.cw.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String(name), StateValue: o.baseline, StateReason: aws.String("baseline")}))
		}
		e.advance(3 * time.Minute)
		for name, o := range want {
			if a := e.alarm(name); a.StateValue != o.want {
				e.Errorf("%s: %s (%q), want %s", name, a.StateValue, aws.ToString(a.StateReason), o.want)
			}
		}
		for name, as := range map[string]string{"ddb-scalar-breaching": "Breaching", "ddb-scalar-notbreaching": "NonBreaching"} {
			a := e.alarm(name)
			if aws.ToString(a.StateReason) != "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as ["+as+"]." {
				e.Errorf("%s: reason %q", name, aws.ToString(a.StateReason))
			}
			// {"version":"1.0","queryDate":…,"statistic":"Sum","period":10,"recentDatapoints":[],"threshold":0.0,"evaluatedDatapoints":[{"timestamp":…}]}
			var data map[string]any
			if err := json.Unmarshal([]byte(aws.ToString(a.StateReasonData)), &data); err != nil {
				e.Fatal(err)
			}
			points, _ := data["evaluatedDatapoints"].([]any)
			point, _ := points[0].(map[string]any)
			if data["startDate"] != nil || data["statistic"] != "Sum" || data["period"] != 10.0 || len(points) != 1 || len(point) != 1 || point["timestamp"] == nil {
				e.Errorf("%s: reason data %s", name, aws.ToString(a.StateReasonData))
			}
		}
		// A metric math alarm's reason data has its queries' period and no statistic.
		var data map[string]any
		if err := json.Unmarshal([]byte(aws.ToString(e.alarm("ordinary-unused-ddb").StateReasonData)), &data); err != nil || data["period"] != 10.0 || data["statistic"] != nil {
			e.Errorf("math reason data %v %v", data, err)
		}
	})
}

// alarm_composites.json, language/*: PutCompositeAlarm's rule language — upper-case
// keywords only, AT_LEAST quorums, quoted and unquoted names — and its refusals in
// AWS's words.
func TestCompositeRuleLanguageRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		for _, name := range []string{"metric", "second"} {
			apptest.Must(e.cw.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("Stackd/NativeAlarmLanguage"),
				MetricName: aws.String("Unpublished"), Statistic: types.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(3),
				Threshold: aws.Float64(10), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("ignore"), ActionsEnabled: aws.Bool(false)}))
		}
		put := func(rule string) error {
			_, err := e.cw.PutCompositeAlarm(ctx, &cw.PutCompositeAlarmInput{AlarmName: aws.String("composite"), AlarmRule: aws.String(rule), ActionsEnabled: aws.Bool(false)})
			return err
		}
		token := func(tok string, at int, want string) string {
			return "Error in AlarmRule [Unsupported token '" + tok + "' at char " + strconv.Itoa(at) + ", must be: " + want + "]"
		}
		const (
			operand = "'(', 'NOT', AT_LEAST, TRUE or FALSE, ALARM, OK, or INSUFFICIENT_DATA"
			ops     = "<EOF>, 'AND', 'OR'"
			number  = "NUMBER, PERCENTAGE NUMBER"
		)
		missing := func(ref string) string {
			return "Could not save the composite alarm as alarms [" + arnPrefix + ref + "] in the alarm rule do not exist"
		}
		quorum := func(arg string) string { return "AT_LEAST(" + arg + ", (metric,second))" }
		for _, c := range []struct{ label, rule, msg string }{
			{"true-upper", "TRUE", ""},
			{"true-lower", "true", token("true", 0, operand)},
			{"true-mixed", "True", token("True", 0, operand)},
			{"false-lower", "false", token("false", 0, operand)},
			{"not-upper", "NOT TRUE", ""},
			{"not-lower", "not TRUE", token("not", 0, operand)},
			{"and-lower", "TRUE and FALSE", token("and", 5, ops)},
			{"or-lower", "TRUE or FALSE", token("or", 5, ops)},
			{"operator-precedence", "TRUE OR FALSE AND FALSE", ""},
			{"bang-negation", "!TRUE", token("!TRUE", 0, operand)},
			{"double-and", "TRUE && FALSE", token("&&", 5, ops)},
			{"missing-name", "ALARM(unpublished-missing-alarm)", missing("unpublished-missing-alarm")},
			{"function-lower", "alarm(metric)", token("alarm", 0, operand)},
			{"function-mixed", "Alarm(metric)", token("Alarm", 0, operand)},
			{"function-space", "ALARM ( metric )", ""},
			{"name-quoted", `ALARM("metric")`, ""},
			{"name-single-quoted", `ALARM('metric')`, missing("'metric'")},
			{"name-spaces", "ALARM(an alarm with spaces)", token("alarm", 9, "')'")},
			{"empty-name", `ALARM("")`, missing("")},
			{"escaped-quote", `ALARM("a\"b")`, missing(`a"b`)},
			{"quoted-parenthesis", `ALARM("a)b")`, missing("a)b")},
			{"unknown-function", "UNKNOWN(metric)", token("UNKNOWN", 0, operand)},
			{"implicit-and", "TRUE FALSE", token("FALSE", 5, "<EOF>")},
			{"trailing-input", "TRUE junk", token("junk", 5, "<EOF>")},
			{"nested-not", "NOT NOT FALSE", ""},
			{"native-arn", "ALARM(" + arnPrefix + "metric)", ""},
			{"foreign-account-arn", "ALARM(arn:aws:cloudwatch:us-east-1:111111111111:alarm:missing)", "A composite alarm cannot have a child relation with alarms from another AWS account"},
			{"foreign-region-arn", "ALARM(arn:aws:cloudwatch:us-west-2:000000000000:alarm:missing)", "Error in AlarmRule [Wrong ARN region, it was us-west-2 but us-east-1 was expected instead]"},
			{"self-cycle", "ALARM(composite)", "A composite alarm cannot have a child relation with itself via its AlarmRule, as it would introduce a circular dependency"},
			{"quorum-one", quorum("1, ALARM"), ""},
			{"quorum-zero", quorum("0, ALARM"), "Error in AlarmRule [AT_LEAST absolute threshold must be between 1 and number of alarms (2)]"},
			{"quorum-negative", quorum("-1, ALARM"), token("-1", 9, number)},
			{"quorum-fraction", quorum("1.5, ALARM"), token("1.5", 9, number)},
			{"quorum-too-many", quorum("3, ALARM"), "Error in AlarmRule [AT_LEAST absolute threshold must be between 1 and number of alarms (2)]"},
			{"quorum-half", quorum("50%, ALARM"), ""},
			{"quorum-zero-percent", quorum("0%, ALARM"), "Error in AlarmRule [AT_LEAST percentage threshold must be between 1 and 100]"},
			{"quorum-fraction-percent", quorum("50.5%, ALARM"), token("50.5%", 9, number)},
			{"quorum-too-large-percent", quorum("101%, ALARM"), "Error in AlarmRule [AT_LEAST percentage threshold must be between 1 and 100]"},
			{"quorum-negated", quorum("50%, NOT ALARM"), ""},
			{"quorum-unknown-state", quorum("1, BOGUS"), token("BOGUS", 12, "'NOT', ALARM, OK, or INSUFFICIENT_DATA")},
			{"quorum-empty", "AT_LEAST(1, ALARM, ())", token("))", 20, "'NOT', 'AND', 'OR', 'AT_LEAST', NUMBER, PERCENTAGE NUMBER, TRUE or FALSE, ALARM, OK, or INSUFFICIENT_DATA, unquoted alarm name, quoted alarm name")},
		} {
			err := put(c.rule)
			if c.msg == "" {
				if err != nil {
					e.Errorf("alarm_composites.json language/%s: %v", c.label, err)
				}
				continue
			}
			if err == nil {
				e.Errorf("alarm_composites.json language/%s: accepted %q", c.label, c.rule)
				continue
			}
			wantWire(e, err, "ValidationError", 400, c.msg)
		}
		// language/48-51: a quorum neither child meets (OK), then put again as TRUE:
		// the composite names no alarm, and says it was updated.
		apptest.Must(0, put(quorum("2, ALARM")))
		apptest.Must(0, put("TRUE"))
		out := apptest.Must(e.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{"composite"}, AlarmTypes: []types.AlarmType{types.AlarmTypeCompositeAlarm}}))
		if a := out.CompositeAlarms[0]; a.StateValue != types.StateValueAlarm || aws.ToString(a.StateReason) != arnPrefix+"composite was updated and its new alarm rule evaluates to ALARM" {
			e.Errorf("language/51/describe-suppressor-name: %s %q", a.StateValue, aws.ToString(a.StateReason))
		}
	})
}

// alarm_composites.json, dependencies/1-17: quorums count a child named twice twice,
// a percentage is met when that share of the list is; a put's reason says the
// composite was created or updated and its rule's value, and its reason data name a
// child in the composite's new state. The children's states come from SetAlarmState
// alone (TreatMissingData ignore on unpublished metrics): the evaluator leaves them.
func TestCompositeDependenciesRecorded2026(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	for _, name := range []string{"A", "B"} {
		apptest.Must(e.cw.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("StackdNativeOwnedProbe"),
			MetricName: aws.String("unpublished-" + name), Statistic: types.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
			Threshold: aws.Float64(1), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("ignore"), ActionsEnabled: aws.Bool(false)}))
	}
	e.set("A", types.StateValueAlarm)
	e.set("B", types.StateValueOk)
	put := func(name, rule string) types.CompositeAlarm {
		apptest.Must(e.cw.PutCompositeAlarm(ctx, &cw.PutCompositeAlarmInput{AlarmName: aws.String(name), AlarmRule: aws.String(rule), ActionsEnabled: aws.Bool(false)}))
		return e.composite(name)
	}
	for _, c := range []struct {
		label, name, rule string
		state             types.StateValue
		verb, child       string
	}{
		{"dependencies/8/repeated integer quorum", "C", `AT_LEAST(2, ALARM, ("A","A","B"))`, types.StateValueAlarm, "was created and its alarm rule", "A"},
		{"dependencies/9/repeated 67% quorum", "D", `AT_LEAST(67%, ALARM, ("A","A","B"))`, types.StateValueOk, "was created and its alarm rule", "B"},
		{"dependencies/11/distinct integer quorum", "C", `AT_LEAST(2, ALARM, ("A","B"))`, types.StateValueOk, "was updated and its new alarm rule", "B"},
		{"dependencies/13/repeated 66% quorum", "D", `AT_LEAST(66%, ALARM, ("A","A","B"))`, types.StateValueAlarm, "was updated and its new alarm rule", "A"},
	} {
		a := put(c.name, c.rule)
		reason := arnPrefix + c.name + " " + c.verb + " evaluates to " + string(c.state)
		if a.StateValue != c.state || aws.ToString(a.StateReason) != reason {
			t.Errorf("%s: %s %q, want %s %q", c.label, a.StateValue, aws.ToString(a.StateReason), c.state, reason)
		}
		var data struct {
			TriggeringAlarms []struct {
				Arn   string                 `json:"arn"`
				State struct{ Value string } `json:"state"`
			} `json:"triggeringAlarms"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(a.StateReasonData)), &data); err != nil || len(data.TriggeringAlarms) != 1 || data.TriggeringAlarms[0].Arn != arnPrefix+c.child {
			t.Errorf("%s: reason data %s, want child %s", c.label, aws.ToString(a.StateReasonData), c.child)
		}
	}
	// dependencies/14-19: an indirect cycle is accepted; D follows C's transition.
	put("C", "FALSE")
	put("D", `ALARM("C")`)
	c := put("C", `ALARM("D") OR ALARM("A")`)
	if c.StateValue != types.StateValueAlarm || aws.ToString(c.StateReason) != arnPrefix+"C was updated and its new alarm rule evaluates to ALARM" {
		t.Errorf("dependencies/19 C: %s %q", c.StateValue, aws.ToString(c.StateReason))
	}
	d := e.composite("D")
	want := arnPrefix + "C transitioned to ALARM at " + c.StateUpdatedTimestamp.UTC().Format("Monday 2 January, 2006 15:04:05 UTC")
	if d.StateValue != types.StateValueAlarm || aws.ToString(d.StateReason) != want || !d.StateUpdatedTimestamp.Equal(*c.StateUpdatedTimestamp) {
		t.Errorf("dependencies/19 D: %s %q, want ALARM %q", d.StateValue, aws.ToString(d.StateReason), want)
	}
}

// alarm_composites.json, suppression/*: a composite's actions suppressed by its
// ActionsSuppressor — AWS's reasons, the suppressor as named, and StateUpdatedTimestamp
// moving when suppression changes outside a state change (an extension period
// beginning; a wait or extension period ending, at its end). The metric alarms'
// states come from SetAlarmState alone; the periods end on clock advances the test
// makes itself.
func TestCompositeSuppressionRecorded2026(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	for _, name := range []string{"child", "suppressor"} {
		apptest.Must(e.cw.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("StackdNativeSuppressionProbe"),
			MetricName: aws.String("never-published"), Statistic: types.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
			Threshold: aws.Float64(1), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("ignore"), ActionsEnabled: aws.Bool(false)}))
		e.set(name, types.StateValueOk)
	}
	put := func(suppressor string) {
		apptest.Must(e.cw.PutCompositeAlarm(ctx, &cw.PutCompositeAlarmInput{AlarmName: aws.String("composite"), AlarmRule: aws.String(`ALARM("child")`),
			ActionsEnabled: aws.Bool(true), ActionsSuppressor: aws.String(suppressor), ActionsSuppressorWaitPeriod: aws.Int32(5), ActionsSuppressorExtensionPeriod: aws.Int32(5)}))
	}
	updated := func(name string) time.Time {
		return *apptest.Must(e.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{name}})).MetricAlarms[0].StateUpdatedTimestamp
	}
	check := func(label string, state types.StateValue, by types.ActionsSuppressedBy, reason string, stateUpdated time.Time) {
		t.Helper()
		c := e.composite("composite")
		if c.StateValue != state || c.ActionsSuppressedBy != by || aws.ToString(c.ActionsSuppressedReason) != reason || aws.ToString(c.ActionsSuppressor) != "suppressor" {
			t.Errorf("%s: %s by %q %q (suppressor %s)", label, c.StateValue, c.ActionsSuppressedBy, aws.ToString(c.ActionsSuppressedReason), aws.ToString(c.ActionsSuppressor))
		}
		if !stateUpdated.IsZero() && !c.StateUpdatedTimestamp.Equal(stateUpdated) {
			t.Errorf("%s: StateUpdatedTimestamp %s, want %s", label, c.StateUpdatedTimestamp, stateUpdated)
		}
	}
	const wait = "Actions suppressed by WaitPeriod"
	put("suppressor")
	check("suppression/6/initial-stable-OK", types.StateValueOk, types.ActionsSuppressedByWaitPeriod, wait, time.Time{})
	e.set("child", types.StateValueAlarm)
	t1 := updated("child")
	check("suppression/8/wait-period", types.StateValueAlarm, types.ActionsSuppressedByWaitPeriod, wait, t1)
	e.advance(6 * time.Second)
	check("wait period ended", types.StateValueAlarm, "", "", t1.Add(5*time.Second))
	e.set("suppressor", types.StateValueAlarm)
	check("suppression/40/suppressor-ALARM", types.StateValueAlarm, "", "", t1.Add(5*time.Second))
	e.set("suppressor", types.StateValueOk)
	check("suppression/42/suppressor-leaves-ALARM", types.StateValueAlarm, "", "", t1.Add(5*time.Second))
	e.set("child", types.StateValueOk)
	check("suppression/57/composite-state-change", types.StateValueOk, types.ActionsSuppressedByWaitPeriod, wait, updated("child"))
	e.advance(6 * time.Second)
	e.set("suppressor", types.StateValueAlarm)
	s := updated("suppressor")
	e.set("child", types.StateValueAlarm)
	check("suppression/73/retry-suppressor-ALARM", types.StateValueAlarm, types.ActionsSuppressedByAlarm,
		"Actions suppressed by "+arnPrefix+"suppressor that transitioned to ALARM at "+s.UTC().Format("Monday 2 January, 2006 15:04:05 UTC"), updated("child"))
	e.set("suppressor", types.StateValueOk)
	check("suppression/75/retry-extension-entry", types.StateValueAlarm, types.ActionsSuppressedByExtensionPeriod, "Actions suppressed by ExtensionPeriod", updated("suppressor"))
	e.set("child", types.StateValueOk)
	t2 := updated("child")
	check("suppression/77/retry-composite-transition-during-extension", types.StateValueOk, types.ActionsSuppressedByWaitPeriod, wait, t2)
	e.advance(6 * time.Second)
	check("suppression/79/post-extension-transition-follow-up", types.StateValueOk, "", "", t2.Add(5*time.Second))
	put("child")
	if c := e.composite("composite"); aws.ToString(c.ActionsSuppressor) != "child" {
		t.Errorf("suppression/86/replacement-suppressor-observations: %s", aws.ToString(c.ActionsSuppressor))
	}
}

// alarm_audit.json: CloudTrail's records of DeleteAlarms name the alarms deleted
// only (delete-mixed-existing-missing), and of a TagResource refused for an aws: key
// carry no request parameters (reserved-tag-audit-projection).
func TestAlarmAuditRecorded2026(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	apptest.Must(e.cw.PutMetricAlarm(ctx, alarmInput("a")))
	_, err := e.cw.TagResource(ctx, &cw.TagResourceInput{ResourceARN: aws.String(arnPrefix + "a"),
		Tags: []types.Tag{{Key: aws.String("safe"), Value: aws.String("value")}, {Key: aws.String("aws:reserved"), Value: aws.String("rejected")}}})
	wantError(t, err, "AccessDenied", 403, `The provided tag keys must not start with any case of "aws:"`)
	apptest.Must(e.cw.DeleteAlarms(ctx, &cw.DeleteAlarmsInput{AlarmNames: []string{"a", "missing"}}))
	params := map[string]string{}
	err = e.p.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Events(0, 1<<20, func(ev *store.Event) bool {
			var r audit.Record
			if ev.Source == audit.Source && json.Unmarshal(ev.Data, &r) == nil && r.EventSource == "monitoring.amazonaws.com" {
				params[r.EventName+"/"+r.ErrorCode] = string(r.RequestParameters)
			}
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := params["DeleteAlarms/"]; got != `{"alarmNames":["a"]}` {
		t.Errorf("delete-mixed-existing-missing: requestParameters %s", got)
	}
	if got, ok := params["TagResource/AccessDenied"]; !ok || got != "null" {
		t.Errorf("reserved-tag-audit-projection: requestParameters %s (recorded: %v)", got, ok)
	}
}

// alarm_composites.json, cycles/7-8: a composite's ConfigurationUpdate history data —
// the composite created, then updated with its children's states and the fields that
// changed as they were.
func TestCompositeConfigHistoryRecorded2026(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	put := func(name, rule string) {
		apptest.Must(e.cw.PutCompositeAlarm(ctx, &cw.PutCompositeAlarmInput{AlarmName: aws.String(name), AlarmRule: aws.String(rule), ActionsEnabled: aws.Bool(false)}))
	}
	// A second between the puts, as between AWS's: each its own timestamp.
	put("C", "FALSE")
	e.p.AdvanceClock(time.Second)
	put("D", "FALSE")
	e.p.AdvanceClock(time.Second)
	put("D", `ALARM("C")`)
	hist := apptest.Must(e.cw.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("D"), AlarmTypes: []types.AlarmType{types.AlarmTypeCompositeAlarm},
		HistoryItemType: types.HistoryItemTypeConfigurationUpdate, ScanBy: types.ScanByTimestampAscending}))
	if len(hist.AlarmHistoryItems) != 2 {
		t.Fatalf("%d configuration updates", len(hist.AlarmHistoryItems))
	}
	c, d := e.composite("C"), e.composite("D")
	ts := func(t *time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-0700") }
	created := `{"version":"1.0","type":"Create","createdAlarm":{"alarmName":"D","alarmArn":"` + arnPrefix + `D","alarmConfigurationUpdatedTimestamp":"` + ts(d.StateTransitionedTimestamp) +
		`","alarmRule":"FALSE","stateValue":"INSUFFICIENT_DATA","stateUpdatedTimestamp":"` + ts(d.StateTransitionedTimestamp) +
		`","actionsEnabled":false,"alarmActions":[],"insufficientDataActions":[],"childStates":[],"okactions":[]}}`
	if got := aws.ToString(hist.AlarmHistoryItems[0].HistoryData); got != created {
		t.Errorf("cycles/8 Create:\n got %s\nwant %s", got, created)
	}
	updated := `{"version":"1.0","type":"Update","updatedAlarm":{"alarmName":"D","alarmArn":"` + arnPrefix + `D","alarmConfigurationUpdatedTimestamp":"` + ts(d.AlarmConfigurationUpdatedTimestamp) +
		`","alarmRule":"ALARM(\"C\")","stateValue":"OK","stateUpdatedTimestamp":"` + ts(d.StateUpdatedTimestamp) +
		`","actionsEnabled":false,"alarmActions":[],"insufficientDataActions":[],"childStates":[{"arn":"` + arnPrefix + `C","state":{"value":"OK","transitionTimestamp":"` +
		ts(c.StateTransitionedTimestamp) + `","timestamp":"` + ts(c.StateUpdatedTimestamp) + `"}}],"okactions":[]},"originalUpdatedFields":{"alarmConfigurationUpdatedTimestamp":"` +
		ts(d.StateTransitionedTimestamp) + `","alarmRule":"FALSE","childStates":[]}}`
	if got := aws.ToString(hist.AlarmHistoryItems[1].HistoryData); got != updated {
		t.Errorf("cycles/8 Update:\n got %s\nwant %s", got, updated)
	}
}

// alarm_evaluation.json, percentile-evaluate-99 and dense cases: an alarm's state
// reason data names its unit, and a percentile under "statistic". Evaluations come
// from the test's own clock advances on a metric published in the evaluated minute.
func TestAlarmReasonDataRecorded2026(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	for name, stat := range map[string]string{"avg": "Average", "p90": "p90"} {
		in := &cw.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("Stackd/NativeAlarmEvaluation"), MetricName: aws.String("Signal"),
			Unit: types.StandardUnitCount, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(5),
			ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("ignore"), ActionsEnabled: aws.Bool(false)}
		if stat == "Average" {
			in.Statistic = types.StatisticAverage
		} else {
			in.ExtendedStatistic = aws.String(stat)
		}
		apptest.Must(e.cw.PutMetricAlarm(ctx, in))
	}
	// expression-*: a metric math alarm's datapoints carry no sample count.
	apptest.Must(e.cw.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String("expr"), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(5),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("ignore"), ActionsEnabled: aws.Bool(false),
		Metrics: []types.MetricDataQuery{
			{Id: aws.String("m1"), ReturnData: aws.Bool(false), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("Stackd/NativeAlarmEvaluation"), MetricName: aws.String("Signal")},
				Period: aws.Int32(60), Stat: aws.String("Average")}},
			{Id: aws.String("e1"), Expression: aws.String("m1 + 1"), ReturnData: aws.Bool(true)}}}))
	apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("Stackd/NativeAlarmEvaluation"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("Signal"), Value: aws.Float64(10), Unit: types.StandardUnitCount}}}))
	e.advance(time.Minute)
	if a := e.alarm("expr"); a.StateValue != types.StateValueAlarm || !strings.Contains(aws.ToString(a.StateReasonData), `+0000","value":11.0}]`) ||
		strings.Contains(aws.ToString(a.StateReasonData), "sampleCount") {
		t.Errorf("expr: %s %s", a.StateValue, aws.ToString(a.StateReasonData))
	}
	for name, want := range map[string]string{"avg": `,"unit":"Count","statistic":"Average","period":60,`, "p90": `,"unit":"Count","statistic":"p90","period":60,`} {
		if a := e.alarm(name); a.StateValue != types.StateValueAlarm || !strings.Contains(aws.ToString(a.StateReasonData), want) {
			t.Errorf("%s: %s %s, want %s", name, a.StateValue, aws.ToString(a.StateReasonData), want)
		}
	}
}

// alarm_evaluation.json, dense-nonconsecutive-m2, dense-oldest-breach-expires and
// dense-last-breach-ages: a 10-second alarm (Average of 3 periods, 2 to alarm) on
// high-resolution data is evaluated every 10 seconds, each time on the periods that
// ended 10 seconds before the 10-second boundary, looking 9 periods back; its reasons
// list the datapoints on the side of the new state. The data (100, 0, 100 at :20, :30,
// :40 of a minute), the evaluation times and the answers are AWS's, the minute the
// test's.
func TestHighResolutionAlarmRecorded2026(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	base := e.p.Clock.Now().Truncate(time.Minute).Add(time.Minute)
	apptest.Must(e.cw.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String("dense-m2"), Namespace: aws.String("StackdNativeAlarmEvaluation"),
		MetricName: aws.String("dense"), Unit: types.StandardUnitCount, Statistic: types.StatisticAverage, Period: aws.Int32(10), EvaluationPeriods: aws.Int32(3),
		DatapointsToAlarm: aws.Int32(2), Threshold: aws.Float64(50), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, ActionsEnabled: aws.Bool(false)}))
	to := func(offset time.Duration) { e.advance(base.Add(offset).Sub(e.p.Clock.Now())) }
	to(45 * time.Second)
	var data []types.MetricDatum
	for i, v := range []float64{100, 0, 100} {
		data = append(data, types.MetricDatum{MetricName: aws.String("dense"), Timestamp: aws.Time(base.Add(time.Duration(20+10*i) * time.Second)),
			Value: aws.Float64(v), Unit: types.StandardUnitCount, StorageResolution: aws.Int32(1)})
	}
	apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("StackdNativeAlarmEvaluation"), MetricData: data}))
	stamp := func(s int) string { return base.Add(time.Duration(s) * time.Second).UTC().Format("02/01/06 15:04:05") }
	iso := func(s int) string {
		return `"` + base.Add(time.Duration(s)*time.Second).UTC().Format("2006-01-02T15:04:05.000+0000") + `"`
	}
	point := func(s int, v float64) string {
		if v < 0 {
			return `{"timestamp":` + iso(s) + `}`
		}
		return `{"timestamp":` + iso(s) + `,"sampleCount":1,"value":` + strconv.FormatFloat(v, 'f', -1, 64) + `}`
	}
	reasonData := func(start int, recent string, points ...string) string {
		return `{"startDate":` + iso(start) + `,"unit":"Count","statistic":"Average","period":10,"recentDatapoints":[` + recent +
			`],"threshold":50,"evaluatedDatapoints":[` + strings.Join(points, ",") + `],"version":"1.0"}`
	}
	type want struct {
		state        types.StateValue
		reason, data string
	}
	recorded := map[int]want{
		57: {types.StateValueOk, "Threshold Crossed: 1 out of the last 3 datapoints [0.0 (" + stamp(30) + ")] was not greater than the threshold (50.0) (minimum 2 datapoints for ALARM -> OK transition).",
			reasonData(20, "100,0", point(30, 0), point(10, -1))},
		67: {types.StateValueAlarm, "Threshold Crossed: 2 out of the last 3 datapoints [100.0 (" + stamp(40) + "), 100.0 (" + stamp(20) + ")] were greater than the threshold (50.0) (minimum 2 datapoints for OK -> ALARM transition).",
			reasonData(20, "100,0,100", point(40, 100), point(20, 100))},
		137: {types.StateValueOk, "Threshold Crossed: 1 out of the last 3 datapoints [0.0 (" + stamp(30) + ")] was not greater than the threshold (50.0) (minimum 2 datapoints for ALARM -> OK transition).",
			reasonData(30, "0,100", point(110, -1), point(30, 0))},
		147: {types.StateValueAlarm, "Threshold Crossed: 1 out of the last 3 datapoints [100.0 (" + stamp(40) + ")] was greater than the threshold (50.0) (minimum 2 datapoints for OK -> ALARM transition).",
			reasonData(40, "100", point(120, -1), point(40, 100))},
	}
	state := types.StateValueInsufficientData
	for s := 57; s <= 147; s += 10 {
		to(time.Duration(s)*time.Second + 551*time.Millisecond)
		a := e.alarm("dense-m2")
		w, ok := recorded[s]
		if !ok {
			w.state = state // between the recorded evaluations the state held
		}
		state = w.state
		if a.StateValue != w.state || (ok && aws.ToString(a.StateReason) != w.reason) {
			t.Errorf("at :%d.551: %s %q, want %s %q", s, a.StateValue, aws.ToString(a.StateReason), w.state, w.reason)
			continue
		}
		if !ok {
			continue
		}
		var got, exp map[string]any
		if err := json.Unmarshal([]byte(aws.ToString(a.StateReasonData)), &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(w.data), &exp); err != nil {
			t.Fatal(err)
		}
		delete(got, "queryDate")
		if g, x := fmt.Sprint(got), fmt.Sprint(exp); g != x {
			t.Errorf("at :%d.551 reason data\n got %s\nwant %s", s, aws.ToString(a.StateReasonData), w.data)
		}
	}
}

// alarm_evaluation.json, sparse-real-over-breaching and single-good-over-breaching:
// the same 10-second alarm treating missing data as breaching (3 of 3 to alarm) on
// sparse data: its reason data shows the range's missing periods as null, and a
// reason counts the missing datapoints it treated.
func TestHighResolutionSparseAlarmRecorded2026(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	base := e.p.Clock.Now().Truncate(time.Minute).Add(time.Minute)
	apptest.Must(e.cw.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String("real-over-breaching"), Namespace: aws.String("StackdNativeAlarmEvaluation"),
		MetricName: aws.String("sparse"), Unit: types.StandardUnitCount, Statistic: types.StatisticAverage, Period: aws.Int32(10), EvaluationPeriods: aws.Int32(3),
		Threshold: aws.Float64(50), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("breaching"), ActionsEnabled: aws.Bool(false)}))
	to := func(offset time.Duration) { e.advance(base.Add(offset).Sub(e.p.Clock.Now())) }
	publish := func(at int, v float64) {
		apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("StackdNativeAlarmEvaluation"), MetricData: []types.MetricDatum{{
			MetricName: aws.String("sparse"), Timestamp: aws.Time(base.Add(time.Duration(at) * time.Second)), Value: aws.Float64(v), Unit: types.StandardUnitCount, StorageResolution: aws.Int32(1)}}}))
	}
	stamp := func(s int) string { return base.Add(time.Duration(s) * time.Second).UTC().Format("02/01/06 15:04:05") }
	to(74*time.Second + 474*time.Millisecond)
	if a := e.alarm("real-over-breaching"); a.StateValue != types.StateValueAlarm ||
		aws.ToString(a.StateReason) != "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching]." {
		t.Fatalf("before the data: %s %q", a.StateValue, aws.ToString(a.StateReason))
	}
	to(105 * time.Second)
	publish(50, 0)
	publish(70, 100)
	publish(90, 100)
	check := func(at time.Duration, state types.StateValue, reason, dataPart string) {
		t.Helper()
		to(at)
		a := e.alarm("real-over-breaching")
		if a.StateValue != state || aws.ToString(a.StateReason) != reason || !strings.Contains(aws.ToString(a.StateReasonData), dataPart) {
			t.Errorf("at %s: %s %q %s, want %s %q %s", at, a.StateValue, aws.ToString(a.StateReason), aws.ToString(a.StateReasonData), state, reason, dataPart)
		}
	}
	check(114*time.Second+473*time.Millisecond, types.StateValueOk,
		"Threshold Crossed: 1 out of the last 3 datapoints [0.0 ("+stamp(50)+")] was not greater than the threshold (50.0) (minimum 1 datapoint for ALARM -> OK transition).",
		`"recentDatapoints":[0.0,null,100.0,null,100.0]`)
	for s := 124; s <= 154; s += 10 {
		check(time.Duration(s)*time.Second+473*time.Millisecond, types.StateValueOk,
			"Threshold Crossed: 1 out of the last 3 datapoints [0.0 ("+stamp(50)+")] was not greater than the threshold (50.0) (minimum 1 datapoint for ALARM -> OK transition).", "")
	}
	check(164*time.Second+472*time.Millisecond, types.StateValueAlarm,
		"Threshold Crossed: 2 out of the last 3 datapoints [100.0 ("+stamp(90)+"), 100.0 ("+stamp(70)+")] were greater than the threshold (50.0) and 1 missing datapoint was treated as [Breaching] (minimum 3 datapoints for OK -> ALARM transition).",
		`"recentDatapoints":[100.0,null,100.0]`)
	to(265 * time.Second)
	publish(250, 0)
	check(274*time.Second+473*time.Millisecond, types.StateValueOk,
		"Threshold Crossed: 1 out of the last 3 datapoints [0.0 ("+stamp(250)+")] was not greater than the threshold (50.0) and 2 missing datapoints were treated as [Breaching] (minimum 1 datapoint for ALARM -> OK transition).",
		`"recentDatapoints":[0.0]`)
}

// alarm_evaluation.json, isolated-premature-m2 and isolated-premature-m3: with one
// breaching datapoint and missing data left missing, a 10-second alarm of 3 periods
// goes to ALARM once the datapoint is the oldest of the M it would rest on (itself and
// the newest missing periods): after one missing period when 2 are needed, after two
// when 3 are; it stays INSUFFICIENT_DATA before.
func TestHighResolutionPrematureAlarmRecorded2026(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	base := e.p.Clock.Now().Truncate(time.Minute).Add(time.Minute)
	for _, m := range []int32{2, 3} {
		apptest.Must(e.cw.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String("m" + strconv.Itoa(int(m))), Namespace: aws.String("StackdNativeAlarmEvaluation"),
			MetricName: aws.String("isolated"), Unit: types.StandardUnitCount, Statistic: types.StatisticAverage, Period: aws.Int32(10), EvaluationPeriods: aws.Int32(3),
			DatapointsToAlarm: aws.Int32(m), Threshold: aws.Float64(50), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, ActionsEnabled: aws.Bool(false)}))
	}
	to := func(offset time.Duration) { e.advance(base.Add(offset).Sub(e.p.Clock.Now())) }
	to(55 * time.Second)
	apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("StackdNativeAlarmEvaluation"), MetricData: []types.MetricDatum{{
		MetricName: aws.String("isolated"), Timestamp: aws.Time(base.Add(50 * time.Second)), Value: aws.Float64(100), Unit: types.StandardUnitCount, StorageResolution: aws.Int32(1)}}}))
	stamp := base.Add(50 * time.Second).UTC().Format("02/01/06 15:04:05")
	iso := func(s int) string {
		return base.Add(time.Duration(s) * time.Second).UTC().Format("2006-01-02T15:04:05.000+0000")
	}
	for _, c := range []struct {
		at          time.Duration
		m2, m3      types.StateValue
		alarm, data string
	}{
		{77 * time.Second, types.StateValueInsufficientData, types.StateValueInsufficientData, "", ""},
		// 05:47:27.551: m2 "… (minimum 2 datapoints for OK -> ALARM transition)",
		// evaluated [missing :60, 100 at :50].
		{87*time.Second + 551*time.Millisecond, types.StateValueAlarm, types.StateValueInsufficientData, "m2",
			`"evaluatedDatapoints":[{"timestamp":"` + iso(60) + `"},{"timestamp":"` + iso(50) + `","sampleCount":1.0,"value":100.0}]`},
		// 05:47:38.775: m3, evaluated [missing :70, missing :60, 100 at :50].
		{98*time.Second + 775*time.Millisecond, types.StateValueAlarm, types.StateValueAlarm, "m3",
			`"evaluatedDatapoints":[{"timestamp":"` + iso(70) + `"},{"timestamp":"` + iso(60) + `"},{"timestamp":"` + iso(50) + `","sampleCount":1.0,"value":100.0}]`},
	} {
		to(c.at)
		for name, want := range map[string]types.StateValue{"m2": c.m2, "m3": c.m3} {
			a := e.alarm(name)
			if a.StateValue != want {
				t.Errorf("at %s: %s %s %q, want %s", c.at, name, a.StateValue, aws.ToString(a.StateReason), want)
			}
			if name != c.alarm {
				continue
			}
			reason := "Threshold Crossed: 1 out of the last 3 datapoints [100.0 (" + stamp + ")] was greater than the threshold (50.0) (minimum " +
				name[1:] + " datapoints for OK -> ALARM transition)."
			if aws.ToString(a.StateReason) != reason || !strings.Contains(aws.ToString(a.StateReasonData), c.data) {
				t.Errorf("at %s: %s %q %s, want %q %s", c.at, name, aws.ToString(a.StateReason), aws.ToString(a.StateReasonData), reason, c.data)
			}
		}
	}
}

// alarm_evaluation.json, expression-99/100/101 and percentile-ignore-100/101: one
// period of 10 seconds, DatapointsToAlarm 1, missing data ignored. A metric math
// alarm decides on the period that ended at the 10-second boundary, a metric alarm on
// the one before it; both write "1 out of the last 1 datapoints", and their reason
// data shows no datapoint 3 periods older. The data and the evaluation times are
// AWS's (from 06:43:00 on, each alarm at its own offset in the 10 seconds), the minute
// the test's.
func TestHighResolutionOnePeriodRecorded2026(t *testing.T) {
	const ns, metric = "StackdNativePercentileProbe", "stackd-native-pctl"
	// transition is a recorded state change: in the evaluation of second s, to state,
	// on the datapoint v of the period starting at second at.
	type transition struct {
		state types.StateValue
		v     string
		at    int
	}
	run := func(t *testing.T, in *cw.PutMetricAlarmInput, offset time.Duration, changes map[int]transition, data string) {
		e := newEnv(t, protocols[0].opt)
		base := e.p.Clock.Now().Truncate(time.Minute).Add(time.Minute)
		in.AlarmName, in.ActionsEnabled, in.EvaluationPeriods, in.DatapointsToAlarm, in.Threshold = aws.String("a"), aws.Bool(false), aws.Int32(1), aws.Int32(1), aws.Float64(5)
		in.ComparisonOperator, in.TreatMissingData = types.ComparisonOperatorGreaterThanThreshold, aws.String("ignore")
		apptest.Must(e.cw.PutMetricAlarm(ctx, in))
		// Values, with their sample counts, published 5 seconds into the slot.
		publications := map[int][3]float64{0: {1, 10, 10}, 160: {160, 0, 100}, 190: {191, 10, 101}}
		state, reason := types.StateValueInsufficientData, "Unchecked: Initial alarm creation"
		for s := 0; s <= 210; s += 10 {
			publish := func() {
				p, ok := publications[s]
				if !ok {
					return
				}
				e.advance(base.Add(time.Duration(s+5) * time.Second).Sub(e.p.Clock.Now()))
				apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String(ns), MetricData: []types.MetricDatum{{MetricName: aws.String(metric),
					Timestamp: aws.Time(base.Add(time.Duration(p[0]) * time.Second)), Values: []float64{p[1]}, Counts: []float64{p[2]}, StorageResolution: aws.Int32(1)}}}))
			}
			at := time.Duration(s)*time.Second + offset
			if offset > 5*time.Second {
				publish()
			}
			e.advance(base.Add(at).Sub(e.p.Clock.Now()))
			if c, ok := changes[s]; ok {
				stamp := base.Add(time.Duration(c.at) * time.Second).UTC().Format("02/01/06 15:04:05")
				state = c.state
				if c.state == types.StateValueAlarm {
					reason = "Threshold Crossed: 1 out of the last 1 datapoints [" + c.v + " (" + stamp + ")] was greater than the threshold (5.0) (minimum 1 datapoint for OK -> ALARM transition)."
				} else {
					reason = "Threshold Crossed: 1 out of the last 1 datapoints [" + c.v + " (" + stamp + ")] was not greater than the threshold (5.0) (minimum 1 datapoint for ALARM -> OK transition)."
				}
			}
			if a := e.alarm("a"); a.StateValue != state || aws.ToString(a.StateReason) != reason {
				t.Errorf("at %s: %s %q, want %s %q", at, a.StateValue, aws.ToString(a.StateReason), state, reason)
			}
			if offset <= 5*time.Second {
				publish()
			}
		}
		at := base.Add(190 * time.Second).UTC().Format("2006-01-02T15:04:05.000+0000")
		if d := aws.ToString(e.alarm("a").StateReasonData); !strings.Contains(d, `"startDate":"`+at+`",`) || !strings.Contains(d, strings.ReplaceAll(data, "AT", at)) {
			t.Errorf("reason data %s, want %s", d, data)
		}
	}
	t.Run("expression", func(t *testing.T) {
		in := &cw.PutMetricAlarmInput{Metrics: []types.MetricDataQuery{
			{Id: aws.String("m1"), ReturnData: aws.Bool(false), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String(ns), MetricName: aws.String(metric)},
				Period: aws.Int32(10), Stat: aws.String("Average")}},
			{Id: aws.String("e1"), Expression: aws.String("m1 + 1"), Label: aws.String("Owned returned expression"), ReturnData: aws.Bool(true)}}}
		// 06:43:18.195, 06:45:58.197, 06:46:28.197.
		run(t, in, 8197*time.Millisecond, map[int]transition{10: {types.StateValueAlarm, "11.0", 0}, 170: {types.StateValueOk, "1.0", 160}, 200: {types.StateValueAlarm, "11.0", 190}},
			`"period":10,"recentDatapoints":[11.0],"threshold":5.0,"evaluatedDatapoints":[{"timestamp":"AT","value":11.0}]}`)
	})
	t.Run("percentile", func(t *testing.T) {
		in := &cw.PutMetricAlarmInput{Namespace: aws.String(ns), MetricName: aws.String(metric), ExtendedStatistic: aws.String("p90"), Period: aws.Int32(10),
			EvaluateLowSampleCountPercentile: aws.String("ignore")}
		// 06:46:04.128 and 06:46:34.128; 06:43:00's 10 samples are too few for p90.
		run(t, in, 4128*time.Millisecond, map[int]transition{180: {types.StateValueOk, "0.0", 160}, 210: {types.StateValueAlarm, "10.0", 190}},
			`"statistic":"p90","period":10,"recentDatapoints":[10.0],"threshold":5.0,"evaluatedDatapoints":[{"timestamp":"AT","sampleCount":101.0,"value":10.0}]}`)
	})
}

// metric_search.json: SEARCH in GetMetricData over the recording's twelve metrics,
// each named in a result by its label and the Sum of its first minute.
func TestMetricSearchRecorded2026(t *testing.T) {
	const nsName = "StackdSearch/Project2-trial333/8c31d8f2eb30"
	const account = "000000000000"
	definitions := []struct {
		name string
		dims []types.Dimension
	}{
		{"CustomCount1", dims("ServiceName", "Project2-trial333", "Node", "blue")},
		{"CustomCount1", dims("ServiceName", "Project2-trial333")},
		{"CustomCount1", nil},
		{"customcount1", dims("ServiceName", "Alpha", "Node", "lower")},
		{"SDBFailure", dims("ServiceName", "Beta", "Node", "red")},
		{"Network-Errors_2", dims("ServiceName", "Beta", "Node", "blue")},
		{"NetworkErrors2", dims("ServiceName", "Gamma", "Node", "green")},
		{"KeyWitness", dims("CustomCount1", "ExactValue")},
		{"ValueWitness", dims("ServiceName", "CustomCount1")},
		{`Europe\France Traffic(Network)"Quote`, dims("Dimension@Name", "zone'one")},
		{"CustomCount1", dims("ServiceName", "Alpha", "Node", "red", "Extra", "x")},
		{"CustomCount1", dims("OtherKey", "Project2-trial333")},
	}
	all := []string{"CustomCount1=132", "CustomCount1 ValueWitness=372", "ExactValue KeyWitness=332",
		"Project2-trial333 CustomCount1=492", "Project2-trial333 CustomCount1=92", "blue Beta Network-Errors_2=252",
		"blue Project2-trial333 CustomCount1=52", "green Gamma NetworkErrors2=292", "lower Alpha customcount1=172",
		"red Beta SDBFailure=212", "x red Alpha CustomCount1=452", `zone'one Europe\France Traffic(Network)"Quote=412`}
	named := []string{"CustomCount1=132", "Project2-trial333=492", "Project2-trial333=92", "blue Project2-trial333=52", "x red Alpha=452"}
	count := []string{"CustomCount1=132", "CustomCount1 ValueWitness=372", "ExactValue KeyWitness=332",
		"Project2-trial333 CustomCount1=492", "Project2-trial333 CustomCount1=92", "blue Project2-trial333 CustomCount1=52",
		"x red Alpha CustomCount1=452"}
	special := []string{`Europe\France Traffic(Network)"Quote=412`}
	search := func(term string) string {
		body := `Namespace="` + nsName + `"`
		if term != "" {
			body += " AND (" + term + ")"
		}
		return "SEARCH('" + body + "', 'Sum', 60)"
	}
	schema := func(s string) string { return "SEARCH('" + s + "', 'Sum', 60)" }
	forEachProtocol(t, func(e *env) {
		anchor := e.p.Clock.Now().Truncate(5 * time.Minute).Add(-10 * time.Minute)
		var rows []types.MetricDatum
		for i, d := range definitions {
			second := 120
			if i%2 == 1 {
				second = 180
			}
			for _, off := range []int{0, second} {
				v := float64((i+1)*10 + off/60)
				rows = append(rows, types.MetricDatum{MetricName: aws.String(d.name), Dimensions: d.dims,
					Timestamp: aws.Time(anchor.Add(time.Duration(off) * time.Second)), Values: []float64{v, v + 4}, Counts: []float64{1, 3}, Unit: types.StandardUnitCount})
			}
		}
		apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String(nsName), MetricData: rows}))
		get := func(qs ...types.MetricDataQuery) (*cw.GetMetricDataOutput, error) {
			return e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(anchor), EndTime: aws.Time(anchor.Add(5 * time.Minute)),
				ScanBy: types.ScanByTimestampAscending, MetricDataQueries: qs})
		}
		expr := func(x string) types.MetricDataQuery {
			return types.MetricDataQuery{Id: aws.String("e1"), Expression: aws.String(x)}
		}
		summary := func(out *cw.GetMetricDataOutput) []string {
			got := []string{}
			for _, r := range out.MetricDataResults {
				v := "none"
				if len(r.Values) > 0 {
					v = strconv.FormatFloat(r.Values[0], 'f', -1, 64)
				}
				got = append(got, aws.ToString(r.Label)+"="+v)
			}
			return got
		}
		for _, c := range []struct {
			label, expr string
			want        []string
		}{
			{"selection-namespace-designator", search(""), all},
			{"metricname-exact", search(`MetricName="CustomCount1"`), named},
			{"metricname-exact-lower", search(`MetricName="customcount1"`), []string{"customcount1=172"}},
			{"metricname-token", search(`MetricName=count`), named},
			{"dimension-exact", search(`ServiceName="Project2-trial333"`), []string{"CustomCount1=92", "blue=52"}},
			{"dimension-token", search(`ServiceName=trial`), []string{"CustomCount1=92", "blue=52"}},
			{"dimension-name-case", search(`servicename=trial`), nil},
			{"term-key-value-name", search(`"CustomCount1"`), count},
			{"term-key-only", search(`"OtherKey"`), []string{"CustomCount1=492"}},
			{"term-value-only", search(`"ExactValue"`), []string{"KeyWitness=332"}},
			{"term-namespace-only", search(`"` + nsName + `"`), all},
			{"token-count-lower", search("count"), count},
			{"token-count-upper", search("COUNT"), count},
			{"token-count-camel", search("Count"), count},
			{"token-count-mixed", search("couNT"), nil},
			{"token-composite-correct", search("CustomCount"), count},
			{"token-composite-lower", search("customcount"), append(append(count[:6:6], "lower Alpha customcount1=172"), count[6])},
			{"token-composite-numeric-correct", search("Count1"), count},
			{"token-acronym", search("sdb"), []string{"SDBFailure=212"}},
			{"token-acronym-composite", search("SDBFailure"), []string{"SDBFailure=212"}},
			{"token-acronym-lower", search("sdbfailure"), []string{"SDBFailure=212"}},
			{"token-numeric", search("333"), all},
			{"token-numeric-part", search("33"), nil},
			{"token-punctuation-composite", search("network/errors"), []string{"blue Beta Network-Errors_2=252", "green Gamma NetworkErrors2=292"}},
			{"token-punctuation-exact", search(`"Network-Errors_2"`), []string{"Network-Errors_2=252"}},
			{"token-punctuation-wrong-exact", search(`"Network_Errors_2"`), nil},
			{"implicit-and", search(`MetricName="CustomCount1" Node=red`), []string{"CustomCount1=452"}},
			{"explicit-and", search(`MetricName="CustomCount1" AND Node=red`), []string{"CustomCount1=452"}},
			{"explicit-or", search(`MetricName="SDBFailure" OR MetricName="NetworkErrors2"`), []string{"green Gamma NetworkErrors2=292", "red Beta SDBFailure=212"}},
			{"not-exclusion", search(`MetricName="CustomCount1" NOT Node=red`), named[:4]},
			{"not-only", search(`NOT MetricName="CustomCount1"`), []string{"CustomCount1 ValueWitness=372", "ExactValue KeyWitness=332",
				"blue Beta Network-Errors_2=252", "green Gamma NetworkErrors2=292", "lower Alpha customcount1=172", "red Beta SDBFailure=212",
				`zone'one Europe\France Traffic(Network)"Quote=412`}},
			{"precedence-unparenthesized", search(`MetricName="SDBFailure" OR MetricName="CustomCount1" AND Node=blue`),
				[]string{"blue Project2-trial333 CustomCount1=52", "red Beta SDBFailure=212"}},
			{"precedence-parenthesized", search(`(MetricName="SDBFailure" OR MetricName="CustomCount1") AND Node=blue`), []string{"CustomCount1=52"}},
			{"nested-boolean", search(`MetricName="SDBFailure" OR (MetricName="CustomCount1" AND (Node=blue OR Node=red))`),
				[]string{"blue Project2-trial333 CustomCount1=52", "red Beta SDBFailure=212", "x red Alpha CustomCount1=452"}},
			{"lowercase-and", search(`MetricName="CustomCount1" and Node=red`), nil},
			{"empty-match", search(`MetricName="AbsentMetric"`), nil},
			{"schema-namespace-only", schema(`{"` + nsName + `"}`), []string{"CustomCount1=132"}},
			{"schema-subset", schema(`{"` + nsName + `",ServiceName}`), []string{"CustomCount1 ValueWitness=372", "Project2-trial333 CustomCount1=92"}},
			{"schema-two-dimensions", schema(`{"` + nsName + `",ServiceName,Node}`), []string{"blue Beta Network-Errors_2=252",
				"blue Project2-trial333 CustomCount1=52", "green Gamma NetworkErrors2=292", "lower Alpha customcount1=172", "red Beta SDBFailure=212"}},
			{"schema-exact-three-dimensions", schema(`{"` + nsName + `",ServiceName,Node,Extra}`), []string{"CustomCount1=452"}},
			{"schema-missing-dimension", schema(`{"` + nsName + `",Missing}`), nil},
			{"schema-dimension-case", schema(`{"` + nsName + `",servicename}`), nil},
			{"schema-special-dimension", schema(`{"` + nsName + `","Dimension@Name"}`), special},
			{"schema-duplicate-dimension", schema(`{"` + nsName + `",Node,Node}`), nil},
			{"namespace-designator-no-schema", schema(` Namespace="` + nsName + `" MetricName="CustomCount1"`), named},
			{"namespace-designator-wrong-case", schema(` Namespace="` + strings.ToLower(nsName) + `"`), nil},
			{"exact-escaped-special-name", search(`MetricName="Europe\\France Traffic\(Network\)\"Quote"`), special},
			{"exact-unescaped-special-name", search(`MetricName="Europe\\France Traffic(Network)\"Quote"`), special},
			{"exact-apostrophe-dimension", search(`"Dimension@Name"="zone\'one"`), special},
			{"current-account", search(`:aws.AccountId=` + account), all},
			{"quoted-account", search(`:aws.AccountId="` + account + `"`), all},
			{"foreign-account", search(`:aws.AccountId=111122223333`), nil},
			{"math-array-arithmetic", search("") + " / 2", []string{"CustomCount1=66", "CustomCount1 ValueWitness=186", "ExactValue KeyWitness=166",
				"Project2-trial333 CustomCount1=246", "Project2-trial333 CustomCount1=46", "blue Beta Network-Errors_2=126",
				"blue Project2-trial333 CustomCount1=26", "green Gamma NetworkErrors2=146", "lower Alpha customcount1=86",
				"red Beta SDBFailure=106", "x red Alpha CustomCount1=226", `zone'one Europe\France Traffic(Network)"Quote=206`}},
		} {
			out, err := get(expr(c.expr))
			if err != nil {
				e.Fatalf("%s: %v", c.label, err)
			}
			if got := summary(out); strings.Join(got, "|") != strings.Join(c.want, "|") {
				e.Errorf("%s: got %q, want %q", c.label, got, c.want)
			}
		}

		// Labels: the query's own before each series', unless empty.
		out := apptest.Must(get(types.MetricDataQuery{Id: aws.String("q"), Expression: aws.String(search("")), Label: aws.String("Owned selection")}))
		if got := summary(out); got[0] != "Owned selection CustomCount1=132" || got[11] != `Owned selection zone'one Europe\France Traffic(Network)"Quote=412` {
			e.Errorf("explicit-label: %q", got)
		}
		out = apptest.Must(get(types.MetricDataQuery{Id: aws.String("q"), Expression: aws.String(search("")), Label: aws.String("")}))
		if got := summary(out); strings.Join(got, "|") != strings.Join(all, "|") || aws.ToString(out.MetricDataResults[0].Id) != "q" {
			e.Errorf("explicit-empty-label: %q", got)
		}

		// Statistics and periods: the second datapoint of CustomCount1 without
		// dimensions, put at the anchor's third minute.
		for _, c := range []struct {
			label string
			q     types.MetricDataQuery
			want  []float64
			ts    []time.Time
		}{
			{"statistic-Average", expr(strings.Replace(search(`MetricName="CustomCount1"`), "'Sum'", "'Average'", 1)), []float64{33, 35}, nil},
			{"statistic-Minimum", expr(strings.Replace(search(`MetricName="CustomCount1"`), "'Sum'", "'Minimum'", 1)), []float64{30, 32}, nil},
			{"statistic-SampleCount", expr(strings.Replace(search(`MetricName="CustomCount1"`), "'Sum'", "'SampleCount'", 1)), []float64{4, 4}, nil},
			{"period-omitted-query-120", types.MetricDataQuery{Id: aws.String("e1"), Expression: aws.String(strings.Replace(search(""), ", 60)", ")", 1)), Period: aws.Int32(120)},
				[]float64{132, 140}, []time.Time{anchor, anchor.Add(2 * time.Minute)}},
			{"period-explicit-over-query", types.MetricDataQuery{Id: aws.String("e1"), Expression: aws.String(search("")), Period: aws.Int32(300)},
				[]float64{132, 140}, []time.Time{anchor, anchor.Add(2 * time.Minute)}},
		} {
			out := apptest.Must(get(c.q))
			r := out.MetricDataResults[0]
			if aws.ToString(r.Label) != "CustomCount1" || fmt.Sprint(r.Values) != fmt.Sprint(c.want) || c.ts != nil && fmt.Sprint(r.Timestamps) != fmt.Sprint(c.ts) {
				e.Errorf("%s: %s %v %v", c.label, aws.ToString(r.Label), r.Values, r.Timestamps)
			}
		}

		// Metric math over the series of a SEARCH.
		out = apptest.Must(get(expr("SUM(" + search("") + ")")))
		if r := out.MetricDataResults; len(r) != 1 || aws.ToString(r[0].Label) != "e1" || fmt.Sprint(r[0].Values) != "[3264 1560 1824]" {
			e.Errorf("math-sum-inline: %+v", r)
		}
		out = apptest.Must(get(types.MetricDataQuery{Id: aws.String("hidden"), Expression: aws.String(search("")), ReturnData: aws.Bool(false)},
			types.MetricDataQuery{Id: aws.String("sumall"), Expression: aws.String("SUM(hidden)")},
			types.MetricDataQuery{Id: aws.String("avgall"), Expression: aws.String("AVG(hidden)")},
			types.MetricDataQuery{Id: aws.String("minall"), Expression: aws.String("MIN(hidden)")},
			types.MetricDataQuery{Id: aws.String("maxall"), Expression: aws.String("MAX(hidden)")},
			types.MetricDataQuery{Id: aws.String("countall"), Expression: aws.String("DATAPOINT_COUNT(hidden)")}))
		want := map[string]string{"sumall": "[3264 1560 1824]", "avgall": "[272 130 152]", "minall": "[52 60 104]", "maxall": "[492 460 504]", "countall": "[12 6 6]"}
		for _, r := range out.MetricDataResults {
			if got := fmt.Sprint(r.Values); got != want[aws.ToString(r.Id)] || aws.ToString(r.Label) != aws.ToString(r.Id) {
				e.Errorf("math-hidden-dependency %s: %s %s", aws.ToString(r.Id), aws.ToString(r.Label), got)
			}
		}
		if len(out.MetricDataResults) != 5 {
			e.Errorf("math-hidden-dependency: %d results", len(out.MetricDataResults))
		}
		out = apptest.Must(get(expr("SUM(" + search(`MetricName="AbsentMetric"`) + ")")))
		if r := out.MetricDataResults; len(r) != 1 || len(r[0].Values) != 0 {
			e.Errorf("math-empty-sum: %+v", r)
		}
		out = apptest.Must(get(types.MetricDataQuery{Id: aws.String("hidden"), Expression: aws.String(search("")), ReturnData: aws.Bool(false)}))
		if len(out.MetricDataResults) != 0 {
			e.Errorf("hidden-only: %+v", out.MetricDataResults)
		}

		// Refusals, all ValidationError.
		for _, c := range []struct{ label, expr, msg string }{
			{"period-omitted", strings.Replace(search(""), ", 60)", ")", 1), "Period is a required field when using SEARCH function within an expression"},
			{"period-zero", strings.Replace(search(""), ", 60)", ", 0)", 1), "Error in expression 'e1': The parameter Period must not equal 0.\n"},
			{"period-negative", strings.Replace(search(""), ", 60)", ", -60)", 1), "SEARCH arguments must be '[String, String, Positive Number]'"},
			{"period-nonmultiple", strings.Replace(search(""), ", 60)", ", 61)", 1), "Error in expression 'e1': The parameter Period must be a multiple of 60.\n"},
			{"period-string", strings.Replace(search(""), ", 60)", ", '60')", 1), "Error in expression 'e1': Unsupported operand type(s) for SEARCH: '[String, String, String]'"},
			{"statistic-sum", strings.Replace(search(""), "'Sum'", "'sum'", 1), "Error in expression 'e1': The value for parameter Stat is not a valid statistic.\n"},
			{"statistic-Bogus", strings.Replace(search(""), "'Sum'", "'Bogus'", 1), "Error in expression 'e1': The value for parameter Stat is not a valid statistic.\n"},
			{"local-account", search(`:aws.AccountId='LOCAL'`), "Error in expression 'e1': Invalid syntax"},
			{"account-or", search(`:aws.AccountId=(111122223333 OR 'LOCAL')`), "Error in expression 'e1': Invalid syntax"},
			{"invalid-missing-arguments", "SEARCH()", "Error in expression 'e1': Unsupported operand type(s) for SEARCH: '[]'"},
			{"invalid-missing-statistic", `SEARCH('{"` + nsName + `"}')`, "Error in expression 'e1': Unsupported operand type(s) for SEARCH: '[String]'"},
			{"invalid-unclosed-schema", `SEARCH('{"` + nsName + `"', 'Sum', 60)`, `Invalid SEARCH parameter: {"` + nsName + `"`},
			{"invalid-dangling-and", search(`MetricName="CustomCount1" AND`), `Invalid SEARCH parameter: Namespace="` + nsName + `" AND (MetricName="CustomCount1" AND)`},
			{"invalid-unclosed-group", search(`(Node=blue OR Node=red`), `Invalid SEARCH parameter: Namespace="` + nsName + `" AND ((Node=blue OR Node=red)`},
			{"invalid-double-equals", search(`MetricName=="CustomCount1"`), `Invalid SEARCH parameter: Namespace="` + nsName + `" AND (MetricName=="CustomCount1")`},
			{"invalid-extra-argument", strings.Replace(search(""), ", 60)", ", 60, 7)", 1), "Error in expression 'e1': Unsupported operand type(s) for SEARCH: '[String, String, Scalar, Scalar]'"},
			{"invalid-lowercase-function", strings.Replace(search(""), "SEARCH", "search", 1), "Error in expression 'e1': Function 'search' not found"},
		} {
			_, err := get(expr(c.expr))
			if err == nil {
				e.Errorf("%s: no error", c.label)
				continue
			}
			wantWire(e, err, "ValidationError", 400, c.msg)
		}
	})
}

// metric_search.json, period-omitted-query-120 and period-explicit-120: from a
// StartTime of 17:35, AWS's 120-second periods began at 17:35 and 17:37, not at the
// even minutes, for data put at 17:35 and 17:37. A StartTime between whole minutes
// is rounded down to the minute first, and data before it is not counted (API
// reference, StartTime).
func TestGetMetricDataPeriodsFromStartRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		// An odd minute: 17:35 in the recording.
		anchor := e.p.Clock.Now().Truncate(10 * time.Minute).Add(-25 * time.Minute)
		put := func(at time.Time, v float64) types.MetricDatum {
			return types.MetricDatum{MetricName: aws.String("CustomCount1"), Timestamp: aws.Time(at),
				Values: []float64{v, v + 4}, Counts: []float64{1, 3}, Unit: types.StandardUnitCount}
		}
		apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("N"), MetricData: []types.MetricDatum{
			put(anchor.Add(-time.Minute), 1000), put(anchor, 30), put(anchor.Add(2*time.Minute), 32)}}))
		metric := &types.Metric{Namespace: aws.String("N"), MetricName: aws.String("CustomCount1")}
		want := fmt.Sprint([]time.Time{anchor, anchor.Add(2 * time.Minute)}) + " [132 140]"
		for _, c := range []struct {
			label string
			start time.Time
			q     types.MetricDataQuery
		}{
			{"period-omitted-query-120", anchor, types.MetricDataQuery{Id: aws.String("e1"), Expression: aws.String(`SEARCH('Namespace="N"', 'Sum')`), Period: aws.Int32(120)}},
			{"period-explicit-120", anchor, types.MetricDataQuery{Id: aws.String("e1"), Expression: aws.String(`SEARCH('Namespace="N"', 'Sum', 120)`)}},
			{"metricstat-120", anchor, types.MetricDataQuery{Id: aws.String("m1"), MetricStat: &types.MetricStat{Metric: metric, Period: aws.Int32(120), Stat: aws.String("Sum")}}},
			{"metricstat-120-start-rounded", anchor.Add(30 * time.Second), types.MetricDataQuery{Id: aws.String("m1"), MetricStat: &types.MetricStat{Metric: metric, Period: aws.Int32(120), Stat: aws.String("Sum")}}},
			{"math-over-120", anchor, types.MetricDataQuery{Id: aws.String("e1"), Expression: aws.String(`SUM(SEARCH('Namespace="N"', 'Sum', 120))`)}},
		} {
			out := apptest.Must(e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(c.start), EndTime: aws.Time(anchor.Add(5 * time.Minute)),
				ScanBy: types.ScanByTimestampAscending, MetricDataQueries: []types.MetricDataQuery{c.q}}))
			if len(out.MetricDataResults) != 1 {
				e.Fatalf("%s: %d results", c.label, len(out.MetricDataResults))
			}
			r := out.MetricDataResults[0]
			if got := fmt.Sprint(r.Timestamps) + " " + fmt.Sprint(r.Values); got != want {
				e.Errorf("%s: got %s, want %s", c.label, got, want)
			}
		}
		// GetMetricStatistics' periods begin at StartTime alike.
		stats := apptest.Must(e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("N"), MetricName: aws.String("CustomCount1"),
			StartTime: aws.Time(anchor.Add(30 * time.Second)), EndTime: aws.Time(anchor.Add(5 * time.Minute)), Period: aws.Int32(120), Statistics: []types.Statistic{types.StatisticSum}}))
		got := map[int64]float64{}
		for _, d := range stats.Datapoints {
			got[aws.ToTime(d.Timestamp).Unix()] = aws.ToFloat64(d.Sum)
		}
		if len(got) != 2 || got[anchor.Unix()] != 132 || got[anchor.Add(2*time.Minute).Unix()] != 140 {
			e.Errorf("GetMetricStatistics: %v", got)
		}
	})
}

// metric_search_windows.json, fraction-*, inherit-* and fraction-explicit-*: a
// SEARCH's period loses its fraction and is then checked as MetricStat's; from
// 17:34, 120-second periods begin at 17:34 and 17:36, 60-second ones (and shorter)
// answer the minutes the data was put at, 17:35 and 17:37.
func TestMetricSearchPeriodFractionsRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		anchor := e.p.Clock.Now().Truncate(10 * time.Minute).Add(-25 * time.Minute)
		start := anchor.Add(-time.Minute)
		put := func(at time.Time, v float64) types.MetricDatum {
			return types.MetricDatum{MetricName: aws.String("SDBFailure"), Dimensions: dims("ServiceName", "Beta", "Node", "red"),
				Timestamp: aws.Time(at), Values: []float64{v, v + 4}, Counts: []float64{1, 3}, Unit: types.StandardUnitCount}
		}
		apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("N"), MetricData: []types.MetricDatum{
			put(anchor, 50), put(anchor.Add(2*time.Minute), 52)}}))
		search := func(period string) string {
			return `SEARCH('Namespace="N" AND (MetricName="SDBFailure")', 'Sum'` + period + `)`
		}
		odd := fmt.Sprint([]time.Time{anchor, anchor.Add(2 * time.Minute)}) + " [212 220]"
		even := fmt.Sprint([]time.Time{start, start.Add(2 * time.Minute)}) + " [212 220]"
		for _, c := range []struct {
			label  string
			q      types.MetricDataQuery
			want   string // the result, or the error's message
			failed bool
		}{
			{"fraction-0.5", types.MetricDataQuery{Expression: aws.String(search(", 0.5"))}, "Error in expression 'e': The parameter Period must not equal 0.\n", true},
			{"fraction-1", types.MetricDataQuery{Expression: aws.String(search(", 1"))}, odd, false},
			{"fraction-1.5", types.MetricDataQuery{Expression: aws.String(search(", 1.5"))}, odd, false},
			{"fraction-2", types.MetricDataQuery{Expression: aws.String(search(", 2"))}, "Error in expression 'e': The parameter Period must be a value in the set [ 1, 5, 10, 20, 30 ].\n", true},
			{"fraction-2.5", types.MetricDataQuery{Expression: aws.String(search(", 2.5"))}, "Error in expression 'e': The parameter Period must be a value in the set [ 1, 5, 10, 20, 30 ].\n", true},
			{"fraction-5.5", types.MetricDataQuery{Expression: aws.String(search(", 5.5"))}, odd, false},
			{"fraction-30.5", types.MetricDataQuery{Expression: aws.String(search(", 30.5"))}, odd, false},
			{"fraction-59.5", types.MetricDataQuery{Expression: aws.String(search(", 59.5"))}, "Error in expression 'e': The parameter Period must be a value in the set [ 1, 5, 10, 20, 30 ].\n", true},
			{"fraction-60.9", types.MetricDataQuery{Expression: aws.String(search(", 60.9"))}, odd, false},
			{"fraction-61.5", types.MetricDataQuery{Expression: aws.String(search(", 61.5"))}, "Error in expression 'e': The parameter Period must be a multiple of 60.\n", true},
			{"fraction-119.9", types.MetricDataQuery{Expression: aws.String(search(", 119.9"))}, "Error in expression 'e': The parameter Period must be a multiple of 60.\n", true},
			{"fraction-120", types.MetricDataQuery{Expression: aws.String(search(", 120"))}, even, false},
			{"fraction-120.5", types.MetricDataQuery{Expression: aws.String(search(", 120.5"))}, even, false},
			{"inherit-60", types.MetricDataQuery{Expression: aws.String(search("")), Period: aws.Int32(60)}, odd, false},
			{"inherit-120", types.MetricDataQuery{Expression: aws.String(search("")), Period: aws.Int32(120)}, even, false},
			{"fraction-explicit-60.5-query-120", types.MetricDataQuery{Expression: aws.String(search(", 60.5")), Period: aws.Int32(120)}, odd, false},
			{"fraction-explicit-120.5-query-60", types.MetricDataQuery{Expression: aws.String(search(", 120.5")), Period: aws.Int32(60)}, even, false},
		} {
			c.q.Id = aws.String("e")
			out, err := e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(start), EndTime: aws.Time(anchor.Add(5 * time.Minute)),
				ScanBy: types.ScanByTimestampAscending, MaxDatapoints: aws.Int32(1000), MetricDataQueries: []types.MetricDataQuery{c.q}})
			if c.failed {
				if err == nil {
					e.Errorf("%s: no error", c.label)
					continue
				}
				wantWire(e, err, "ValidationError", 400, c.want)
				continue
			}
			if err != nil {
				e.Errorf("%s: %v", c.label, err)
				continue
			}
			if len(out.MetricDataResults) != 1 {
				e.Errorf("%s: %d results", c.label, len(out.MetricDataResults))
				continue
			}
			r := out.MetricDataResults[0]
			if got := fmt.Sprint(r.Timestamps) + " " + fmt.Sprint(r.Values); got != c.want || aws.ToString(r.Label) != "SDBFailure" {
				e.Errorf("%s: got %s %s, want %s", c.label, aws.ToString(r.Label), got, c.want)
			}
		}
	})
}

// metric_search_windows.json, window-search-*, allocation-search-two-*,
// window-hidden-search-sum-*, window-sum-inline-* and
// allocation-visible-search-visible-sum-max-5 (17:34 to 17:40):
// MaxDatapoints cuts a request of SEARCHes without a NextToken, each series to its
// share of the periods, and marks what it cut.
func TestMetricSearchMaxDatapointsRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		anchor := windowsFixture(e)
		one := `SEARCH('Namespace="N" AND (MetricName="SDBFailure")', 'Sum', 60)`
		two := `SEARCH('Namespace="N" AND (MetricName="SDBFailure" OR MetricName="Network-Errors_2")', 'Sum', 60)`
		q := func(id, x string, hidden bool) types.MetricDataQuery {
			out := types.MetricDataQuery{Id: aws.String(id), Expression: aws.String(x)}
			if hidden {
				out.ReturnData = aws.Bool(false)
			}
			return out
		}
		// Each result: label, status (P for PartialData with AWS's message), and its
		// datapoints as minutes after 17:35 = value.
		for _, c := range []struct {
			label string
			max   int32
			qs    []types.MetricDataQuery
			want  string
		}{
			{"window-search-one-TimestampDescending-max-2", 2, []types.MetricDataQuery{q("e", one, false)}, "SDBFailure P []"},
			{"window-search-one-TimestampDescending-max-3", 3, []types.MetricDataQuery{q("e", one, false)}, "SDBFailure P [2=220]"},
			{"window-search-one-TimestampDescending-max-12", 12, []types.MetricDataQuery{q("e", one, false)}, "SDBFailure C [2=220 0=212]"},
			{"window-search-two-TimestampDescending-max-3", 3, []types.MetricDataQuery{q("e", two, false)}, "blue Network-Errors_2 P [3=264] | red SDBFailure P []"},
			{"window-search-one-max-1", 1, []types.MetricDataQuery{q("e", one, false)}, "SDBFailure P []"},
			{"window-search-one-max-2", 2, []types.MetricDataQuery{q("e", one, false)}, "SDBFailure P [0=212]"},
			{"window-search-one-max-3", 3, []types.MetricDataQuery{q("e", one, false)}, "SDBFailure P [0=212]"},
			{"window-search-one-max-12", 12, []types.MetricDataQuery{q("e", one, false)}, "SDBFailure C [0=212 2=220]"},
			{"window-search-two-max-1", 1, []types.MetricDataQuery{q("e", two, false)}, "blue Network-Errors_2 P [] | red SDBFailure P []"},
			{"window-search-two-max-2", 2, []types.MetricDataQuery{q("e", two, false)}, "blue Network-Errors_2 P [] | red SDBFailure P []"},
			{"window-search-two-max-3", 3, []types.MetricDataQuery{q("e", two, false)}, "blue Network-Errors_2 P [0=252] | red SDBFailure P []"},
			{"allocation-search-two-max-7", 7, []types.MetricDataQuery{q("e", two, false)}, "blue Network-Errors_2 P [0=252] | red SDBFailure P [0=212]"},
			{"allocation-search-two-max-9", 9, []types.MetricDataQuery{q("e", two, false)}, "blue Network-Errors_2 P [0=252 3=264] | red SDBFailure P [0=212 2=220]"},
			{"allocation-search-two-max-11", 11, []types.MetricDataQuery{q("e", two, false)}, "blue Network-Errors_2 C [0=252 3=264] | red SDBFailure P [0=212 2=220]"},
			{"window-search-two-max-12", 12, []types.MetricDataQuery{q("e", two, false)}, "blue Network-Errors_2 C [0=252 3=264] | red SDBFailure C [0=212 2=220]"},
			{"window-hidden-search-sum-max-3", 3, []types.MetricDataQuery{q("hidden", two, true), q("total", "SUM(hidden)", false)}, "total P [0=252]"},
			{"window-hidden-search-sum-max-12", 12, []types.MetricDataQuery{q("hidden", two, true), q("total", "SUM(hidden)", false)}, "total C [0=464 2=220 3=264]"},
			{"window-sum-inline-max-1", 1, []types.MetricDataQuery{q("e", "SUM("+two+")", false)}, "e P []"},
			{"window-sum-inline-max-3", 3, []types.MetricDataQuery{q("e", "SUM("+two+")", false)}, "e P [0=252]"},
			{"allocation-visible-search-visible-sum-max-5", 5, []types.MetricDataQuery{q("visible", two, false), q("e", "SUM(visible)", false)},
				"blue Network-Errors_2 P [0=252] | red SDBFailure P [0=212] | e P [0=464]"},
		} {
			scan := types.ScanByTimestampAscending
			if strings.Contains(c.label, "Descending") {
				scan = types.ScanByTimestampDescending
			}
			out, err := e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(anchor.Add(-time.Minute)), EndTime: aws.Time(anchor.Add(5 * time.Minute)),
				ScanBy: scan, MaxDatapoints: aws.Int32(c.max), MetricDataQueries: c.qs})
			if err != nil {
				e.Errorf("%s: %v", c.label, err)
				continue
			}
			var got []string
			for _, r := range out.MetricDataResults {
				status := "C"
				if r.StatusCode == types.StatusCodePartialData && len(r.Messages) == 1 && aws.ToString(r.Messages[0].Code) == "PartialData" &&
					aws.ToString(r.Messages[0].Value) == "The expression may contain partial data as one or more metrics have StatusCode 'Paginated'" {
					status = "P"
				} else if r.StatusCode != types.StatusCodeComplete || len(r.Messages) != 0 {
					status = fmt.Sprintf("%s%+v", r.StatusCode, r.Messages)
				}
				var points []string
				for i, ts := range r.Timestamps {
					points = append(points, fmt.Sprintf("%d=%v", int(ts.Sub(anchor)/time.Minute), r.Values[i]))
				}
				got = append(got, fmt.Sprintf("%s %s [%s]", aws.ToString(r.Label), status, strings.Join(points, " ")))
			}
			if g := strings.Join(got, " | "); g != c.want || out.NextToken != nil {
				e.Errorf("%s: got %s (token %v), want %s", c.label, g, out.NextToken != nil, c.want)
			}
		}
	})
}

// The User Guide: an alarm cannot be based on a search expression.
// metric_search_windows.json, window-direct-*, allocation-hidden-direct-unused-*
// and mixed-period-direct-60-120-* (17:34 to 17:40, SDBFailure 212 at 17:35 and 220 at 17:37, Network-Errors_2 252 at
// 17:35 and 264 at 17:38): a request of MetricStat queries is paged by windows of
// MaxDatapoints periods shared among the queries not yet complete, empty periods
// included, so a page can hold nothing and still be PartialData with a NextToken.
// Hidden MetricStat queries read by an expression are cut to their first window
// without a NextToken (window-hidden-direct-sum-*; its max-3 and max-12 answers are
// not pinned: AWS's m1+m2 kept 17:37's 220 where m2 had no datapoint, Palisade's
// keeps only the timestamps both series have).
func TestGetMetricDataWindowsRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		anchor := windowsFixture(e)
		direct := func(id, name, node string, period int32) types.MetricDataQuery {
			return types.MetricDataQuery{Id: aws.String(id), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("N"),
				MetricName: aws.String(name), Dimensions: dims("ServiceName", "Beta", "Node", node)}, Period: aws.Int32(period), Stat: aws.String("Sum")}}
		}
		one := []types.MetricDataQuery{direct("m1", "SDBFailure", "red", 60)}
		two := append(one[:1:1], direct("m2", "Network-Errors_2", "blue", 60))
		mixed := append(one[:1:1], direct("m2", "Network-Errors_2", "blue", 120))
		hidden := func(q types.MetricDataQuery) types.MetricDataQuery {
			q.ReturnData = aws.Bool(false)
			return q
		}
		sum := []types.MetricDataQuery{hidden(two[0]), hidden(two[1]), {Id: aws.String("e"), Expression: aws.String("m1+m2")}}
		const cut = " PartialData: The expression may contain partial data as one or more metrics have StatusCode 'Paginated'"
		// Each page: its results, each an Id, a status (P for PartialData, C for
		// Complete), its datapoints as minutes after 17:35 = value, and its messages.
		for _, c := range []struct {
			label string
			max   int32
			desc  bool
			qs    []types.MetricDataQuery
			pages []string
		}{
			{"window-direct-one-TimestampAscending-max-1", 1, false, one, []string{
				"m1 P []", "m1 P [0=212]", "m1 P []", "m1 P [2=220]", "m1 P []", "m1 C []"}},
			{"window-direct-one-TimestampAscending-max-2", 2, false, one, []string{"m1 P [0=212]", "m1 P [2=220]", "m1 C []"}},
			{"window-direct-one-TimestampAscending-max-3", 3, false, one, []string{"m1 P [0=212]", "m1 C [2=220]"}},
			{"window-direct-one-TimestampAscending-max-12", 12, false, one, []string{"m1 C [0=212 2=220]"}},
			{"window-direct-two-TimestampAscending-max-1", 1, false, two, []string{
				"m1 P [] | m2 P []", "m1 P [0=212] | m2 P []", "m1 P [] | m2 P []", "m1 P [2=220] | m2 P []", "m1 P [] | m2 P []",
				"m1 C [] | m2 P []", "m2 P []", "m2 P [0=252]", "m2 P []", "", "m2 P [3=264]", "m2 C []"}},
			{"window-direct-two-TimestampAscending-max-2", 2, false, two, []string{
				"m1 P [] | m2 P []", "m1 P [0=212] | m2 P [0=252]", "m1 P [] | m2 P []", "m1 P [2=220] | m2 P []",
				"m1 P [] | m2 P [3=264]", "m1 C [] | m2 C []"}},
			{"window-direct-two-TimestampAscending-max-3", 3, false, two, []string{
				"m1 P [0=212] | m2 P []", "m1 P [2=220] | m2 P [0=252]", "m1 C [] | m2 P []", "m2 C [3=264]"}},
			{"window-direct-two-TimestampAscending-max-12", 12, false, two, []string{"m1 C [0=212 2=220] | m2 C [0=252 3=264]"}},
			{"window-direct-two-TimestampDescending-max-1", 1, true, two, []string{
				"", "", "", "", "", "", "", "", "", "m2 P []", "m2 P [0=252]", "m2 C []"}},
			{"window-direct-two-TimestampDescending-max-2", 2, true, two, []string{
				"m1 P [] | m2 P []", "m1 P [] | m2 P [3=264]", "", "", "", ""}},
			{"window-direct-one-TimestampDescending-max-2", 2, true, one, []string{"m1 P []", "m1 P [2=220]", "m1 C [0=212]"}},
			{"allocation-hidden-direct-unused-max-2", 2, false, []types.MetricDataQuery{one[0], hidden(two[1])}, []string{"", "m1 P [2=220]", "m1 C []"}},
			{"allocation-hidden-direct-unused-max-3", 3, false, []types.MetricDataQuery{one[0], hidden(two[1])}, []string{"m1 P [0=212]", "m1 C [2=220]"}},
			{"window-hidden-direct-sum-TimestampAscending-max-1", 1, false, sum, []string{"e P []" + cut}},
			{"window-hidden-direct-sum-TimestampAscending-max-2", 2, false, sum, []string{"e P []" + cut}},
			{"mixed-period-direct-60-120-TimestampAscending-max-2", 2, false, mixed, []string{"", "", "", "m1 P [2=220]", "m1 C []"}},
			{"mixed-period-direct-60-120-TimestampAscending-max-3", 3, false, mixed, []string{
				"m1 P [0=212] | m2 P [-1=252]", "m1 P [2=220] | m2 P []", "m1 C [] | m2 C [3=264]"}},
		} {
			scan := types.ScanByTimestampAscending
			if c.desc {
				scan = types.ScanByTimestampDescending
			}
			var pages []string
			var token *string
			for range 20 {
				out, err := e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(anchor.Add(-time.Minute)), EndTime: aws.Time(anchor.Add(5 * time.Minute)),
					ScanBy: scan, MaxDatapoints: aws.Int32(c.max), MetricDataQueries: c.qs, NextToken: token})
				if err != nil {
					e.Fatalf("%s: %v", c.label, err)
				}
				var rs []string
				for _, r := range out.MetricDataResults {
					var dps []string
					for i, ts := range r.Timestamps {
						dps = append(dps, fmt.Sprintf("%d=%g", int(ts.Sub(anchor)/time.Minute), r.Values[i]))
					}
					res := fmt.Sprintf("%s %s [%s]", aws.ToString(r.Id), string(r.StatusCode)[:1], strings.Join(dps, " "))
					for _, m := range r.Messages {
						res += " " + aws.ToString(m.Code) + ": " + aws.ToString(m.Value)
					}
					rs = append(rs, res)
				}
				pages = append(pages, strings.Join(rs, " | "))
				if token = out.NextToken; token == nil {
					break
				}
			}
			if len(pages) != len(c.pages) {
				e.Errorf("%s: %d pages %q, want %d", c.label, len(pages), pages, len(c.pages))
				continue
			}
			for i, want := range c.pages {
				if want != "" && pages[i] != want {
					e.Errorf("%s page %d: got %s, want %s", c.label, i, pages[i], want)
				}
			}
		}
	})
}

// metric_discovery_alarms.json, search-array, search-reduced and search-unused: an
// alarm refuses SEARCH alone, inside a function, or in a query whose data it does
// not return.
func TestMetricSearchNotInAlarms(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		search := `SEARCH('Namespace="Stackd/QueryAlarm/a"', 'Sum', 60)`
		metric := types.MetricDataQuery{Id: aws.String("m"), ReturnData: aws.Bool(true), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String("Stackd/QueryAlarm/a"), MetricName: aws.String("Load")}, Period: aws.Int32(60), Stat: aws.String("Sum")}}
		for _, qs := range [][]types.MetricDataQuery{
			{{Id: aws.String("q"), Expression: aws.String(search), Period: aws.Int32(60), ReturnData: aws.Bool(true)}},
			{{Id: aws.String("q"), Expression: aws.String("SUM(" + search + ")"), Period: aws.Int32(60), ReturnData: aws.Bool(true)}},
			{{Id: aws.String("q"), Expression: aws.String(search), Period: aws.Int32(60), ReturnData: aws.Bool(false)}, metric},
		} {
			_, err := e.cw.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String("a"), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold,
				EvaluationPeriods: aws.Int32(1), DatapointsToAlarm: aws.Int32(1), Threshold: aws.Float64(10), ActionsEnabled: aws.Bool(false),
				TreatMissingData: aws.String("notBreaching"), Metrics: qs})
			wantWire(e, err, "ValidationError", 400, "SEARCH is not supported on Metric Alarms.")
		}
	})
}

// metric_search_order.json: a MetricStat's result comes before a SEARCH's, in either
// order of the queries.
func TestMetricSearchOrderRecorded2026(t *testing.T) {
	e := newEnv(t, protocols[1].opt)
	at := e.p.Clock.Now().Truncate(5 * time.Minute).Add(-10 * time.Minute)
	apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("N"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("CustomCount1"), Dimensions: dims("ServiceName", "Project2-trial333", "Node", "blue"), Timestamp: aws.Time(at), Value: aws.Float64(52)},
		{MetricName: aws.String("SDBFailure"), Dimensions: dims("ServiceName", "Beta", "Node", "red"), Timestamp: aws.Time(at), Value: aws.Float64(212)}}}))
	direct := types.MetricDataQuery{Id: aws.String("z"), MetricStat: &types.MetricStat{Period: aws.Int32(60), Stat: aws.String("Sum"),
		Metric: &types.Metric{Namespace: aws.String("N"), MetricName: aws.String("CustomCount1"), Dimensions: dims("ServiceName", "Project2-trial333", "Node", "blue")}}}
	search := types.MetricDataQuery{Id: aws.String("a"), Expression: aws.String(`SEARCH('Namespace="N" AND (MetricName="SDBFailure")', 'Sum', 60)`)}
	for _, qs := range [][]types.MetricDataQuery{{direct, search}, {search, direct}} {
		out := apptest.Must(e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(at), EndTime: aws.Time(at.Add(5 * time.Minute)), MetricDataQueries: qs}))
		var ids []string
		for _, r := range out.MetricDataResults {
			ids = append(ids, aws.ToString(r.Id)+"="+aws.ToString(r.Label))
		}
		// Labels tell the MetricStat's metric and the SEARCH's apart together.
		if strings.Join(ids, "|") != "z=blue Project2-trial333 CustomCount1|a=red Beta SDBFailure" {
			t.Errorf("first query %s: results %q", aws.ToString(qs[0].Id), ids)
		}
	}
}

// The User Guide: one SEARCH answers at most 500 series; AWS's answer to more says so
// in the response's Messages (recorded, 2026: metric_search.json
// "invalid-empty-body", 500 results and MaxMetricsExceeded).
func TestMetricSearchLimit(t *testing.T) {
	e := newEnv(t, protocols[1].opt)
	at := e.p.Clock.Now().Truncate(5 * time.Minute).Add(-10 * time.Minute)
	var data []types.MetricDatum
	for i := range 501 {
		data = append(data, types.MetricDatum{MetricName: aws.String("M"), Dimensions: dims("Host", fmt.Sprintf("h%03d", i)), Timestamp: aws.Time(at), Value: aws.Float64(1)})
	}
	apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("N"), MetricData: data}))
	out := apptest.Must(e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(at), EndTime: aws.Time(at.Add(5 * time.Minute)),
		MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("e1"), Expression: aws.String("SEARCH('', 'Sum', 60)")}}}))
	if len(out.MetricDataResults) != 500 || len(out.Messages) != 1 || aws.ToString(out.Messages[0].Code) != "MaxMetricsExceeded" ||
		aws.ToString(out.Messages[0].Value) != "Maximum number of allowed metrics exceeded" {
		t.Fatalf("%d results, messages %+v", len(out.MetricDataResults), out.Messages)
	}
}

// metric_labels.json: GetMetricData's default labels of MetricStat queries.
func TestMetricLabelsRecorded2026(t *testing.T) {
	e := newEnv(t, protocols[1].opt)
	now := e.p.Clock.Now().Truncate(time.Minute)
	const owned = "Stackd/NativeStatistics/owned"
	q := func(id, ns, name, stat string, period int32, kv ...string) types.MetricDataQuery {
		return types.MetricDataQuery{Id: aws.String(id), MetricStat: &types.MetricStat{Period: aws.Int32(period), Stat: aws.String(stat),
			Metric: &types.Metric{Namespace: aws.String(ns), MetricName: aws.String(name), Dimensions: dims(kv...)}}}
	}
	labelled := q("q1", owned, "AllZero", "Average", 60)
	labelled.Label = aws.String("named")
	hidden := q("q1", owned, "AllZero", "Average", 60)
	hidden.ReturnData = aws.Bool(false)
	for _, c := range []struct {
		label string
		qs    []types.MetricDataQuery
		want  string
	}{
		{"automatic-label-same-name-different-stat", []types.MetricDataQuery{q("q0", owned, "AllZero", "Sum", 60), q("q1", owned, "AllZero", "Average", 60)}, "AllZero Sum|AllZero Average"},
		{"automatic-label-different-names-different-stat", []types.MetricDataQuery{q("q0", owned, "AllZero", "SampleCount", 60), q("q1", owned, "Weighted", "Sum", 60)}, "AllZero|Weighted"},
		{"automatic-label-same-name-explicit-label", []types.MetricDataQuery{q("q0", owned, "AllZero", "Sum", 60), labelled}, "AllZero|named"},
		{"automatic-label-same-name-hidden", []types.MetricDataQuery{q("q0", owned, "AllZero", "Sum", 60), hidden}, "AllZero"},
		{"automatic-label-same-name-different-dimension", []types.MetricDataQuery{q("q0", owned, "AllZero", "Sum", 60), q("q1", owned, "AllZero", "Average", 60, "LabelProbe", "missing")}, "AllZero|missing"},
		{"automatic-label-same-name-different-namespace", []types.MetricDataQuery{q("q0", owned, "AllZero", "Sum", 60), q("q1", owned+"Missing", "AllZero", "Average", 60)}, owned + "|" + owned + "Missing"},
		{"automatic-label-mixed-stat-groups", []types.MetricDataQuery{q("q0", owned, "AllZero", "Sum", 60), q("q1", owned, "AllZero", "Average", 60), q("q2", owned, "Weighted", "Sum", 60)}, "AllZero Sum|AllZero Average|Weighted"},
		{"automatic-label-dimensions", []types.MetricDataQuery{q("q0", owned, "AllZero", "Sum", 60, "Zone", "a"), q("q1", owned, "AllZero", "Sum", 60, "Zone", "b")}, "a|b"},
		{"automatic-label-common-dimension", []types.MetricDataQuery{q("q0", owned, "AllZero", "Sum", 60, "Zone", "a", "Common", "shared"), q("q1", owned, "AllZero", "Sum", 60, "Zone", "b", "Common", "shared")}, "a|b"},
		{"automatic-label-different-names-dimensions", []types.MetricDataQuery{q("q0", owned, "AllZero", "Sum", 60, "Zone", "a"), q("q1", owned, "Weighted", "Sum", 60, "Zone", "b")}, "a AllZero|b Weighted"},
		{"automatic-label-namespaces-and-names", []types.MetricDataQuery{q("q0", owned, "AllZero", "Sum", 60), q("q1", owned+"Missing", "Weighted", "Sum", 60)}, owned + " AllZero|" + owned + "Missing Weighted"},
		{"automatic-label-single-dimension", []types.MetricDataQuery{q("q0", owned, "AllZero", "Sum", 60, "Zone", "a")}, "AllZero"},
		{"automatic-label-periods", []types.MetricDataQuery{q("q0", owned, "AllZero", "Sum", 60), q("q1", owned, "AllZero", "Sum", 120)}, "AllZero 60|AllZero 120"},
		{"automatic-label-dimension-order", []types.MetricDataQuery{q("q0", owned, "AllZero", "Sum", 60, "Zebra", "z1", "Alpha", "a1"), q("q1", owned, "AllZero", "Sum", 60, "Alpha", "a2", "Zebra", "z2")}, "a1 z1|a2 z2"},
	} {
		out := apptest.Must(e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(now.Add(-3 * time.Minute)), EndTime: aws.Time(now), MetricDataQueries: c.qs}))
		var got []string
		for _, r := range out.MetricDataResults {
			got = append(got, aws.ToString(r.Label))
		}
		if strings.Join(got, "|") != c.want {
			t.Errorf("%s: %q, want %q", c.label, got, c.want)
		}
	}
}

// windowsFixture stores the two metrics of metric_search_windows.json's cases (SDBFailure
// on node red, Network-Errors_2 on node blue, in namespace N, each with two datapoints of
// two values) at an anchor 25 minutes before the current ten minutes, and returns it.
func windowsFixture(e *env) time.Time {
	e.Helper()
	anchor := e.p.Clock.Now().Truncate(10 * time.Minute).Add(-25 * time.Minute)
	put := func(name, node string, at time.Time, v float64) types.MetricDatum {
		return types.MetricDatum{MetricName: aws.String(name), Dimensions: dims("ServiceName", "Beta", "Node", node),
			Timestamp: aws.Time(at), Values: []float64{v, v + 4}, Counts: []float64{1, 3}, Unit: types.StandardUnitCount}
	}
	apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("N"), MetricData: []types.MetricDatum{
		put("SDBFailure", "red", anchor, 50), put("SDBFailure", "red", anchor.Add(2*time.Minute), 52),
		put("Network-Errors_2", "blue", anchor, 60), put("Network-Errors_2", "blue", anchor.Add(3*time.Minute), 63)}}))
	return anchor
}

// sns_publications.json: what an alarm action publishes — the subject (names cut to
// SNS's 100 characters, a run of non-ASCII characters as "_"), the JSON message
// (ActionExecutedAfterMuteWindow; a metric math alarm's trigger with its period
// first and its queries last), and the action history's publishedMessage, a JSON
// string of the default, SMS and email texts, with null error and mute window.
func TestAlarmSNSPublicationsRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		snsc, sqsc := sns.NewFromConfig(e.p.RootConfig()), sqs.NewFromConfig(e.p.RootConfig())
		topic := aws.ToString(apptest.Must(snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("cw-sns")})).TopicArn)
		queue := aws.ToString(apptest.Must(sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("cw-sns")})).QueueUrl)
		qarn := "arn:aws:sqs:us-east-1:000000000000:cw-sns"
		apptest.Must(sqsc.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(queue), Attributes: map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + qarn + `"}]}`}}))
		apptest.Must(snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(qarn)}))

		const p = "stackd-native-cw-sns-4b229becf207"
		long := p + "-ascii-" + strings.Repeat("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 5)
		uni := p + "-unicode-" + strings.Repeat("界é", 80)
		reason := p + " observed manual transition to ALARM"
		metric := func(name, desc string, actions []string) *cw.PutMetricAlarmInput {
			return &cw.PutMetricAlarmInput{AlarmName: aws.String(name), AlarmDescription: aws.String(p + " " + desc), ActionsEnabled: aws.Bool(true),
				AlarmActions: actions, ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, Threshold: aws.Float64(50),
				EvaluationPeriods: aws.Int32(1), DatapointsToAlarm: aws.Int32(1), TreatMissingData: aws.String("ignore"),
				Namespace: aws.String("AWS/EC2"), MetricName: aws.String("CPUUtilization"), Period: aws.Int32(300),
				Statistic: types.StatisticAverage, Unit: types.StandardUnitPercent}
		}
		trigger := func(name string) {
			apptest.Must(e.cw.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String(name), StateValue: types.StateValueAlarm, StateReason: aws.String(reason)}))
		}
		apptest.Must(e.cw.PutMetricAlarm(ctx, metric(long, "long-ascii", []string{topic})))
		trigger(long)
		apptest.Must(e.cw.PutMetricAlarm(ctx, metric(uni, "long-unicode", []string{topic})))
		trigger(uni)
		apptest.Must(e.cw.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String(p + "-metric-query"), AlarmDescription: aws.String(p + " metric-query"),
			ActionsEnabled: aws.Bool(true), AlarmActions: []string{topic}, ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, Threshold: aws.Float64(50),
			EvaluationPeriods: aws.Int32(1), DatapointsToAlarm: aws.Int32(1), TreatMissingData: aws.String("ignore"),
			Metrics: []types.MetricDataQuery{
				{Id: aws.String("m1"), AccountId: aws.String("000000000000"), Label: aws.String("Explicit CPU metric label"), ReturnData: aws.Bool(false),
					MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("AWS/EC2"), MetricName: aws.String("CPUUtilization")}, Period: aws.Int32(60), Stat: aws.String("Average"), Unit: types.StandardUnitPercent}},
				{Id: aws.String("e1"), Expression: aws.String("m1 + 0"), Label: aws.String("Explicit expression label"), Period: aws.Int32(60), ReturnData: aws.Bool(true)},
			}}))
		trigger(p + "-metric-query")
		apptest.Must(e.cw.PutMetricAlarm(ctx, metric(p+"-child", "child", []string{})))
		apptest.Must(e.cw.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String(p + "-child"), StateValue: types.StateValueOk, StateReason: aws.String(p + " observed manual transition to OK")}))
		apptest.Must(e.cw.PutCompositeAlarm(ctx, &cw.PutCompositeAlarmInput{AlarmName: aws.String(p + "-composite"), AlarmDescription: aws.String(p + " real child transition"),
			AlarmRule: aws.String(`ALARM("` + p + `-child")`), ActionsEnabled: aws.Bool(true), AlarmActions: []string{topic}}))
		trigger(p + "-child")

		// The recorded texts, AWS's times replaced by this run's.
		stamp := func(name string) (cfg, changed string) {
			out := apptest.Must(e.cw.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{name}, AlarmTypes: []types.AlarmType{types.AlarmTypeMetricAlarm, types.AlarmTypeCompositeAlarm}}))
			if len(out.MetricAlarms) == 1 {
				return out.MetricAlarms[0].AlarmConfigurationUpdatedTimestamp.UTC().Format("2006-01-02T15:04:05.000-0700"), out.MetricAlarms[0].StateUpdatedTimestamp.UTC().Format("2006-01-02T15:04:05.000-0700")
			}
			return "", out.CompositeAlarms[0].StateUpdatedTimestamp.UTC().Format("2006-01-02T15:04:05.000-0700")
		}
		metricMsg := func(name, desc string) string {
			cfg, changed := stamp(name)
			return `{"AlarmName":"` + name + `","AlarmDescription":"` + p + ` ` + desc + `","AWSAccountId":"000000000000","AlarmConfigurationUpdatedTimestamp":"` + cfg +
				`","NewStateValue":"ALARM","NewStateReason":"` + reason + `","StateChangeTime":"` + changed + `","Region":"US East (N. Virginia)","AlarmArn":"` + arnPrefix + name +
				`","OldStateValue":"INSUFFICIENT_DATA","ActionExecutedAfterMuteWindow":false,"OKActions":[],"AlarmActions":["` + topic + `"],"InsufficientDataActions":[],` +
				`"Trigger":{"MetricName":"CPUUtilization","Namespace":"AWS/EC2","StatisticType":"Statistic","Statistic":"AVERAGE","Unit":"Percent","Dimensions":[],"Period":300,"EvaluationPeriods":1,"DatapointsToAlarm":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":50.0,"TreatMissingData":"ignore","EvaluateLowSampleCountPercentile":""}}`
		}
		cfg, changed := stamp(p + "-metric-query")
		mathMsg := `{"AlarmName":"` + p + `-metric-query","AlarmDescription":"` + p + ` metric-query","AWSAccountId":"000000000000","AlarmConfigurationUpdatedTimestamp":"` + cfg +
			`","NewStateValue":"ALARM","NewStateReason":"` + reason + `","StateChangeTime":"` + changed + `","Region":"US East (N. Virginia)","AlarmArn":"` + arnPrefix + p + `-metric-query",` +
			`"OldStateValue":"INSUFFICIENT_DATA","ActionExecutedAfterMuteWindow":false,"OKActions":[],"AlarmActions":["` + topic + `"],"InsufficientDataActions":[],` +
			`"Trigger":{"Period":60,"EvaluationPeriods":1,"DatapointsToAlarm":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":50.0,"TreatMissingData":"ignore","EvaluateLowSampleCountPercentile":"",` +
			`"Metrics":[{"Id":"m1","Label":"Explicit CPU metric label","MetricStat":{"Metric":{"Dimensions":[],"MetricName":"CPUUtilization","Namespace":"AWS/EC2"},"Period":60,"Stat":"Average","Unit":"Percent"},"ReturnData":false,"AccountId":"000000000000"},` +
			`{"Expression":"m1 + 0","Id":"e1","Label":"Explicit expression label","ReturnData":true,"Period":60}]}}`
		_, childAt := stamp(p + "-child")
		_, compAt := stamp(p + "-composite")
		emailAt := func(s string) string {
			ts, _ := time.Parse("2006-01-02T15:04:05.000-0700", s)
			return ts.UTC().Format("Monday 2 January, 2006 15:04:05 UTC")
		}
		compReason := arnPrefix + p + "-child transitioned to ALARM at " + emailAt(childAt)
		compMsg := `{"AlarmName":"` + p + `-composite","AlarmDescription":"` + p + ` real child transition","AWSAccountId":"000000000000","NewStateValue":"ALARM","NewStateReason":"` + compReason +
			`","StateChangeTime":"` + compAt + `","Region":"US East (N. Virginia)","AlarmArn":"` + arnPrefix + p + `-composite","OKActions":[],"AlarmActions":["` + topic + `"],"InsufficientDataActions":[],` +
			`"ActionExecutedAfterMuteWindow":false,"OldStateValue":"OK","AlarmRule":"ALARM(\"` + p + `-child\")","TriggeringChildren":[{"Arn":"` + arnPrefix + p + `-child","State":{"Value":"ALARM","Timestamp":"` + childAt + `"}}]}`
		want := map[string][2]string{
			`ALARM: "` + p + `-ascii-ABCDEFGHIJKLMNOPQRSTUVW..." in US East (N. Virginia)`: {metricMsg(long, "long-ascii")},
			`ALARM: "` + p + `-unicode-_" in US East (N. Virginia)`:                        {metricMsg(uni, "long-unicode")},
			`ALARM: "` + p + `-metric-query" in US East (N. Virginia)`:                     {mathMsg},
			`ALARM: "` + p + `-composite" in US East (N. Virginia)`:                        {compMsg},
		}
		out := apptest.Must(sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue), MaxNumberOfMessages: 10}))
		if len(out.Messages) != len(want) {
			e.Fatalf("%d messages", len(out.Messages))
		}
		for _, m := range out.Messages {
			var env struct{ Subject, Message string }
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &env); err != nil {
				e.Fatal(err)
			}
			if w, ok := want[env.Subject]; !ok {
				e.Errorf("subject %q", env.Subject)
			} else if env.Message != w[0] {
				e.Errorf("%s:\n got %s\nwant %s", env.Subject, env.Message, w[0])
			}
		}

		// action-history-long-ascii: the history item's data, email text and all.
		h := apptest.Must(e.cw.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String(long), HistoryItemType: types.HistoryItemTypeAction}))
		if len(h.AlarmHistoryItems) != 1 {
			e.Fatalf("%d history items", len(h.AlarmHistoryItems))
		}
		_, at := stamp(long)
		when := emailAt(at)
		email := `You are receiving this email because your Amazon CloudWatch Alarm "` + long + `" in the US East (N. Virginia) region has entered the ALARM state, because "` + reason + `" at "` + when + `".` +
			"\n\nView this alarm in the AWS Management Console:\nhttps://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/" + long +
			"\n\nAlarm Details:\n- Name:                       " + long + "\n- Description:                " + p + " long-ascii\n- State Change:               INSUFFICIENT_DATA -> ALARM" +
			"\n- Reason for State Change:    " + reason + "\n- Timestamp:                  " + when + "\n- AWS Account:                000000000000\n- Alarm Arn:                  " + arnPrefix + long +
			"\n\nThreshold:\n- The alarm is in the ALARM state when the metric is GreaterThanThreshold 50.0 for at least 1 of the last 1 period(s) of 300 seconds. \n\n" +
			"Monitored Metric:\n- MetricNamespace:                     AWS/EC2\n- MetricName:                          CPUUtilization\n- Dimensions:                          \n" +
			"- Period:                              300 seconds\n- Statistic:                           Average\n- Unit:                                Percent\n- TreatMissingData:                    ignore\n\n\n" +
			"State Change Actions:\n- OK: \n- ALARM: [" + topic + "]\n- INSUFFICIENT_DATA: \n"
		sms := `ALARM: "` + p + `-ascii-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJK..." in US East (N. Virginia)`
		str := func(s string) string { b, _ := json.Marshal(s); return string(b) }
		published := `{"default":` + str(metricMsg(long, "long-ascii")) + `,"sms":` + str(sms) + `,"email":` + str(email) + `}`
		ts, _ := time.Parse("2006-01-02T15:04:05.000-0700", at)
		wantData := `{"actionState":"Succeeded","stateUpdateTimestamp":` + strconv.FormatInt(ts.UnixMilli(), 10) + `,"notificationResource":"` + topic +
			`","publishedMessage":` + str(published) + `,"error":null,"muteWindowEndTimestamp":null}`
		if got := aws.ToString(h.AlarmHistoryItems[0].HistoryData); got != wantData {
			e.Errorf("history data:\n got %s\nwant %s", got, wantData)
		}

		// action-history-composite (recovery): the composite's email.
		h = apptest.Must(e.cw.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String(p + "-composite"), AlarmTypes: []types.AlarmType{types.AlarmTypeCompositeAlarm}, HistoryItemType: types.HistoryItemTypeAction}))
		if len(h.AlarmHistoryItems) != 1 {
			e.Fatalf("%d composite history items", len(h.AlarmHistoryItems))
		}
		var data struct{ PublishedMessage string }
		var pub struct{ Default, Sms, Email string }
		if err := json.Unmarshal([]byte(aws.ToString(h.AlarmHistoryItems[0].HistoryData)), &data); err != nil || json.Unmarshal([]byte(data.PublishedMessage), &pub) != nil {
			e.Fatalf("composite history %s", aws.ToString(h.AlarmHistoryItems[0].HistoryData))
		}
		cwhen := emailAt(compAt)
		compEmail := `You are receiving this email because your Amazon CloudWatch Alarm "` + p + `-composite" in the US East (N. Virginia) region has transitioned to ALARM state on ` + cwhen +
			`, because "` + compReason + `".` + "\n\nView this alarm in the AWS Management Console:\nhttps://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/" + p + "-composite" +
			"\n\nAlarm Details:\n- Name:                       " + p + "-composite\n- Description:                " + p + " real child transition\n- State Change:               OK -> ALARM" +
			"\n- Alarm Rule:                 ALARM(\"" + p + "-child\")\n- Reason for State Change:    " + compReason + "\n- Timestamp:                  " + cwhen +
			"\n- AWS Account:                000000000000\n- Alarm Arn:                  " + arnPrefix + p + "-composite\n\nTriggering children (max. 10):\n- " + arnPrefix + p + "-child   ALARM               " + emailAt(childAt) +
			"\n\nState Change Actions:\n- OK: \n- ALARM: [" + topic + "]\n- INSUFFICIENT_DATA: \n"
		if pub.Default != compMsg || pub.Sms != `ALARM: "`+p+`-composite" in US East (N. Virginia)` || pub.Email != compEmail {
			e.Errorf("composite published message:\n%q\n%q\n want %q", pub.Sms, pub.Email, compEmail)
		}
	})
}

// statistics.json: AWS's answers for distributions put with Values and Counts and as
// statistic sets — percentiles, trimmed counts, sums and means, and percentile
// ranks, all computed from CloudWatch's histogram (bins of [1.1^i, 1.1^(i+1)) cut to
// the period's Minimum and Maximum) — and which of them AWS leaves out.
func TestStatisticsRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		t0 := e.p.Clock.Now().Truncate(time.Minute).Add(-10 * time.Minute)
		t1 := t0.Add(time.Minute)
		t2 := t1.Add(time.Minute)
		vc := func(name string, at time.Time, values []float64, counts ...float64) types.MetricDatum {
			return types.MetricDatum{MetricName: aws.String(name), Timestamp: aws.Time(at), Values: values, Counts: counts}
		}
		set := func(name string, at time.Time, n, sum, lo, hi float64) types.MetricDatum {
			return types.MetricDatum{MetricName: aws.String(name), Timestamp: aws.Time(at), StatisticValues: &types.StatisticSet{
				SampleCount: aws.Float64(n), Sum: aws.Float64(sum), Minimum: aws.Float64(lo), Maximum: aws.Float64(hi)}}
		}
		apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
			vc("Weighted", t0, []float64{2, 10}, 2, 3), vc("Weighted", t1, []float64{2, 10}, 20, 30), vc("Weighted", t2, []float64{2, 10}, 3, 2),
			vc("ZeroEdges", t0, []float64{1, 2, 10, 20}, 0, 2, 3, 0), vc("ZeroEdges", t1, []float64{1, 20}, 0, 0),
			{MetricName: aws.String("ZeroEdges"), Timestamp: aws.Time(t1), Value: aws.Float64(5)},
			vc("Tight", t0, []float64{9.9, 9.95, 10, 10.05, 10.1}), vc("Tight", t1, []float64{1.99, 2, 2.01}, 1, 2, 1),
			vc("Scaled", t0, []float64{20, 100}, 2, 3), vc("Scaled", t1, []float64{0.2, 1}, 2, 3),
			vc("Uniform", t0, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}), vc("Uniform", t1, []float64{1, 3, 7, 11, 23}, 1, 2, 4, 2, 1),
			vc("AllZero", t0, []float64{1, 2}, 0, 0), vc("AllZero", t1, []float64{0}, 0),
			vc("Fractional", t0, []float64{2, 10}, 0.2, 0.3), vc("Fractional", t1, []float64{2, 10}, 0.5, 1.5), vc("Fractional", t2, []float64{2, 10}, 0.02, 0.03),
			vc("Equal", t0, []float64{7, 7, 7}, 1, 1, 1), vc("Equal", t1, []float64{7}, 2.5),
			set("Eligible", t0, 3, 21, 7, 7), set("Eligible", t1, 2.5, 17.5, 7, 7), set("Eligible", t2, 1, 9, 9, 9),
			set("General", t0, 3, 15, 1, 9), set("General", t1, 3, 22, 7, 7), set("General", t2, 1, 3, 1, 2),
			vc("Mixed", t0, []float64{2, 10}, 2, 3), set("Mixed", t0, 3, 15, 1, 9), vc("Mixed", t1, []float64{2, 10}, 2, 3), set("Mixed", t1, 3, 21, 7, 7),
		}}))
		// Statistics AWS left out of its answer.
		none := map[string][]string{
			"Fractional0": {"p1", "p50", "tm90", "IQM", "tc90", "TM(:100%)", "TC(:100%)", "wm90"},
			"Fractional2": {"p50", "tm90", "TS(:100%)"},
			"General0":    {"p1", "p50", "tm90", "PR(2:10)", "TS(2:10)", "PR(:5)"},
			"General1":    {"tm90", "tc90", "IQM", "wm90", "PR(2:10)", "TS(2:10)", "TM(:100%)"},
			"General2":    {"p50", "PR(2:10)", "TC(2:10)"},
			"Mixed0":      {"p1", "p50", "tm90", "IQM", "wm90", "TM(:100%)", "TC(:100%)"},
			"Uniform1":    {"TM(1.1:1.99)"},
		}
		for _, c := range []struct {
			metric string
			at     time.Time
			want   map[string]float64
		}{
			{"Fractional", t0, map[string]float64{"p0": 2, "p100": 10, "PR(:2)": 0, "PR(:5)": 40, "PR(2:10)": 100, "PR(:10)": 100, "TM(2:10)": 6.783637564742289, "TC(2:10)": 0.5, "TS(2:10)": 3.3918187823711445}},
			{"Fractional", t1, map[string]float64{"p1": 2.005554439328345, "p10": 2.056243724701127, "p25": 2.143588810000001, "p40": 9.87960440365094, "p50": 9.8995692015674,
				"p90": 9.979832659876456, "tc90": 1.8, "ts90": 13.925200273678286, "IQM": 9.89982178387175, "tm90": 7.736222374265714, "TC(25%:75%)": 1,
				"TM(:100%)": 7.961598354677861, "PR(:5)": 25, "TS(2:10)": 15.923196709355722}},
			{"Fractional", t2, map[string]float64{"p0": 2, "p100": 10, "PR(:5)": 40, "TC(2:10)": 0.05, "TS(2:10)": 0.33918187823711443, "TM(2:10)": 6.783637564742288}},
			{"Equal", t0, map[string]float64{"p1": 7, "p50": 7, "tc90": 2.7, "ts90": 18.900000000000002, "IQM": 7, "TC(25%:75%)": 1.5, "TS(25%:75%)": 10.5, "PR(2:10)": 100}},
			{"Equal", t1, map[string]float64{"p1": 7, "p90": 7, "tc90": 2.25, "ts90": 15.75, "IQM": 7, "TC(25%:75%)": 1.25, "TS(25%:75%)": 8.75}},
			{"Eligible", t0, map[string]float64{"p1": 7, "p50": 7, "tc90": 2.7, "ts90": 18.900000000000002, "IQM": 7, "TS(:100%)": 21, "TC(2:10)": 3, "PR(:5)": 0}},
			{"Eligible", t1, map[string]float64{"p10": 7, "p75": 7, "tc90": 2.25, "ts90": 15.75, "TS(:100%)": 17.5, "TC(2:10)": 2.5, "TS(25%:75%)": 8.75}},
			{"Eligible", t2, map[string]float64{"p1": 9, "p90": 9, "tc90": 0.9, "ts90": 8.1, "IQM": 9, "TS(:100%)": 9, "TC(25%:75%)": 0.5}},
			{"General", t0, map[string]float64{"p0": 1, "p100": 9}},
			{"General", t1, map[string]float64{"p0": 7, "p1": 7, "p50": 7, "p90": 7, "p100": 7}},
			{"General", t2, map[string]float64{"p0": 1, "p100": 2}},
			{"Mixed", t0, map[string]float64{"p0": 1, "p100": 10, "PR(:2)": 6.579059115353248, "PR(:5)": 25, "TM(2:10)": 7.337982577537458, "PR(2:10)": 55.920940884646754,
				"PR(:10)": 62.5, "TC(2:10)": 4.47367527077174, "TS(2:10)": 32.8277511944832}},
			{"Mixed", t1, map[string]float64{"ts90": 47.1018007570428, "IQM": 7.766600517553841, "tm90": 6.5419167718115006, "TS(25%:75%)": 31.066402070215364,
				"TM(:100%)": 6.885721530307785, "TS(:100%)": 55.08577224246228, "TS(2:10)": 55.08577224246228, "p1": 2.005554439328345, "p10": 2.056243724701127, "p25": 2.143588810000001, "p40": 6.98893139291075, "p50": 7.168838993848631,
				"p60": 7.353377738384236, "p75": 9.8995692015674, "p90": 9.959705991913674, "tc90": 7.2, "TC(25%:75%)": 4, "PR(:5)": 25, "TC(2:10)": 8, "PR(2:10)": 100}},
			{"Weighted", t0, map[string]float64{"p0": 2, "p1": 2.003469719155028, "p10": 2.0349693249139893, "p25": 2.088573071160998, "p40": 2.143588810000001,
				"p50": 9.874619498547638, "p60": 9.8995692015674, "p75": 9.9371120042735, "p90": 9.974797183077614, "p100": 10,
				"tc90": 4.5, "ts90": 28.924448962219458, "IQM": 7.5604922241921155, "tm90": 6.427655324937657, "TC(25%:75%)": 2.5, "TS(25%:75%)": 18.90123056048029,
				"PR(2:10)": 100, "PR(:2)": 0, "PR(:5)": 40, "TM(:100%)": 6.78363756474229, "TS(:100%)": 33.91818782371145, "TC(2:10)": 5}},
			{"Weighted", t1, map[string]float64{"p50": 9.874619498547638, "tc90": 45, "ts90": 289.2444896221946, "IQM": 7.560492224192116, "TS(:100%)": 339.18187823711446}},
			{"Weighted", t2, map[string]float64{"p1": 2.0023124777879193, "p50": 2.118960691860734, "p75": 9.905816470975571, "p90": 9.962219603955408,
				"ts90": 21.074507598569653, "IQM": 4.434568458019777, "tm90": 4.683223910793256, "PR(:5)": 60, "TS(:100%)": 26.065115890807633}},
			{"ZeroEdges", t0, map[string]float64{"p0": 1, "p1": 1.9533659507652543, "p50": 10.007445293015875, "p90": 10.663956088557203, "p100": 20,
				"ts90": 29.742651419915695, "IQM": 7.728026691175579, "tm90": 6.609478093314599, "PR(2:10)": 38.62709338405757, "TS(:100%)": 35.11896383879403,
				"PR(:2)": 10.526494584565196, "PR(:10)": 49.15358796862276, "TC(2:10)": 1.9313546692028782, "TS(2:10)": 7.595559035813022, "TM(2:10)": 3.9327624060618094}},
			{"ZeroEdges", t1, map[string]float64{"p0": 1, "p1": 4.599354551079401, "p50": 4.819248325194279, "p90": 5.006524885007128, "p100": 20,
				"TM(:100%)": 4.824721635675083, "tc90": 0.9, "ts90": 4.3215720936689666, "PR(:5)": 88.14567895074246, "PR(:2)": 0}},
			{"Tight", t0, map[string]float64{"p50": 9.999499987499378, "p90": 10.079819514511751, "tm90": 9.99, "IQM": 10, "TS(2:10)": 24.875, "TM(2:10)": 9.95, "ts90": 44.955}},
			{"Tight", t1, map[string]float64{"p1": 1.9901990116088557, "p25": 1.9949812654982648, "p50": 1.999974999843748, "p90": 2.0079909879315743,
				"TM(:100%)": 2, "tm90": 1.999, "ts90": 7.196400000000001, "IQM": 2, "PR(:2)": 50.000000000000554, "TC(2:10)": 1.9999999999999778,
				"TS(2:10)": 4.009999999999955, "TM(2:10)": 2.005}},
			{"Scaled", t0, map[string]float64{"TS(:100%)": 336.63962742266136, "TM(:100%)": 67.32792548453227, "tm90": 63.72531318850926, "IQM": 74.79252816667898, "PR(2:10)": 0}},
			{"Scaled", t1, map[string]float64{"TM(:100%)": 0.6835258271580298, "TS(:100%)": 3.4176291357901487, "PR(:2)": 100}},
			{"Uniform", t0, map[string]float64{"p1": 1.009576582776887, "p10": 1.1, "p25": 2.992374046230249, "p40": 4.177248169415655, "p50": 5.054470284992944,
				"p60": 6.115909044841463, "p75": 7.761447620208641, "p90": 9.849732675807628, "PR(:2)": 12.6316236461413, "PR(:5)": 48.81456789507425,
				"PR(:10)": 100, "PR(2:10)": 87.36837635385871, "TC(2:10)": 8.73683763538587, "tc90": 9, "ts90": 44.93892108480814, "IQM": 5.403085690619041,
				"tm90": 4.993213453867572, "TC(25%:75%)": 5, "TS(25%:75%)": 27.015428453095204, "TM(:100%)": 5.485312148898441, "TS(:100%)": 54.85312148898441,
				"TM(2:10)": 6.098987764919862, "TS(2:10)": 53.285865842309796,
				// The zero-bin phase's ranges of values, winsorized means included.
				"TM(1.1:1.99)": 1.9693585500000004, "TC(1.1:1.99)": 0.2118465527910592, "TS(1.1:1.99)": 0.4172018200270989, "WM(1.1:1.99)": 1.9005627179972895,
				"TC(1.1:2.15)": 1, "TS(1.1:2.15)": 2.046152955000001, "WM(1.1:2.15)": 2.0346152955, "WM(1.099:2.15)": 2.0345157955, "WM(1.1:2)": 1.9093252135385863}},
			{"Uniform", t1, map[string]float64{"p1": 1.009576582776887, "p25": 3.064531223605408, "p40": 6.889724791419268, "p50": 7.055861472916946,
				"p60": 7.226004322697782, "p75": 11.095970673828651, "p90": 11.918176537727234, "PR(2:10)": 60, "TC(2:10)": 6, "TS(2:10)": 34.24704486999857,
				"PR(:2)": 10, "PR(:5)": 30, "PR(:10)": 70, "ts90": 58.01107646524391, "IQM": 7.051979596891094, "tm90": 6.4456751628048785,
				"TS(25%:75%)": 35.25989798445547, "TM(:100%)": 8.004215327829954, "TS(:100%)": 80.04215327829954, "TM(2:10)": 5.707840811666428,
				"TC(1.1:1.99)": 0, "TS(1.1:1.99)": 0, "WM(1.1:1.99)": 1.9010000000000002, "WM(1.099:2.15)": 2.0449005, "WM(1.1:2)": 1.9100000000000001}},
		} {
			var names []string
			for k := range c.want {
				names = append(names, k)
			}
			key := fmt.Sprintf("%s%d", c.metric, int(c.at.Sub(t0)/time.Minute))
			names = append(names, none[key]...)
			got := e.extended(c.metric, c.at, names...)
			for _, k := range names {
				v, ok := got[k]
				if w, given := c.want[k]; !given {
					if ok {
						e.Errorf("%s %s = %v, AWS gave none", key, k, v)
					}
				} else if !ok || !near(v, w) {
					e.Errorf("%s %s = %v (given %v), AWS %v", key, k, v, ok, w)
				}
			}
		}
		// Values put only with counts of 0: GetMetricData has no datapoint of them
		// (visibility-*), GetMetricStatistics a SampleCount of 0, an Average of NaN,
		// the Minimum and Maximum as p0 and p100, and for 0 alone its percentiles, 0
		// (statistics-AllZero-percentile).
		md := apptest.Must(e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(t2), MetricDataQueries: []types.MetricDataQuery{
			{Id: aws.String("q0"), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("AllZero")}, Period: aws.Int32(60), Stat: aws.String("SampleCount")}}}}))
		if len(md.MetricDataResults) != 1 || len(md.MetricDataResults[0].Values) != 0 {
			e.Errorf("AllZero in GetMetricData: %+v", md.MetricDataResults)
		}
		out := apptest.Must(e.cw.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("AllZero"),
			StartTime: aws.Time(t0), EndTime: aws.Time(t2), Period: aws.Int32(60), Statistics: []types.Statistic{types.StatisticSampleCount, types.StatisticSum,
				types.StatisticMinimum, types.StatisticMaximum, types.StatisticAverage}, ExtendedStatistics: []string{"p0", "p1", "p50", "p90", "p100"}}))
		if len(out.Datapoints) != 2 {
			e.Fatalf("AllZero: %d datapoints", len(out.Datapoints))
		}
		for _, d := range out.Datapoints {
			lo, hi, pcts := 1.0, 2.0, map[string]float64{"p0": 1, "p100": 2}
			if d.Timestamp.Equal(t1) {
				lo, hi, pcts = 0, 0, map[string]float64{"p0": 0, "p1": 0, "p50": 0, "p90": 0, "p100": 0}
			}
			if d.Timestamp.Equal(t0) {
				// statistics-AllZero-fixed: the empty bins of 1 and 2 answer ranges of
				// values.
				fixed := e.extended("AllZero", t0, "PR(:2)", "PR(2:10)", "TC(2:10)", "TS(2:10)", "TM(2:10)", "TM(:100%)", "tc90")
				if len(fixed) != 4 || fixed["PR(:2)"] != 0 || fixed["PR(2:10)"] != 0 || fixed["TC(2:10)"] != 0 || !math.IsNaN(fixed["TS(2:10)"]) {
					e.Errorf("AllZero ranges: %v", fixed)
				}
			} else if fixed := e.extended("AllZero", t1, "PR(:2)", "TC(2:10)", "TS(2:10)"); len(fixed) != 0 {
				e.Errorf("AllZero 0: %v", fixed)
			}
			if aws.ToFloat64(d.SampleCount) != 0 || aws.ToFloat64(d.Sum) != 0 || d.Average == nil || !math.IsNaN(*d.Average) ||
				aws.ToFloat64(d.Minimum) != lo || aws.ToFloat64(d.Maximum) != hi || fmt.Sprint(d.ExtendedStatistics) != fmt.Sprint(pcts) {
				e.Errorf("AllZero at %v: %+v %v", d.Timestamp, d, d.ExtendedStatistics)
			}
		}
	})
}

// alarm_delivery.json, history_retained_after_delete: a failed action's history
// data has the keys of a successful one, publishedMessage null and the error.
func TestAlarmActionFailureHistoryRecorded2026(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	topic := "arn:aws:sns:us-east-1:000000000000:missing"
	in := alarmInput("fails")
	in.AlarmActions = []string{topic}
	apptest.Must(e.cw.PutMetricAlarm(ctx, in))
	e.set("fails", types.StateValueAlarm)
	h := apptest.Must(e.cw.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("fails"), HistoryItemType: types.HistoryItemTypeAction}))
	if len(h.AlarmHistoryItems) != 1 {
		t.Fatalf("%d history items", len(h.AlarmHistoryItems))
	}
	data := aws.ToString(h.AlarmHistoryItems[0].HistoryData)
	var keys []string
	dec := json.NewDecoder(strings.NewReader(data))
	var fields map[string]any
	if err := json.Unmarshal([]byte(data), &fields); err != nil {
		t.Fatal(err)
	}
	dec.Token()
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var v any
		_ = dec.Decode(&v)
	}
	if strings.Join(keys, ",") != "actionState,stateUpdateTimestamp,notificationResource,publishedMessage,error,muteWindowEndTimestamp" ||
		fields["actionState"] != "Failed" || fields["notificationResource"] != topic || fields["publishedMessage"] != nil || fields["error"] == nil || fields["muteWindowEndTimestamp"] != nil {
		t.Fatalf("history data %s", data)
	}
}

// extreme_bin_boundaries.json, publish-*: AWS takes values down to the smallest
// double and up to 2^360 exactly; a singleton keeps its exact statistics and
// percentiles.
func TestExtremeValuesRecorded2026(t *testing.T) {
	forEachProtocol(t, func(e *env) {
		at := e.p.Clock.Now().Truncate(time.Minute).Add(-5 * time.Minute)
		for i, vs := range [][]float64{{5e-324}, {5e-324, 1e-323, 2e-323, 4e-323}, {2.225073858507201e-308}, {1e-300, 2e-300, 4e-300, 8e-300},
			{2.3485425827738332e+108}, {5e-324, 1e-200, 1.0, 2.3485425827738332e+108}} {
			apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
				{MetricName: aws.String(fmt.Sprintf("Extreme%d", i)), Timestamp: aws.Time(at), Values: vs}}}))
		}
		got := e.extended("Extreme0", at, "p0", "p10", "p50", "p90", "p100")
		for _, k := range []string{"p0", "p10", "p50", "p90", "p100"} {
			if got[k] != 5e-324 {
				e.Errorf("smallest-subnormal-singleton %s = %v", k, got[k])
			}
		}
	})
}

// extreme_bin_boundaries.json, negative-*-control: with a negative value the
// percentiles and the statistics of ranks are left out, but ranges of values are
// given, counting the values from 0 up among all of them.
func TestNegativeValuesRecorded2026(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	at := e.p.Clock.Now().Truncate(time.Minute).Add(-5 * time.Minute)
	apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("Subnormal"), Timestamp: aws.Time(at), Values: []float64{-5e-324, 5e-324}, Counts: []float64{1, 1}},
		{MetricName: aws.String("Tiny"), Timestamp: aws.Time(at), Values: []float64{-1e-200, 1e-200}, Counts: []float64{1, 1}},
	}}))
	for _, m := range []string{"Subnormal", "Tiny"} {
		got := e.extended(m, at, "p0", "p10", "p50", "p90", "p100", "TM(0%:100%)", "TC(0%:100%)", "WM(10%:90%)", "PR(0:1)", "TC(0:1)")
		if fmt.Sprint(len(got), got["PR(0:1)"], got["TC(0:1)"], got["p0"] < 0, got["p100"] > 0) != "4 50 1 true true" {
			e.Errorf("%s: %v", m, got)
		}
	}
}

// sns_publications.json, dependency_evidence: an action to a topic whose policy does
// not let CloudWatch publish fails with AWS's summary and error.
func TestAlarmActionUnauthorizedTopicRecorded2026(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	snsc := sns.NewFromConfig(e.p.RootConfig())
	topic := aws.ToString(apptest.Must(snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("closed")})).TopicArn)
	apptest.Must(snsc.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String("Policy"),
		AttributeValue: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"SNS:Publish","Resource":"` + topic + `"}]}`)}))
	in := alarmInput("closed")
	in.AlarmActions = []string{topic}
	apptest.Must(e.cw.PutMetricAlarm(ctx, in))
	e.set("closed", types.StateValueAlarm)
	h := apptest.Must(e.cw.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("closed"), HistoryItemType: types.HistoryItemTypeAction}))
	if len(h.AlarmHistoryItems) != 1 {
		t.Fatalf("%d history items", len(h.AlarmHistoryItems))
	}
	var data struct{ Error string }
	_ = json.Unmarshal([]byte(aws.ToString(h.AlarmHistoryItems[0].HistoryData)), &data)
	if aws.ToString(h.AlarmHistoryItems[0].HistorySummary) != "Failed to execute action "+topic ||
		data.Error != "CloudWatch Alarms is not authorized to perform: SNS:Publish on resource:"+topic {
		t.Fatalf("%q %s", aws.ToString(h.AlarmHistoryItems[0].HistorySummary), aws.ToString(h.AlarmHistoryItems[0].HistoryData))
	}
}

// sns_publications.json, recovery-alarm-authorized-history-0: the email of an alarm
// without a unit says so.
func TestAlarmEmailWithoutUnitRecorded2026(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	topic := aws.ToString(apptest.Must(sns.NewFromConfig(e.p.RootConfig()).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("open")})).TopicArn)
	in := alarmInput("scalar")
	in.AlarmActions, in.Statistic, in.Unit = []string{topic}, types.StatisticSum, ""
	apptest.Must(e.cw.PutMetricAlarm(ctx, in))
	e.set("scalar", types.StateValueAlarm)
	h := apptest.Must(e.cw.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("scalar"), HistoryItemType: types.HistoryItemTypeAction}))
	var data struct{ PublishedMessage string }
	var pub struct{ Default, Email string }
	if len(h.AlarmHistoryItems) != 1 || json.Unmarshal([]byte(aws.ToString(h.AlarmHistoryItems[0].HistoryData)), &data) != nil || json.Unmarshal([]byte(data.PublishedMessage), &pub) != nil {
		t.Fatalf("history %+v", h.AlarmHistoryItems)
	}
	if !strings.Contains(pub.Email, "\n- Statistic:                           Sum\n- Unit:                                not specified\n") ||
		!strings.Contains(pub.Default, `"StatisticType":"Statistic","Statistic":"SUM","Unit":null,`) {
		t.Fatalf("email %q\ndefault %s", pub.Email, pub.Default)
	}
}

// exact_bin_boundaries.json, statistic-precision-*: GetMetricData takes the numbers
// of its statistics with up to ten decimal places, percentiles included; eleven,
// even zeros, are not a valid statistic.
func TestStatisticPrecisionRecorded2026(t *testing.T) {
	e := newEnv(t, protocols[1].opt)
	now := e.p.Clock.Now().Truncate(time.Minute)
	q := func(stat string) error {
		_, err := e.cw.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), MetricDataQueries: []types.MetricDataQuery{
			{Id: aws.String("q"), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("M")}, Period: aws.Int32(1), Stat: aws.String(stat)}}}})
		return err
	}
	for _, s := range []string{"p99.1234567890", "TC(0.1234567890:1)", "p99.9"} {
		if err := q(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"p99.12345678901", "p99.00000000000", "TC(0.12345678901:1)", "TC(0.00000000000:1)", "PR(0.12345678901:1)", "TM(0.12345678901%:90%)", "wm99.12345678901"} {
		wantError(t, q(s), "ValidationError", 400, "The value for parameter MetricDataQueries.member.1.MetricStat.Stat is not a valid statistic.")
	}
}

// exact_bin_boundaries.json, power-2-* and power-3-*: a value's bin is
// floor(ln v / ln 1.1) on the double itself — 1.21 lies in the bin below
// 1.2100000000000002, 1.3310000000000002 below 1.3310000000000004.
func TestExactBinBoundariesRecorded2026(t *testing.T) {
	e := newEnv(t, protocols[0].opt)
	at := e.p.Clock.Now().Truncate(time.Minute).Add(-10 * time.Minute)
	for i, c := range []struct {
		v, lo, hi     float64
		p25, p50, p75 float64
	}{
		{1.21, 0.726, 1.936, 1.1198344238361624, 1.153689732987167, 1.1885685702002786},
		{1.2100000000000002, 0.726, 1.936, 1.2318178662197787, 1.2690587062858836, 1.3074254272203065},
		{1.3310000000000002, 0.7986, 2.1296, 1.2318178662197787, 1.2690587062858836, 1.3074254272203065},
		{1.3310000000000004, 0.7986, 2.1296, 1.3549996528417567, 1.395964576914472, 1.4381679699423373},
		{1.1, 0.66, 1.7600000000000002, 1.1198344238361624, 1.153689732987167, 1.1885685702002786},
	} {
		m := at.Add(time.Duration(i) * time.Minute)
		apptest.Must(e.cw.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{
			{MetricName: aws.String("Edge"), Timestamp: aws.Time(m), Values: []float64{c.lo, c.v, c.hi}, Counts: []float64{1, 8, 1}}}}))
		got := e.extended("Edge", m, "p25", "p50", "p75")
		if !near(got["p25"], c.p25) || !near(got["p50"], c.p50) || !near(got["p75"], c.p75) {
			t.Errorf("%v: %v, AWS %v %v %v", c.v, got, c.p25, c.p50, c.p75)
		}
	}
}
