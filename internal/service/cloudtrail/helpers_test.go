package cloudtrail_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/palisade/palisade/internal/app/apptest"
	ct "github.com/palisade/palisade/internal/service/cloudtrail"
	"github.com/palisade/palisade/internal/service/cloudtrail/cttest"
)

var ctx = context.Background()

const account = "000000000000"

type env struct {
	*testing.T
	p       *apptest.Palisade
	ct      *cloudtrail.Client
	iam     *iam.Client
	s3      *s3.Client
	buckets []string // the buckets files() reads
}

func newEnv(t *testing.T) *env {
	t.Helper()
	p := apptest.Start(t)
	return &env{T: t, p: p, ct: cloudtrail.NewFromConfig(p.RootConfig()), iam: iam.NewFromConfig(p.RootConfig()), s3: cttest.S3(p.RootConfig())}
}

// bucket creates a bucket (the root user's) with CloudTrail's documented bucket
// policy for the accounts given (the bucket owner's when none); files() reads it.
func (e *env) bucket(name string, accounts ...string) {
	e.Helper()
	cttest.Bucket(e, e.p.RootConfig(), name, accounts...)
	e.buckets = append(e.buckets, name)
}

// trailPolicy puts CloudTrail's documented bucket policy on a bucket.
func (e *env) trailPolicy(name string, accounts ...string) {
	e.Helper()
	cttest.Policy(e, e.p.RootConfig(), name, accounts...)
}

// topicPolicy gives a topic CloudTrail's documented topic policy (User Guide, "Amazon
// SNS topic policy for CloudTrail"): cloudtrail.amazonaws.com may publish for the
// account's trails.
func (e *env) topicPolicy(topicARN string) {
	e.Helper()
	apptest.Must(sns.NewFromConfig(e.p.RootConfig()).SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topicARN),
		AttributeName: aws.String("Policy"), AttributeValue: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"AWSCloudTrailSNSPolicy",
		"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"SNS:Publish","Resource":"` + topicARN + `",
		"Condition":{"StringLike":{"AWS:SourceArn":"arn:aws:cloudtrail:*:` + account + `:trail/*"}}}]}`)}))
}

// in returns a CloudTrail client for another region.
func (e *env) in(region string) *cloudtrail.Client {
	cfg := e.p.RootConfig()
	cfg.Region = region
	return cloudtrail.NewFromConfig(cfg)
}

// logsDelivery makes a CloudWatch Logs log group and a role that trusts CloudTrail and
// allows logs:CreateLogStream and logs:PutLogEvents on resource ("" for every log
// group's trail streams of this account); it returns the group's and the role's ARNs
// as a trail names them.
func (e *env) logsDelivery(group, role, resource string) (string, string) {
	e.Helper()
	if resource == "" {
		resource = "arn:aws:logs:us-east-1:" + account + ":log-group:" + group + ":log-stream:" + account + "_CloudTrail_us-east-1*"
	}
	apptest.Must(cwl.NewFromConfig(e.p.RootConfig()).CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(group)}))
	apptest.Must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(role), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	apptest.Must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("delivery"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"` + resource + `"}]}`)}))
	return "arn:aws:logs:us-east-1:" + account + ":log-group:" + group + ":*", "arn:aws:iam::" + account + ":role/" + role
}

// account makes another account with a root key and returns its configuration.
func (e *env) account(id string) aws.Config {
	e.Helper()
	return e.p.AccountConfig(id)
}

// advance moves the clock and waits for the consumers to catch up.
func (e *env) advance(d time.Duration) {
	e.Helper()
	e.p.Clock.Advance(d)
	e.settle()
}

// trailKey creates a KMS key whose policy is CloudTrail's documented one (AWS
// CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail"): the account
// administers it; cloudtrail.amazonaws.com may generate data keys for the account's
// trails, by the encryption context and by aws:SourceArn and aws:SourceAccount, which
// S3 carries from CloudTrail's write into its KMS request.
func (e *env) trailKey() *kmstypes.KeyMetadata {
	e.Helper()
	return apptest.Must(kms.NewFromConfig(e.p.RootConfig()).CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},
		{"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
		 "Condition":{"StringEquals":{"aws:SourceAccount":"` + account + `"},
		   "StringLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:` + account + `:trail/*","kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:` + account + `:trail/*"}}}]}`)})).KeyMetadata
}

// settle waits for the event-log consumers to catch up and the files they composed
// to be written to S3.
func (e *env) settle() {
	e.Helper()
	cttest.Settle(e, e.p)
}

// files returns the files in the env's buckets, read through S3 as any client reads
// them, in bucket and key order.
func (e *env) files() []ct.File {
	e.Helper()
	var out []ct.File
	for _, b := range e.buckets {
		out = append(out, cttest.Files(e, e.p.RootConfig(), b)...)
	}
	return out
}

// newFiles returns the files not in before.
func newFiles(before, after []ct.File) []ct.File {
	seen := map[string]bool{}
	for _, f := range before {
		seen[f.Bucket+"/"+f.Key] = true
	}
	var out []ct.File
	for _, f := range after {
		if !seen[f.Bucket+"/"+f.Key] {
			out = append(out, f)
		}
	}
	return out
}

// records returns the records of the delivered log files, by file key.
func records(t *testing.T, files []ct.File) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	for _, f := range files {
		if f.Kind != "log" {
			continue
		}
		var doc struct{ Records []map[string]any }
		if err := json.Unmarshal(cttest.Gunzip(t, f.Body), &doc); err != nil {
			t.Fatalf("%s: %v", f.Key, err)
		}
		out[f.Key] = doc.Records
	}
	return out
}

func countName(all map[string][]map[string]any, name string) int {
	n := 0
	for _, recs := range all {
		for _, r := range recs {
			if r["eventName"] == name {
				n++
			}
		}
	}
	return n
}
