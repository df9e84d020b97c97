package wire_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"

	"github.com/fxamacker/cbor/v2"

	cwapi "github.com/palisade/palisade/internal/api/cloudwatch"
	gdapi "github.com/palisade/palisade/internal/api/guardduty"
	inspapi "github.com/palisade/palisade/internal/api/inspector2"
	kmsapi "github.com/palisade/palisade/internal/api/kms"
	logsapi "github.com/palisade/palisade/internal/api/logs"
	macieapi "github.com/palisade/palisade/internal/api/macie2"
	sqsapi "github.com/palisade/palisade/internal/api/sqs"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/wire"
)

// The fuzz targets feed arbitrary requests through Resolve and Decode. Beyond never
// panicking, whatever Decode accepts must fit the operation's generated Go type and
// survive validation, and every error must encode.

// checkDecoded asserts the fuzz invariants for one request through protocol p.
func checkDecoded(t *testing.T, p wire.Protocol, svc *model.Service, hr *http.Request, body []byte) {
	r := &wire.Request{HTTP: hr, Service: svc}
	meta := wire.Response{RequestID: "fuzz"}
	if p.ReadsBodyToResolve() {
		r.Body = body
	}
	op, labels, e := p.Resolve(r)
	if e != nil {
		p.EncodeError(httptest.NewRecorder(), r, e, meta)
		return
	}
	r.Op, r.Labels = op, labels
	if !p.ReadsBodyToResolve() {
		r.Body = body
	}
	in, e := p.Decode(r)
	if e != nil {
		if e.Status < 400 || e.Code == "" {
			t.Fatalf("%s: bad error %+v", op.Name, e)
		}
		p.EncodeError(httptest.NewRecorder(), r, e, meta)
		return
	}
	if in == nil {
		t.Fatalf("%s: nil input without an error", op.Name)
	}
	if op.Input == nil {
		return
	}
	if err := model.Unmarshal(in, reflect.New(op.InputType).Interface()); err != nil {
		t.Fatalf("%s: decoded input does not fit %s: %v", op.Name, op.InputType, err)
	}
	if vs := model.Validate(op.Input, in); len(vs) > 0 {
		p.EncodeError(httptest.NewRecorder(), r, wire.ValidationError(svc, vs), meta)
	}
}

func FuzzJSONDecode(f *testing.F) {
	services := []*model.Service{kmsapi.Service, sqsapi.Service, logsapi.Service, cwapi.Service}
	f.Add(uint8(0), "Encrypt", []byte(`{"KeyId":"alias/k","Plaintext":"AHNlY3JldP8=","EncryptionContext":{"a":"b"},"GrantTokens":["g"]}`))
	f.Add(uint8(0), "CreateKey", []byte(`{"Description":"d","Tags":[{"TagKey":"k","TagValue":"v"}],"MultiRegion":true}`))
	f.Add(uint8(0), "ListKeys", []byte(`{"Limit":2.5,"Marker":null}`))
	f.Add(uint8(1), "SendMessage", []byte(`{"QueueUrl":"q","MessageBody":"b","DelaySeconds":1,"MessageAttributes":{"a":{"DataType":"Binary","BinaryValue":"AAE="}}}`))
	f.Add(uint8(1), "ReceiveMessage", []byte(`{"QueueUrl":"q","MaxNumberOfMessages":10,"MessageAttributeNames":["All"]}`))
	f.Add(uint8(2), "PutLogEvents", []byte(`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1700000000000,"message":"m"}]}`))
	f.Add(uint8(3), "PutMetricData", []byte(`{"Namespace":"n","MetricData":[{"MetricName":"m","Value":"NaN","Timestamp":1.7e9,"Values":[1,"Infinity"]}]}`))
	f.Add(uint8(3), "GetMetricStatistics", []byte(`{"StartTime":"2025-01-01T00:00:00Z","EndTime":1e300,"Period":60}`))
	f.Fuzz(func(t *testing.T, which uint8, op string, body []byte) {
		svc := services[int(which)%len(services)]
		hr := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		hr.Header.Set("X-Amz-Target", svc.TargetPrefix+"."+op)
		hr.Header.Set("Content-Type", "application/x-amz-json-1.0")
		p, _ := wire.Lookup("json")
		checkDecoded(t, p, svc, hr, body)
	})
}

