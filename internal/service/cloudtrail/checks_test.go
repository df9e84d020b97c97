package cloudtrail_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/palisade/palisade/internal/app/apptest"
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
	apptest.WantErr(t, create(cloudtrail.CreateTrailInput{S3BucketName: aws.String("missing")}), "S3BucketDoesNotExistException", 0, "S3 bucket missing does not exist!")
	apptest.Must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bare")}))
	apptest.WantErr(t, create(cloudtrail.CreateTrailInput{S3BucketName: aws.String("bare")}), "InsufficientS3BucketPolicyException", 0, "Incorrect S3 bucket policy is detected for bucket: bare")
	// A policy for another trail only (aws:SourceArn), or without the ACL condition
	// CloudTrail meets, is not enough.
	apptest.Must(e.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bare"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":["s3:GetBucketAcl","s3:PutObject"],"Resource":["arn:aws:s3:::bare","arn:aws:s3:::bare/*"],
		 "Condition":{"StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:000000000000:trail/other"}}}]}`)}))
	apptest.WantErr(t, create(cloudtrail.CreateTrailInput{S3BucketName: aws.String("bare")}), "InsufficientS3BucketPolicyException", 0, "")
	apptest.Must(e.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bare"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::bare"},
		{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::bare/elsewhere/*"}]}`)}))
	apptest.WantErr(t, create(cloudtrail.CreateTrailInput{S3BucketName: aws.String("bare")}), "InsufficientS3BucketPolicyException", 0, "")
	// The same policy admits a trail whose prefix it covers.
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("prefixed"), S3BucketName: aws.String("bare"), S3KeyPrefix: aws.String("elsewhere")}))

	e.bucket("bkt")
	apptest.WantErr(t, create(cloudtrail.CreateTrailInput{S3BucketName: aws.String("bkt"), KmsKeyId: aws.String("alias/nope")}), "KmsKeyNotFoundException", 0, "")
	plain := apptest.Must(kms.NewFromConfig(e.p.RootConfig()).CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata // the default policy: the account only
	apptest.WantErr(t, create(cloudtrail.CreateTrailInput{S3BucketName: aws.String("bkt"), KmsKeyId: plain.KeyId}), "InsufficientEncryptionPolicyException", 0, "")
	key := e.trailKey()
	apptest.Must(kms.NewFromConfig(e.p.RootConfig()).CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/trail"), TargetKeyId: key.KeyId}))
	out := apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt"), KmsKeyId: aws.String("alias/trail")}))
	if *out.KmsKeyId != *key.Arn {
		t.Errorf("KmsKeyId %s, want the key's ARN %s", *out.KmsKeyId, *key.Arn)
	}
	// UpdateTrail checks a new bucket too.
	_, err := e.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("missing")})
	apptest.WantErr(t, err, "S3BucketDoesNotExistException", 0, "")
}

// Log files are SSE-KMS under the trail's key and digests SSE-S3; a delivery that S3
// refuses is reported by GetTrailStatus and retried until it succeeds.
func TestEncryptedDeliveryAndErrors(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	key := e.trailKey()
	apptest.Must(e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt"), KmsKeyId: key.KeyId, EnableLogFileValidation: aws.Bool(true)}))
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}))
	e.advance(time.Hour)
	var logs, digests int
	for _, f := range e.files() {
		h := apptest.Must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String(f.Key)}))
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
		st := apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
		t.Fatalf("%d log files, %d digests: %v %v", logs, digests, aws.ToString(st.LatestDeliveryError), aws.ToString(st.LatestDigestDeliveryError))
	}
	// KMS records the data keys S3 asked for on CloudTrail's behalf as invoked by
	// CloudTrail, the service writing.
	ev := apptest.Must(e.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{
		{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("GenerateDataKey")}}}))
	if len(ev.Events) == 0 {
		t.Fatal("no GenerateDataKey record")
	}
	var rec struct {
		UserIdentity struct{ Type, InvokedBy string } `json:"userIdentity"`
	}
	if err := json.Unmarshal([]byte(*ev.Events[0].CloudTrailEvent), &rec); err != nil || rec.UserIdentity.Type != "AWSService" || rec.UserIdentity.InvokedBy != "cloudtrail.amazonaws.com" {
		t.Errorf("GenerateDataKey record: %s", *ev.Events[0].CloudTrailEvent)
	}
	st := apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
	if st.LatestDeliveryTime == nil || st.LatestDigestDeliveryTime == nil || st.LatestDeliveryError != nil {
		t.Errorf("status %+v", st)
	}

	// The bucket policy goes: deliveries fail with S3's AccessDenied, and nothing is lost.
	apptest.Must(e.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("bkt")}))
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("while-refused")}))
	e.advance(5 * time.Minute)
	st = apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
	if st.LatestDeliveryError == nil || *st.LatestDeliveryError != "AccessDenied" {
		t.Errorf("status after the policy went %+v", st)
	}
	before := e.files()
	e.trailPolicy("bkt")
	e.settle()
	if n := countName(records(t, newFiles(before, e.files())), "CreateUser"); n != 1 {
		t.Errorf("CreateUser delivered %d times once the policy is back", n)
	}
	if st := apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})); st.LatestDeliveryError != nil {
		t.Errorf("error still reported after delivery: %s", *st.LatestDeliveryError)
	}

	// The bucket is deleted: NoSuchBucket. (Its objects: the files and the empty ones
	// CreateTrail's check left.)
	for _, o := range apptest.Must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt")})).Contents {
		apptest.Must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: o.Key}))
	}
	apptest.Must(e.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bkt")}))
	e.advance(5 * time.Minute)
	st = apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
	if st.LatestDeliveryError == nil || *st.LatestDeliveryError != "NoSuchBucket" {
		t.Errorf("status after the bucket went %+v", st)
	}
}

