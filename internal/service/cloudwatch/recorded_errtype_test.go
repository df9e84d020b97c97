package cloudwatch_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/palisade/palisade/internal/app/apptest"
)

// exact_bin_boundaries.json, statistic-precision-p99.12345678901: AWS refuses a
// statistic with eleven decimal places with ValidationError, 400, "The value for
// parameter MetricDataQueries.member.1.MetricStat.Stat is not a valid statistic.".
// The recording is the CLI's resolved code, which over json and rpc-v2-cbor comes from
// x-amzn-query-error, so that header, the status and the message are pinned on every
// protocol. The body's __type is not in the recording: it is Coral's
// ValidationException, the exception Coral's query protocol spells ValidationError,
// in Coral's validate namespace (see wire's coralTypes).
func TestValidationErrorWireRecorded2026(t *testing.T) {
	p := apptest.Start(t)
	const validationType = "com.amazon.coral.validate#ValidationException"
	const msg = "The value for parameter MetricDataQueries.member.1.MetricStat.Stat is not a valid statistic."

	q := cbor.Map{"Id": cbor.String("q"), "MetricStat": cbor.Map{
		"Metric": cbor.Map{"Namespace": cbor.String("App"), "MetricName": cbor.String("M")},
		"Period": cbor.Uint(1), "Stat": cbor.String("p99.12345678901")}}
	body := cbor.Encode(cbor.Map{"StartTime": cbor.Tag{ID: 1, Value: cbor.Uint(1789358400)}, "EndTime": cbor.Tag{ID: 1, Value: cbor.Uint(1789358401)},
		"MetricDataQueries": cbor.List{q}})
	resp, b := postCBOR(t, p, "GetMetricData", body)
	v, err := cbor.Decode(b)
	m, _ := v.(cbor.Map)
	if err != nil || resp.StatusCode != 400 || m["message"] != cbor.String(msg) || m["__type"] != cbor.String(validationType) || resp.Header.Get("X-Amzn-Query-Error") != "ValidationError;Sender" {
		t.Fatalf("cbor: %d %v %v %v", resp.StatusCode, resp.Header, v, err)
	}

	jbody := `{"StartTime":1789358400,"EndTime":1789358401,"MetricDataQueries":[{"Id":"q","MetricStat":{"Metric":{"Namespace":"App","MetricName":"M"},"Period":1,"Stat":"p99.12345678901"}}]}`
	resp, b = rawCloudWatchAnswer(t, p, "application/x-amz-json-1.0", "GraniteServiceVersion20100801.GetMetricData", jbody)
	var j map[string]any
	if err := json.Unmarshal(b, &j); err != nil || resp.StatusCode != 400 || j["message"] != msg || j["__type"] != validationType || resp.Header.Get("X-Amzn-Query-Error") != "ValidationError;Sender" {
		t.Fatalf("json: %d %v %s", resp.StatusCode, resp.Header, b)
	}

	status, text := rawCloudWatch(t, p, "application/x-www-form-urlencoded", "",
		"Action=GetMetricData&Version=2010-08-01&StartTime=2026-09-14T04:00:00Z&EndTime=2026-09-14T04:00:01Z"+
			"&MetricDataQueries.member.1.Id=q&MetricDataQueries.member.1.MetricStat.Metric.Namespace=App&MetricDataQueries.member.1.MetricStat.Metric.MetricName=M"+
			"&MetricDataQueries.member.1.MetricStat.Period=1&MetricDataQueries.member.1.MetricStat.Stat=p99.12345678901")
	if status != 400 || !strings.Contains(text, "<Type>Sender</Type><Code>ValidationError</Code><Message>"+msg+"</Message>") {
		t.Fatalf("query: %d %s", status, text)
	}
}
