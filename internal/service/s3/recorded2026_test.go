package s3_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The answers in this file are AWS's, recorded against us-east-1 in 2026 and published
// in the radkawar/stackd repository under testdata/aws/s3/ (the file is named in each
// case). They pin what Palisade was found to match.

// allowAll is the caller's identity policy in the recordings: an IAM user of the bucket
// owner's account allowed every S3 action.
const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`

// TestRecordedMarkerUnderDeny: a bucket policy denying s3:GetObject and
// s3:GetObjectVersion does not hide a delete marker: its current read is NoSuchKey and
// its read by version MethodNotAllowed, while an object version is AccessDenied
// (marker_policy.json).
func TestRecordedMarkerUnderDeny(t *testing.T) {
	e := newEnv(t)
	u := e.user("Delegated", allowAll)
	b := "stackd-version-policy"
	must(u.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}))
	must(u.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	item := e.put(b, "item", "item")
	marker := must(u.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("item")}))
	e.put(b, "control", "control")
	must(u.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(`{"Version": "2012-10-17", "Statement": [{"Sid": "DenyReads", "Effect": "Deny", "Principal": "*", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": ["arn:aws:s3:::` + b + `/item", "arn:aws:s3:::` + b + `/control"]}]}`)}))

	get := func(key string, version *string) error {
		_, err := u.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key), VersionId: version})
		return err
	}
	head := func(key string, version *string) error {
		_, err := u.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key), VersionId: version})
		return err
	}
	wantErr(t, get("control", nil), "AccessDenied", 403, `User: arn:aws:iam::000000000000:user/Delegated is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::`+b+`/control" with an explicit deny in a resource-based policy`)
	wantErr(t, get("item", nil), "NoSuchKey", 404, "The specified key does not exist.")
	wantErr(t, get("item", marker.VersionId), "MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
	wantErr(t, get("item", item.VersionId), "AccessDenied", 403, `User: arn:aws:iam::000000000000:user/Delegated is not authorized to perform: s3:GetObjectVersion on resource: "arn:aws:s3:::`+b+`/item" with an explicit deny in a resource-based policy`)
	wantErr(t, head("item", nil), "NotFound", 404, "")
	wantErr(t, head("item", marker.VersionId), "MethodNotAllowed", 405, "")
	wantErr(t, head("item", item.VersionId), "Forbidden", 403, "")
}