// The role a trail names for CloudWatch Logs must trust cloudtrail.amazonaws.com and
// allow logs:CreateLogStream and logs:PutLogEvents on the trail's stream, at
// CreateTrail and at every delivery.
func TestCloudWatchLogsRole(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	logsc := cwl.NewFromConfig(e.p.RootConfig())
	apptest.Must(logsc.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("CloudTrail/logs")}))
	// The trail's stream, as a reader of the log group sees it.
	stream := func() []cwltypes.OutputLogEvent {
		out, err := logsc.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("CloudTrail/logs"),
			LogStreamName: aws.String("000000000000_CloudTrail_us-east-1"), StartFromHead: aws.Bool(true)})
		var nf *cwltypes.ResourceNotFoundException
		if errors.As(err, &nf) {
			return nil
		}
		return apptest.Must(out, err).Events
	}
	const group = "arn:aws:logs:us-east-1:000000000000:log-group:CloudTrail/logs:*"
	const role = "arn:aws:iam::000000000000:role/ct/CloudTrail_CloudWatchLogs_Role"
	create := func() error {
		_, err := e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt"),
			CloudWatchLogsLogGroupArn: aws.String(group), CloudWatchLogsRoleArn: aws.String(role)})
		return err
	}
	apptest.WantErr(t, create(), "InvalidCloudWatchLogsRoleArnException", 0, "Access denied. Verify in IAM that the role has adequate trust relationships.")
	apptest.Must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{Path: aws.String("/ct/"), RoleName: aws.String("CloudTrail_CloudWatchLogs_Role"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	apptest.WantErr(t, create(), "InvalidCloudWatchLogsRoleArnException", 0, "Access denied. Verify in IAM that the role has adequate trust relationships.")
	apptest.Must(e.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("CloudTrail_CloudWatchLogs_Role"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	apptest.WantErr(t, create(), "InvalidCloudWatchLogsLogGroupArnException", 0, "Access denied. Verify in IAM that the role has adequate permissions.")
	// AWS's documented role policy, PutLogEvents alone is not enough.
	put := func(actions ...string) {
		a, _ := json.Marshal(actions)
		apptest.Must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("CloudTrail_CloudWatchLogs_Role"), PolicyName: aws.String("cwl"), PolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + string(a) + `,"Resource":"arn:aws:logs:us-east-1:000000000000:log-group:CloudTrail/logs:log-stream:000000000000_CloudTrail_us-east-1*"}]}`)}))
	}
	put("logs:PutLogEvents")
	apptest.WantErr(t, create(), "InvalidCloudWatchLogsLogGroupArnException", 0, "")
	put("logs:CreateLogStream", "logs:PutLogEvents")
	apptest.Must(0, create())
	apptest.Must(e.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}))
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("watched")}))
	e.advance(5 * time.Minute)
	evs := stream()
	if len(evs) < 2 {
		t.Fatalf("%d events in the trail's stream", len(evs))
	}
	var rec map[string]any
	last := evs[len(evs)-1]
	if err := json.Unmarshal([]byte(aws.ToString(last.Message)), &rec); err != nil || rec["eventName"] != "CreateUser" ||
		aws.ToInt64(last.Timestamp) != apptest.Must(time.Parse(time.RFC3339, rec["eventTime"].(string))).UnixMilli() {
		t.Errorf("event %+v: %v", last, err)
	}
	st := apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
	if st.LatestCloudWatchLogsDeliveryTime == nil || st.LatestCloudWatchLogsDeliveryError != nil {
		t.Errorf("status %+v", st)
	}

	// The role loses its permissions: delivery stops with AccessDenied, S3 delivery
	// goes on, and the events wait until the role allows them again.
	apptest.Must(e.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("CloudTrail_CloudWatchLogs_Role"), PolicyName: aws.String("cwl")}))
	n := len(stream())
	before := e.files()
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("unwatched")}))
	e.advance(5 * time.Minute)
	if len(stream()) != n {
		t.Error("events delivered with a role that may not write")
	}
	if countName(records(t, newFiles(before, e.files())), "CreateUser") != 1 {
		t.Error("S3 delivery held back by CloudWatch Logs")
	}
	st = apptest.Must(e.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")}))
	if st.LatestCloudWatchLogsDeliveryError == nil || *st.LatestCloudWatchLogsDeliveryError != "AccessDenied" {
		t.Errorf("status with a refused role %+v", st)
	}
	put("logs:CreateLogStream", "logs:PutLogEvents")
	e.settle()
	if len(stream()) <= n {
		t.Error("events not delivered once the role allows them again")
	}
}

