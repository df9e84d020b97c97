package organizations_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// A bucket policy cannot lock its owner's root user out of the bucket policy calls, but
// an SCP can: "Bucket owner root principals can only be blocked from performing these
// API actions by VPC endpoint policies and AWS Organizations policies" (S3 API
// Reference, PutBucketPolicy, DeleteBucketPolicy).
func TestSCPBindsBucketOwnerRoot(t *testing.T) {
	e := newEnv(t)
	dev := e.member("dev")
	root := *must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	must(e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}))
	devRoot := s3.NewFromConfig(e.p.AccountConfig(dev), func(o *s3.Options) { o.UsePathStyle = true })
	b := aws.String("dev-locked-bucket")
	must(devRoot.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}))
	lockout := doc(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::dev-locked-bucket","arn:aws:s3:::dev-locked-bucket/*"]}`)
	must(devRoot.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(lockout)}))
	// The bucket policy denies the root user everything but the policy calls.
	if _, err := devRoot.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b}); errCode(err) != "AccessDenied" {
		t.Fatalf("ListObjectsV2 under the lock-out policy: %v", err)
	}
	must(devRoot.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b}))
	must(devRoot.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(lockout)}))

	p := must(e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("no-bucket-policies"), Description: aws.String("d"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(doc(`{"Effect":"Deny","Action":["s3:PutBucketPolicy","s3:DeleteBucketPolicy"],"Resource":"*"}`))})).Policy.PolicySummary
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p.Id, TargetId: aws.String(dev)}))
	if _, err := devRoot.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(lockout)}); errCode(err) != "AccessDenied" {
		t.Fatalf("PutBucketPolicy under an SCP denying it: %v", err)
	}
	if _, err := devRoot.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b}); errCode(err) != "AccessDenied" {
		t.Fatalf("DeleteBucketPolicy under an SCP denying it: %v", err)
	}
	must(devRoot.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b}))
}

// S3 words a denial in full — who, what, on which resource and why — to callers of the
// bucket owner's account and of its organization, and as "Access Denied" to anyone
// else (User Guide, "Troubleshoot access denied (403 Forbidden) errors"; recorded 2026:
// radkawar/stackd testdata/aws/s3/logging_audit_replay.json, a member account's role).
func TestS3DenialWordedForTheOrganization(t *testing.T) {
	e := newEnv(t)
	dev := e.member("dev")
	bucketOwner := s3.NewFromConfig(e.p.RootConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	must(bucketOwner.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("org-logs")}))
	devIAM := iam.NewFromConfig(e.p.AccountConfig(dev))
	arn := *must(devIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("reader")})).User.Arn
	must(devIAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("reader"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc(allow("s3:*", "*")))}))
	k := must(devIAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("reader")})).AccessKey
	reader := s3.NewFromConfig(e.p.Config(*k.AccessKeyId, *k.SecretAccessKey, ""), func(o *s3.Options) { o.UsePathStyle = true })
	var msg string
	try := func(c *s3.Client) {
		t.Helper()
		_, err := c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("org-logs")})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
			t.Fatalf("GetBucketLogging: %v", err)
		}
		msg = ae.ErrorMessage()
	}
	try(reader)
	if want := "User: " + arn + ` is not authorized to perform: s3:GetBucketLogging on resource: "arn:aws:s3:::org-logs" because no resource-based policy allows the s3:GetBucketLogging action`; msg != want {
		t.Fatalf("same organization:\n got %q\nwant %q", msg, want)
	}
	try(s3.NewFromConfig(e.p.AccountConfig("444455556666"), func(o *s3.Options) { o.UsePathStyle = true }))
	if msg != "Access Denied" {
		t.Fatalf("outside the organization: %q", msg)
	}
}
