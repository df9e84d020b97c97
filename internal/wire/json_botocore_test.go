package wire_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// botocorePrelude builds a boto3 client for the service named by argv[2] against the
// test server at argv[1] (make_client() builds another); call() records each result (or the parsed error) and the
// script prints them all as JSON, blobs base64-encoded and timestamps in ISO 8601.
const botocorePrelude = `
import base64, datetime, json, sys
import boto3, botocore
from botocore.config import Config

def make_client():
    return boto3.client(sys.argv[2], endpoint_url=sys.argv[1], region_name="us-east-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1}))

client = make_client()
out = {}

def call(name, op, **kw):
    try:
        r = getattr(client, op)(**kw)
        r.pop("ResponseMetadata", None)
        out[name] = r
    except botocore.exceptions.ClientError as e:
        r = dict(e.response)
        r["status"] = r.pop("ResponseMetadata")["HTTPStatusCode"]
        out[name] = r

def enc(o):
    if isinstance(o, (bytes, bytearray)):
        return base64.b64encode(o).decode()
    if isinstance(o, datetime.datetime):
        return o.astimezone(datetime.timezone.utc).isoformat()
    raise TypeError(type(o))
`

// runBotocore runs script after the prelude and returns what it recorded.
func runBotocore(t *testing.T, url, service, script string) map[string]map[string]any {
	t.Helper()
	cmd := exec.Command("python3", "-c", botocorePrelude+script+"\nprint(json.dumps(out, default=enc))\n", url, service)
	cmd.Env = append(cmd.Environ(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	b, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("python3: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("python3: %v", err)
	}
	var out map[string]map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("script output %q: %v", b, err)
	}
	return out
}

// jsonOf renders a decoded value compactly, for comparing whole results.
func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func expect(t *testing.T, out map[string]map[string]any, name, want string) {
	t.Helper()
	if got := jsonOf(out[name]); got != want {
		t.Errorf("%s:\n got %s\nwant %s", name, got, want)
	}
}

func TestBotocoreKMS(t *testing.T) {
	_, url := kmsServer(t)
	out := runBotocore(t, url, "kms", `
call("encrypt", "encrypt", KeyId="alias/k", Plaintext=b"\x00secret\xff", EncryptionContext={"purpose": "test"},
     GrantTokens=["g1", "g2"], EncryptionAlgorithm="SYMMETRIC_DEFAULT")
call("decrypt", "decrypt", CiphertextBlob=b"ct:\x00secret\xff")
call("create", "create_key", Description='a "quoted" <key> & more', KeySpec="SYMMETRIC_DEFAULT", MultiRegion=True,
     Tags=[{"TagKey": "team", "TagValue": "red"}, {"TagKey": "lang", "TagValue": "ünïcode"}])
call("list", "list_keys", Limit=2, Marker="m0")
call("describe", "describe_key", KeyId="k1")
call("missing", "describe_key", KeyId="missing")
call("invalid", "create_key", Description="d" * 8193)
`)
	expect(t, out, "encrypt", `{"CiphertextBlob":"Y3Q6AHNlY3JldP8=","EncryptionAlgorithm":"SYMMETRIC_DEFAULT","KeyId":"arn:aws:kms:us-east-1:000000000000:key/1234"}`)
	expect(t, out, "decrypt", `{"KeyId":"arn:aws:kms:us-east-1:000000000000:key/1234","Plaintext":"AHNlY3JldP8="}`)
	expect(t, out, "create", `{"KeyMetadata":{"Arn":"arn:aws:kms:us-east-1:000000000000:key/1234","CreationDate":"2024-02-03T04:05:06.789000+00:00","Description":"a \"quoted\" \u003ckey\u003e \u0026 more","Enabled":true,"EncryptionAlgorithms":["SYMMETRIC_DEFAULT"],"KeyId":"1234","KeyState":"Enabled"}}`)
	expect(t, out, "list", `{"Keys":[{"KeyArn":"arn:k1","KeyId":"k1"},{"KeyArn":"arn:k2","KeyId":"k2"}],"NextMarker":"m1","Truncated":true}`)
	expect(t, out, "describe", `{"KeyMetadata":{"CreationDate":"2024-02-03T04:05:06.789000+00:00","DeletionDate":"2030-01-01T00:00:00+00:00","Enabled":false,"KeyId":"k1","KeyState":"PendingDeletion"}}`)
	expect(t, out, "missing", `{"Error":{"Code":"NotFoundException","Message":"Key 'arn:aws:kms:us-east-1:000000000000:key/missing' does not exist"},"message":"Key 'arn:aws:kms:us-east-1:000000000000:key/missing' does not exist","status":400}`)
	if e := out["invalid"]["Error"].(map[string]any); e["Code"] != "ValidationException" || len(e["Message"].(string)) < 8193 {
		t.Errorf("invalid: %v", out["invalid"])
	}
}

func TestBotocoreGuardDuty(t *testing.T) {
	url := guardDutyServer(t)
	out := runBotocore(t, url, "guardduty", `
call("create", "create_detector", Enable=True, FindingPublishingFrequency="SIX_HOURS", Tags={"env": "test"},
     DataSources={"S3Logs": {"Enable": True}}, Features=[{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}])
call("get", "get_detector", DetectorId="`+detectorID+`")
call("list", "list_detectors", MaxResults=1, NextToken="tok en/+=")
call("update", "update_detector", DetectorId="`+detectorID+`", Enable=False, FindingPublishingFrequency="FIFTEEN_MINUTES")
call("bad", "get_detector", DetectorId="0000")
`)
	expect(t, out, "create", `{"DetectorId":"`+detectorID+`"}`)
	expect(t, out, "get", `{"CreatedAt":"2025-01-02T03:04:05.678Z","DataSources":{"CloudTrail":{"Status":"ENABLED"},"S3Logs":{"Status":"DISABLED"}},"Features":[{"Name":"S3_DATA_EVENTS","Status":"ENABLED","UpdatedAt":"2025-06-07T08:09:10.500000+00:00"}],"FindingPublishingFrequency":"SIX_HOURS","ServiceRole":"arn:aws:iam::000000000000:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty","Status":"ENABLED","Tags":{"env":"test"}}`)
	expect(t, out, "list", `{"DetectorIds":["`+detectorID+`"],"NextToken":"next"}`)
	expect(t, out, "update", `{}`)
	expect(t, out, "bad", `{"Error":{"Code":"BadRequestException","Message":"The request is rejected because the input detectorId is not owned by the current account."},"Message":"The request is rejected because the input detectorId is not owned by the current account.","status":400}`)
}

// TestBotocoreCloudWatch makes the same calls with botocore's default binding for
// CloudWatch (json 1.0: botocore ranks json above rpc-v2-cbor) and again with the
// protocol ranking patched so that it speaks rpc-v2-cbor, exercising its CBOR parser.
func TestBotocoreCloudWatch(t *testing.T) {
	url, protocols, puts := cloudWatchServer(t)
	calls := func(prefix string) string {
		return strings.ReplaceAll(`
call("PUT", "put_metric_data", Namespace="App/Test", MetricData=[
    {"MetricName": "Latency", "Value": 12.5, "Timestamp": dt.datetime(2025, 3, 4, 5, 30, 15, 250000, tzinfo=utc), "Unit": "Milliseconds",
     "StorageResolution": 1, "Dimensions": [{"Name": "Host", "Value": "a"}]},
    {"MetricName": "Size", "StatisticValues": {"SampleCount": 3, "Sum": 6, "Minimum": -0.25, "Maximum": 1e300}, "Values": [1, 2.75], "Counts": [4, 5]}])
call("PUTstats", "get_metric_statistics", Namespace="App/Test", MetricName="Latency", StartTime=dt.datetime(2025, 3, 4, 5, tzinfo=utc),
     EndTime=dt.datetime(2025, 3, 4, 6, tzinfo=utc), Period=60, Statistics=["Average", "Maximum"], ExtendedStatistics=["p99"])
call("PUTalarms", "describe_alarms", AlarmNames=["high-latency"], MaxRecords=5, StateValue="ALARM")
call("PUTbad", "put_metric_data", Namespace="Bad", MetricData=[{"MetricName": "m", "Value": 1}])
`, "PUT", prefix)
	}
	script := `
import datetime as dt
utc = dt.timezone.utc
` + calls("json") + `
botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS = ("smithy-rpc-v2-cbor", "json", "query")
client = make_client()
` + calls("cbor")
	out := runBotocore(t, url, "cloudwatch", script)
	got := strings.Join(protocols(), " ")
	if got != "json json json json smithy-rpc-v2-cbor smithy-rpc-v2-cbor smithy-rpc-v2-cbor smithy-rpc-v2-cbor" {
		t.Errorf("botocore's requests detected as %s", got)
	}
	for _, p := range []string{"json", "cbor"} {
		expect(t, out, p+"stats", `{"Datapoints":[{"Average":0.3333333333333333,"ExtendedStatistics":{"p99":99.9},"Maximum":1.7976931348623157e+308,"Minimum":-0.000001,"SampleCount":3,"Timestamp":"2025-03-04T05:30:15.250000+00:00","Unit":"Milliseconds"}],"Label":"Latency"}`)
		expect(t, out, p+"alarms", `{"MetricAlarms":[{"ActionsEnabled":true,"AlarmActions":["arn:aws:sns:us-east-1:000000000000:t"],"AlarmArn":"arn:aws:cloudwatch:us-east-1:000000000000:alarm:high-latency","AlarmConfigurationUpdatedTimestamp":"2025-03-04T05:00:00+00:00","AlarmName":"high-latency","ComparisonOperator":"GreaterThanThreshold","Dimensions":[{"Name":"Host","Value":"a"}],"EvaluationPeriods":3,"StateUpdatedTimestamp":"2025-03-04T05:30:15.250000+00:00","StateValue":"ALARM","Threshold":0.1}],"NextToken":"n2"}`)
		expect(t, out, p+"bad", `{"Error":{"Code":"InvalidParameterValue","Message":"The value Bad for parameter Namespace is not valid.","QueryErrorCode":"InvalidParameterValueException","Type":"Sender"},"message":"The value Bad for parameter Namespace is not valid.","status":400}`)
	}
	expect(t, out, "json", `{}`)
	expect(t, out, "cbor", `{}`)
	// botocore sends whole epoch seconds in both protocols (an integer under tag 1 in
	// CBOR), dropping the milliseconds the SDK for Go keeps.
	if p := puts(); len(p) != 2 || !p[0].Equal(cwPoint.Truncate(time.Second)) || !p[1].Equal(cwPoint.Truncate(time.Second)) {
		t.Errorf("PutMetricData timestamps %v", p)
	}
}
