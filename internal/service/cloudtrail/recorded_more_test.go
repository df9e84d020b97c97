package cloudtrail_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// More of AWS's answers recorded in us-east-1 in 2026 (the stackd repository's
// testdata/aws/cloudtrail/*.json, named by each case).

// TestRecordedReadWriteTrails: two trails share a bucket under their own key prefixes,
// admitted by one policy naming both trails; one logs reads, the other writes, by
// advanced selectors. GetEventSelectors answers each selector's fields in AWS's order,
// not the order given nor the names' (service_controls_delivery.json).
func TestRecordedReadWriteTrails(t *testing.T) {
	e := newEnv(t)
	const prefix = "stackd-audit-bfda54c05859"
	logs, data := prefix+"-logs", prefix+"-data"
	trailARN := func(kind string) string {
		return "arn:aws:cloudtrail:us-east-1:" + account + ":trail/" + prefix + "-" + kind
	}
	apptest.Must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(logs)}))
	apptest.Must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(data)}))
	e.buckets = append(e.buckets, logs)
	// log-bucket-policy, as recorded.
	apptest.Must(e.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(logs), Policy: aws.String(`{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::` + logs + `",
		 "Condition": {"StringEquals": {"aws:SourceArn": ["` + trailARN("read") + `", "` + trailARN("write") + `"]}}},
		{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
		 "Resource": ["arn:aws:s3:::` + logs + `/read/AWSLogs/` + account + `/*", "arn:aws:s3:::` + logs + `/write/AWSLogs/` + account + `/*"],
		 "Condition": {"StringEquals": {"aws:SourceArn": ["` + trailARN("read") + `", "` + trailARN("write") + `"], "s3:x-amz-acl": "bucket-owner-full-control"}}}]}`)}))

	f := func(field string, eq, sw []string) types.AdvancedFieldSelector {
		return types.AdvancedFieldSelector{Field: aws.String(field), Equals: eq, StartsWith: sw}
	}
	names := func(s types.AdvancedEventSelector) string {
		var out []string
		for _, fs := range s.FieldSelectors {
			out = append(out, *fs.Field)
		}
		return strings.Join(out, ",")
	}
	for _, kind := range []string{"read", "write"} {
		name := aws.String(prefix + "-" + kind)
		// create-read-trail, create-write-trail.
		out := apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: name, S3BucketName: aws.String(logs), S3KeyPrefix: aws.String(kind),
			IsMultiRegionTrail: aws.Bool(false), IncludeGlobalServiceEvents: aws.Bool(false)}))
		if aws.ToString(out.S3KeyPrefix) != kind || *out.IncludeGlobalServiceEvents || *out.IsMultiRegionTrail || *out.LogFileValidationEnabled ||
			*out.IsOrganizationTrail || aws.ToString(out.TrailARN) != trailARN(kind) {
			t.Errorf("CreateTrail %s: %+v", kind, out)
		}
		ro := []string{"true"}
		if kind == "write" {
			ro = []string{"false"}
		}
		// select-read, select-write.
		in := []types.AdvancedEventSelector{
			{Name: aws.String("management"), FieldSelectors: []types.AdvancedFieldSelector{f("eventCategory", []string{"Management"}, nil), f("readOnly", ro, nil)}},
			{Name: aws.String("objects"), FieldSelectors: []types.AdvancedFieldSelector{f("eventCategory", []string{"Data"}, nil), f("readOnly", ro, nil),
				f("resources.type", []string{"AWS::S3::Object"}, nil), f("resources.ARN", nil, []string{"arn:aws:s3:::" + data + "/"})}},
			{Name: aws.String("queue"), FieldSelectors: []types.AdvancedFieldSelector{f("eventCategory", []string{"Data"}, nil), f("readOnly", ro, nil),
				f("resources.type", []string{"AWS::SQS::Queue"}, nil), f("resources.ARN", []string{"arn:aws:sqs:us-east-1:" + account + ":" + prefix + "-queue"}, nil)}},
		}
		put := apptest.Must(e.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: name, AdvancedEventSelectors: in}))
		// get-read-selectors, get-write-selectors.
		got := apptest.Must(e.ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: name}))
		for i, want := range []string{"eventCategory,readOnly", "eventCategory,resources.ARN,readOnly,resources.type", "eventCategory,resources.ARN,readOnly,resources.type"} {
			if g := names(got.AdvancedEventSelectors[i]); g != want {
				t.Errorf("%s: GetEventSelectors %s fields %s, want %s", kind, *got.AdvancedEventSelectors[i].Name, g, want)
			}
			if g, w := names(put.AdvancedEventSelectors[i]), names(in[i]); g != w {
				t.Errorf("%s: PutEventSelectors %s fields %s, want %s", kind, *put.AdvancedEventSelectors[i].Name, g, w)
			}
		}
		apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: name}))
	}

	// The read trail's files hold S3's read management calls on the data bucket
	// (GetBucketEncryption, readOnly, Management); the write trail's none of them.
	e.p.Clock.Advance(time.Minute)
	apptest.Must(e.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(data)}))
	apptest.Must(e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(data), Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}))
	e.advance(10 * time.Minute)
	seen := map[string]map[string]bool{"read": {}, "write": {}}
	for key, recs := range records(t, e.files()) {
		kind, _, _ := strings.Cut(key, "/")
		if !strings.HasPrefix(key, kind+"/AWSLogs/"+account+"/CloudTrail/us-east-1/") {
			t.Errorf("file %s", key)
		}
		for _, r := range recs {
			if r["readOnly"] != (kind == "read") || r["eventCategory"] != "Management" {
				t.Errorf("%s trail logged %v %v readOnly %v", kind, r["eventCategory"], r["eventName"], r["readOnly"])
			}
			seen[kind][r["eventName"].(string)] = true
		}
	}
	if !seen["read"]["GetBucketEncryption"] || !seen["write"]["PutBucketTagging"] {
		t.Errorf("delivered %v", seen)
	}
	// Each trail's bucket check left its empty object under its own prefix, and only
	// there (cleanup-objects-stackd-audit-bfda54c05859-logs lists them).
	var markers []string
	for _, o := range apptest.Must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(logs)})).Contents {
		if *o.Size == 0 {
			markers = append(markers, *o.Key)
		}
	}
	if got := strings.Join(markers, ","); got != "read/AWSLogs/"+account+"/CloudTrail/,write/AWSLogs/"+account+"/CloudTrail/" {
		t.Errorf("empty objects %s", got)
	}
}

// TestRecordedTargetPrefixes: LookupEvents answers under both X-Amz-Target prefixes
// clients send, the model's full one (AWS CLI, JavaScript SDK) and its last part (the
// Smithy SDKs); any other prefix, even one differing only in its version, is an
// unknown operation (targets.json's native observations).
func TestRecordedTargetPrefixes(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		target string
		status int
		body   string
	}{
		{"CloudTrail_20131101.LookupEvents", 200, `{"Events":[`},
		{"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", 200, `{"Events":[`},
		{"example.CloudTrail_20131101.LookupEvents", 400, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`},
		{"com.amazonaws.cloudtrail.v20131102.CloudTrail_20131101.LookupEvents", 400, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`},
	} {
		const body = `{"MaxResults":1}`
		req, _ := http.NewRequest(http.MethodPost, e.p.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", tc.target)
		sum := sha256.Sum256([]byte(body))
		apptest.SignAsRoot(t, req, "cloudtrail", hex.EncodeToString(sum[:]))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.HasPrefix(string(b), tc.body) {
			t.Errorf("%s: %d %s", tc.target, resp.StatusCode, b)
		}
	}
}
