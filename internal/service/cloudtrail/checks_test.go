package cloudtrail_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	ct "github.com/palisade/palisade/internal/service/cloudtrail"
)

// CreateTrail reads the real bucket policy and key policy, as S3 and KMS would decide
// a request of cloudtrail.amazonaws.com.
func TestCreateTrailChecks(t *testing.T) {
	e := newEnv(t)
	create := func(in cloudtrail.CreateTrailInput) error {
		in.Name = aws.String("main")
		_, err := e.ct.CreateTrail(ctx, &in)
		return err
	}
	wantErr(t, create(cloudtrail.CreateTrailInput{S3BucketName: aws.String("missing")}), "S3BucketDoesNotExistException", "S3 bucket missing does not exist.")
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bare")}))
	wantErr(t, create(cloudtrail.CreateTrailInput{S3BucketName: aws.String("bare")}), "InsufficientS3BucketPolicyException", "Incorrect S3 bucket policy is detected for bucket: bare")
	// A policy for another trail only (aws:SourceArn), or without the ACL condition
	// CloudTrail meets, is not enough.
	must(e.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bare"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":["s3:GetBucketAcl","s3:PutObject"],"Resource":["arn:aws:s3:::bare","arn:aws:s3:::bare/*"],
		 "Condition":{"StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:000000000000:trail/other"}}}]}`)}))
	wantErr(t, create(cloudtrail.CreateTrailInput{S3BucketName: aws.String("bare")}), "InsufficientS3BucketPolicyException", "")
	must(e.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bare"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::bare"},
		{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::bare/elsewhere/*"}]}`)}))
	wantErr(t, create(cloudtrail.CreateTrailInput{S3BucketName: aws.String("bare")}), "InsufficientS3BucketPolicyException", "")
	// The same policy admits a trail whose prefix it covers.
	must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("prefixed"), S3BucketName: aws.String("bare"), S3KeyPrefix: aws.String("elsewhere")}))

	e.bucket("bkt")
	wantErr(t, create(cloudtrail.CreateTrailInput{S3BucketName: aws.String("bkt"), KmsKeyId: aws.String("alias/nope")}), "KmsKeyNotFoundException", "")
	plain := must(kms.NewFromConfig(e.p.RootConfig()).CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata // the default policy: the account only
	wantErr(t, create(cloudtrail.CreateTrailInput{S3BucketName: aws.String("bkt"), KmsKeyId: plain.KeyId}), "InsufficientEncryptionPolicyException", "")
	key := e.trailKey()
	must(kms.NewFromConfig(e.p.RootConfig()).CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/trail"), TargetKeyId: key.KeyId}))
	out := must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt"), KmsKeyId: aws.String("alias/trail")}))
	if *out.KmsKeyId != *key.Arn {
		t.Errorf("KmsKeyId %s, want the key's ARN %s", *out.KmsKeyId, *key.Arn)
	}
	// UpdateTrail checks a new bucket too.
	_, err := e.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("missing")})
	wantErr(t, err, "S3BucketDoesNotExistException", "")
}

// Log files are SSE-KMS under the trail's key and digests SSE-S3; a delivery that S3
// refuses is reported by GetTrailStatus and retried until it succeeds.
func TestEncryptedDeliveryAndErrors(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	key := e.trailKey()
	must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt"), KmsKeyId: key.KeyId, EnableLogFileValidation: aws.Bool(true)}))
	must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}))
	e.advance(time.Hour)
	var logs, digests int
	for _, f := range e.files() {
		h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String(f.Key)}))
		if f.Kind == "log" {
			logs++
			if h.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || *h.SSEKMSKeyId != *key.Arn {
				t.Errorf("log file %s: %s %v", f.Key, h.ServerSideEncryption, h.SSEKMSKeyId)
			}
		} else {
			digests++
			if h.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
				t.Errorf("digest %s: %s", f.Key, h.ServerSideEncryption)
			}
		}
	}
	if logs == 0 || digests == 0 {
		st := must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
		t.Fatalf("%d log files, %d digests: %v %v", logs, digests, aws.ToString(st.LatestDeliveryError), aws.ToString(st.LatestDigestDeliveryError))
	}
	st := must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
	if st.LatestDeliveryTime == nil || st.LatestDigestDeliveryTime == nil || st.LatestDeliveryError != nil {
		t.Errorf("status %+v", st)
	}

	// The bucket policy goes: deliveries fail with S3's AccessDenied, and nothing is lost.
	must(e.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("bkt")}))
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("while-refused")}))
	e.advance(5 * time.Minute)
	st = must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
	if st.LatestDeliveryError == nil || *st.LatestDeliveryError != "AccessDenied" {
		t.Errorf("status after the policy went %+v", st)
	}
	before := e.files()
	e.trailPolicy("bkt")
	e.settle()
	if n := countName(records(t, newFiles(before, e.files())), "CreateUser"); n != 1 {
		t.Errorf("CreateUser delivered %d times once the policy is back", n)
	}
	if st := must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})); st.LatestDeliveryError != nil {
		t.Errorf("error still reported after delivery: %s", *st.LatestDeliveryError)
	}

	// The bucket is deleted: NoSuchBucket.
	for _, f := range e.files() {
		must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String(f.Key)}))
	}
	must(e.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bkt")}))
	e.advance(5 * time.Minute)
	st = must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
	if st.LatestDeliveryError == nil || *st.LatestDeliveryError != "NoSuchBucket" {
		t.Errorf("status after the bucket went %+v", st)
	}
}