func FuzzRestJSONDecode(f *testing.F) {
	services := []*model.Service{gdapi.Service, macieapi.Service, inspapi.Service}
	f.Add(uint8(0), "POST", "/detector", "", []byte(`{"enable":true,"clientToken":"t","tags":{"a":"b"},"dataSources":{"s3Logs":{"enable":true}}}`))
	f.Add(uint8(0), "GET", "/detector?maxResults=5&nextToken=x", "", []byte(nil))
	f.Add(uint8(0), "POST", "/detector/abc", "", []byte(`{"enable":false,"findingPublishingFrequency":"SIX_HOURS"}`))
	f.Add(uint8(0), "POST", "/detector/abc/findings/get", "", []byte(`{"findingIds":["a","b"],"sortCriteria":{"attributeName":"x","orderBy":"ASC"}}`))
	f.Add(uint8(1), "GET", "/findings/filters/%2Fx?nextToken=1", "", []byte(nil))
	f.Add(uint8(1), "POST", "/jobs", "", []byte(`{"jobType":"ONE_TIME","name":"n","s3JobDefinition":{"bucketDefinitions":[{"accountId":"1","buckets":["b"]}]}}`))
	f.Add(uint8(2), "POST", "/findings/list", "", []byte(`{"maxResults":10,"filterCriteria":{"awsAccountId":[{"comparison":"EQUALS","value":"1"}]}}`))
	f.Add(uint8(2), "GET", "/tags/arn%3Aaws%3Ax", "Mon, 02 Jan 2006 15:04:05 GMT", []byte(nil))
	f.Fuzz(func(t *testing.T, which uint8, method, target, header string, body []byte) {
		svc := services[int(which)%len(services)]
		u, err := url.ParseRequestURI(target)
		if err != nil || !validMethod(method) {
			return
		}
		hr := &http.Request{Method: method, URL: u, Header: http.Header{}, Body: http.NoBody}
		hr.Header.Set("Content-Type", "application/json")
		if header != "" {
			// Header-bound members are few; spread the value over the common ones.
			for _, h := range []string{"If-Modified-Since", "X-Amz-Client-Token", "Retry-After", "Content-Type"} {
				hr.Header.Set(h, header)
			}
		}
		p, _ := wire.Lookup("rest-json")
		checkDecoded(t, p, svc, hr, body)
	})
}

func validMethod(m string) bool {
	switch m {
	case "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD":
		return true
	}
	return false
}

func FuzzCBORDecode(f *testing.F) {
	f.Add("PutMetricData", mustCBORSeed(map[string]any{"Namespace": "n", "MetricData": []any{map[string]any{"MetricName": "m", "Value": 1.5, "Values": []float64{1, 2}}}}))
	f.Add("GetMetricStatistics", mustCBORSeed(map[string]any{"Namespace": "n", "MetricName": "m", "Period": 60, "Statistics": []string{"Sum"}}))
	f.Add("DescribeAlarms", mustCBORSeed(map[string]any{"AlarmNames": []string{"a"}, "MaxRecords": 5}))
	f.Add("DescribeAlarms", []byte{0xbf, 0x6a, 'M', 'a', 'x', 'R', 'e', 'c', 'o', 'r', 'd', 's', 0x05, 0xff})
	f.Add("GetMetricStatistics", []byte{0xa1, 0x69, 'S', 't', 'a', 'r', 't', 'T', 'i', 'm', 'e', 0xc1, 0xfb, 0x41, 0xd9, 0x4f, 0x1f, 0x40, 0x00, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		hr := httptest.NewRequest(http.MethodPost, "/service/GraniteServiceVersion20100801/operation/"+url.PathEscape(op), bytes.NewReader(body))
		hr.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
		p, _ := wire.Lookup("smithy-rpc-v2-cbor")
		checkDecoded(t, p, cwapi.Service, hr, body)
	})
}

func mustCBORSeed(v any) []byte {
	b, err := cbor.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
