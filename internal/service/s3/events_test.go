package s3_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/model"
	"github.com/palisade/palisade/internal/service/cloudtrail/cttest"
	s3svc "github.com/palisade/palisade/internal/service/s3"
	"github.com/palisade/palisade/internal/store"
)

// events returns the event log's entries of a source.
func (e *env) events(source string) []*store.Event {
	e.Helper()
	var out []*store.Event
	err := e.p.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Events(0, 100000, func(ev *store.Event) bool {
			if ev.Source == source {
				out = append(out, ev)
			}
			return true
		})
	})
	if err != nil {
		e.Fatal(err)
	}
	return out
}

func TestResourceChangeEvents(t *testing.T) {
	e := newEnv(t)
	e.bucket("evented")
	must(0, e.policy("evented", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::evented/*"}]}`))
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("evented"), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	// A failed change emits nothing.
	e.policy("evented", `not json`)
	must(e.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("evented")}))
	must(e.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("evented")}))
	var got []string
	var changes []s3svc.ResourceChange
	for _, ev := range e.events(s3svc.EventSource) {
		var rc s3svc.ResourceChange
		if err := json.Unmarshal(ev.Data, &rc); err != nil {
			t.Fatal(err)
		}
		if ev.Kind != s3svc.EventResourceChange || ev.Account != account || ev.Region != "us-east-1" {
			t.Fatalf("event %+v", ev)
		}
		got = append(got, rc.EventName+"/"+rc.ChangeType+"/"+rc.ConfigurationItem)
		changes = append(changes, rc)
	}
	want := "CreateBucket/CREATE/Bucket PutBucketPolicy/UPDATE/BucketPolicy PutBucketVersioning/UPDATE/BucketVersioningConfiguration DeleteBucketPolicy/UPDATE/BucketPolicy DeleteBucket/DELETE/Bucket"
	if strings.Join(got, " ") != want {
		t.Fatalf("events:\n got %v\nwant %v", got, want)
	}
	c := changes[2].Configuration
	if c == nil || c.Versioning != "Enabled" || c.Policy == "" || c.PublicAccessBlock == nil || !c.PublicAccessBlock.BlockPublicPolicy ||
		changes[2].ARN != "arn:aws:s3:::evented" || changes[2].Principal != "arn:aws:iam::000000000000:root" {
		t.Fatalf("configuration %+v", changes[2])
	}
	if changes[4].Configuration != nil {
		t.Fatal("a deleted bucket has no configuration")
	}
}

// dataTrail starts a trail that logs every S3 data event: CloudTrail records data
// events only while a trail selects them (cloudtrail.TestDataEventsOnlyForTrailsThatSelectThem).
func (e *env) dataTrail() {
	e.Helper()
	cttest.Bucket(e, e.p.RootConfig(), "trail-files")
	trails := cloudtrail.NewFromConfig(e.p.RootConfig())
	must(trails.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("data"), S3BucketName: aws.String("trail-files")}))
	must(trails.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("data"), EventSelectors: []cttypes.EventSelector{{
		DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3"}}}}}}))
	must(trails.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("data")}))
}

func TestDataEventRecords(t *testing.T) {
	e := newEnv(t)
	e.bucket("trail-data")
	e.dataTrail()
	e.put("trail-data", "obj", "x")
	e.get("trail-data", "obj")
	var found map[string]audit.Record = map[string]audit.Record{}
	for _, ev := range e.events(audit.Source) {
		var r audit.Record
		json.Unmarshal(ev.Data, &r)
		found[r.EventName] = r
	}
	put, get, create := found["PutObject"], found["GetObject"], found["CreateBucket"]
	if put.ManagementEvent || put.EventCategory != "Data" || get.EventCategory != "Data" || !get.ReadOnly || put.ReadOnly {
		t.Fatalf("data events: put %+v get %+v", put, get)
	}
	if get.AdditionalEventData["bytesTransferredOut"] != float64(1) || put.AdditionalEventData["SignatureVersion"] != "SigV4" ||
		put.AdditionalEventData["AuthenticationMethod"] != "AuthHeader" {
		t.Fatalf("additionalEventData: put %v get %v", put.AdditionalEventData, get.AdditionalEventData)
	}
	if !create.ManagementEvent || create.EventCategory != "Management" || create.EventSource != "s3.amazonaws.com" {
		t.Fatalf("management event %+v", create)
	}
	// As AWS records them (recorded 2026, stackd
	// testdata/aws/cloudtrail/owned_s3_delivery.json): the bucket, then the object; the
	// user agent in brackets; PutObject's responseElements the encryption header.
	if len(put.Resources) != 2 || put.Resources[1].Type != "AWS::S3::Object" || put.Resources[1].ARN != "arn:aws:s3:::trail-data/obj" ||
		put.Resources[0].Type != "AWS::S3::Bucket" || put.Resources[0].AccountID != account {
		t.Fatalf("resources %+v", put.Resources)
	}
	if !strings.HasPrefix(put.UserAgent, "[aws-sdk-go-v2/") || !strings.HasSuffix(put.UserAgent, "]") || !strings.HasPrefix(create.UserAgent, "[") {
		t.Errorf("userAgent %q, %q", put.UserAgent, create.UserAgent)
	}
	if string(put.ResponseElements) != `{"x-amz-server-side-encryption":"AES256"}` {
		t.Errorf("PutObject responseElements %s", put.ResponseElements)
	}
}

func TestAccessLogDelivery(t *testing.T) {
	e := newEnv(t)
	e.bucket("logged")
	e.bucket("log-target")
	west := e.region("us-west-2")
	must(west.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("west-logs"), CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "us-west-2"}}))
	enable := func(target string) error {
		_, err := e.s3.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("logged"), BucketLoggingStatus: &types.BucketLoggingStatus{
			LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String(target), TargetPrefix: aws.String("logs/")}}})
		return err
	}
	wantErr(t, enable("west-logs"), "CrossLocationLoggingProhibitted", 403, "Cross S3 location logging not allowed. ")
	wantErr(t, enable("no-such-target"), "InvalidTargetBucketForLogging", 400, "The target bucket for logging does not exist")
	must(0, enable("log-target"))
	gl := must(e.s3.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("logged")}))
	if *gl.LoggingEnabled.TargetBucket != "log-target" || *gl.LoggingEnabled.TargetPrefix != "logs/" {
		t.Fatalf("logging %+v", gl.LoggingEnabled)
	}
	// The logging service may write only when the target's policy lets it.
	must(0, e.policy("log-target", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::log-target/logs/*","Condition":{"StringEquals":{"aws:SourceAccount":"000000000000"}}}]}`))
	e.put("logged", "a b.txt", "hello")
	e.get("logged", "a b.txt")
	_, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("logged"), Key: aws.String("missing")})
	wantErr(t, err, "NoSuchKey", 404, "")
	listLogs := func() []types.Object {
		return must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("log-target"), Prefix: aws.String("logs/")})).Contents
	}
	time.Sleep(1500 * time.Millisecond) // records are queued within a second
	if n := len(listLogs()); n != 0 {
		t.Fatalf("logs delivered before their time: %d", n)
	}
	e.p.Clock.Advance(10 * time.Minute)
	var logs []types.Object
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if logs = listLogs(); len(logs) > 0 {
			break
		}
	}
	if len(logs) != 1 {
		t.Fatalf("log objects: %d", len(logs))
	}
	if !keyFormat.MatchString(*logs[0].Key) {
		t.Fatalf("log key %q", *logs[0].Key)
	}
	body := e.get("log-target", *logs[0].Key)
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if len(lines) < 3 {
		t.Fatalf("log records:\n%s", body)
	}
	var put, miss string
	for _, l := range lines {
		if strings.Contains(l, "REST.PUT.OBJECT") {
			put = l
		}
		if strings.Contains(l, "missing") {
			miss = l
		}
	}
	if !recordFormat.MatchString(put) || !strings.Contains(put, ` logged [`) || !strings.Contains(put, ` a%20b.txt "PUT /logged/a%20b.txt`) || !strings.Contains(put, ` 200 - - 5 `) {
		t.Fatalf("put record %q", put)
	}
	if !strings.Contains(miss, " REST.GET.OBJECT missing ") || !strings.Contains(miss, " 404 NoSuchKey ") {
		t.Fatalf("error record %q", miss)
	}
	// Without the policy, the logging service is refused and nothing arrives.
	must(e.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("log-target")}))
	e.get("logged", "a b.txt")
	time.Sleep(1500 * time.Millisecond)
	e.p.Clock.Advance(10 * time.Minute)
	time.Sleep(2 * time.Second)
	if n := len(listLogs()); n != 1 {
		t.Fatalf("logs delivered against the target's policy: %d", n)
	}
}

func TestPutObjectAsService(t *testing.T) {
	e := newEnv(t)
	e.bucket("trail-bucket")
	put := func(key string, o s3svc.ServicePut) error {
		return e.p.S3.PutObjectAsService(ctx, "trail-bucket", key, strings.NewReader("log file"), o)
	}
	o := s3svc.ServicePut{Principal: "cloudtrail.amazonaws.com", SourceAccount: account, SourceArn: "arn:aws:cloudtrail:us-east-1:000000000000:trail/main",
		ACL: "bucket-owner-full-control", ContentType: "application/json"}
	wantModelErr(t, put("AWSLogs/000000000000/x.json.gz", o), "AccessDenied", "Access Denied")
	// CloudTrail's documented bucket policy.
	must(0, e.policy("trail-bucket", `{"Version":"2012-10-17","Statement":[
		{"Sid":"AWSCloudTrailAclCheck","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::trail-bucket","Condition":{"StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:000000000000:trail/main"}}},
		{"Sid":"AWSCloudTrailWrite","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::trail-bucket/AWSLogs/000000000000/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":"arn:aws:cloudtrail:us-east-1:000000000000:trail/main"}}}]}`))
	must(0, put("AWSLogs/000000000000/x.json.gz", o))
	if e.get("trail-bucket", "AWSLogs/000000000000/x.json.gz") != "log file" {
		t.Fatal("service-written object")
	}
	h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("trail-bucket"), Key: aws.String("AWSLogs/000000000000/x.json.gz")}))
	if *h.ContentType != "application/json" || h.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("head %+v", h)
	}
	// Outside the policy's prefix, for another trail, or without the ACL: refused.
	wantModelErr(t, put("elsewhere/x", o), "AccessDenied", "")
	other := o
	other.SourceArn = "arn:aws:cloudtrail:us-east-1:000000000000:trail/other"
	wantModelErr(t, put("AWSLogs/000000000000/y", other), "AccessDenied", "")
	noACL := o
	noACL.ACL = ""
	wantModelErr(t, put("AWSLogs/000000000000/z", noACL), "AccessDenied", "")
	wantModelErr(t, e.p.S3.PutObjectAsService(ctx, "no-such-bucket", "k", strings.NewReader("x"), o), "NoSuchBucket", "")
	// SSE-KMS as the service: the key policy must let CloudTrail use the key.
	kc := kms.NewFromConfig(e.p.RootConfig())
	key := must(kc.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	enc := o
	enc.KMSKeyID = *key.Arn
	enc.EncryptionContext = map[string]string{"aws:cloudtrail:arn": o.SourceArn}
	wantModelErr(t, put("AWSLogs/000000000000/k", enc), "AccessDenied", "")
	must(kc.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: key.KeyId, PolicyName: aws.String("default"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kms:*","Resource":"*"},
		{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
		 "Condition":{"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:000000000000:trail/*"}}}]}`)}))
	must(0, put("AWSLogs/000000000000/k", enc))
	h = must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("trail-bucket"), Key: aws.String("AWSLogs/000000000000/k")}))
	if h.ServerSideEncryption != types.ServerSideEncryptionAwsKms || *h.SSEKMSKeyId != *key.Arn || e.get("trail-bucket", "AWSLogs/000000000000/k") != "log file" {
		t.Fatalf("SSE-KMS service object %+v", h)
	}
}

func TestFailedUploadIsRecorded(t *testing.T) {
	e := newEnv(t)
	e.dataTrail()
	e.bucket("recorded")
	_, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("recorded"), Key: aws.String("k"), Body: strings.NewReader("x"), ContentMD5: aws.String("AAAAAAAAAAAAAAAAAAAAAA==")})
	wantErr(t, err, "BadDigest", 400, "")
	nobody := e.user("nobody", "")
	_, err = nobody.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("recorded"), Key: aws.String("k"), Body: strings.NewReader("x")})
	wantErr(t, err, "AccessDenied", 403, "")
	var codes []string
	for _, ev := range e.events(audit.Source) {
		var r audit.Record
		json.Unmarshal(ev.Data, &r)
		if r.EventName == "PutObject" {
			codes = append(codes, r.ErrorCode)
		}
	}
	if strings.Join(codes, ",") != "BadDigest,AccessDenied" {
		t.Fatalf("recorded PutObject errors %v", codes)
	}
}

// wantModelErr asserts an in-process API error (not through HTTP).
func wantModelErr(t testing.TB, err error, code, msg string) {
	t.Helper()
	var me *model.Error
	if !errors.As(err, &me) || me.Code != code || (msg != "" && me.Message != msg) {
		t.Fatalf("want %s %q, got %v", code, msg, err)
	}
}