// logGroups records what CloudTrail hands CloudWatch Logs: the interface's far side,
// which the CloudWatch Logs service implements where it is served.
type logGroups struct {
	mu     sync.Mutex
	events map[string][]ct.LogEvent // account/region/group/stream → events
}

func (l *logGroups) PutEvents(_ context.Context, account, region, group, stream string, evs []ct.LogEvent) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := account + "/" + region + "/" + group + "/" + stream
	l.events[k] = append(l.events[k], evs...)
	return nil
}

func (l *logGroups) count(k string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events[k])
}

// The role a trail names for CloudWatch Logs must trust cloudtrail.amazonaws.com and
// allow logs:CreateLogStream and logs:PutLogEvents on the trail's stream, at
// CreateTrail and at every delivery.
func TestCloudWatchLogsRole(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	lg := &logGroups{events: map[string][]ct.LogEvent{}}
	e.p.CloudTrail.SetLogGroups(lg)
	const group = "arn:aws:logs:us-east-1:000000000000:log-group:CloudTrail/logs:*"
	const role = "arn:aws:iam::000000000000:role/ct/CloudTrail_CloudWatchLogs_Role"
	create := func() error {
		_, err := e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt"),
			CloudWatchLogsLogGroupArn: aws.String(group), CloudWatchLogsRoleArn: aws.String(role)})
		return err
	}
	wantErr(t, create(), "InvalidCloudWatchLogsRoleArnException", "Access denied. Check the trust relationships for your role.")
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{Path: aws.String("/ct/"), RoleName: aws.String("CloudTrail_CloudWatchLogs_Role"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	wantErr(t, create(), "InvalidCloudWatchLogsRoleArnException", "Access denied. Check the trust relationships for your role.")
	must(e.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("CloudTrail_CloudWatchLogs_Role"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	wantErr(t, create(), "InvalidCloudWatchLogsLogGroupArnException", "Access denied. Verify in IAM that the role has adequate permissions.")
	// AWS's documented role policy, PutLogEvents alone is not enough.
	put := func(actions ...string) {
		a, _ := json.Marshal(actions)
		must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("CloudTrail_CloudWatchLogs_Role"), PolicyName: aws.String("cwl"), PolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + string(a) + `,"Resource":"arn:aws:logs:us-east-1:000000000000:log-group:CloudTrail/logs:log-stream:000000000000_CloudTrail_us-east-1*"}]}`)}))
	}
	put("logs:PutLogEvents")
	wantErr(t, create(), "InvalidCloudWatchLogsLogGroupArnException", "")
	put("logs:CreateLogStream", "logs:PutLogEvents")
	must(0, create())
	must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}))
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("watched")}))
	e.advance(5 * time.Minute)
	stream := "000000000000/us-east-1/CloudTrail/logs/000000000000_CloudTrail_us-east-1"
	if n := lg.count(stream); n < 2 {
		t.Fatalf("%d events in %s (%v)", n, stream, lg.events)
	}
	var rec map[string]any
	lg.mu.Lock()
	last := lg.events[stream][len(lg.events[stream])-1]
	lg.mu.Unlock()
	if err := json.Unmarshal([]byte(last.Message), &rec); err != nil || rec["eventID"] == nil || last.Time.IsZero() {
		t.Errorf("event %+v: %v", last, err)
	}
	st := must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
	if st.LatestCloudWatchLogsDeliveryTime == nil || st.LatestCloudWatchLogsDeliveryError != nil {
		t.Errorf("status %+v", st)
	}

	// The role loses its permissions: delivery stops with AccessDenied, S3 delivery
	// goes on, and the events wait until the role allows them again.
	must(e.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("CloudTrail_CloudWatchLogs_Role"), PolicyName: aws.String("cwl")}))
	n := lg.count(stream)
	before := e.files()
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("unwatched")}))
	e.advance(5 * time.Minute)
	if lg.count(stream) != n {
		t.Error("events delivered with a role that may not write")
	}
	if countName(records(t, newFiles(before, e.files())), "CreateUser") != 1 {
		t.Error("S3 delivery held back by CloudWatch Logs")
	}
	st = must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
	if st.LatestCloudWatchLogsDeliveryError == nil || *st.LatestCloudWatchLogsDeliveryError != "AccessDenied" {
		t.Errorf("status with a refused role %+v", st)
	}
	put("logs:CreateLogStream", "logs:PutLogEvents")
	e.settle()
	if lg.count(stream) <= n {
		t.Error("events not delivered once the role allows them again")
	}
}