// The log group a trail names must be named with the log-stream wildcard, in the
// trail's account and Region; CloudTrail checks that before the role, and finds a
// missing group when the role cannot create the stream in it (recorded 2026,
// logs_destination.json).
func TestCloudWatchLogsGroup(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	const role = "arn:aws:iam::000000000000:role/none"
	create := func(group string) error {
		_, err := e.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("bkt"),
			CloudWatchLogsLogGroupArn: aws.String(group), CloudWatchLogsRoleArn: aws.String(role)})
		return err
	}
	const msg = "CloudTrail cannot validate the specified log group ARN."
	apptest.Must(cwl.NewFromConfig(e.p.RootConfig()).CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("ct")}))
	apptest.WantErr(t, create("arn:aws:logs:us-east-1:000000000000:log-group:ct"), "InvalidCloudWatchLogsLogGroupArnException", 400, msg)
	apptest.WantErr(t, create("arn:aws:logs:us-east-1:111111111111:log-group:ct:*"), "InvalidCloudWatchLogsLogGroupArnException", 400, msg)
	apptest.WantErr(t, create("arn:aws:logs:us-west-2:000000000000:log-group:ct:*"), "InvalidCloudWatchLogsLogGroupArnException", 400, "You must specify a log group that is in the current region.")
	// With the group in place the role is checked next.
	apptest.WantErr(t, create("arn:aws:logs:us-east-1:000000000000:log-group:ct:*"), "InvalidCloudWatchLogsRoleArnException", 400, "Access denied. Verify in IAM that the role has adequate trust relationships.")
}

// Naming a role for CloudWatch Logs delivery passes it to CloudTrail: the caller needs
// iam:PassRole on it, as AWSCloudTrail_FullAccess grants (to cloudtrail.amazonaws.com
// only); cloudtrail:* alone is not enough.
func TestCloudWatchLogsRoleIsPassed(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt")
	e.logsDelivery("ct", "CloudTrail_CloudWatchLogs_Role", "*")
	apptest.Must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("admin")}))
	k := apptest.Must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("admin")})).AccessKey
	admin := cloudtrail.NewFromConfig(e.p.Config(*k.AccessKeyId, *k.SecretAccessKey, ""))
	const role = "arn:aws:iam::000000000000:role/CloudTrail_CloudWatchLogs_Role"
	create := func(name string) error {
		_, err := admin.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String("bkt"),
			CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:ct:*"), CloudWatchLogsRoleArn: aws.String(role)})
		return err
	}
	apptest.Must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("ct"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:*","Resource":"*"}]}`)}))
	apptest.WantErr(t, create("first"), "AccessDeniedException", 0, "User: arn:aws:iam::000000000000:user/admin is not authorized to perform: iam:PassRole on resource: "+role+" because no identity-based policy allows the iam:PassRole action")
	// Without a role nothing is passed.
	apptest.Must(admin.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("plain"), S3BucketName: aws.String("bkt")}))
	_, err := admin.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("plain"),
		CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:ct:*"), CloudWatchLogsRoleArn: aws.String(role)})
	apptest.WantErr(t, err, "AccessDeniedException", 0, "")
	// A PassRole grant for another service does not pass it to CloudTrail.
	apptest.Must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("pass"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}]}`)}))
	apptest.WantErr(t, create("first"), "AccessDeniedException", 0, "")
	apptest.Must(e.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("pass")}))
	apptest.Must(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("admin"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AWSCloudTrail_FullAccess")}))
	apptest.Must(0, create("first"))
}
