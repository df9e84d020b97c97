package s3_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/store"
)

// S3's quotas and the requests it refuses for what they ask rather than for what
// exists: each with its code, status and message.
func TestLimitsAndRefusals(t *testing.T) {
	e := newEnv(t)
	_, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("east"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "us-east-1"}})
	wantErr(t, err, "InvalidLocationConstraint", 400, "The specified location-constraint is not valid")

	e.bucket("limits")
	big := `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("x", 20*1024) + `","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::limits/*"}]}`
	wantErr(t, e.policy("limits", big), "PolicyTooLarge", 400, "Policy exceeds the maximum allowed document size.")
	for doc, msg := range map[string]string{
		"":             "Policies must be valid JSON and the first byte must be '{'",
		"not a policy": "Policies must be valid JSON and the first byte must be '{'",
		"{}":           "Missing required field Statement",
	} {
		wantErr(t, e.policy("limits", doc), "MalformedPolicy", 400, msg)
	}

	_, err = e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("limits"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}})
	wantErr(t, err, "NotImplemented", 501, "A header you provided implies functionality that is not implemented")

	// Values outside S3's enumerations: in an XML body they fail its schema check.
	_, err = e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("limits"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: "On"}})
	wantErr(t, err, "MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema")
	_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("limits"), Key: aws.String("k"), Body: strings.NewReader("x"), StorageClass: "FAST"})
	wantErr(t, err, "InvalidStorageClass", 400, "The storage class you specified is not valid")
	// An unknown canned ACL or object ownership names its header (the ACL with no message).
	_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("limits"), Key: aws.String("acl"), Body: strings.NewReader("x"), ACL: "fake-acl"})
	wantErr(t, err, "InvalidArgument", 400, "")
	req, _ := http.NewRequest("PUT", e.p.URL+"/limits/acl", nil)
	req.Header.Set("X-Amz-Acl", "fake-acl")
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	apptest.SignAsRoot(t, req, "s3", "UNSIGNED-PAYLOAD")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(resp); resp.StatusCode != 400 || strings.Contains(body, "<Message>") || !strings.Contains(body, "<ArgumentName>x-amz-acl</ArgumentName><ArgumentValue>fake-acl</ArgumentValue>") {
		t.Fatalf("unknown canned ACL: %d %s", resp.StatusCode, body)
	}
	_, err = e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("ownership-bad"), ObjectOwnership: "RandomValue"})
	wantErr(t, err, "InvalidArgument", 400, "Invalid x-amz-object-ownership header: RandomValue")
	// Governance bypass only means something with Object Lock; the object stays.
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("limits"), Key: aws.String("kept"), Body: strings.NewReader("x")}))
	for _, bypass := range []bool{true, false} {
		_, err = e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("limits"), Key: aws.String("kept"), BypassGovernanceRetention: aws.Bool(bypass)})
		wantErr(t, err, "InvalidArgument", 400, "x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.")
		_, err = e.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("limits"), BypassGovernanceRetention: aws.Bool(bypass),
			Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("kept")}}}})
		wantErr(t, err, "InvalidArgument", 400, "x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.")
	}
	must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("limits"), Key: aws.String("kept")}))
	// In the model, but only S3 on Outposts takes it.
	_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("limits"), Key: aws.String("k"), Body: strings.NewReader("x"), StorageClass: "OUTPOSTS"})
	wantErr(t, err, "InvalidStorageClass", 400, "The storage class you specified is not valid")
	_, err = e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("limits"), Key: aws.String("k"), StorageClass: "OUTPOSTS"})
	wantErr(t, err, "InvalidStorageClass", 400, "The storage class you specified is not valid")
	_, err = e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("limits"), VersioningConfiguration: &types.VersioningConfiguration{}})
	wantErr(t, err, "IllegalVersioningConfigurationException", 400, "The Versioning element must be specified")
	_, err = e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("moon"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "moon-1"}})
	wantErr(t, err, "InvalidLocationConstraint", 400, "The specified location-constraint is not valid")

	_, err = e.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("limits"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{}}})
	wantErr(t, err, "MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema")

	// Ownership controls can be deleted; reading them then is a 404.
	must(e.s3.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: aws.String("limits")}))
	_, err = e.s3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("limits")})
	wantErr(t, err, "OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found")

	// Grants by e-mail address are no longer taken (API Reference, PutBucketAcl:
	// "End of support notice ... HTTP 405 (Method Not Allowed)").
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl-email"), ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	_, err = e.s3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("acl-email"), GrantRead: aws.String(`emailAddress="someone@example.com"`)})
	wantErr(t, err, "MethodNotAllowed", 405, "The specified method is not allowed against this resource.")

	// A body declared above 5 GiB is refused before any of it is sent.
	code, body := putDeclared(t, e.p, "/limits/huge", 5<<30+1)
	if code != 400 || !strings.Contains(body, "<Code>EntityTooLarge</Code>") || !strings.Contains(body, "<ProposedSize>5368709121</ProposedSize>") ||
		!strings.Contains(body, "<MaxSizeAllowed>5368709120</MaxSizeAllowed>") {
		t.Fatalf("declared 5 GiB + 1: %d %s", code, body)
	}

	// 10,000 buckets per account (the account's bucket index is filled directly: ten
	// thousand CreateBucket calls would only repeat what the other tests show).
	err = e.p.Store.Update(ctx, func(tx *store.Tx) error {
		for i := range 9999 {
			if err := tx.Put(store.NS("s3", account, "", "owned"), fmt.Sprintf("filler-%05d", i), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("one-too-many")})
	wantErr(t, err, "TooManyBuckets", 400, "You have attempted to create more buckets than allowed")
}

// putDeclared sends a signed PutObject that declares size bytes of body and sends
// none, and returns S3's answer.
func putDeclared(t *testing.T, p *apptest.Palisade, path string, size int64) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("PUT", p.URL+path, nil)
	req.ContentLength = size
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	apptest.SignAsRoot(t, req, "s3", "UNSIGNED-PAYLOAD")
	resp, body := apptest.SendPartial(t, req, "")
	return resp.StatusCode, body
}
