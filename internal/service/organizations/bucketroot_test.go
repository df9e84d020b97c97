package organizations_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	code := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode()
		}
		if err != nil {
			return err.Error()
		}
		return ""
	}
	// The bucket policy denies the root user everything but the policy calls.
	if _, err := devRoot.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b}); code(err) != "AccessDenied" {
		t.Fatalf("ListObjectsV2 under the lock-out policy: %v", err)
	}
	must(devRoot.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b}))
	must(devRoot.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(lockout)}))

	p := must(e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("no-bucket-policies"), Description: aws.String("d"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(doc(`{"Effect":"Deny","Action":["s3:PutBucketPolicy","s3:DeleteBucketPolicy"],"Resource":"*"}`))})).Policy.PolicySummary
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p.Id, TargetId: aws.String(dev)}))
	if _, err := devRoot.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(lockout)}); code(err) != "AccessDenied" {
		t.Fatalf("PutBucketPolicy under an SCP denying it: %v", err)
	}
	if _, err := devRoot.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b}); code(err) != "AccessDenied" {
		t.Fatalf("DeleteBucketPolicy under an SCP denying it: %v", err)
	}
	must(devRoot.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b}))
}
