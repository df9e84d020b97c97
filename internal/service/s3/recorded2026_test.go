package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/palisade/palisade/internal/audit"
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

// TestRecordedBucketTags: PutBucketTagging's limits, counted in UTF-16 code units as
// AWS counts them (a letter outside the Basic Multilingual Plane counts twice), and
// what GetBucketTagging answers after each call (bucket_tags.json).
func TestRecordedBucketTags(t *testing.T) {
	e := newEnv(t)
	b := "stackd-bucket-tags-owned"
	e.bucket(b)
	get := func() error {
		_, err := e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
		return err
	}
	wantErr(t, get(), "NoSuchTagSet", 404, "The TagSet does not exist")
	must(e.s3.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String(b)}))

	astral := "\U00010400" // DESERET CAPITAL LETTER LONG I, two UTF-16 code units
	for _, c := range []struct {
		name, key, value string
		code, msg        string
	}{
		{"key-ascii-128", strings.Repeat("k", 128), "value", "", ""},
		{"key-ascii-129", strings.Repeat("k", 129), "value", "InvalidTag", "The TagKey you have provided is invalid"},
		{"value-ascii-256", "value", strings.Repeat("v", 256), "", ""},
		{"value-ascii-257", "value", strings.Repeat("v", 257), "InvalidTag", "The TagValue you have provided is invalid"},
		{"key-bmp-128", strings.Repeat("é", 128), "value", "", ""},
		{"key-bmp-129", strings.Repeat("é", 129), "value", "InvalidTag", "The TagKey you have provided is invalid"},
		{"value-bmp-256", "value", strings.Repeat("é", 256), "", ""},
		{"value-bmp-257", "value", strings.Repeat("é", 257), "InvalidTag", "The TagValue you have provided is invalid"},
		{"key-astral-letter-64", strings.Repeat(astral, 64), "value", "", ""},
		{"key-astral-letter-65", strings.Repeat(astral, 65), "value", "InvalidTag", "The TagKey you have provided is invalid"},
		{"key-astral-letter-128", strings.Repeat(astral, 128), "value", "InvalidTag", "The TagKey you have provided is invalid"},
		{"value-astral-letter-128", "value", strings.Repeat(astral, 128), "", ""},
		{"value-astral-letter-129", "value", strings.Repeat(astral, 129), "InvalidTag", "The TagValue you have provided is invalid"},
		{"empty-value", "empty-value", "", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, _ := e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
			_, err := e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b),
				Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String(c.key), Value: aws.String(c.value)}}}})
			after := must(e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)}))
			if c.code != "" {
				wantErr(t, err, c.code, 400, c.msg)
				if before == nil || len(after.TagSet) != 1 || *after.TagSet[0].Key != *before.TagSet[0].Key {
					t.Fatalf("a refused put changed the tags")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(after.TagSet) != 1 || *after.TagSet[0].Key != c.key || *after.TagSet[0].Value != c.value {
				t.Fatalf("tags after put: %+v", after.TagSet)
			}
		})
	}

	_, err := e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: &types.Tagging{TagSet: []types.Tag{
		{Key: aws.String("duplicate"), Value: aws.String("first")}, {Key: aws.String("duplicate"), Value: aws.String("second")}}}})
	wantErr(t, err, "InvalidTag", 400, "Cannot provide multiple Tags with the same key")
	must(e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: &types.Tagging{TagSet: []types.Tag{
		{Key: aws.String("Key"), Value: aws.String("value")}, {Key: aws.String("key"), Value: aws.String("value")}}}}))
	if out := must(e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})); len(out.TagSet) != 2 {
		t.Fatalf("keys differing in case: %d tags, want 2", len(out.TagSet))
	}

	many := make([]types.Tag, 51)
	for i := range many {
		many[i] = types.Tag{Key: aws.String(fmt.Sprintf("key-%d", i)), Value: aws.String("value")}
	}
	must(e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: &types.Tagging{TagSet: many[:50]}}))
	_, err = e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: &types.Tagging{TagSet: many}})
	wantErr(t, err, "BadRequest", 400, "Bucket tag count cannot be greater than 50")
	for _, c := range []struct{ key, value, msg string }{
		{"key,", "value", "The TagKey you have provided is invalid"},
		{"key", "value,", "The TagValue you have provided is invalid"},
		{"key%", "value", "The TagKey you have provided is invalid"},
		{"key", "value%", "The TagValue you have provided is invalid"},
	} {
		_, err = e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String(c.key), Value: aws.String(c.value)}}}})
		wantErr(t, err, "InvalidTag", 400, c.msg)
	}
	if out := must(e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})); len(out.TagSet) != 50 {
		t.Fatalf("refused puts changed the tags: %d tags, want 50", len(out.TagSet))
	}
	for _, tag := range []types.Tag{
		{Key: aws.String("ordinary"), Value: aws.String("aws:owned")},
		{Key: aws.String("space +-=._:/@"), Value: aws.String("space +-=._:/@")},
		{Key: aws.String("é中١"), Value: aws.String("é中١")},
	} {
		must(e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: &types.Tagging{TagSet: []types.Tag{tag}}}))
	}

	// The CLI sends an empty TagSet (the SDK for Go refuses to): 204, and no tag set.
	body := `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet></TagSet></Tagging>`
	sum := md5.Sum([]byte(body))
	if st, out := e.signed("PUT", "/"+b+"?tagging", map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}, body); st != 204 {
		t.Fatalf("empty TagSet: %d %s", st, out)
	}
	wantErr(t, get(), "NoSuchTagSet", 404, "The TagSet does not exist")
}

// TestRecordedSSECRangeOrder: a ranged GET of an SSE-C object without its key is
// InvalidRequest even when the range is unsatisfiable; with the right or a wrong key
// the unsatisfiable range is InvalidRange (customer_encryption_boundaries_replay.json).
func TestRecordedSSECRangeOrder(t *testing.T) {
	e := newEnv(t)
	b := "stackd-ssec-boundaries"
	e.bucket(b)
	e.allowSSEC(b)
	right := [3]string{"AES256", "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=", "Xsqb0+sHwAbNQ65I395/0w=="}
	wrong := [3]string{"AES256", "YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmI=", "i0+eoW3kvPW7/A/x6iN5NA=="}
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("customer-STANDARD"), StorageClass: types.StorageClassStandard,
		Body: strings.NewReader("customer boundary payload\n"), SSECustomerAlgorithm: &right[0], SSECustomerKey: &right[1], SSECustomerKeyMD5: &right[2]}))
	get := func(rng string, key *[3]string) (*s3.GetObjectOutput, error) {
		in := &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("customer-STANDARD"), Range: aws.String(rng)}
		if key != nil {
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = &key[0], &key[1], &key[2]
		}
		return e.s3.GetObject(ctx, in)
	}
	const noKey = "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object."
	_, err := get("bytes=0-2", nil)
	wantErr(t, err, "InvalidRequest", 400, noKey)
	_, err = get("bytes=9999-", nil)
	wantErr(t, err, "InvalidRequest", 400, noKey)
	out := must(get("bytes=0-2", &right))
	if got := readBody(out.Body); got != "cus" || *out.ContentRange != "bytes 0-2/26" {
		t.Fatalf("ranged read: %q, %s", got, *out.ContentRange)
	}
	_, err = get("bytes=9999-", &right)
	wantErr(t, err, "InvalidRange", 416, "")
	_, err = get("bytes=0-2", &wrong)
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = get("bytes=9999-", &wrong)
	wantErr(t, err, "InvalidRange", 416, "")
}

// TestRecordedLoggingKeyFormat: GetBucketLogging returns the object key format as
// PutBucketLogging gave it: none, an explicit SimplePrefix, a PartitionedPrefix with or
// without its date source (logging_control_replay.json).
func TestRecordedLoggingKeyFormat(t *testing.T) {
	e := newEnv(t)
	e.bucket("logging-native-simple")
	e.bucket("logging-native-dest1")
	must(e.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("logging-native-dest1"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::logging-native-dest1/*"}]}`)}))
	for _, c := range []struct {
		name string
		in   *types.TargetObjectKeyFormat
		want string
	}{
		{"omitted", nil, "none"},
		{"simple", &types.TargetObjectKeyFormat{SimplePrefix: &types.SimplePrefix{}}, "simple"},
		{"event", &types.TargetObjectKeyFormat{PartitionedPrefix: &types.PartitionedPrefix{PartitionDateSource: types.PartitionDateSourceEventTime}}, "partitioned EventTime"},
		{"delivery", &types.TargetObjectKeyFormat{PartitionedPrefix: &types.PartitionedPrefix{PartitionDateSource: types.PartitionDateSourceDeliveryTime}}, "partitioned DeliveryTime"},
		{"empty-partition", &types.TargetObjectKeyFormat{PartitionedPrefix: &types.PartitionedPrefix{}}, "partitioned "},
	} {
		must(e.s3.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("logging-native-simple"), BucketLoggingStatus: &types.BucketLoggingStatus{
			LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String("logging-native-dest1"), TargetPrefix: aws.String(c.name + "/"), TargetObjectKeyFormat: c.in}}}))
		le := must(e.s3.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("logging-native-simple")})).LoggingEnabled
		got := "none"
		switch f := le.TargetObjectKeyFormat; {
		case f != nil && f.SimplePrefix != nil:
			got = "simple"
		case f != nil && f.PartitionedPrefix != nil:
			got = "partitioned " + string(f.PartitionedPrefix.PartitionDateSource)
		}
		if got != c.want || *le.TargetPrefix != c.name+"/" || le.TargetGrants != nil {
			t.Errorf("%s: key format %q, want %q (%+v)", c.name, got, c.want, le)
		}
	}
	must(e.s3.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("logging-native-simple"), BucketLoggingStatus: &types.BucketLoggingStatus{}}))
	if le := must(e.s3.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("logging-native-simple")})).LoggingEnabled; le != nil {
		t.Fatalf("logging after disabling: %+v", le)
	}
}

// TestRecordedCompletionRepeated: an upload completed once can be completed again with
// the same manifest (without checksums in the answer, its conditions not weighed but
// If-Match: * still 501) and aborted, again and again, until the key is overwritten
// (multipart_completion_replay.json, scenario never-receipt).
func TestRecordedCompletionRepeated(t *testing.T) {
	e := newEnv(t)
	b := "stackd-mpc-never"
	e.bucket(b)
	k := aws.String("receipt")
	cr := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: k, ServerSideEncryption: types.ServerSideEncryptionAes256}))
	p1 := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: k, UploadId: cr.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("never/receipt/part-1")}))
	p2 := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: k, UploadId: cr.UploadId, PartNumber: aws.Int32(2), Body: strings.NewReader("never/receipt/part-2")}))
	if *p1.ETag != `"01d6811ac3efd529a1931edb0d76011f"` || *p2.ETag != `"d1157df9447904fa913eb285886ac4db"` {
		t.Fatalf("part ETags %s %s", *p1.ETag, *p2.ETag)
	}
	one := []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p1.ETag}}
	complete := func(parts []types.CompletedPart, ifMatch, ifNoneMatch *string) (*s3.CompleteMultipartUploadOutput, error) {
		return e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: k, UploadId: cr.UploadId,
			IfMatch: ifMatch, IfNoneMatch: ifNoneMatch, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	}
	abort := func() error {
		_, err := e.s3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(b), Key: k, UploadId: cr.UploadId})
		return err
	}
	const etag = `"d98eac19a3cbd845f42bae8a46e1a6e9-1"`
	first := must(complete(one, nil, nil))
	if *first.ETag != etag || first.ChecksumCRC64NVME == nil || first.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("first completion: %s %v %s", *first.ETag, first.ChecksumCRC64NVME, first.ChecksumType)
	}
	repeat := func(label string, ifMatch, ifNoneMatch *string) {
		out, err := complete(one, ifMatch, ifNoneMatch)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		if *out.ETag != etag || out.ChecksumCRC64NVME != nil || out.ChecksumType != "" || out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Fatalf("%s: %s %v %q %s", label, *out.ETag, out.ChecksumCRC64NVME, out.ChecksumType, out.ServerSideEncryption)
		}
	}
	repeat("same", nil, nil)
	_, err := complete([]types.CompletedPart{{PartNumber: aws.Int32(2), ETag: p2.ETag}}, nil, nil)
	wantErr(t, err, "NoSuchUpload", 404, "")
	_, err = complete([]types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(`"00000000000000000000000000000000"`)}}, nil, nil)
	wantErr(t, err, "NoSuchUpload", 404, "")
	_, err = complete([]types.CompletedPart{}, nil, nil)
	wantErr(t, err, "MalformedXML", 400, "")
	repeat("none-star", nil, aws.String("*"))
	repeat("match-current", aws.String(etag), nil)
	repeat("match-wrong", aws.String(`"00000000000000000000000000000000"`), nil)
	_, err = complete(one, aws.String("*"), nil)
	wantErr(t, err, "NotImplemented", 501, "")
	_, err = complete(one, aws.String(etag), aws.String("*"))
	wantErr(t, err, "NotImplemented", 501, "")
	if err := abort(); err != nil {
		t.Fatalf("abort after completion: %v", err)
	}
	repeat("after-abort", nil, nil)
	if err := abort(); err != nil {
		t.Fatalf("repeated abort: %v", err)
	}
	if got := e.get(b, "receipt"); got != "never/receipt/part-1" {
		t.Fatalf("object after abort: %q", got)
	}
	e.put(b, "receipt", "never/receipt/ordinary-overwrite")
	_, err = complete(one, nil, nil)
	wantErr(t, err, "NoSuchUpload", 404, "")
}

// grantsOf renders an ACL's grants as "grantee=PERMISSION" for comparison.
func grantsOf(owner string, grants []types.Grant) string {
	var out []string
	for _, g := range grants {
		who := aws.ToString(g.Grantee.URI)
		if aws.ToString(g.Grantee.ID) == owner {
			who = "owner"
		} else if who == "" {
			who = aws.ToString(g.Grantee.ID)
		}
		who = strings.TrimPrefix(who, "http://acs.amazonaws.com/groups/global/")
		out = append(out, who+"="+string(g.Permission))
	}
	return strings.Join(out, ",")
}

// TestRecordedLocalACLAuthority: within the bucket owner's account, a public or
// authenticated-users ACL grant reads an object for callers no identity policy allows
// (even past a permissions boundary or a session policy), a grant to the account's own
// canonical ID does not; IgnorePublicAcls takes those grants away and hides them from
// GetObjectAcl until it is turned off; an explicit deny in a session or bucket policy
// beats every grant (local_acl_authority_replay.json, first scenario).
func TestRecordedLocalACLAuthority(t *testing.T) {
	e := newEnv(t)
	b := "local-acl-auth"
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b), ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	owner := *must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(b)})).Owner.ID
	must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(b), PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}}))
	body := "harmless same-account authorization fixture\n"
	for _, o := range []struct {
		key  string
		acl  types.ObjectCannedACL
		read string
	}{{"private", types.ObjectCannedACLPrivate, ""}, {"public-acl", types.ObjectCannedACLPublicRead, ""}, {"authenticated-acl", types.ObjectCannedACLAuthenticatedRead, ""},
		{"policy", types.ObjectCannedACLPrivate, ""}, {"canonical-read", "", `id="` + owner + `"`}} {
		in := &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(o.key), ACL: o.acl, Body: strings.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}
		if o.read != "" {
			in.GrantRead, in.Body = aws.String(o.read), strings.NewReader("harmless canonical account grant\n")
		}
		out := must(e.s3.PutObject(ctx, in))
		if o.read == "" && (*out.ETag != `"78247c62dcb19c076b276326a43ceb68"` || *out.ChecksumCRC32 != "+6cU3w==") {
			t.Fatalf("%s: %s %s", o.key, *out.ETag, *out.ChecksumCRC32)
		}
	}
	must(0, e.policy(b, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::local-acl-auth/policy"}]}`))

	// The recording's caller is an IAM identity (the root user cannot assume roles).
	ck := must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("caller")})).User
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("caller"), PolicyName: aws.String("p"), PolicyDocument: aws.String(adminPolicy)}))
	key := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("caller")})).AccessKey
	stsc := sts.NewFromConfig(e.p.Config(*key.AccessKeyId, *key.SecretAccessKey, ""))
	const listOnly = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::local-acl-auth"}]}`
	const allowGet = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectAcl"], "Resource": "arn:aws:s3:::local-acl-auth/*"}]}`
	boundary := must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("local-acl-boundary"), PolicyDocument: aws.String(listOnly)})).Policy.Arn
	trust := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "` + *ck.Arn + `"}, "Action": "sts:AssumeRole"}]}`
	role := func(name, policy string, bound *string) *string {
		arn := must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust), PermissionsBoundary: bound})).Role.Arn
		must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("read"), PolicyDocument: aws.String(policy)}))
		return arn
	}
	user := func(name, policy string, bound *string) *s3.Client {
		must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name), PermissionsBoundary: bound}))
		must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("read"), PolicyDocument: aws.String(policy)}))
		k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).AccessKey
		return s3Client(e.p.Config(*k.AccessKeyId, *k.SecretAccessKey, ""))
	}
	session := func(arn *string, name, policy string) *s3.Client {
		in := &sts.AssumeRoleInput{RoleArn: arn, RoleSessionName: aws.String(name)}
		if policy != "" {
			in.Policy = aws.String(policy)
		}
		c := must(stsc.AssumeRole(ctx, in)).Credentials
		return s3Client(e.p.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken))
	}
	noGet, allow, bounded := role("local-acl-no-get", listOnly, nil), role("local-acl-allow-get", allowGet, nil), role("local-acl-boundary-no-get", allowGet, boundary)
	actors := map[string]*s3.Client{
		"user-no-get":                user("local-acl-no-get-u", listOnly, nil),
		"user-allow-get":             user("local-acl-allow-get-u", allowGet, nil),
		"user-boundary-no-get":       user("local-acl-boundary-no-get-u", allowGet, boundary),
		"role-no-get":                session(noGet, "native-no-get", ""),
		"role-allow-get":             session(allow, "native-allow-get", ""),
		"role-boundary-no-get":       session(bounded, "native-boundary-no-get", ""),
		"role-session-no-get":        session(allow, "native-session-no-get", listOnly),
		"role-session-explicit-deny": session(allow, "native-session-explicit-deny", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::local-acl-auth/*"}, {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::local-acl-auth/*"}]}`),
	}
	check := func(phase, actor, key string, want int) {
		t.Helper()
		var got int
		if actor == "anonymous" {
			got, _ = e.anon("GET", "/"+b+"/"+key, nil)
		} else {
			out, err := actors[actor].GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
			got = 200
			if err != nil {
				wantErr(t, err, "AccessDenied", 403, "")
				got = 403
			} else {
				out.Body.Close()
			}
		}
		if got != want {
			t.Errorf("%s/%s/%s: %d, want %d", phase, actor, key, got, want)
		}
	}
	// Columns: private, canonical-read, public-acl, authenticated-acl, policy.
	keys := []string{"private", "canonical-read", "public-acl", "authenticated-acl", "policy"}
	for actor, row := range map[string][5]int{
		"anonymous":                  {403, 403, 200, 403, 200},
		"user-no-get":                {403, 403, 200, 200, 200},
		"user-allow-get":             {200, 200, 200, 200, 200},
		"user-boundary-no-get":       {403, 403, 200, 200, 200},
		"role-no-get":                {403, 403, 200, 200, 200},
		"role-allow-get":             {200, 200, 200, 200, 200},
		"role-boundary-no-get":       {403, 403, 200, 200, 200},
		"role-session-no-get":        {403, 403, 200, 200, 200},
		"role-session-explicit-deny": {403, 403, 403, 403, 403},
	} {
		for i, k := range keys {
			check("baseline", actor, k, row[i])
		}
	}
	objectACL := func(key string) string {
		return grantsOf(owner, must(e.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(b), Key: aws.String(key)})).Grants)
	}
	for key, want := range map[string]string{"private": "owner=FULL_CONTROL", "canonical-read": "owner=READ", "public-acl": "owner=FULL_CONTROL,AllUsers=READ",
		"authenticated-acl": "owner=FULL_CONTROL,AuthenticatedUsers=READ", "policy": "owner=FULL_CONTROL"} {
		if got := objectACL(key); got != want {
			t.Errorf("object ACL of %s: %s, want %s", key, got, want)
		}
	}

	pab := func(ignore bool) {
		must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(b), PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(ignore), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}}))
	}
	pab(true)
	check("ignore-on", "anonymous", "public-acl", 403)
	check("ignore-on", "anonymous", "authenticated-acl", 403)
	check("ignore-on", "anonymous", "policy", 200)
	for _, a := range []string{"user-no-get", "user-boundary-no-get", "role-no-get", "role-boundary-no-get", "role-session-no-get", "role-session-explicit-deny"} {
		check("ignore-on", a, "public-acl", 403)
		check("ignore-on", a, "authenticated-acl", 403)
	}
	for _, a := range []string{"user-allow-get", "role-allow-get"} {
		check("ignore-on", a, "public-acl", 200)
		check("ignore-on", a, "authenticated-acl", 200)
	}
	check("ignore-on", "role-session-no-get", "policy", 200)
	check("ignore-on", "role-session-explicit-deny", "policy", 403)
	if oc := must(e.s3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String(b)})); oc.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipObjectWriter {
		t.Errorf("ownership: %v", oc.OwnershipControls.Rules[0].ObjectOwnership)
	}
	if got := objectACL("public-acl"); got != "owner=FULL_CONTROL" {
		t.Errorf("object ACL under IgnorePublicAcls: %s", got)
	}

	pab(false)
	for _, a := range []string{"anonymous", "user-no-get", "user-allow-get", "user-boundary-no-get", "role-no-get", "role-allow-get", "role-boundary-no-get", "role-session-no-get"} {
		check("ignore-off", a, "public-acl", 200)
	}
	check("ignore-off", "role-session-no-get", "policy", 200)
	check("ignore-off", "role-session-explicit-deny", "public-acl", 403)
	check("ignore-off", "role-session-explicit-deny", "policy", 403)
	if got := objectACL("public-acl"); got != "owner=FULL_CONTROL,AllUsers=READ" {
		t.Errorf("object ACL after IgnorePublicAcls: %s", got)
	}

	must(0, e.policy(b, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::local-acl-auth/policy"}, {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::local-acl-auth/public-acl"}]}`))
	for _, a := range []string{"anonymous", "user-no-get", "user-allow-get", "user-boundary-no-get", "role-no-get", "role-allow-get", "role-boundary-no-get", "role-session-no-get", "role-session-explicit-deny"} {
		check("bucket-deny", a, "public-acl", 403)
	}
	check("bucket-deny", "role-allow-get", "policy", 200)
	check("bucket-deny", "role-session-explicit-deny", "policy", 403)
	if got := objectACL("public-acl"); got != "owner=FULL_CONTROL,AllUsers=READ" {
		t.Errorf("object ACL under a deny: %s", got)
	}
}

// TestRecordedCreateACLAdmission: a new bucket's ACL headers against its object
// ownership and the public access block every new bucket starts with
// (local_acl_authority_replay.json, second scenario).
func TestRecordedCreateACLAdmission(t *testing.T) {
	e := newEnv(t)
	e.bucket("probe-owner")
	owner := *must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("probe-owner")})).Owner.ID
	for _, c := range []struct {
		name      string
		ownership types.ObjectOwnership
		acl       types.BucketCannedACL
		grantRead string
		code      string
		want      string
	}{
		{"default-omitted", "", "", "", "", "owner=FULL_CONTROL"},
		{"default-private", "", types.BucketCannedACLPrivate, "", "", "owner=FULL_CONTROL"},
		{"default-public-read", "", types.BucketCannedACLPublicRead, "", "InvalidBucketAclWithObjectOwnership", ""},
		{"enforced-omitted", types.ObjectOwnershipBucketOwnerEnforced, "", "", "", "owner=FULL_CONTROL"},
		{"enforced-private", types.ObjectOwnershipBucketOwnerEnforced, types.BucketCannedACLPrivate, "", "", "owner=FULL_CONTROL"},
		{"enforced-public-read", types.ObjectOwnershipBucketOwnerEnforced, types.BucketCannedACLPublicRead, "", "InvalidBucketAclWithObjectOwnership", ""},
		{"preferred-omitted", types.ObjectOwnershipBucketOwnerPreferred, "", "", "", "owner=FULL_CONTROL"},
		{"preferred-private", types.ObjectOwnershipBucketOwnerPreferred, types.BucketCannedACLPrivate, "", "", "owner=FULL_CONTROL"},
		{"preferred-public-read", types.ObjectOwnershipBucketOwnerPreferred, types.BucketCannedACLPublicRead, "", "InvalidBucketAclWithBlockPublicAccessError", ""},
		{"writer-omitted", types.ObjectOwnershipObjectWriter, "", "", "", "owner=FULL_CONTROL"},
		{"writer-private", types.ObjectOwnershipObjectWriter, types.BucketCannedACLPrivate, "", "", "owner=FULL_CONTROL"},
		{"writer-public-read", types.ObjectOwnershipObjectWriter, types.BucketCannedACLPublicRead, "", "InvalidBucketAclWithBlockPublicAccessError", ""},
		{"default-canonical-read", "", "", `id="` + owner + `"`, "InvalidBucketAclWithObjectOwnership", ""},
		{"writer-canonical-read", types.ObjectOwnershipObjectWriter, "", `id="` + owner + `"`, "", "owner=READ"},
	} {
		b := aws.String("local-acl-" + c.name)
		in := &s3.CreateBucketInput{Bucket: b, ObjectOwnership: c.ownership, ACL: c.acl}
		if c.grantRead != "" {
			in.GrantRead = aws.String(c.grantRead)
		}
		_, err := e.s3.CreateBucket(ctx, in)
		if c.code != "" {
			wantErr(t, err, c.code, 400, "")
			_, err = e.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b})
			wantErr(t, err, "NotFound", 404, "")
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		wantOwn := c.ownership
		if wantOwn == "" {
			wantOwn = types.ObjectOwnershipBucketOwnerEnforced
		}
		if got := must(e.s3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})).OwnershipControls.Rules[0].ObjectOwnership; got != wantOwn {
			t.Errorf("%s: ownership %s", c.name, got)
		}
		p := must(e.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})).PublicAccessBlockConfiguration
		if !*p.BlockPublicAcls || !*p.IgnorePublicAcls || !*p.BlockPublicPolicy || !*p.RestrictPublicBuckets {
			t.Errorf("%s: public access block %+v", c.name, p)
		}
		if got := grantsOf(owner, must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})).Grants); got != c.want {
			t.Errorf("%s: ACL %s, want %s", c.name, got, c.want)
		}
	}
}

// TestRecordedOwnedDuplicateCreate: creating a bucket one already owns is 409
// BucketAlreadyOwnedByYou in us-east-1 whatever ownership or ACL the request names, and
// changes nothing: ownership, public access block, ACL, policy, objects and their ACLs
// stay (local_acl_authority_replay.json, duplicate scenarios).
func TestRecordedOwnedDuplicateCreate(t *testing.T) {
	e := newEnv(t)
	b := aws.String("local-acl-duplicate")
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	owner := *must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})).Owner.ID
	must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}}))
	must(e.s3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPublicRead}))
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("retained"), ACL: types.ObjectCannedACLPublicRead, Body: strings.NewReader("harmless retained state\n")}))
	must(0, e.policy(*b, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::local-acl-duplicate/retained", "Principal": "*"}]}`))
	check := func(label string) {
		t.Helper()
		if got := must(e.s3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})).OwnershipControls.Rules[0].ObjectOwnership; got != types.ObjectOwnershipObjectWriter {
			t.Errorf("%s: ownership %s", label, got)
		}
		if p := must(e.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})).PublicAccessBlockConfiguration; *p.BlockPublicAcls || *p.IgnorePublicAcls || *p.BlockPublicPolicy || *p.RestrictPublicBuckets {
			t.Errorf("%s: public access block %+v", label, p)
		}
		if got := grantsOf(owner, must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})).Grants); got != "owner=FULL_CONTROL,AllUsers=READ" {
			t.Errorf("%s: bucket ACL %s", label, got)
		}
		if !strings.Contains(*must(e.s3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})).Policy, "local-acl-duplicate/retained") {
			t.Errorf("%s: policy changed", label)
		}
		if got := e.get(*b, "retained"); got != "harmless retained state\n" {
			t.Errorf("%s: object %q", label, got)
		}
		if got := grantsOf(owner, must(e.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: aws.String("retained")})).Grants); got != "owner=FULL_CONTROL,AllUsers=READ" {
			t.Errorf("%s: object ACL %s", label, got)
		}
	}
	check("before")
	for _, in := range []*s3.CreateBucketInput{{Bucket: b}, {Bucket: b, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred, ACL: types.BucketCannedACLPrivate},
		{Bucket: b, ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced, ACL: types.BucketCannedACLPrivate}} {
		_, err := e.s3.CreateBucket(ctx, in)
		wantErr(t, err, "BucketAlreadyOwnedByYou", 409, "")
		check(string(in.ObjectOwnership) + "/" + string(in.ACL))
	}
}

// TestRecordedAccessControlsAudit: the access-control calls of an IAM user and the
// CloudTrail records S3 writes for them: the public access block operations under
// their action names, aclRequired "Yes" on every ACL that was set and on nothing else,
// and a bucket with ACLs disabled refusing even a private object ACL
// (access_controls_audit_replay.json).
func TestRecordedAccessControlsAudit(t *testing.T) {
	e := newEnv(t)
	e.dataTrail()
	u := e.user("Delegated", allowAll)
	b := aws.String("access-audit-replay")
	k := aws.String("harmless")
	must(u.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}))
	owner := *must(u.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})).Owner.ID
	must(u.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b}))
	must(u.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b}))
	_, err := u.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b})
	wantErr(t, err, "NoSuchBucketPolicy", 404, "The bucket policy does not exist")
	ownership := func(o types.ObjectOwnership) {
		must(u.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: o}}}}))
	}
	pab := func(ignore, policy bool) {
		must(u.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(ignore), BlockPublicPolicy: aws.Bool(policy), RestrictPublicBuckets: aws.Bool(false)}}))
	}
	objectACL := func() string {
		return grantsOf(owner, must(u.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: k})).Grants)
	}
	ownership(types.ObjectOwnershipObjectWriter)
	pab(false, false)
	must(u.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b}))
	_, err = u.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	wantErr(t, err, "NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found")
	must(u.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPrivate}))
	must(u.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	put := must(u.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("owned native access audit fixture\n")}))
	if *put.ETag != `"6bace8f54a765f83c8556f8f03083a67"` {
		t.Fatalf("ETag %s", *put.ETag)
	}
	must(u.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLPrivate}))
	acl := must(u.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: k}))
	must(u.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, AccessControlPolicy: &types.AccessControlPolicy{Owner: acl.Owner, Grants: acl.Grants}}))
	must(u.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLPrivate, VersionId: put.VersionId}))
	must(u.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: k, VersionId: put.VersionId}))
	must(u.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLPublicRead}))
	if got := objectACL(); got != "owner=FULL_CONTROL,AllUsers=READ" {
		t.Errorf("public-read object ACL: %s", got)
	}
	pab(true, false)
	if got := objectACL(); got != "owner=FULL_CONTROL" {
		t.Errorf("object ACL under IgnorePublicAcls: %s", got)
	}
	pab(false, false)
	ownership(types.ObjectOwnershipBucketOwnerEnforced)
	if got := objectACL(); got != "owner=FULL_CONTROL" {
		t.Errorf("object ACL with ACLs disabled: %s", got)
	}
	_, err = u.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLPrivate})
	wantErr(t, err, "AccessControlListNotSupported", 400, "The bucket does not allow ACLs")
	must(u.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: b}))
	_, err = u.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
	wantErr(t, err, "OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found")
	if got := objectACL(); got != "owner=FULL_CONTROL,AllUsers=READ" {
		t.Errorf("object ACL after deleting ownership controls: %s", got)
	}
	public := aws.String(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::access-audit-replay/harmless"}]}`)
	must(u.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: public}))
	if !*must(u.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b})).PolicyStatus.IsPublic {
		t.Error("policy status not public")
	}
	pab(false, true)
	_, err = u.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: public})
	wantErr(t, err, "AccessDenied", 403, "")
	if !*must(u.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b})).PolicyStatus.IsPublic {
		t.Error("retained policy status not public")
	}
	must(u.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b}))
	_, err = u.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b})
	wantErr(t, err, "NoSuchBucketPolicy", 404, "The bucket policy does not exist")

	var got []string
	for _, ev := range e.events(audit.Source) {
		var r audit.Record
		if err := json.Unmarshal(ev.Data, &r); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(r.RequestParameters), "access-audit-replay") || r.EventName == "CreateBucket" {
			continue
		}
		line := r.EventName
		if r.ErrorCode != "" {
			line += "!" + r.ErrorCode
		}
		if r.AdditionalEventData["aclRequired"] == "Yes" {
			line += "+acl"
		}
		got = append(got, line)
	}
	want := []string{"GetBucketAcl", "GetBucketOwnershipControls", "GetBucketPublicAccessBlock", "GetBucketPolicyStatus!NoSuchBucketPolicy",
		"PutBucketOwnershipControls", "PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock", "GetBucketPublicAccessBlock!NoSuchPublicAccessBlockConfiguration",
		"PutBucketAcl+acl", "PutBucketVersioning", "PutObject", "PutObjectAcl+acl", "GetObjectAcl", "PutObjectAcl+acl", "PutObjectAcl+acl", "GetObjectAcl",
		"PutObjectAcl+acl", "GetObjectAcl", "PutBucketPublicAccessBlock", "GetObjectAcl", "PutBucketPublicAccessBlock", "PutBucketOwnershipControls", "GetObjectAcl",
		"PutObjectAcl!AccessControlListNotSupported", "DeleteBucketOwnershipControls", "GetBucketOwnershipControls!OwnershipControlsNotFoundError", "GetObjectAcl",
		"PutBucketPolicy", "GetBucketPolicyStatus", "PutBucketPublicAccessBlock", "PutBucketPolicy!AccessDenied", "GetBucketPolicyStatus", "DeleteBucketPolicy",
		"GetBucketPolicyStatus!NoSuchBucketPolicy"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("records:\n got %v\nwant %v", got, want)
	}
}

// roleSessions is roleConfigs (control_tags_test.go) with S3 clients: the caller's,
// and a function that opens sessions of the role with a session policy.
func (e *env) roleSessions(role, policy string) (*s3.Client, func(name, sessionPolicy string) *s3.Client) {
	e.Helper()
	cfg, session := e.roleConfigs(role, policy)
	return s3Client(cfg), func(name, sessionPolicy string) *s3.Client { return s3Client(session(name, sessionPolicy)) }
}

// TestRecordedMultipartAuthority: which action each multipart call needs, that
// anyone the policies allow may work on an upload someone else began, that the
// resource each action names must be the right one, and how ListParts and
// ListMultipartUploads show an assumed role as the initiator
// (multipart_authority_replay.json, operation-authority-and-key-lifecycle, calls 10-73).
func TestRecordedMultipartAuthority(t *testing.T) {
	e := newEnv(t)
	b := aws.String("mpu-authority-replay")
	caller, session := e.roleSessions("mpu-authority-replay", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::mpu-authority-replay", "arn:aws:s3:::mpu-authority-replay/*"]}]}`)
	must(caller.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}))
	must(caller.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	deny := func(actions string) string {
		return `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": [` + actions + `], "Resource": "*"}]}`
	}
	full := session("full", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`)
	noTag, noPut := session("noTag", deny(`"s3:PutObjectTagging"`)), session("noPut", deny(`"s3:PutObject"`))
	noList, noAbort := session("noList", deny(`"s3:ListMultipartUploadParts", "s3:ListBucketMultipartUploads"`)), session("noAbort", deny(`"s3:AbortMultipartUpload"`))
	const body0 = "multipart authority payload\n"
	const partETag, mpuETag = `"b683a27b30d6433f345fd27437cd18ef"`, `"9c61fd1969114315a7962c845f734ea6-1"`
	create := func(c *s3.Client, key, tagging string) (*string, error) {
		in := &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String(key)}
		if tagging != "" {
			in.Tagging = aws.String(tagging)
		}
		out, err := c.CreateMultipartUpload(ctx, in)
		if err != nil {
			return nil, err
		}
		return out.UploadId, nil
	}
	part := func(c *s3.Client, key string, id *string) error {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String(key), UploadId: id, PartNumber: aws.Int32(1), Body: strings.NewReader(body0)})
		if err == nil && *out.ETag != partETag {
			t.Errorf("part ETag %s", *out.ETag)
		}
		return err
	}
	complete := func(c *s3.Client, key string, id *string, ifNoneMatch *string) error {
		out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String(key), UploadId: id, IfNoneMatch: ifNoneMatch,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(partETag)}}}})
		if err == nil && (*out.ETag != mpuETag || aws.ToString(out.ChecksumCRC64NVME) != "SzrS71iUdJM=") {
			t.Errorf("completion %s %v", *out.ETag, aws.ToString(out.ChecksumCRC64NVME))
		}
		return err
	}
	listParts := func(c *s3.Client, key string, id *string) (*s3.ListPartsOutput, error) {
		return c.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String(key), UploadId: id})
	}
	const roleARN = "arn:aws:sts::000000000000:assumed-role/mpu-authority-replay/full"
	checkParts := func(out *s3.ListPartsOutput, n int) {
		t.Helper()
		if aws.ToString(out.Initiator.ID) != roleARN || aws.ToString(out.Initiator.DisplayName) != "mpu-authority-replay/full" || len(out.Parts) != n ||
			aws.ToString(out.PartNumberMarker) != "0" || aws.ToString(out.NextPartNumberMarker) != fmt.Sprint(n) || *out.MaxParts != 1000 || *out.IsTruncated {
			t.Errorf("ListParts: initiator %s %s, %d parts, markers %s %s", aws.ToString(out.Initiator.ID), aws.ToString(out.Initiator.DisplayName), len(out.Parts),
				aws.ToString(out.PartNumberMarker), aws.ToString(out.NextPartNumberMarker))
		}
	}

	id := must(create(full, "positive-propagation-0", ""))
	must(0, part(full, "positive-propagation-0", id))
	checkParts(must(listParts(full, "positive-propagation-0", id)), 1)
	must(full.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: aws.String("positive-propagation-0"), UploadId: id}))

	_, err := create(noPut, "no-put-create", "")
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = create(noTag, "tagged-no-tag-create", "a=b")
	wantErr(t, err, "AccessDenied", 403, "")
	id = must(create(noTag, "untagged-no-tag-create", ""))
	must(0, part(noTag, "untagged-no-tag-create", id))
	must(0, complete(noTag, "untagged-no-tag-create", id, nil))
	// Tags named at initiation are applied at completion without s3:PutObjectTagging.
	id = must(create(full, "tagged-full-create", "a=b"))
	must(0, part(noTag, "tagged-full-create", id))
	must(0, complete(noTag, "tagged-full-create", id, nil))
	if tags := must(caller.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("tagged-full-create")})).TagSet; len(tags) != 1 || *tags[0].Key != "a" {
		t.Errorf("tags %+v", tags)
	}

	e.put(*b, "source", "source version one\n")
	id = must(create(full, "authorization-checks", ""))
	must(0, part(full, "authorization-checks", id))
	wantErr(t, part(noPut, "authorization-checks", id), "AccessDenied", 403, "")
	_, err = noPut.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: b, Key: aws.String("authorization-checks"), UploadId: id, PartNumber: aws.Int32(1), CopySource: aws.String("/mpu-authority-replay/source")})
	wantErr(t, err, "AccessDenied", 403, "")
	wantErr(t, complete(noPut, "authorization-checks", id, nil), "AccessDenied", 403, "")
	_, err = listParts(noList, "authorization-checks", id)
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = noList.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = noAbort.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: aws.String("authorization-checks"), UploadId: id})
	wantErr(t, err, "AccessDenied", 403, "")
	checkParts(must(listParts(full, "authorization-checks", id)), 1)
	// The caller works on the role's upload, and the role on the caller's.
	checkParts(must(listParts(caller, "authorization-checks", id)), 1)
	must(0, part(caller, "authorization-checks", id))
	must(0, complete(caller, "authorization-checks", id, nil))
	id = must(create(caller, "admin-initiates", ""))
	lp := must(listParts(full, "admin-initiates", id))
	if len(lp.Parts) != 0 || aws.ToString(lp.NextPartNumberMarker) != "0" || aws.ToString(lp.PartNumberMarker) != "0" {
		t.Errorf("empty ListParts: %d parts, markers %s %s", len(lp.Parts), aws.ToString(lp.PartNumberMarker), aws.ToString(lp.NextPartNumberMarker))
	}
	lu := must(full.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b}))
	if len(lu.Uploads) != 1 || aws.ToString(lu.NextKeyMarker) != "admin-initiates" || aws.ToString(lu.NextUploadIdMarker) != *id || aws.ToString(lu.KeyMarker) != "" {
		t.Errorf("ListMultipartUploads %+v", lu)
	}
	must(0, part(full, "admin-initiates", id))
	must(0, complete(full, "admin-initiates", id, nil))
	id = must(create(caller, "admin-init-abort", ""))
	must(full.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: aws.String("admin-init-abort"), UploadId: id}))

	// Each action on its own resource: the upload's parts and abort on the object, the
	// listing of uploads on the bucket.
	scopeWrong := session("scopeWrong", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"], "Resource": "arn:aws:s3:::mpu-authority-replay"}, {"Effect": "Allow", "Action": "s3:ListBucketMultipartUploads", "Resource": "arn:aws:s3:::mpu-authority-replay/*"}]}`)
	scopeRight := session("scopeRight", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"], "Resource": "arn:aws:s3:::mpu-authority-replay/*"}, {"Effect": "Allow", "Action": "s3:ListBucketMultipartUploads", "Resource": "arn:aws:s3:::mpu-authority-replay"}]}`)
	id = must(create(full, "scope-check", ""))
	must(0, part(full, "scope-check", id))
	_, err = listParts(scopeWrong, "scope-check", id)
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = scopeWrong.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = scopeWrong.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: aws.String("scope-check"), UploadId: id})
	wantErr(t, err, "AccessDenied", 403, "")
	checkParts(must(listParts(scopeRight, "scope-check", id)), 1)
	lu = must(scopeRight.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b}))
	if len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].Initiator.ID) != roleARN || aws.ToString(lu.Uploads[0].Initiator.DisplayName) != "mpu-authority-replay/full" {
		t.Errorf("ListMultipartUploads initiator %+v", lu.Uploads)
	}
	must(scopeRight.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: aws.String("scope-check"), UploadId: id}))

	// A failed completion condition keeps the upload and its parts.
	id = must(create(full, "policy-revocation", ""))
	must(0, part(full, "policy-revocation", id))
	e.put(*b, "policy-revocation", "existing destination\n")
	wantErr(t, complete(full, "policy-revocation", id, aws.String("*")), "PreconditionFailed", 412, "")
	checkParts(must(listParts(full, "policy-revocation", id)), 1)
}

// TestRecordedMultipartCopyAndKMSAuthority: UploadPartCopy reads its source with
// s3:GetObject, or s3:GetObjectVersion when it names a version, and never needs the
// source's tags; a source the caller may not read is refused before a false copy
// condition, the destination's s3:PutObject and KMS only after it. Under SSE-KMS,
// initiation needs kms:GenerateDataKey, parts (uploaded or copied) kms:Decrypt, and
// ListParts and completion without checksums neither
// (multipart_authority_replay.json, operation-authority-and-key-lifecycle, calls 74-114).
func TestRecordedMultipartCopyAndKMSAuthority(t *testing.T) {
	e := newEnv(t)
	b := aws.String("mpu-authority-replay")
	key := must(kms.NewFromConfig(e.p.RootConfig()).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("mpu-authority-replay")})).KeyMetadata
	caller, session := e.roleSessions("mpu-authority-replay", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::mpu-authority-replay", "arn:aws:s3:::mpu-authority-replay/*"]}, {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"], "Resource": "`+*key.Arn+`"}]}`)
	must(caller.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}))
	must(caller.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	deny := func(name, actions string) *s3.Client {
		return session(name, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": [`+actions+`], "Resource": "*"}]}`)
	}
	full := session("full", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`)
	noPut, noGet, noVersion := deny("noPut", `"s3:PutObject"`), deny("noGet", `"s3:GetObject"`), deny("noVersion", `"s3:GetObjectVersion"`)
	noSourceTag, noGDK := deny("noSourceTag", `"s3:GetObjectTagging", "s3:GetObjectVersionTagging"`), deny("noGDK", `"kms:GenerateDataKey"`)
	noDecrypt, noKMS := deny("noDecrypt", `"kms:Decrypt"`), deny("noKms", `"kms:*"`)
	const body0 = "multipart authority payload\n"
	v1 := must(caller.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("source"), Tagging: aws.String("source=tagged"), Body: strings.NewReader("source version one\n")})).VersionId
	v2 := must(caller.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("source"), Tagging: aws.String("source=second"), Body: strings.NewReader("source version two\n")})).VersionId
	create := func(c *s3.Client, k string, kmsKey bool) (*string, error) {
		in := &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String(k)}
		if kmsKey {
			in.ServerSideEncryption, in.SSEKMSKeyId, in.BucketKeyEnabled = types.ServerSideEncryptionAwsKms, key.Arn, aws.Bool(false)
		}
		out, err := c.CreateMultipartUpload(ctx, in)
		if err != nil {
			return nil, err
		}
		return out.UploadId, nil
	}
	part := func(c *s3.Client, k string, id *string) (*string, error) {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String(k), UploadId: id, PartNumber: aws.Int32(1), Body: strings.NewReader(body0)})
		if err != nil {
			return nil, err
		}
		return out.ETag, nil
	}
	copyPart := func(c *s3.Client, k string, id *string, source string, ifMatch *string) (*s3.UploadPartCopyOutput, error) {
		return c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: b, Key: aws.String(k), UploadId: id, PartNumber: aws.Int32(1), CopySource: aws.String(source), CopySourceIfMatch: ifMatch})
	}
	complete := func(c *s3.Client, k string, id, etag *string) (*s3.CompleteMultipartUploadOutput, error) {
		return c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String(k), UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: etag}}}})
	}
	copied := func(label string, out *s3.UploadPartCopyOutput, err error, etag string, version *string) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", label, err)
			return
		}
		if *out.CopyPartResult.ETag != etag || aws.ToString(out.CopySourceVersionId) != *version {
			t.Errorf("%s: %s from %s", label, *out.CopyPartResult.ETag, aws.ToString(out.CopySourceVersionId))
		}
	}

	// A bucket policy denying the role s3:PutObject stops its parts and its completion
	// (before a false condition) and keeps the parts; lifting it lets both through.
	id := must(create(full, "policy-revocation", false))
	must(part(full, "policy-revocation", id))
	e.put(*b, "policy-revocation", "existing destination\n")
	must(0, e.policy(*b, `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::mpu-authority-replay/*", "Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::000000000000:role/mpu-authority-replay"}}}]}`))
	_, err := part(full, "policy-revocation", id)
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = full.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("policy-revocation"), UploadId: id, IfNoneMatch: aws.String("*"),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(`"b683a27b30d6433f345fd27437cd18ef"`)}}}})
	wantErr(t, err, "AccessDenied", 403, "")
	if ps := must(full.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String("policy-revocation"), UploadId: id})).Parts; len(ps) != 1 {
		t.Errorf("parts after refusals: %d", len(ps))
	}
	must(e.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b}))
	etag := must(part(full, "policy-revocation", id))
	must(complete(full, "policy-revocation", id, etag))

	id = must(create(full, "copy-permissions", false))
	must(part(full, "copy-permissions", id))
	const e1, e2 = `"40805f7e1f617bfbaa8e4cf68948c98f"`, `"8191c8202605e5d9211d472981c426a9"`
	_, err = copyPart(noGet, "copy-permissions", id, "/mpu-authority-replay/source", nil)
	wantErr(t, err, "AccessDenied", 403, "")
	out, err := copyPart(noGet, "copy-permissions", id, "/mpu-authority-replay/source?versionId="+*v1, nil)
	copied("version without s3:GetObject", out, err, e1, v1)
	out, err = copyPart(noVersion, "copy-permissions", id, "/mpu-authority-replay/source", nil)
	copied("current without s3:GetObjectVersion", out, err, e2, v2)
	_, err = copyPart(noVersion, "copy-permissions", id, "/mpu-authority-replay/source?versionId="+*v1, nil)
	wantErr(t, err, "AccessDenied", 403, "")
	out, err = copyPart(noSourceTag, "copy-permissions", id, "/mpu-authority-replay/source", nil)
	copied("current without tag reads", out, err, e2, v2)
	out, err = copyPart(noSourceTag, "copy-permissions", id, "/mpu-authority-replay/source?versionId="+*v1, nil)
	copied("version without tag reads", out, err, e1, v1)
	_, err = copyPart(noGet, "copy-permissions", id, "/mpu-authority-replay/source", aws.String(`"bad"`))
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = copyPart(noPut, "copy-permissions", id, "/mpu-authority-replay/source", aws.String(`"bad"`))
	wantErr(t, err, "PreconditionFailed", 412, "")
	out, err = copyPart(full, "copy-permissions", id, "/mpu-authority-replay/source?versionId="+*v1, nil)
	copied("final", out, err, e1, v1)
	if c := must(complete(full, "copy-permissions", id, aws.String(e1))); *c.ETag != `"1968b134b09f6b7f32e2c1c9f472bbcc-1"` || aws.ToString(c.ChecksumCRC64NVME) != "oW9okSelyrk=" {
		t.Errorf("copied completion %s %s", *c.ETag, aws.ToString(c.ChecksumCRC64NVME))
	}
	if got := e.get(*b, "copy-permissions"); got != "source version one\n" {
		t.Errorf("copied object %q", got)
	}

	id = must(create(full, "kms-positive-create", true))
	etag = must(part(full, "kms-positive-create", id))
	if c := must(complete(full, "kms-positive-create", id, etag)); c.ServerSideEncryption != types.ServerSideEncryptionAwsKms || *c.SSEKMSKeyId != *key.Arn {
		t.Errorf("KMS completion %s %v", c.ServerSideEncryption, c.SSEKMSKeyId)
	}
	if got := e.get(*b, "kms-positive-create"); got != body0 {
		t.Errorf("KMS object %q", got)
	}
	_, err = create(noGDK, "kms-create-no-gdk", true)
	wantErr(t, err, "AccessDenied", 403, "")
	id = must(create(noDecrypt, "kms-create-no-decrypt", true))
	_, err = part(noDecrypt, "kms-create-no-decrypt", id)
	wantErr(t, err, "AccessDenied", 403, "")
	etag = must(part(noGDK, "kms-create-no-decrypt", id))
	for _, c := range []*s3.Client{noDecrypt, noKMS, noGDK} {
		lp := must(c.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String("kms-create-no-decrypt"), UploadId: id}))
		if len(lp.Parts) != 1 || aws.ToString(lp.Initiator.DisplayName) != "mpu-authority-replay/noDecrypt" {
			t.Errorf("ListParts without KMS: %d parts, initiator %v", len(lp.Parts), aws.ToString(lp.Initiator.DisplayName))
		}
	}
	must(complete(noDecrypt, "kms-create-no-decrypt", id, etag))
	_, err = full.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String("kms-create-no-decrypt"), UploadId: id})
	wantErr(t, err, "NoSuchUpload", 404, "")
	if got := e.get(*b, "kms-create-no-decrypt"); got != body0 {
		t.Errorf("KMS object completed without Decrypt %q", got)
	}

	id = must(create(full, "kms-copy-dest", true))
	_, err = copyPart(noDecrypt, "kms-copy-dest", id, "/mpu-authority-replay/source", nil)
	wantErr(t, err, "AccessDenied", 403, "")
	out = must(copyPart(noGDK, "kms-copy-dest", id, "/mpu-authority-replay/source", nil))
	if aws.ToString(out.CopySourceVersionId) != *v2 || out.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(out.SSEKMSKeyId) != *key.Arn {
		t.Errorf("KMS part copy %+v", out)
	}
	_, err = copyPart(noDecrypt, "kms-copy-dest", id, "/mpu-authority-replay/source", aws.String(`"bad"`))
	wantErr(t, err, "PreconditionFailed", 412, "")
}

// TestRecordedMultipartKMSKeyStates: copying an SSE-KMS source needs kms:Decrypt on its
// key (after a false copy condition), completing an upload with checksums under SSE-KMS
// needs kms:Decrypt, and a disabled key stops initiation, parts and part copies from or
// to it with KMS.DisabledException but not ListParts or a completion without checksums;
// enabled again, the upload goes on (multipart_authority_replay.json,
// operation-authority-and-key-lifecycle, calls 115-153).
func TestRecordedMultipartKMSKeyStates(t *testing.T) {
	e := newEnv(t)
	b := aws.String("mpu-authority-replay")
	kc := kms.NewFromConfig(e.p.RootConfig())
	key := must(kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("mpu-authority-replay")})).KeyMetadata
	caller, session := e.roleSessions("mpu-authority-replay", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::mpu-authority-replay", "arn:aws:s3:::mpu-authority-replay/*"]}, {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"], "Resource": "`+*key.Arn+`"}]}`)
	must(caller.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}))
	must(caller.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	deny := func(name, action string) *s3.Client {
		return session(name, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": ["`+action+`"], "Resource": "*"}]}`)
	}
	full := session("full", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`)
	noGDK, noDecrypt := deny("noGDK", "kms:GenerateDataKey"), deny("noDecrypt", "kms:Decrypt")
	const body0 = "multipart authority payload\n"
	e.put(*b, "source", "source version two\n")
	ksrc := must(caller.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("kms-source"), ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: key.Arn,
		BucketKeyEnabled: aws.Bool(false), Body: strings.NewReader("encrypted source bytes\n")}))
	if aws.ToString(ksrc.ChecksumCRC64NVME) != "Qp+fZ8B5K5A=" {
		t.Errorf("KMS source checksum %s", aws.ToString(ksrc.ChecksumCRC64NVME))
	}
	create := func(k string, kmsKey bool, alg types.ChecksumAlgorithm) (*string, error) {
		in := &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String(k), ChecksumAlgorithm: alg}
		if kmsKey {
			in.ServerSideEncryption, in.SSEKMSKeyId, in.BucketKeyEnabled = types.ServerSideEncryptionAwsKms, key.Arn, aws.Bool(false)
		}
		out, err := full.CreateMultipartUpload(ctx, in)
		if err != nil {
			return nil, err
		}
		return out.UploadId, nil
	}
	part := func(k string, id *string, sum *string) (*string, error) {
		out, err := full.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String(k), UploadId: id, PartNumber: aws.Int32(1), Body: strings.NewReader(body0), ChecksumSHA256: sum})
		if err != nil {
			return nil, err
		}
		return out.ETag, nil
	}
	copyPart := func(c *s3.Client, k string, id *string, source string, ifMatch *string) (*s3.UploadPartCopyOutput, error) {
		return c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: b, Key: aws.String(k), UploadId: id, PartNumber: aws.Int32(1), CopySource: aws.String(source), CopySourceIfMatch: ifMatch})
	}
	complete := func(c *s3.Client, k string, id, etag, sum *string) (*s3.CompleteMultipartUploadOutput, error) {
		return c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String(k), UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: etag, ChecksumSHA256: sum}}}})
	}
	partsOf := func(k string, id *string) int {
		return len(must(full.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String(k), UploadId: id})).Parts)
	}

	sse3 := must(create("kms-source-copy-sse3", false, ""))
	must(part("kms-source-copy-sse3", sse3, nil))
	_, err := copyPart(noDecrypt, "kms-source-copy-sse3", sse3, "/mpu-authority-replay/kms-source", aws.String(`"bad"`))
	wantErr(t, err, "PreconditionFailed", 412, "")
	_, err = copyPart(noDecrypt, "kms-source-copy-sse3", sse3, "/mpu-authority-replay/kms-source", nil)
	wantErr(t, err, "AccessDenied", 403, "")
	out := must(copyPart(noGDK, "kms-source-copy-sse3", sse3, "/mpu-authority-replay/kms-source", nil))
	if *out.CopyPartResult.ETag != `"51c387283412426074b24786b24b1510"` || aws.ToString(out.CopySourceVersionId) != *ksrc.VersionId || out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("copy of a KMS source %s %s %s", *out.CopyPartResult.ETag, aws.ToString(out.CopySourceVersionId), out.ServerSideEncryption)
	}

	const sum = "ipAadz6A+tb9CS+osIZP1dsf3x+z6gaYb8K8gBYBHuc="
	explicit := must(create("kms-explicit-sha256", true, types.ChecksumAlgorithmSha256))
	etag := must(part("kms-explicit-sha256", explicit, aws.String(sum)))
	_, err = complete(noDecrypt, "kms-explicit-sha256", explicit, etag, aws.String(sum))
	wantErr(t, err, "AccessDenied", 403, "")
	if n := partsOf("kms-explicit-sha256", explicit); n != 1 {
		t.Errorf("parts after a refused completion: %d", n)
	}
	_, err = full.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("kms-explicit-sha256")})
	wantErr(t, err, "NoSuchKey", 404, "")

	pending := must(create("kms-disabled-pending", true, ""))
	pendingETag := must(part("kms-disabled-pending", pending, nil))
	if *pendingETag == `"b683a27b30d6433f345fd27437cd18ef"` {
		t.Errorf("an SSE-KMS part's ETag is its data's MD5")
	}
	completing := must(create("kms-disabled-complete-pending", true, ""))
	completingETag := must(part("kms-disabled-complete-pending", completing, nil))
	must(kc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.Arn}))
	const disabled = "KMS.DisabledException"
	_, err = create("kms-disabled-create", true, "")
	wantErr(t, err, disabled, 400, "")
	_, err = full.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("kms-disabled-pending"), UploadId: pending, PartNumber: aws.Int32(1), Body: strings.NewReader("attempted replacement\n")})
	wantErr(t, err, disabled, 400, "")
	_, err = copyPart(full, "kms-disabled-pending", pending, "/mpu-authority-replay/source", nil)
	wantErr(t, err, disabled, 400, "")
	if n := partsOf("kms-disabled-pending", pending); n != 1 {
		t.Errorf("parts under a disabled key: %d", n)
	}
	must(complete(full, "kms-disabled-complete-pending", completing, completingETag, nil))
	_, err = full.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String("kms-disabled-complete-pending"), UploadId: completing})
	wantErr(t, err, "NoSuchUpload", 404, "")
	_, err = copyPart(full, "kms-source-copy-sse3", sse3, "/mpu-authority-replay/kms-source", aws.String(`"bad"`))
	wantErr(t, err, "PreconditionFailed", 412, "")
	_, err = copyPart(full, "kms-source-copy-sse3", sse3, "/mpu-authority-replay/kms-source", nil)
	wantErr(t, err, disabled, 400, "")

	must(kc.EnableKey(ctx, &kms.EnableKeyInput{KeyId: key.Arn}))
	must(complete(full, "kms-disabled-pending", pending, pendingETag, nil))
	for _, k := range []string{"kms-disabled-pending", "kms-disabled-complete-pending"} {
		if got := e.get(*b, k); got != body0 {
			t.Errorf("%s: %q", k, got)
		}
	}
	c := must(complete(full, "kms-explicit-sha256", explicit, etag, aws.String(sum)))
	if aws.ToString(c.ChecksumSHA256) != "D8Aczy5DYWNw1Lc1ot0zaLjSz4ZS9dLP5aVN+B4Swko=-1" || c.ChecksumType != types.ChecksumTypeComposite {
		t.Errorf("composite completion %s %s", aws.ToString(c.ChecksumSHA256), c.ChecksumType)
	}
	g := must(caller.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("kms-explicit-sha256"), ChecksumMode: types.ChecksumModeEnabled}))
	if readBody(g.Body) != body0 || aws.ToString(g.ChecksumSHA256) != "D8Aczy5DYWNw1Lc1ot0zaLjSz4ZS9dLP5aVN+B4Swko=-1" || g.ChecksumType != types.ChecksumTypeComposite {
		t.Errorf("composite read %s %s", aws.ToString(g.ChecksumSHA256), g.ChecksumType)
	}
}

// TestRecordedMultipartKMSFrozenAndChecksums: an upload keeps the encryption it began
// with (the bucket default then, the key behind an alias, its encryption context)
// whatever happens to the default and the alias later, and kms:Decrypt conditions on
// that context hold for its parts. With additional checksums under SSE-KMS, ListParts
// and completion need kms:Decrypt, before any completion condition is weighed; a
// completion condition that fails is then answered 200 with the error in the body
// (multipart_authority_replay.json, operation-authority-and-key-lifecycle, calls
// 154-193).
func TestRecordedMultipartKMSFrozenAndChecksums(t *testing.T) {
	e := newEnv(t)
	b := aws.String("mpu-authority-replay")
	kc := kms.NewFromConfig(e.p.RootConfig())
	key := must(kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("mpu-authority-replay")})).KeyMetadata
	must(kc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/mpu-authority-replay"), TargetKeyId: key.Arn}))
	caller, session := e.roleSessions("mpu-authority-replay", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::mpu-authority-replay", "arn:aws:s3:::mpu-authority-replay/*"]}, {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"], "Resource": "`+*key.Arn+`"}]}`)
	must(caller.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}))
	must(caller.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	deny := func(name, action string) *s3.Client {
		return session(name, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": ["`+action+`"], "Resource": "*"}]}`)
	}
	full := session("full", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`)
	noGDK, noDecrypt, noKMS := deny("noGDK", "kms:GenerateDataKey"), deny("noDecrypt", "kms:Decrypt"), deny("noKms", "kms:*")
	const body0 = "multipart authority payload\n"
	const sum = "ipAadz6A+tb9CS+osIZP1dsf3x+z6gaYb8K8gBYBHuc="
	part := func(c *s3.Client, k string, id *string, withSum bool) (*s3.UploadPartOutput, error) {
		in := &s3.UploadPartInput{Bucket: b, Key: aws.String(k), UploadId: id, PartNumber: aws.Int32(1), Body: strings.NewReader(body0)}
		if withSum {
			in.ChecksumSHA256 = aws.String(sum)
		}
		return c.UploadPart(ctx, in)
	}
	complete := func(c *s3.Client, k string, id, etag *string, withSum bool, ifNoneMatch *string) (*s3.CompleteMultipartUploadOutput, error) {
		cp := types.CompletedPart{PartNumber: aws.Int32(1), ETag: etag}
		if withSum {
			cp.ChecksumSHA256 = aws.String(sum)
		}
		return c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String(k), UploadId: id, IfNoneMatch: ifNoneMatch,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{cp}}})
	}

	must(caller.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
		ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("alias/mpu-authority-replay")}, BucketKeyEnabled: aws.Bool(false)}}}}))
	byDefault := must(full.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("frozen-default-kms")}))
	if byDefault.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(byDefault.SSEKMSKeyId) != *key.Arn {
		t.Errorf("default KMS initiation %s %s", byDefault.ServerSideEncryption, aws.ToString(byDefault.SSEKMSKeyId))
	}
	const context = "eyJhd3M6czM6YXJuIjoiYXJuOmF3czpzMzo6Om1wdS1hdXRob3JpdHktcmVwbGF5L2Zyb3plbi1hbGlhcy1jb250ZXh0IiwicHJvYmUiOiJmcm96ZW4tY29udGV4dCJ9"
	withContext := must(full.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("frozen-alias-context"), ServerSideEncryption: types.ServerSideEncryptionAwsKms,
		SSEKMSKeyId: aws.String("alias/mpu-authority-replay"), SSEKMSEncryptionContext: aws.String("eyJwcm9iZSI6ImZyb3plbi1jb250ZXh0In0="), BucketKeyEnabled: aws.Bool(false)}))
	if aws.ToString(withContext.SSEKMSKeyId) != *key.Arn || aws.ToString(withContext.SSEKMSEncryptionContext) != context {
		t.Errorf("alias initiation %s %s", aws.ToString(withContext.SSEKMSKeyId), aws.ToString(withContext.SSEKMSEncryptionContext))
	}
	must(caller.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
		ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}}))
	must(kc.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/mpu-authority-replay")}))
	kmsFor := func(probe string) string {
		return `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::mpu-authority-replay", "arn:aws:s3:::mpu-authority-replay/*"]}, {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "` + *key.Arn + `", "Condition": {"StringEquals": {"kms:EncryptionContext:probe": "` + probe + `"}}}]}`
	}
	contextFrozen, contextWrong := session("contextFrozen", kmsFor("frozen-context")), session("contextWrong", kmsFor("changed-context"))
	p := must(part(full, "frozen-default-kms", byDefault.UploadId, false))
	c := must(complete(full, "frozen-default-kms", byDefault.UploadId, p.ETag, false, nil))
	if c.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(c.SSEKMSKeyId) != *key.Arn || e.get(*b, "frozen-default-kms") != body0 {
		t.Errorf("frozen default completion %s %s", c.ServerSideEncryption, aws.ToString(c.SSEKMSKeyId))
	}
	_, err := part(contextWrong, "frozen-alias-context", withContext.UploadId, false)
	wantErr(t, err, "AccessDenied", 403, "")
	p = must(part(contextFrozen, "frozen-alias-context", withContext.UploadId, false))
	if aws.ToString(p.SSEKMSKeyId) != *key.Arn {
		t.Errorf("part under a frozen context %s", aws.ToString(p.SSEKMSKeyId))
	}
	must(complete(contextFrozen, "frozen-alias-context", withContext.UploadId, p.ETag, false, nil))
	g := must(contextFrozen.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("frozen-alias-context")}))
	if readBody(g.Body) != body0 || aws.ToString(g.SSEKMSKeyId) != *key.Arn {
		t.Errorf("frozen context read %s", aws.ToString(g.SSEKMSKeyId))
	}
	aes := must(full.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("new-default-aes-control")}))
	if aes.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("new default %s", aes.ServerSideEncryption)
	}

	// A key policy denying the role kms:Decrypt stops parts, completion (before its
	// condition) and ListParts of an upload with checksums.
	revoked := must(full.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("kms-current-revocation-sha256"), ServerSideEncryption: types.ServerSideEncryptionAwsKms,
		SSEKMSKeyId: key.Arn, BucketKeyEnabled: aws.Bool(false), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})).UploadId
	p = must(part(full, "kms-current-revocation-sha256", revoked, true))
	e.put(*b, "kms-current-revocation-sha256", "existing\n")
	const enableIAM = `{"Sid": "EnableIAM", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "kms:*", "Resource": "*"}`
	must(kc.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: key.Arn, PolicyName: aws.String("default"), Policy: aws.String(`{"Version": "2012-10-17", "Statement": [` + enableIAM +
		`, {"Sid": "DenyProbeDecrypt", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::000000000000:role/mpu-authority-replay"}, "Action": "kms:Decrypt", "Resource": "*"}]}`)}))
	_, err = part(full, "kms-current-revocation-sha256", revoked, true)
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = complete(full, "kms-current-revocation-sha256", revoked, p.ETag, true, aws.String("*"))
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = complete(full, "kms-current-revocation-sha256", revoked, p.ETag, true, nil)
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = full.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String("kms-current-revocation-sha256"), UploadId: revoked})
	wantErr(t, err, "AccessDenied", 403, "")
	must(kc.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: key.Arn, PolicyName: aws.String("default"), Policy: aws.String(`{"Version": "2012-10-17", "Statement": [` + enableIAM + `]}`)}))
	p = must(part(full, "kms-current-revocation-sha256", revoked, true))
	if c := must(complete(full, "kms-current-revocation-sha256", revoked, p.ETag, true, nil)); aws.ToString(c.ChecksumSHA256) != "D8Aczy5DYWNw1Lc1ot0zaLjSz4ZS9dLP5aVN+B4Swko=-1" {
		t.Errorf("restored completion %s", aws.ToString(c.ChecksumSHA256))
	}

	bounds := must(full.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("kms-explicit-list-boundaries"), ServerSideEncryption: types.ServerSideEncryptionAwsKms,
		SSEKMSKeyId: key.Arn, BucketKeyEnabled: aws.Bool(false), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})).UploadId
	p = must(part(full, "kms-explicit-list-boundaries", bounds, true))
	listParts := func(c *s3.Client) error {
		_, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String("kms-explicit-list-boundaries"), UploadId: bounds})
		return err
	}
	wantErr(t, listParts(noDecrypt), "AccessDenied", 403, "")
	must(0, listParts(noGDK))
	wantErr(t, listParts(noKMS), "AccessDenied", 403, "")
	e.put(*b, "kms-explicit-list-boundaries", "current object\n")
	_, err = complete(noDecrypt, "kms-explicit-list-boundaries", bounds, p.ETag, true, aws.String("*"))
	wantErr(t, err, "AccessDenied", 403, "")
	// The SDK reports an error answered with 200 as a 500.
	_, err = complete(full, "kms-explicit-list-boundaries", bounds, p.ETag, true, aws.String("*"))
	wantErr(t, err, "PreconditionFailed", 500, "")
	manifest := `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>` + *p.ETag + `</ETag><ChecksumSHA256>` + sum + `</ChecksumSHA256></Part></CompleteMultipartUpload>`
	if st, body := e.signed("POST", "/mpu-authority-replay/kms-explicit-list-boundaries?uploadId="+*bounds, map[string]string{"If-None-Match": "*"}, manifest); st != 200 || !strings.Contains(body, "<Code>PreconditionFailed</Code>") {
		t.Errorf("false condition: %d %s", st, body)
	}
	must(0, listParts(full))

	// With the key disabled, that upload can be neither listed nor completed; an
	// upload without checksums can still be aborted (calls 194-203).
	other := must(full.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("kms-no-kms-ordinary-completion"), ServerSideEncryption: types.ServerSideEncryptionAwsKms,
		SSEKMSKeyId: key.Arn, BucketKeyEnabled: aws.Bool(false)})).UploadId
	op := must(part(full, "kms-no-kms-ordinary-completion", other, false))
	abort := must(full.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("kms-copy-dest"), ServerSideEncryption: types.ServerSideEncryptionAwsKms,
		SSEKMSKeyId: key.Arn})).UploadId
	must(kc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.Arn}))
	wantErr(t, listParts(full), "KMS.DisabledException", 400, "")
	_, err = complete(full, "kms-explicit-list-boundaries", bounds, p.ETag, true, nil)
	wantErr(t, err, "KMS.DisabledException", 400, "")
	must(full.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: aws.String("kms-copy-dest"), UploadId: abort}))
	must(kc.EnableKey(ctx, &kms.EnableKeyInput{KeyId: key.Arn}))
	must(0, listParts(full))
	if c := must(complete(noGDK, "kms-explicit-list-boundaries", bounds, p.ETag, true, nil)); aws.ToString(c.ChecksumSHA256) != "D8Aczy5DYWNw1Lc1ot0zaLjSz4ZS9dLP5aVN+B4Swko=-1" {
		t.Errorf("completion without kms:GenerateDataKey %s", aws.ToString(c.ChecksumSHA256))
	}
	must(complete(noKMS, "kms-no-kms-ordinary-completion", other, op.ETag, false, nil))
}

// TestRecordedSSECBlocking: a new bucket blocks SSE-C uploads (403) until its
// encryption configuration names BlockedEncryptionTypes NONE; any configuration
// without that list, an empty rule, or deleting the configuration blocks them again,
// and a refused configuration changes nothing. Reading an SSE-C object stays allowed
// while blocked, and faulty SSE-C headers are answered 400 before the block
// (customer_encryption_control_replay.json).
func TestRecordedSSECBlocking(t *testing.T) {
	e := newEnv(t)
	b := "customer-control-native"
	e.bucket(b)
	const key, md = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "tP/LI3N87DFaSk0aoqYgzg=="
	const payload = "synthetic customer encryption payload"
	put := func(k string, hdr map[string]string) (int, string) {
		h := map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": key, "x-amz-server-side-encryption-customer-key-MD5": md}
		for n, v := range hdr {
			if v == "-" {
				delete(h, n)
			} else {
				h[n] = v
			}
		}
		return e.signed("PUT", "/"+b+"/"+k, h, payload)
	}
	blocked := func(label, want string) {
		t.Helper()
		r := must(e.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(b)})).ServerSideEncryptionConfiguration.Rules[0]
		if r.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 || aws.ToBool(r.BucketKeyEnabled) ||
			r.BlockedEncryptionTypes == nil || len(r.BlockedEncryptionTypes.EncryptionType) != 1 || string(r.BlockedEncryptionTypes.EncryptionType[0]) != want {
			t.Errorf("%s: rule %+v %+v", label, r.ApplyServerSideEncryptionByDefault, r.BlockedEncryptionTypes)
		}
	}
	config := func(rule string) (int, string) {
		body := `<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + rule + `</ServerSideEncryptionConfiguration>`
		sum := md5.Sum([]byte(body))
		return e.signed("PUT", "/"+b+"?encryption", map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}, body)
	}
	const aes = `<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>`
	types := func(ts ...string) string {
		s := "<BlockedEncryptionTypes>"
		for _, t := range ts {
			s += "<EncryptionType>" + t + "</EncryptionType>"
		}
		return s + "</BlockedEncryptionTypes>"
	}
	wantStatus := func(label string, st int, body string, want int, code string) {
		t.Helper()
		if st != want || (code != "" && !strings.Contains(body, "<Code>"+code+"</Code>")) {
			t.Errorf("%s: %d %s, want %d %s", label, st, body, want, code)
		}
	}

	blocked("new bucket", "SSE-C")
	st, body := put("admission", nil)
	wantStatus("new bucket SSE-C", st, body, 403, "AccessDenied")
	st, body = config("<Rule>" + aes + types("NONE") + "</Rule>")
	wantStatus("explicit NONE", st, body, 200, "")
	blocked("explicit NONE", "NONE")
	st, body = put("existing", nil)
	wantStatus("enabled SSE-C", st, body, 200, "")
	st, body = config("<Rule>" + aes + "</Rule>")
	wantStatus("omitted after NONE", st, body, 200, "")
	blocked("omitted after NONE", "SSE-C")
	for _, c := range []struct{ label, rule, code string }{
		{"empty", types(), "InvalidArgument"},
		{"duplicate NONE", types("NONE", "NONE"), "InvalidArgument"},
		{"invalid type", types("AES256"), "MalformedXML"},
		{"mixed NONE SSE-C", types("NONE", "SSE-C"), "InvalidArgument"},
	} {
		st, body = config("<Rule>" + aes + c.rule + "</Rule>")
		wantStatus(c.label, st, body, 400, c.code)
		blocked(c.label, "SSE-C")
	}
	st, body = config("<Rule>" + aes + types("SSE-C") + "</Rule>")
	wantStatus("explicit SSE-C", st, body, 200, "")
	blocked("explicit SSE-C", "SSE-C")
	must(e.s3.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String(b)}))
	blocked("after delete", "SSE-C")
	st, body = put("admission", nil)
	wantStatus("write after delete", st, body, 403, "AccessDenied")
	// Reading what was written while allowed.
	h := map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": key, "x-amz-server-side-encryption-customer-key-MD5": md}
	if st, body = e.signed("GET", "/"+b+"/existing", h, ""); st != 200 || body != payload {
		t.Errorf("read while blocked: %d %s", st, body)
	}
	// Faulty headers are 400 while blocked, as while allowed.
	for _, c := range []struct {
		label string
		hdr   map[string]string
		code  string
	}{
		{"malformed MD5", map[string]string{"x-amz-server-side-encryption-customer-key-MD5": "!!!"}, "InvalidArgument"},
		{"missing key", map[string]string{"x-amz-server-side-encryption-customer-key": "-", "x-amz-server-side-encryption-customer-key-MD5": "-"}, "InvalidArgument"},
		{"wrong algorithm", map[string]string{"x-amz-server-side-encryption-customer-algorithm": "aes256"}, "InvalidEncryptionAlgorithmError"},
	} {
		st, body = put("admission", c.hdr)
		wantStatus("blocked "+c.label, st, body, 400, c.code)
	}

	// A rule with only the list, or an empty rule, sets SSE-S3 as the default.
	st, body = config("<Rule>" + types("NONE") + "</Rule>")
	wantStatus("blocked-only NONE", st, body, 200, "")
	blocked("blocked-only NONE", "NONE")
	st, body = put("admission", nil)
	wantStatus("blocked-only enabled write", st, body, 200, "")
	st, body = config("<Rule/>")
	wantStatus("empty rule", st, body, 200, "")
	blocked("empty rule", "SSE-C")
	st, body = put("admission", nil)
	wantStatus("after empty rule", st, body, 403, "AccessDenied")
}

// TestRecordedSSECConditionKeys: s3:x-amz-server-side-encryption-customer-algorithm is
// present only on SSE-C writes and s3:x-amz-server-side-encryption only when the
// header is sent (not for SSE-C, not for the bucket default); the customer key and
// its MD5 are no condition keys, and a bucket policy naming them is malformed
// (customer_encryption_control_replay.json, customer-controls-authorization).
func TestRecordedSSECConditionKeys(t *testing.T) {
	e := newEnv(t)
	b := "customer-authority-native"
	e.bucket(b)
	e.allowSSEC(b)
	const key, md = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "tP/LI3N87DFaSk0aoqYgzg=="
	ssec := map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": key, "x-amz-server-side-encryption-customer-key-MD5": md}
	put := func(h map[string]string) int {
		st, _ := e.signed("PUT", "/"+b+"/admission", h, "synthetic customer encryption payload")
		return st
	}
	deny := func(cond string) error {
		return e.policy(b, `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::customer-authority-native/*", "Condition": {"StringEquals": {`+cond+`}}}]}`)
	}
	for _, c := range []struct {
		cond               string
		ssec, plain, sseS3 int
	}{
		{`"s3:x-amz-server-side-encryption-customer-algorithm": "AES256"`, 403, 200, 200},
		{`"s3:x-amz-server-side-encryption": "AES256"`, 200, 200, 403},
	} {
		must(0, deny(c.cond))
		if got := [3]int{put(ssec), put(nil), put(map[string]string{"x-amz-server-side-encryption": "AES256"})}; got != [3]int{c.ssec, c.plain, c.sseS3} {
			t.Errorf("%s: SSE-C, plain, SSE-S3: %v, want %v", c.cond, got, [3]int{c.ssec, c.plain, c.sseS3})
		}
		must(e.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(b)}))
	}
	for _, k := range []string{"s3:x-amz-server-side-encryption-customer-key", "s3:x-amz-server-side-encryption-customer-key-MD5"} {
		wantErr(t, deny(`"`+k+`": "`+key+`"`), "MalformedPolicy", 400, "")
	}
}

// ssecKey is one of the recordings' synthetic customer keys.
type ssecKey struct{ key, md5 string }

// headers are the SSE-C request members for k: algorithm, key and key MD5, all nil for
// no key.
func (k *ssecKey) headers() (alg, key, md *string) {
	if k == nil {
		return nil, nil, nil
	}
	return aws.String("AES256"), aws.String(k.key), aws.String(k.md5)
}

var (
	ssecA = ssecKey{"YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=", "Xsqb0+sHwAbNQ65I395/0w=="}
	ssecB = ssecKey{"YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmI=", "i0+eoW3kvPW7/A/x6iN5NA=="}
)

// TestRecordedSSECReads: an SSE-C object read without its key is 400, with another key
// 403, by GET and HEAD alike; its writes and reads name only the customer algorithm and
// key MD5, never x-amz-server-side-encryption, and its ETag is no MD5 of its data
// (customer_encryption_data_replay.json,
// calls 1-11; GetObjectAttributes, calls 12-14, is not served).
func TestRecordedSSECReads(t *testing.T) {
	e := newEnv(t)
	b := aws.String("stackd-ssec-data")
	e.bucket(*b)
	e.allowSSEC(*b)
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	const payload = "0123456789 customer encryption\n"
	put := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("object"), Body: strings.NewReader(payload), ChecksumSHA256: aws.String("mC5eyH1Q6edWyy7JvqMg8OFWt54wGAWlU69c9hDZqL0="),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(ssecA.key), SSECustomerKeyMD5: aws.String(ssecA.md5)}))
	if aws.ToString(put.ChecksumSHA256) != "mC5eyH1Q6edWyy7JvqMg8OFWt54wGAWlU69c9hDZqL0=" || put.ChecksumType != types.ChecksumTypeFullObject || put.ServerSideEncryption != "" ||
		aws.ToString(put.SSECustomerAlgorithm) != "AES256" || aws.ToString(put.SSECustomerKeyMD5) != ssecA.md5 {
		t.Errorf("SSE-C put %+v", put)
	}
	same := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("same"), Body: strings.NewReader(payload),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(ssecA.key), SSECustomerKeyMD5: aws.String(ssecA.md5)}))
	if aws.ToString(same.ChecksumCRC64NVME) != "l5WFeo2jONM=" {
		t.Errorf("default checksum %s", aws.ToString(same.ChecksumCRC64NVME))
	}
	// The same bytes under the same key: two ETags, neither the data's MD5.
	if sum := fmt.Sprintf(`"%x"`, md5.Sum([]byte(payload))); *put.ETag == sum || *same.ETag == sum || *put.ETag == *same.ETag {
		t.Errorf("SSE-C ETags %s %s (MD5 %s)", *put.ETag, *same.ETag, sum)
	}
	for _, c := range []struct {
		name   string
		k      *ssecKey
		code   string
		status int
	}{{"missing", nil, "InvalidRequest", 400}, {"wrong", &ssecB, "AccessDenied", 403}, {"correct", &ssecA, "", 200}} {
		alg, key, md := c.k.headers()
		g, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("object"), SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md})
		h, herr := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("object"), SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md})
		if c.code != "" {
			wantErr(t, err, c.code, c.status, "")
			// A HEAD answer has no body: the SDK names the status.
			wantErr(t, herr, map[int]string{400: "BadRequest", 403: "Forbidden"}[c.status], c.status, "")
			continue
		}
		if readBody(g.Body) != payload || *g.ETag != *put.ETag || aws.ToString(g.VersionId) != *put.VersionId || g.ServerSideEncryption != "" || aws.ToString(g.SSECustomerKeyMD5) != ssecA.md5 {
			t.Errorf("correct GET %s %s %s %s", aws.ToString(g.ETag), aws.ToString(g.VersionId), aws.ToString(g.ContentType), g.ServerSideEncryption)
		}
		if aws.ToInt64(h.ContentLength) != 31 || h.ServerSideEncryption != "" || aws.ToString(h.SSECustomerKeyMD5) != ssecA.md5 {
			t.Errorf("correct HEAD %+v", h)
		}
	}
}

// TestRecordedSSECHeaderFaults: the key MD5 may be left out of a read (S3 computes it)
// but not of a write; a wrong MD5 is 400 both ways; a key of the wrong length is 400
// on a write and 403 on a read. The key's absence is weighed before read conditions,
// its correctness after: a wrong key with a matching If-None-Match is 304. Each
// version answers to its own key (customer_encryption_data_replay.json, calls 15-46).
func TestRecordedSSECHeaderFaults(t *testing.T) {
	e := newEnv(t)
	b := "stackd-ssec-data"
	e.bucket(b)
	e.allowSSEC(b)
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	const payload = "0123456789 customer encryption\n"
	sdkKey := func(k ssecKey) (*string, *string, *string) {
		return aws.String("AES256"), aws.String(k.key), aws.String(k.md5)
	}
	alg, key, md := sdkKey(ssecA)
	v1 := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("object"), Body: strings.NewReader(payload), SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md}))
	raw := func(method, k string, hdr map[string]string, body string) (int, string) {
		h := map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256"}
		for n, v := range hdr {
			h[n] = v
		}
		return e.signed(method, "/"+b+"/"+k, h, body)
	}
	for _, c := range []struct {
		label         string
		key, md5      string
		putSt, getSt  int
		putArg, getIn string
	}{
		{"missing MD5", ssecA.key, "", 400, 200, "x-amz-server-side-encryption", ""},
		{"bad MD5", ssecA.key, "AAAAAAAAAAAAAAAAAAAAAA==", 400, 400, "x-amz-server-side-encryption", "InvalidArgument"},
		{"invalid MD5", ssecA.key, "invalid", 400, 400, "x-amz-server-side-encryption", "InvalidArgument"},
		{"short key", "YWJj", "kAFQmDzST7DWlj99KOF/cg==", 400, 403, "x-amz-server-side-encryption", "AccessDenied"},
	} {
		h := map[string]string{"x-amz-server-side-encryption-customer-key": c.key}
		if c.md5 != "" {
			h["x-amz-server-side-encryption-customer-key-MD5"] = c.md5
		}
		st, body := raw("PUT", "invalid", h, payload)
		if st != c.putSt || !strings.Contains(body, "<Code>InvalidArgument</Code>") || !strings.Contains(body, "<ArgumentName>"+c.putArg+"</ArgumentName>") {
			t.Errorf("PUT %s: %d %s", c.label, st, body)
		}
		st, body = raw("GET", "object", h, "")
		if st != c.getSt || (c.getIn != "" && !strings.Contains(body, "<Code>"+c.getIn+"</Code>")) || (st == 200 && body != payload) {
			t.Errorf("GET %s: %d %s", c.label, st, body)
		}
	}

	get := func(in *s3.GetObjectInput, k *ssecKey) (*s3.GetObjectOutput, error) {
		in.Bucket, in.Key = aws.String(b), aws.String("object")
		if k != nil {
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = sdkKey(*k)
		}
		return e.s3.GetObject(ctx, in)
	}
	g := must(get(&s3.GetObjectInput{Range: aws.String("bytes=2-5")}, &ssecA))
	if readBody(g.Body) != "2345" || aws.ToString(g.ContentRange) != "bytes 2-5/31" {
		t.Errorf("ranged read %s", aws.ToString(g.ContentRange))
	}
	must(get(&s3.GetObjectInput{IfMatch: v1.ETag}, &ssecA))
	_, err := get(&s3.GetObjectInput{IfNoneMatch: v1.ETag}, &ssecA)
	wantErr(t, err, "NotModified", 304, "")
	_, err = get(&s3.GetObjectInput{IfMatch: aws.String(`"no"`)}, &ssecA)
	wantErr(t, err, "PreconditionFailed", 412, "")
	_, err = get(&s3.GetObjectInput{Range: aws.String("bytes=999-1000")}, &ssecA)
	wantErr(t, err, "InvalidRange", 416, "")
	_, err = get(&s3.GetObjectInput{IfNoneMatch: v1.ETag}, nil)
	wantErr(t, err, "InvalidRequest", 400, "")
	_, err = get(&s3.GetObjectInput{IfNoneMatch: v1.ETag}, &ssecB)
	wantErr(t, err, "NotModified", 304, "")

	alg, key, md = sdkKey(ssecB)
	v2 := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("object"), Body: strings.NewReader("version b"), SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md}))
	for _, c := range []struct {
		version *string
		k       ssecKey
		ok      bool
	}{{v1.VersionId, ssecA, true}, {v1.VersionId, ssecB, false}, {v2.VersionId, ssecA, false}, {v2.VersionId, ssecB, true}} {
		_, err := get(&s3.GetObjectInput{VersionId: c.version}, &c.k)
		if c.ok && err != nil || !c.ok && err == nil {
			t.Errorf("version %s with key %s: %v", *c.version, c.k.md5, err)
		}
	}
	marker := must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("object")}))
	_, err = get(&s3.GetObjectInput{}, nil)
	wantErr(t, err, "NoSuchKey", 404, "")
	_, err = get(&s3.GetObjectInput{}, &ssecA)
	wantErr(t, err, "NoSuchKey", 404, "")
	_, err = get(&s3.GetObjectInput{VersionId: marker.VersionId}, nil)
	wantErr(t, err, "MethodNotAllowed", 405, "")
	must(get(&s3.GetObjectInput{VersionId: v1.VersionId}, &ssecA))
}

// TestRecordedSSECCopyAndMultipart: copying an SSE-C source needs its key (missing or
// wrong: 400), a source key for another source is 400; a copy to SSE-S3 has the data's
// MD5 as its ETag again; SSE-C re-keys, even of an object onto itself, and a KMS
// default applies to a copy that names no encryption. An SSE-C upload wants its key
// for every part, not for ListParts or completion (customer_encryption_data_replay.json,
// calls 51-76).
func TestRecordedSSECCopyAndMultipart(t *testing.T) {
	e := newEnv(t)
	b := "stackd-ssec-data"
	e.bucket(b)
	e.allowSSEC(b)
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	const payload = "0123456789 customer encryption\n"
	alg, key, md := ssecA.headers()
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("same"), Body: strings.NewReader(payload), SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md}))
	plain := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("plain"), Body: strings.NewReader(payload)}))
	copyObj := func(dst, src string, srcKey, dstKey *ssecKey) (*s3.CopyObjectOutput, error) {
		in := &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String(dst), CopySource: aws.String(b + "/" + src)}
		in.CopySourceSSECustomerAlgorithm, in.CopySourceSSECustomerKey, in.CopySourceSSECustomerKeyMD5 = srcKey.headers()
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = dstKey.headers()
		return e.s3.CopyObject(ctx, in)
	}
	_, err := copyObj("customer-missing-source", "same", nil, nil)
	wantErr(t, err, "InvalidRequest", 400, "")
	_, err = copyObj("customer-wrong-source", "same", &ssecB, nil)
	wantErr(t, err, "InvalidRequest", 400, "")
	out := must(copyObj("customer-to-plain", "same", &ssecA, nil))
	if *out.CopyObjectResult.ETag != *plain.ETag || out.ServerSideEncryption != types.ServerSideEncryptionAes256 || aws.ToString(out.CopyObjectResult.ChecksumCRC64NVME) != "l5WFeo2jONM=" {
		t.Errorf("SSE-C to SSE-S3 copy: %s (plain %s) %s", *out.CopyObjectResult.ETag, *plain.ETag, out.ServerSideEncryption)
	}
	out = must(copyObj("plain-to-customer", "plain", nil, &ssecA))
	if *out.CopyObjectResult.ETag == *plain.ETag || aws.ToString(out.SSECustomerKeyMD5) != ssecA.md5 || out.ServerSideEncryption != "" {
		t.Errorf("SSE-S3 to SSE-C copy: %s %s", *out.CopyObjectResult.ETag, out.ServerSideEncryption)
	}
	must(copyObj("customer-rekey", "same", &ssecA, &ssecB))
	_, err = copyObj("plain-with-source-key", "plain", &ssecA, &ssecA)
	wantErr(t, err, "InvalidRequest", 400, "")
	must(copyObj("same", "same", &ssecA, &ssecB))
	alg, key, md = ssecB.headers()
	if g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("same"), SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md})); readBody(g.Body) != payload {
		t.Error("self re-key")
	}
	must(e.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(b), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms},
			BlockedEncryptionTypes: &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{"NONE"}}}}}}))
	if out := must(copyObj("kms-copy", "same", &ssecB, nil)); out.ServerSideEncryption != types.ServerSideEncryptionAwsKms {
		t.Errorf("SSE-C to KMS default copy: %s", out.ServerSideEncryption)
	}
	must(copyObj("from-kms", "kms-copy", nil, &ssecA))
	e.allowSSEC(b)

	alg, key, md = ssecA.headers()
	id := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("multipart-basic"), SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md})).UploadId
	part := func(k *ssecKey) (*s3.UploadPartOutput, error) {
		in := &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("multipart-basic"), UploadId: id, PartNumber: aws.Int32(1), Body: strings.NewReader(payload)}
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = k.headers()
		return e.s3.UploadPart(ctx, in)
	}
	_, err = part(nil)
	wantErr(t, err, "InvalidRequest", 400, "")
	_, err = part(&ssecB)
	wantErr(t, err, "InvalidRequest", 400, "")
	p := must(part(&ssecA))
	for _, k := range []*ssecKey{nil, &ssecB, &ssecA} {
		h := map[string]string{}
		if k != nil {
			h = map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": k.key, "x-amz-server-side-encryption-customer-key-md5": k.md5}
		}
		if st, body := e.signed("GET", "/"+b+"/multipart-basic?uploadId="+*id, h, ""); st != 200 || !strings.Contains(body, "<PartNumber>1</PartNumber>") || !strings.Contains(body, "<Size>31</Size>") {
			t.Errorf("ListParts with key %v: %d %s", k, st, body)
		}
	}
	c := must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("multipart-basic"), UploadId: id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}}}))
	if c.VersionId == nil {
		t.Error("completion without the key")
	}
}

// TestRecordedSSECChecksumUpload: an SSE-C upload with additional checksums wants its
// key for ListParts and completion too (missing or wrong: 400)
// (customer_encryption_data_replay.json, calls 78-89).
func TestRecordedSSECChecksumUpload(t *testing.T) {
	e := newEnv(t)
	b := aws.String("stackd-ssec-data")
	e.bucket(*b)
	e.allowSSEC(*b)
	const payload = "0123456789 customer encryption\n"
	const sum = "mC5eyH1Q6edWyy7JvqMg8OFWt54wGAWlU69c9hDZqL0="
	alg, key, md := ssecA.headers()
	id := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("multipart-checksum"), ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
		SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md})).UploadId
	var etag *string
	for _, k := range []*ssecKey{nil, &ssecB, &ssecA} {
		alg, key, md := k.headers()
		p, err := e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("multipart-checksum"), UploadId: id, PartNumber: aws.Int32(1), Body: strings.NewReader(payload),
			ChecksumSHA256: aws.String(sum), SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md})
		if k != &ssecA {
			wantErr(t, err, "InvalidRequest", 400, "")
			continue
		}
		etag = must(p, err).ETag
	}
	for _, k := range []*ssecKey{nil, &ssecB, &ssecA} {
		alg, key, md := k.headers()
		lp, err := e.s3.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String("multipart-checksum"), UploadId: id, SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md})
		if k != &ssecA {
			wantErr(t, err, "InvalidRequest", 400, "")
			continue
		}
		if lp = must(lp, err); len(lp.Parts) != 1 || aws.ToString(lp.Parts[0].ChecksumSHA256) != sum || lp.ChecksumType != types.ChecksumTypeComposite {
			t.Errorf("ListParts with the key %+v", lp.Parts)
		}
	}
	for _, k := range []*ssecKey{nil, &ssecB, &ssecA} {
		alg, key, md := k.headers()
		c, err := e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("multipart-checksum"), UploadId: id,
			MultipartUpload:      &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: etag, ChecksumSHA256: aws.String(sum)}}},
			SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md})
		if k != &ssecA {
			wantErr(t, err, "InvalidRequest", 400, "")
			continue
		}
		if c = must(c, err); aws.ToString(c.ChecksumSHA256) != "hRzFKjgnr5nglwqZF/P5LsCKDmtiFzTGehRmLopKkB8=-1" || c.ChecksumType != types.ChecksumTypeComposite {
			t.Errorf("completion %s %s", aws.ToString(c.ChecksumSHA256), c.ChecksumType)
		}
	}
}

// TestRecordedSSECPartCopyAndBlock: UploadPartCopy from an SSE-C source into an SSE-C
// upload needs both keys (any missing or wrong: 400); completion and abort need none.
// Blocking SSE-C refuses further parts of an SSE-C upload begun before (403) but lets
// it complete (customer_encryption_data_replay.json, calls 90-105).
func TestRecordedSSECPartCopyAndBlock(t *testing.T) {
	e := newEnv(t)
	b := aws.String("stackd-ssec-data")
	e.bucket(*b)
	e.allowSSEC(*b)
	const payload = "0123456789 customer encryption\n"
	alg, key, md := ssecB.headers()
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("same"), Body: strings.NewReader(payload), SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md}))
	alg, key, md = ssecA.headers()
	id := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("mp-copy"), SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md})).UploadId
	var etag *string
	for _, c := range []struct {
		label     string
		src, dest *ssecKey
	}{{"neither", nil, nil}, {"source only", &ssecB, nil}, {"dest only", nil, &ssecA}, {"wrong source", &ssecA, &ssecA}, {"wrong dest", &ssecB, &ssecB}, {"correct", &ssecB, &ssecA}} {
		in := &s3.UploadPartCopyInput{Bucket: b, Key: aws.String("mp-copy"), UploadId: id, PartNumber: aws.Int32(1), CopySource: aws.String(*b + "/same")}
		in.CopySourceSSECustomerAlgorithm, in.CopySourceSSECustomerKey, in.CopySourceSSECustomerKeyMD5 = c.src.headers()
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = c.dest.headers()
		out, err := e.s3.UploadPartCopy(ctx, in)
		if c.label != "correct" {
			wantErr(t, err, "InvalidRequest", 400, "")
			continue
		}
		if out = must(out, err); aws.ToString(out.SSECustomerKeyMD5) != ssecA.md5 || out.ServerSideEncryption != "" {
			t.Errorf("part copy %+v", out)
		}
		etag = out.CopyPartResult.ETag
	}
	must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("mp-copy"), UploadId: id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: etag}}}}))

	id = must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("pending"), SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md})).UploadId
	part := func(n int32) (*s3.UploadPartOutput, error) {
		return e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("pending"), UploadId: id, PartNumber: aws.Int32(n), Body: strings.NewReader(payload),
			SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md})
	}
	p := must(part(1))
	must(e.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256},
			BlockedEncryptionTypes: &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{"SSE-C"}}}}}}))
	_, err := part(2)
	wantErr(t, err, "AccessDenied", 403, "")
	c := must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("pending"), UploadId: id,
		MultipartUpload:      &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}},
		SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md}))
	if aws.ToString(c.ChecksumCRC64NVME) != "l5WFeo2jONM=" {
		t.Errorf("completion after the block %s", aws.ToString(c.ChecksumCRC64NVME))
	}
}

// TestRecordedSSECTagsAndHead: tags need no customer key, and a HEAD may leave out the
// key MD5 as a GET may (customer_encryption_data_replay.json, calls 107-110 and 129;
// archive storage, calls 111-116, is not served).
func TestRecordedSSECTagsAndHead(t *testing.T) {
	e := newEnv(t)
	b := aws.String("stackd-ssec-data")
	e.bucket(*b)
	e.allowSSEC(*b)
	const payload = "0123456789 customer encryption\n"
	alg, key, md := aws.String("AES256"), aws.String(ssecA.key), aws.String(ssecA.md5)
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("from-kms"), Body: strings.NewReader(payload), SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md}))
	must(e.s3.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: aws.String("from-kms"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("kind"), Value: aws.String("customer")}}}}))
	if tags := must(e.s3.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("from-kms")})).TagSet; len(tags) != 1 {
		t.Errorf("tags %+v", tags)
	}
	if h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("from-kms"), SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: md})); aws.ToInt32(h.TagCount) != 1 {
		t.Errorf("TagCount %v", h.TagCount)
	}
	st, _ := e.signed("HEAD", "/"+*b+"/from-kms", map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": ssecA.key}, "")
	if st != 200 {
		t.Errorf("HEAD without the key MD5: %d", st)
	}
}

// TestRecordedAccessLogACLRequired: a delivered access log record of an ACL that was
// set says Yes in its "ACL required" field, and a same-account read "-" (User Guide,
// server access log format; stackd's logging_local_replay.json,
// source-acl-attribution-reaches-delivered-records).
func TestRecordedAccessLogACLRequired(t *testing.T) {
	e := newEnv(t)
	e.bucket("local-logging-legacy")
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("local-logging-source"), ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	must(0, e.policy("local-logging-legacy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::local-logging-legacy/*"}]}`))
	e.put("local-logging-source", "copy-source.txt", "abc")
	must(e.s3.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("local-logging-source"), BucketLoggingStatus: &types.BucketLoggingStatus{
		LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String("local-logging-legacy"), TargetPrefix: aws.String("legacy/")}}}))
	must(e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("local-logging-source"), Key: aws.String("copy-source.txt"), ACL: types.ObjectCannedACLPrivate}))
	must(e.s3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("local-logging-source"), ACL: types.BucketCannedACLPrivate}))
	e.get("local-logging-source", "copy-source.txt")
	time.Sleep(1500 * time.Millisecond) // records are queued within a second
	e.p.Clock.Advance(10 * time.Minute)
	var lines []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && len(lines) < 3; time.Sleep(100 * time.Millisecond) {
		lines = nil
		for _, o := range must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("local-logging-legacy"), Prefix: aws.String("legacy/")})).Contents {
			lines = append(lines, strings.Split(strings.TrimSuffix(e.get("local-logging-legacy", *o.Key), "\n"), "\n")...)
		}
	}
	got := map[string]string{}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) < 3 {
			continue
		}
		op, key := "", ""
		for i, v := range f {
			if strings.HasPrefix(v, "REST.") {
				op, key = v, f[i+1]
				break
			}
		}
		got[op+" "+key] = f[len(f)-1]
	}
	for k, want := range map[string]string{"REST.PUT.ACL copy-source.txt": "Yes", "REST.PUT.ACL -": "Yes", "REST.GET.OBJECT copy-source.txt": "-"} {
		if got[k] != want {
			t.Errorf("%s: ACL required %q, want %q (records %v)", k, got[k], want, got)
		}
	}
}

// TestRecordedEventTimeLogKey: a log object under an EventTime PartitionedPrefix is
// named by the events' day with no time of day (logging_delivery_replay.json:
// "event/<account>/us-east-1/<bucket>/2026/09/20/2026-09-20-00-00-00-<16 hex>").
func TestRecordedEventTimeLogKey(t *testing.T) {
	e := newEnv(t)
	src, dst := "stackd-sal-event", "stackd-sal-dest1"
	e.bucket(src)
	e.bucket(dst)
	must(0, e.policy(dst, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::`+dst+`/*", "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::`+src+`"}, "StringEquals": {"aws:SourceAccount": "000000000000"}}}]}`))
	must(e.s3.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String(src), BucketLoggingStatus: &types.BucketLoggingStatus{LoggingEnabled: &types.LoggingEnabled{
		TargetBucket: aws.String(dst), TargetPrefix: aws.String("event/"), TargetObjectKeyFormat: &types.TargetObjectKeyFormat{PartitionedPrefix: &types.PartitionedPrefix{PartitionDateSource: types.PartitionDateSourceEventTime}}}}}))
	e.put(src, "fixture-post-admission.txt", "harmless post-admission\n0123456789\n")
	time.Sleep(1500 * time.Millisecond) // records are queued within a second
	e.p.Clock.Advance(10 * time.Minute)
	var keys []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && len(keys) == 0; time.Sleep(100 * time.Millisecond) {
		for _, o := range must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(dst), Prefix: aws.String("event/")})).Contents {
			keys = append(keys, *o.Key)
		}
	}
	re := regexp.MustCompile(`^event/000000000000/us-east-1/` + src + `/(\d{4})/(\d{2})/(\d{2})/(\d{4})-(\d{2})-(\d{2})-00-00-00-[0-9A-F]{16}$`)
	if len(keys) != 1 {
		t.Fatalf("log objects %v", keys)
	}
	m := re.FindStringSubmatch(keys[0])
	if m == nil || m[1] != m[4] || m[2] != m[5] || m[3] != m[6] {
		t.Errorf("EventTime log key %q", keys[0])
	}
}

// TestRecordedLoggingRejections: PutBucketLogging's answers to targets it refuses (one
// that does not exist, another region's, another account's) and to bodies it refuses,
// each leaving the configuration as it was, and a body without any checksum, which it
// takes (logging_raw_replay.json).
func TestRecordedLoggingRejections(t *testing.T) {
	e := newEnv(t)
	src := "logging-native-simple"
	e.bucket(src)
	e.bucket("logging-native-dest1")
	e.bucket("logging-native-dest2")
	must(0, e.policy("logging-native-dest1", `{"Version": "2012-10-17", "Statement": [{"Sid": "OwnedSourceScopedDelivery", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logging-native-dest1/*", "Condition": {"ArnLike": {"aws:SourceArn": ["arn:aws:s3:::logging-native-simple"]}, "StringEquals": {"aws:SourceAccount": "000000000000"}}}]}`))
	must(e.region("us-west-2").CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logging-native-west"), CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "us-west-2"}}))
	must(e.otherAccount("111122223333").CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logging-native-member")}))
	enable := func() {
		must(e.s3.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String(src), BucketLoggingStatus: &types.BucketLoggingStatus{LoggingEnabled: &types.LoggingEnabled{
			TargetBucket: aws.String("logging-native-dest1"), TargetPrefix: aws.String("simple/"), TargetObjectKeyFormat: &types.TargetObjectKeyFormat{SimplePrefix: &types.SimplePrefix{}}}}}))
	}
	enabled := func() bool {
		le := must(e.s3.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String(src)})).LoggingEnabled
		return le != nil && *le.TargetBucket == "logging-native-dest1" && *le.TargetPrefix == "simple/"
	}
	put := func(body string, hdr map[string]string) (int, string) {
		h := map[string]string{"Content-Type": "application/xml"}
		if hdr == nil {
			sum := md5.Sum([]byte(body))
			h["Content-MD5"] = base64.StdEncoding.EncodeToString(sum[:])
		}
		for k, v := range hdr {
			h[k] = v
		}
		return e.signed("PUT", "/"+src+"?logging", h, body)
	}
	target := func(bucket string) string {
		return `<BucketLoggingStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LoggingEnabled><TargetBucket>` + bucket + `</TargetBucket><TargetPrefix>rejected/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`
	}
	enable()
	for _, c := range []struct {
		label, body string
		hdr         map[string]string
		status      int
		want        []string
		after       bool // logging still enabled afterwards
	}{
		{"target absent", target("logging-native-absent"), nil, 400, []string{"<Code>InvalidTargetBucketForLogging</Code>", "<TargetBucket>logging-native-absent</TargetBucket>"}, true},
		{"target wrong region", target("logging-native-west"), nil, 403, []string{"<Code>CrossLocationLoggingProhibitted</Code>", "<TargetBucketLocation>us-west-2</TargetBucketLocation>"}, true},
		{"target wrong owner", target("logging-native-member"), nil, 400, []string{"<Code>InvalidTargetBucketForLogging</Code>", "<TargetBucket>logging-native-member</TargetBucket>"}, true},
		{"malformed XML", `<BucketLoggingStatus><`, nil, 400, []string{"<Code>MalformedXML</Code>"}, true},
		{"invalid partition", `<BucketLoggingStatus><LoggingEnabled><TargetBucket>logging-native-dest2</TargetBucket><TargetPrefix>rejected</TargetPrefix><TargetObjectKeyFormat><PartitionedPrefix><PartitionDateSource>Never</PartitionDateSource></PartitionedPrefix></TargetObjectKeyFormat></LoggingEnabled></BucketLoggingStatus>`, nil, 400, []string{"<Code>MalformedXML</Code>"}, true},
		{"bad MD5", `<BucketLoggingStatus/>`, map[string]string{"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="}, 400, []string{"<Code>BadDigest</Code>", "<CalculatedDigest>uwqklQUo5s36ac3KB3zBiw==</CalculatedDigest>", "<ExpectedDigest>AAAAAAAAAAAAAAAAAAAAAA==</ExpectedDigest>"}, true},
		{"unknown child", `<BucketLoggingStatus><Unrecognized>ignored?</Unrecognized></BucketLoggingStatus>`, nil, 400, []string{"<Code>MalformedXML</Code>"}, true},
		// (An unknown root element, <Wrong/>, is 200 and disables logging on AWS; Palisade
		// answers MalformedXML. The configuration is disabled here as AWS's own next
		// call, "missing checksum", does.)
		{"missing checksum", `<BucketLoggingStatus/>`, map[string]string{}, 200, nil, false},
		{"missing target", `<BucketLoggingStatus><LoggingEnabled><TargetPrefix>x</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`, nil, 400, []string{"<Code>MalformedXML</Code>"}, false},
		{"both formats", `<BucketLoggingStatus><LoggingEnabled><TargetBucket>logging-native-dest2</TargetBucket><TargetPrefix>x</TargetPrefix><TargetObjectKeyFormat><SimplePrefix/><PartitionedPrefix><PartitionDateSource>EventTime</PartitionDateSource></PartitionedPrefix></TargetObjectKeyFormat></LoggingEnabled></BucketLoggingStatus>`, nil, 400, []string{"<Code>MalformedXML</Code>"}, false},
		{"algorithm header missing checksum", `<BucketLoggingStatus/>`, map[string]string{"x-amz-sdk-checksum-algorithm": "SHA256"}, 400, []string{"<Code>InvalidRequest</Code>"}, false},
	} {
		st, body := put(c.body, c.hdr)
		ok := st == c.status
		for _, w := range c.want {
			ok = ok && strings.Contains(body, w)
		}
		if !ok {
			t.Errorf("%s: %d %s", c.label, st, body)
		}
		if got := enabled(); got != c.after {
			t.Errorf("%s: logging enabled %v, want %v", c.label, got, c.after)
		}
	}
}

// TestRecordedPublicPolicies: which bucket policies S3 refuses, which it holds public
// (GetBucketPolicyStatus, and BlockPublicPolicy refusing them with 403), and which
// not: fixed principals, and conditions on keys with fixed values (wildcards and
// policy variables in them, IfExists, ForAllValues, negations and wide IP ranges do
// not fix anything) (public_policy_replay.json).
func TestRecordedPublicPolicies(t *testing.T) {
	e := newEnv(t)
	b := "native-public-policy"
	e.bucket(b)
	const res = `"arn:aws:s3:::native-public-policy/harmless-public-read-fixture.txt"`
	st := func(effect, principal, extra string) string {
		s := `{"Effect": "` + effect + `", ` + principal + `, "Action": "s3:GetObject", "Resource": ` + res
		if extra != "" {
			s += ", " + extra
		}
		return s + "}"
	}
	pub := func(cond string) string {
		if cond == "" {
			return st("Allow", `"Principal": "*"`, "")
		}
		return st("Allow", `"Principal": "*"`, `"Condition": {`+cond+`}`)
	}
	const malformed, public, private = "MalformedPolicy", "public", "private"
	for _, c := range []struct {
		name, statements, want string
	}{
		{"wildcard-principal", pub(""), public},
		{"aws-wildcard-principal", st("Allow", `"Principal": {"AWS": "*"}`, ""), public},
		{"fixed-account", st("Allow", `"Principal": {"AWS": "000000000000"}`, ""), private},
		{"fixed-root", st("Allow", `"Principal": {"AWS": "arn:aws:iam::000000000000:root"}`, ""), private},
		{"fixed-user", st("Allow", `"Principal": {"AWS": "arn:aws:iam::000000000000:user/Delegated"}`, ""), private},
		{"service", st("Allow", `"Principal": {"Service": "cloudtrail.amazonaws.com"}`, ""), private},
		{"wildcard-service", st("Allow", `"Principal": {"Service": "*.amazonaws.com"}`, ""), malformed},
		{"partial-principal", st("Allow", `"Principal": {"AWS": "arn:aws:iam::000000000000:user/*"}`, ""), malformed},
		{"notprincipal-allow", `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ` + res + `, "NotPrincipal": {"AWS": "arn:aws:iam::000000000000:root"}}`, malformed},
		{"notresource-allow", `{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::native-public-policy/excluded-never-created"}`, public},
		{"resource-star", `{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}`, malformed},
		{"invalid-other-bucket-resource", `{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::not-owned-stackd-invalid/fixture"}`, malformed},
		{"action-resource-mismatch", `{"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": ` + res + `}`, malformed},
		{"invalid-action", `{"Effect": "Allow", "Principal": "*", "Action": "s3:NotASupportedAction", "Resource": ` + res + `}`, malformed},
		{"anchor-aws-SourceAccount", pub(`"StringEquals": {"aws:SourceAccount": "000000000000"}`), private},
		{"anchor-aws-SourceOwner", pub(`"StringEquals": {"aws:SourceOwner": "000000000000"}`), public},
		{"anchor-aws-SourceArn", pub(`"StringEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:000000000000:fixed"}`), private},
		{"anchor-aws-PrincipalArn", pub(`"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::000000000000:user/Delegated"}`), private},
		{"anchor-aws-PrincipalOrgID", pub(`"StringEquals": {"aws:PrincipalOrgID": "o-1234567890"}`), private},
		{"anchor-aws-SourceVpc", pub(`"StringEquals": {"aws:SourceVpc": "vpc-12345678"}`), private},
		{"anchor-aws-SourceVpce", pub(`"StringEquals": {"aws:SourceVpce": "vpce-12345678"}`), private},
		{"anchor-aws-userid", pub(`"StringEquals": {"aws:userid": "AIDAQAAAAAAAMEZHRHAHY"}`), private},
		{"anchor-s3-DataAccessPointArn", pub(`"StringEquals": {"s3:DataAccessPointArn": "arn:aws:s3:us-east-1:000000000000:accesspoint/fixed"}`), private},
		{"anchor-s3-DataAccessPointAccount", pub(`"StringEquals": {"s3:DataAccessPointAccount": "000000000000"}`), private},
		{"sourcevpc-like-fixed", pub(`"StringLike": {"aws:SourceVpc": "vpc-12345678"}`), private},
		{"sourcevpc-wildcard", pub(`"StringLike": {"aws:SourceVpc": "vpc-*"}`), public},
		{"sourcevpc-question", pub(`"StringLike": {"aws:SourceVpc": "vpc-1234567?"}`), public},
		{"sourcevpc-variable", pub(`"StringEquals": {"aws:SourceVpc": "${aws:SourceVpc}"}`), public},
		{"sourcevpc-equals-wildcard", pub(`"StringEquals": {"aws:SourceVpc": "vpc-*"}`), private},
		{"sourceaccount-variable", pub(`"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}`), public},
		{"principalaccount-unlisted", pub(`"StringEquals": {"aws:PrincipalAccount": "000000000000"}`), private},
		{"sourceorgid-unlisted", pub(`"StringEquals": {"aws:SourceOrgID": "o-1234567890"}`), private},
		{"sourcearn-wildcard", pub(`"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:000000000000:*"}`), private},
		{"principalarn-wildcard", pub(`"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::000000000000:role/*"}`), private},
		{"sourcevpc-arn-equals", pub(`"ArnEquals": {"aws:SourceVpc": "vpc-12345678"}`), malformed},
		{"sourcevpc-forall", pub(`"ForAllValues:StringEquals": {"aws:SourceVpc": "vpc-12345678"}`), public},
		{"sourcevpc-forany", pub(`"ForAnyValue:StringEquals": {"aws:SourceVpc": "vpc-12345678"}`), private},
		{"sourcevpc-ifexists", pub(`"StringEqualsIfExists": {"aws:SourceVpc": "vpc-12345678"}`), public},
		{"sourcevpc-forall-ifexists", pub(`"ForAllValues:StringEqualsIfExists": {"aws:SourceVpc": "vpc-12345678"}`), public},
		{"sourcevpc-not-equals", pub(`"StringNotEquals": {"aws:SourceVpc": "vpc-12345678"}`), public},
		{"userid-role-session-wildcard", pub(`"StringLike": {"aws:userid": "AROAEXAMPLEUNIQUEID:*"}`), private},
		{"userid-wildcard", pub(`"StringLike": {"aws:userid": "*"}`), public},
		{"accesspoint-name-wildcard", pub(`"ArnLike": {"s3:DataAccessPointArn": "arn:aws:s3:us-east-1:000000000000:accesspoint/*"}`), private},
		{"accesspoint-region-wildcard", pub(`"ArnLike": {"s3:DataAccessPointArn": "arn:aws:s3:*:000000000000:accesspoint/*"}`), private},
		{"accesspoint-account-wildcard", pub(`"ArnLike": {"s3:DataAccessPointArn": "arn:aws:s3:us-east-1:*:accesspoint/fixed"}`), public},
		{"sourcevpc-array-fixed", pub(`"StringEquals": {"aws:SourceVpc": ["vpc-12345678", "vpc-abcdef12"]}`), private},
		{"sourcevpc-array-mixed", pub(`"StringLike": {"aws:SourceVpc": ["vpc-12345678", "vpc-*"]}`), public},
		{"sourcevpc-empty-array", pub(`"StringEquals": {"aws:SourceVpc": []}`), private},
		{"sourceip-0.0.0.0/0", pub(`"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}`), public},
		{"sourceip-0.0.0.0/7", pub(`"IpAddress": {"aws:SourceIp": "0.0.0.0/7"}`), public},
		{"sourceip-11.0.0.0/8", pub(`"IpAddress": {"aws:SourceIp": "11.0.0.0/8"}`), private},
		{"sourceip-11.0.0.0/9", pub(`"IpAddress": {"aws:SourceIp": "11.0.0.0/9"}`), private},
		{"sourceip-10.0.0.0/8", pub(`"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}`), private},
		{"sourceip-10.0.0.0/7", pub(`"IpAddress": {"aws:SourceIp": "10.0.0.0/7"}`), public},
		{"sourceip-172.16.0.0/12", pub(`"IpAddress": {"aws:SourceIp": "172.16.0.0/12"}`), private},
		{"sourceip-192.168.0.0/16", pub(`"IpAddress": {"aws:SourceIp": "192.168.0.0/16"}`), private},
		{"sourceip-127.0.0.0/8", pub(`"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}`), private},
		{"sourceip-::/0", pub(`"IpAddress": {"aws:SourceIp": "::/0"}`), public},
		{"sourceip-2000::/31", pub(`"IpAddress": {"aws:SourceIp": "2000::/31"}`), public},
		{"sourceip-2001:db8::/32", pub(`"IpAddress": {"aws:SourceIp": "2001:db8::/32"}`), private},
		{"sourceip-2001:db8::/33", pub(`"IpAddress": {"aws:SourceIp": "2001:db8::/33"}`), private},
		{"sourceip-fc00::/7", pub(`"IpAddress": {"aws:SourceIp": "fc00::/7"}`), public},
		{"sourceip-fe80::/10", pub(`"IpAddress": {"aws:SourceIp": "fe80::/10"}`), public},
		{"sourceip-ifexists", pub(`"IpAddressIfExists": {"aws:SourceIp": "11.0.0.0/8"}`), public},
		{"sourceip-forall", pub(`"ForAllValues:IpAddress": {"aws:SourceIp": "11.0.0.0/8"}`), public},
		{"sourceip-not", pub(`"NotIpAddress": {"aws:SourceIp": "11.0.0.0/8"}`), public},
		{"untrusted-referer", pub(`"StringEquals": {"aws:Referer": "https://example.invalid"}`), public},
		{"fixed-and-wildcard-conditions", pub(`"StringEquals": {"aws:SourceAccount": "000000000000"}, "StringLike": {"aws:SourceVpc": "vpc-*"}`), private},
		{"deny-only", st("Deny", `"Principal": "*"`, ""), private},
		{"public-allow-and-identical-deny", pub("") + ", " + st("Deny", `"Principal": "*"`, ""), private},
		{"fixed-and-public-statements", st("Allow", `"Principal": {"AWS": "000000000000"}`, "") + ", " + pub(""), public},
		{"fixed-allow-public-deny", st("Allow", `"Principal": {"AWS": "000000000000"}`, "") + ", " + st("Deny", `"Principal": "*"`, ""), private},
		{"supplement-sourcearn-wildcard-account", pub(`"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:*:fixed"}`), public},
		{"supplement-sourcearn-wildcard-region", pub(`"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:000000000000:*"}`), private},
		{"supplement-sourcearn-variable-resource", pub(`"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:000000000000:${aws:username}"}`), public},
		{"supplement-sourcearn-variable-account", pub(`"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:${aws:PrincipalAccount}:fixed"}`), public},
		{"supplement-principalarn-wildcard-account", pub(`"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/fixed"}`), public},
		{"supplement-principalarn-variable-resource", pub(`"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::000000000000:role/${aws:username}"}`), public},
		{"supplement-sourceowner-lowercase", pub(`"StringEquals": {"aws:sourceowner": "000000000000"}`), public},
		{"supplement-forall-with-presence", pub(`"ForAllValues:StringEquals": {"aws:SourceVpc": "vpc-12345678"}, "Null": {"aws:SourceVpc": "false"}`), private},
		{"supplement-ifexists-with-presence", pub(`"StringEqualsIfExists": {"aws:SourceVpc": "vpc-12345678"}, "Null": {"aws:SourceVpc": "false"}`), private},
		{"supplement-sourceip-mixed-array", pub(`"IpAddress": {"aws:SourceIp": ["11.0.0.0/8", "0.0.0.0/0"]}`), public},
		{"supplement-sourceip-forany", pub(`"ForAnyValue:IpAddress": {"aws:SourceIp": "11.0.0.0/8"}`), private},
		{"supplement-notprincipal-deny-only", `{"Effect": "Deny", "Action": "s3:GetObject", "Resource": ` + res + `, "NotPrincipal": {"AWS": "arn:aws:iam::000000000000:root"}}`, private},
		{"supplement-public-allow-notprincipal-deny", pub("") + `, {"Effect": "Deny", "Action": "s3:GetObject", "Resource": ` + res + `, "NotPrincipal": {"AWS": "arn:aws:iam::000000000000:root"}}`, public},
		{"supplement-notresource-deny-only", `{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::native-public-policy/excluded-never-created"}`, private},
		{"supplement-public-allow-deny-outside-account", pub("") + ", " + st("Deny", `"Principal": "*"`, `"Condition": {"StringNotEquals": {"aws:SourceAccount": "000000000000"}}`), private},
	} {
		t.Run(c.name, func(t *testing.T) {
			pab := func(block bool) {
				must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(b), PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
					BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(block), RestrictPublicBuckets: aws.Bool(false)}}))
			}
			pab(false)
			e.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(b)})
			doc := `{"Version": "2012-10-17", "Statement": [` + c.statements + `]}`
			err := e.policy(b, doc)
			if c.want == malformed {
				wantErr(t, err, "MalformedPolicy", 400, "")
				return
			}
			if err != nil {
				t.Fatalf("put: %v", err)
			}
			if got := *must(e.s3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(b)})).PolicyStatus.IsPublic; got != (c.want == public) {
				t.Errorf("IsPublic %v, want %s", got, c.want)
			}
			e.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(b)})
			pab(true)
			err = e.policy(b, doc)
			if c.want == public {
				wantErr(t, err, "AccessDenied", 403, "")
			} else if err != nil {
				t.Errorf("put under BlockPublicPolicy: %v", err)
			}
		})
	}
}

// TestRecordedPublicAccessBlockConfiguration: a new bucket blocks everything; deleting
// the block (even twice) leaves none; a partial configuration replaces, not merges; an
// empty one is refused and changes nothing; a wrong expected owner is refused before
// the configuration is looked at (public_access_replay.json, first scenario).
func TestRecordedPublicAccessBlockConfiguration(t *testing.T) {
	e := newEnv(t)
	b := aws.String("public-access-main")
	e.bucket(*b)
	get := func(owner *string) (*types.PublicAccessBlockConfiguration, error) {
		out, err := e.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b, ExpectedBucketOwner: owner})
		if err != nil {
			return nil, err
		}
		return out.PublicAccessBlockConfiguration, nil
	}
	flags := func(p *types.PublicAccessBlockConfiguration) [4]bool {
		return [4]bool{aws.ToBool(p.BlockPublicAcls), aws.ToBool(p.IgnorePublicAcls), aws.ToBool(p.BlockPublicPolicy), aws.ToBool(p.RestrictPublicBuckets)}
	}
	if got := flags(must(get(nil))); got != [4]bool{true, true, true, true} {
		t.Errorf("new bucket %v", got)
	}
	_, err := e.s3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b})
	wantErr(t, err, "NoSuchBucketPolicy", 404, "")
	for range 2 {
		must(e.s3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b}))
		_, err = get(nil)
		wantErr(t, err, "NoSuchPublicAccessBlockConfiguration", 404, "")
	}
	all := &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}
	must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: all}))
	must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{IgnorePublicAcls: aws.Bool(true)}}))
	if got := flags(must(get(nil))); got != [4]bool{false, true, false, false} {
		t.Errorf("after a partial configuration %v", got)
	}
	_, err = e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{}})
	wantErr(t, err, "InvalidRequest", 400, "")
	if got := flags(must(get(nil))); got != [4]bool{false, true, false, false} {
		t.Errorf("after an empty configuration %v", got)
	}
	must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: all}))
	wrong := aws.String("111122223333")
	_, err = get(wrong)
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{}, ExpectedBucketOwner: wrong})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = e.s3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b, ExpectedBucketOwner: wrong})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = e.s3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b, ExpectedBucketOwner: wrong})
	wantErr(t, err, "AccessDenied", 403, "")
	if got := flags(must(get(aws.String(account)))); got != [4]bool{true, true, true, true} {
		t.Errorf("with the right expected owner %v", got)
	}
}

// TestRecordedPublicPolicyEnforcement: BlockPublicPolicy refuses a public replacement
// and keeps the policy it had (an account principal stored as its root ARN);
// it does not stop a public policy already in place, RestrictPublicBuckets does, for
// anonymous callers and not for the owner, while the policy stays public
// (public_access_replay.json, policy-admission-versus-enforcement, calls 478-497).
func TestRecordedPublicPolicyEnforcement(t *testing.T) {
	e := newEnv(t)
	b := "public-access-main"
	e.bucket(b)
	const body = "Harmless stackd S3 public-read native behavior fixture.\n"
	if put := e.put(b, "harmless-public-read-fixture.txt", body); *put.ETag != `"d5899b556155646c4970e39bcadc0455"` {
		t.Fatalf("ETag %s", *put.ETag)
	}
	pab := func(policy, restrict bool) {
		must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(b), PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(policy), RestrictPublicBuckets: aws.Bool(restrict)}}))
	}
	status := func() bool {
		return *must(e.s3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(b)})).PolicyStatus.IsPublic
	}
	anon := func() int {
		st, _ := e.anon("GET", "/"+b+"/harmless-public-read-fixture.txt", nil)
		return st
	}
	const public = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::public-access-main/harmless-public-read-fixture.txt"}]}`
	pab(false, false)
	must(0, e.policy(b, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::public-access-main/harmless-public-read-fixture.txt"}]}`))
	pab(true, false)
	wantErr(t, e.policy(b, public), "AccessDenied", 403, "")
	if got := *must(e.s3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(b)})).Policy; got != `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::public-access-main/harmless-public-read-fixture.txt"}]}` {
		t.Errorf("stored policy %s", got)
	}
	if status() {
		t.Error("the kept policy is public")
	}
	pab(false, false)
	must(0, e.policy(b, public))
	if !status() || anon() != 200 {
		t.Errorf("public policy: status %v, anonymous %d", status(), anon())
	}
	pab(true, false)
	if st := anon(); st != 200 {
		t.Errorf("BlockPublicPolicy stopped a policy in place: %d", st)
	}
	pab(false, true)
	if st := anon(); st != 403 {
		t.Errorf("RestrictPublicBuckets let an anonymous read through: %d", st)
	}
	if got := e.get(b, "harmless-public-read-fixture.txt"); got != body || !status() {
		t.Errorf("restricted: owner read %q, status %v", got, status())
	}
	pab(false, false)
	if st := anon(); st != 200 {
		t.Errorf("unrestricted anonymous read %d", st)
	}
	must(e.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(b)}))
	_, err := e.s3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(b)})
	wantErr(t, err, "NoSuchBucketPolicy", 404, "")
}

// TestRecordedPublicACLEnforcement: BlockPublicAcls leaves a public ACL already in
// place working and refuses new public ACLs, on PutObjectAcl and on PutObject alike;
// IgnorePublicAcls takes the public grant's effect away and hides it from
// GetObjectAcl while new public ACLs are accepted; turning it off brings the grant
// back (public_access_replay.json, public-acl-enforcement, calls 502-514).
func TestRecordedPublicACLEnforcement(t *testing.T) {
	e := newEnv(t)
	b, k := aws.String("public-access-main"), aws.String("harmless-public-read-fixture.txt")
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	must(e.s3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b}))
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLPublicRead,
		Body: strings.NewReader("Harmless stackd S3 public-read native behavior fixture.\n")}))
	pab := func(block, ignore bool) {
		must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(block), IgnorePublicAcls: aws.Bool(ignore), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}}))
	}
	anon := func() int {
		st, _ := e.anon("GET", "/"+*b+"/"+*k, nil)
		return st
	}
	owner := *must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})).Owner.ID
	acl := func() string {
		return grantsOf(owner, must(e.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: k})).Grants)
	}
	putACL := func() error {
		_, err := e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLPublicRead})
		return err
	}
	putObject := func() error {
		_, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLPublicRead, Body: strings.NewReader("Harmless replacement fixture.\n")})
		return err
	}
	pab(true, false)
	if st := anon(); st != 200 {
		t.Errorf("BlockPublicAcls stopped an ACL in place: %d", st)
	}
	wantErr(t, putACL(), "AccessDenied", 403, "")
	wantErr(t, putObject(), "AccessDenied", 403, "")
	pab(false, true)
	if st := anon(); st != 403 {
		t.Errorf("IgnorePublicAcls let an anonymous read through: %d", st)
	}
	must(0, putACL())
	must(0, putObject())
	if got := acl(); got != "owner=FULL_CONTROL" {
		t.Errorf("ignored ACL shown as %s", got)
	}
	pab(false, false)
	if st := anon(); st != 200 {
		t.Errorf("restored anonymous read %d", st)
	}
	if got := acl(); got != "owner=FULL_CONTROL,AllUsers=READ" {
		t.Errorf("restored ACL %s", got)
	}
	must(e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLPrivate}))
}

// TestRecordedPublicAccessBlockDenials: an explicit Deny of the public access block
// actions stops reading, writing and deleting the configuration (DeletePublicAccessBlock
// is authorized as s3:PutBucketPublicAccessBlock) and reading the policy status
// (public_access_replay.json, owned-role-explicit-denials-and-delete-action-mapping,
// calls 521-524). The role here is also allowed everything else, so the answers come
// from the Deny rather than from a missing Allow.
func TestRecordedPublicAccessBlockDenials(t *testing.T) {
	e := newEnv(t)
	b := aws.String("public-access-main")
	e.bucket(*b)
	_, session := e.roleSessions("public-access-main", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
		{"Effect": "Deny", "Action": ["s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock", "s3:GetBucketPolicyStatus"], "Resource": "arn:aws:s3:::public-access-main"}]}`)
	r := session("public-policy-native", adminPolicy)
	_, err := r.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = r.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{}})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = r.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = r.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b})
	wantErr(t, err, "AccessDenied", 403, "")
	if _, err := r.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b}); err != nil {
		t.Errorf("the role's other S3 actions are refused: %v", err)
	}
}

// TestRecordedCrossAccountPublicAccess: a policy whose public Allow a public Deny takes
// back is not public and lets no anonymous read through; RestrictPublicBuckets leaves
// another account's grant working while the policy is not public, and stops it while
// the policy also holds a public statement; an AllUsers ACL lets another account read
// until IgnorePublicAcls; RestrictPublicBuckets alone does not touch an ACL
// (public_access_replay.json, fixed-child-grant-mixed-public-policy-and-session-authority
// calls 626-666, no-policy-public-acl-restriction-false-true-false calls 684-692). The
// other account's caller here is its root user rather than a role session.
func TestRecordedCrossAccountPublicAccess(t *testing.T) {
	e := newEnv(t)
	member := e.otherAccount(other)
	b, k := aws.String("public-access-cross"), aws.String("harmless-public-read-fixture.txt")
	e.bucket(*b)
	e.put(*b, *k, "Harmless native policy boundary fixture.\n")
	pab := func(ignore, restrict bool) {
		must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(ignore), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(restrict)}}))
	}
	status := func() bool {
		return *must(e.s3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b})).PolicyStatus.IsPublic
	}
	reads := func(step string, wantAnon, wantMember, wantOwner int) {
		t.Helper()
		anon, _ := e.anon("GET", "/"+*b+"/"+*k, nil)
		st := func(c *s3.Client) int {
			_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k})
			if err == nil {
				return 200
			}
			var re *awshttp.ResponseError
			if errors.As(err, &re) {
				return re.HTTPStatusCode()
			}
			return 0
		}
		if got := [3]int{anon, st(member), st(e.s3)}; got != [3]int{wantAnon, wantMember, wantOwner} {
			t.Errorf("%s: anonymous, other account, owner = %v, want %v", step, got, [3]int{wantAnon, wantMember, wantOwner})
		}
	}
	const allow = `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::public-access-cross/harmless-public-read-fixture.txt"}`
	const fixed = `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + other + `:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::public-access-cross/harmless-public-read-fixture.txt"}`
	pab(false, false)
	must(0, e.policy(*b, `{"Version":"2012-10-17","Statement":[`+allow+`,{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::public-access-cross/harmless-public-read-fixture.txt"}]}`))
	if status() {
		t.Error("allow taken back by deny: public")
	}
	reads("allow-deny", 403, 403, 403)
	pab(false, true)
	must(0, e.policy(*b, `{"Version":"2012-10-17","Statement":[`+fixed+`]}`))
	if status() {
		t.Error("fixed: public")
	}
	reads("fixed restricted", 403, 200, 200)
	must(0, e.policy(*b, `{"Version":"2012-10-17","Statement":[`+fixed+`,`+allow+`]}`))
	if !status() {
		t.Error("mixed: not public")
	}
	reads("mixed restricted", 403, 403, 200)
	pab(false, false)
	reads("mixed unrestricted", 200, 200, 200)
	must(e.s3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b}))
	must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}}}}))
	must(e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLPublicRead}))
	reads("public ACL", 200, 200, 200)
	pab(false, true)
	reads("public ACL restricted", 200, 200, 200)
	_, err := e.s3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b})
	wantErr(t, err, "NoSuchBucketPolicy", 404, "")
	pab(true, false)
	reads("public ACL ignored", 403, 403, 200)
}

// TestRecordedXXHashChecksums: S3 takes the XXHASH64, XXHASH3 and XXHASH128 checksums
// on PutObject, with or without the algorithm named, stores them as FULL_OBJECT and
// answers them on GET and HEAD with checksum mode on, for the whole object or part 1,
// and not for a range; a value that does not match is BadDigest and leaves the object
// as it was; a copy keeps the checksum or computes the one it names
// (checksum_algorithms_object_replay.json, ordinary-checksum-storage-copy-and-encryption,
// calls 2-43 and 70-85).
func TestRecordedXXHashChecksums(t *testing.T) {
	e := newEnv(t)
	b := aws.String("stackd-checksum-object-1a79312f787a43ad")
	e.bucket(*b)
	binary, _ := base64.StdEncoding.DecodeString("Y2hlY2tzdW0A/4ABDQoAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==")
	for _, c := range []struct {
		alg         types.ChecksumAlgorithm
		value, none string
		in          func(*s3.PutObjectInput, *string)
	}{
		{types.ChecksumAlgorithmXxhash64, "ghHyDMBTcoE=", "70bbN1HY6Zk=", func(in *s3.PutObjectInput, v *string) { in.ChecksumXXHASH64 = v }},
		{types.ChecksumAlgorithmXxhash3, "tqh8ksNCSno=", "LQaABTjTlMI=", func(in *s3.PutObjectInput, v *string) { in.ChecksumXXHASH3 = v }},
		{types.ChecksumAlgorithmXxhash128, "cD7Hn7de9krAIQco/jZd/A==", "maoG0wFHmNhgAcMkRo1Jfw==", func(in *s3.PutObjectInput, v *string) { in.ChecksumXXHASH128 = v }},
	} {
		name := strings.ToLower(string(c.alg))
		value := func(x64, x3, x128 *string) string {
			var got []string
			for _, p := range []*string{x64, x3, x128} {
				if p != nil {
					got = append(got, *p)
				}
			}
			return strings.Join(got, ",")
		}
		put := func(key string, body []byte, v string) (*s3.PutObjectOutput, error) {
			in := &s3.PutObjectInput{Bucket: b, Key: aws.String(key), Body: bytes.NewReader(body), ChecksumAlgorithm: c.alg}
			c.in(in, aws.String(v))
			return e.s3.PutObject(ctx, in)
		}
		check := func(step, key string, rng *string, part *int32, mode types.ChecksumMode, want string) {
			t.Helper()
			g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String(key), Range: rng, PartNumber: part, ChecksumMode: mode}))
			g.Body.Close()
			h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String(key), Range: rng, PartNumber: part, ChecksumMode: mode}))
			gt, ht := string(g.ChecksumType), string(h.ChecksumType)
			if got := [4]string{value(g.ChecksumXXHASH64, g.ChecksumXXHASH3, g.ChecksumXXHASH128), gt, value(h.ChecksumXXHASH64, h.ChecksumXXHASH3, h.ChecksumXXHASH128), ht}; want == "" && got != [4]string{} ||
				want != "" && got != [4]string{want, "FULL_OBJECT", want, "FULL_OBJECT"} {
				t.Errorf("%s %s: GET and HEAD checksums %q", name, step, got)
			}
			if g.ChecksumCRC64NVME != nil || h.ChecksumCRC64NVME != nil || g.ChecksumSHA256 != nil {
				t.Errorf("%s %s: other checksum families answered", name, step)
			}
		}
		out := must(put(name, binary, c.value))
		if got := value(out.ChecksumXXHASH64, out.ChecksumXXHASH3, out.ChecksumXXHASH128); got != c.value || out.ChecksumType != types.ChecksumTypeFullObject || out.ChecksumCRC64NVME != nil {
			t.Errorf("%s put: %q %q", name, got, out.ChecksumType)
		}
		check("enabled", name, nil, nil, types.ChecksumModeEnabled, c.value)
		check("mode omitted", name, nil, nil, "", "")
		check("range", name, aws.String("bytes=3-10"), nil, types.ChecksumModeEnabled, "")
		check("part one", name, nil, aws.Int32(1), types.ChecksumModeEnabled, c.value)
		must(put(name+"-empty", nil, c.none))
		check("empty", name+"-empty", nil, nil, types.ChecksumModeEnabled, c.none)
		st, body := e.signedRaw("PUT", "/"+*b+"/"+name+"-inferred", map[string]string{"x-amz-checksum-" + name: c.value}, string(binary))
		if st != 200 {
			t.Fatalf("%s inferred: %d %s", name, st, body)
		}
		check("inferred", name+"-inferred", nil, nil, types.ChecksumModeEnabled, c.value)
		_, err := put(name, []byte("rejected replacement\x00\xff"), c.value)
		wantErr(t, err, "BadDigest", 400, "")
		check("unchanged after mismatch", name, nil, nil, types.ChecksumModeEnabled, c.value)
		cp := must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String(name + "-copy"), CopySource: aws.String(*b + "/" + name)})).CopyObjectResult
		if got := value(cp.ChecksumXXHASH64, cp.ChecksumXXHASH3, cp.ChecksumXXHASH128); got != c.value || cp.ChecksumType != types.ChecksumTypeFullObject || cp.ChecksumCRC64NVME != nil {
			t.Errorf("%s copy: %q %q", name, got, cp.ChecksumType)
		}
		check("preserved copy", name+"-copy", nil, nil, types.ChecksumModeEnabled, c.value)
		cp = must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String(name + "-replace"), CopySource: aws.String(*b + "/" + name), ChecksumAlgorithm: types.ChecksumAlgorithmXxhash128})).CopyObjectResult
		if got := value(cp.ChecksumXXHASH64, cp.ChecksumXXHASH3, cp.ChecksumXXHASH128); got != "cD7Hn7de9krAIQco/jZd/A==" || cp.ChecksumType != types.ChecksumTypeFullObject {
			t.Errorf("%s copy as XXHASH128: %q %q", name, got, cp.ChecksumType)
		}
		check("replaced copy", name+"-replace", nil, nil, types.ChecksumModeEnabled, "cD7Hn7de9krAIQco/jZd/A==")
	}
}

// TestRecordedChecksumFieldConflicts: a PutObject with two checksum fields, whether the
// second matches or not, or with an algorithm other than the value's, is InvalidRequest
// and leaves the object as it was; an SSE-C object keeps its XXHASH128 checksum, and a
// copy of it with the source key computes the XXHASH3 it asks for, as does a copy of an
// SSE-KMS object; an empty or malformed checksum header is InvalidRequest
// (checksum_algorithms_object_replay.json, ordinary-checksum-storage-copy-and-encryption,
// calls 100-119, present-empty-and-malformed-checksum-headers calls 122-129).
func TestRecordedChecksumFieldConflicts(t *testing.T) {
	e := newEnv(t)
	b := aws.String("stackd-checksum-object-1a79312f787a43ad")
	e.bucket(*b)
	e.allowSSEC(*b)
	data, _ := base64.StdEncoding.DecodeString("Y2hlY2tzdW0A/4ABDQoAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==")
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("xxhash64"), Body: bytes.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithmXxhash64, ChecksumXXHASH64: aws.String("ghHyDMBTcoE=")}))
	for _, in := range []*s3.PutObjectInput{
		{ChecksumAlgorithm: types.ChecksumAlgorithmXxhash64, ChecksumXXHASH64: aws.String("ghHyDMBTcoE="), ChecksumSHA256: aws.String("oyn3HMirDUT69uVmHjsTVuGVVBChxF/VtT1qUGV2T6s=")},
		{ChecksumAlgorithm: types.ChecksumAlgorithmXxhash64, ChecksumXXHASH64: aws.String("ghHyDMBTcoE="), ChecksumSHA256: aws.String("ZBHioXoHFMD/qXxp9zOyG07bv1vzI7ZrwZUL/1xYSsY=")},
		{ChecksumAlgorithm: types.ChecksumAlgorithmSha512, ChecksumXXHASH3: aws.String("tqh8ksNCSno=")},
	} {
		in.Bucket, in.Key, in.Body = b, aws.String("xxhash64"), bytes.NewReader(data)
		_, err := e.s3.PutObject(ctx, in)
		wantErr(t, err, "InvalidRequest", 400, "")
	}
	g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("xxhash64"), ChecksumMode: types.ChecksumModeEnabled}))
	g.Body.Close()
	if aws.ToString(g.ChecksumXXHASH64) != "ghHyDMBTcoE=" || g.ChecksumSHA256 != nil || g.ChecksumSHA512 != nil {
		t.Errorf("after refused puts: %v %v", g.ChecksumXXHASH64, g.ChecksumSHA256)
	}
	k := ssecKey{"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "tP/LI3N87DFaSk0aoqYgzg=="}
	out := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("ssec-xxhash128"), Body: bytes.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithmXxhash128,
		ChecksumXXHASH128: aws.String("cD7Hn7de9krAIQco/jZd/A=="), SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)}))
	if aws.ToString(out.ChecksumXXHASH128) != "cD7Hn7de9krAIQco/jZd/A==" || out.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("SSE-C put: %v %v", out.ChecksumXXHASH128, out.ChecksumType)
	}
	h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("ssec-xxhash128"), ChecksumMode: types.ChecksumModeEnabled,
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)}))
	if aws.ToString(h.ChecksumXXHASH128) != "cD7Hn7de9krAIQco/jZd/A==" {
		t.Errorf("SSE-C head: %v", h.ChecksumXXHASH128)
	}
	_, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("ssec-xxhash128"), ChecksumMode: types.ChecksumModeEnabled})
	wantErr(t, err, "InvalidRequest", 400, "")
	cp := must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("ssec-xxhash128-copy"), CopySource: aws.String(*b + "/ssec-xxhash128"), ChecksumAlgorithm: types.ChecksumAlgorithmXxhash3,
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(k.key), CopySourceSSECustomerKeyMD5: aws.String(k.md5)}))
	if aws.ToString(cp.CopyObjectResult.ChecksumXXHASH3) != "tqh8ksNCSno=" || cp.CopyObjectResult.ChecksumXXHASH128 != nil || cp.CopyObjectResult.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("SSE-C copy as XXHASH3: %+v", cp.CopyObjectResult)
	}
	g = must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("ssec-xxhash128-copy"), ChecksumMode: types.ChecksumModeEnabled}))
	g.Body.Close()
	if aws.ToString(g.ChecksumXXHASH3) != "tqh8ksNCSno=" {
		t.Errorf("SSE-C copy read: %v", g.ChecksumXXHASH3)
	}
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("kms-xxhash128"), Body: bytes.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithmXxhash128,
		ChecksumXXHASH128: aws.String("cD7Hn7de9krAIQco/jZd/A=="), ServerSideEncryption: types.ServerSideEncryptionAwsKms}))
	cp = must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("kms-xxhash128-copy"), CopySource: aws.String(*b + "/kms-xxhash128"), ChecksumAlgorithm: types.ChecksumAlgorithmXxhash3,
		ServerSideEncryption: types.ServerSideEncryptionAwsKms}))
	if aws.ToString(cp.CopyObjectResult.ChecksumXXHASH3) != "tqh8ksNCSno=" || cp.CopyObjectResult.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("SSE-KMS copy as XXHASH3: %+v", cp.CopyObjectResult)
	}
	// present-empty-and-malformed-checksum-headers, calls 122-129.
	for _, hdr := range []map[string]string{
		{"x-amz-checksum-xxhash128": "", "x-amz-sdk-checksum-algorithm": "XXHASH128"},
		{"x-amz-checksum-xxhash128": ""},
		{"x-amz-checksum-xxhash128": "%%%not-base64%%%", "x-amz-sdk-checksum-algorithm": "XXHASH128"},
		{"x-amz-checksum-xxhash128": "%%%not-base64%%%"},
	} {
		st, body := e.signedRaw("PUT", "/"+*b+"/xxhash64", hdr, "rejected replacement\x00\xff")
		wantXMLError(t, st, body, 400, "<Code>InvalidRequest</Code>")
	}
	g = must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("xxhash64"), ChecksumMode: types.ChecksumModeEnabled}))
	g.Body.Close()
	if aws.ToString(g.ChecksumXXHASH64) != "ghHyDMBTcoE=" {
		t.Errorf("after refused raw puts: %v", g.ChecksumXXHASH64)
	}
}

// TestRecordedVersionScopedDeny: a Deny of s3:GetObjectVersion and
// s3:DeleteObjectVersion except for listed version IDs ("null" among them) stops reads
// and deletes of the other versions, not the current read nor a delete without a
// version; a delete marker it covers reads as MethodNotAllowed but cannot be deleted
// (version_policy_controls.json).
func TestRecordedVersionScopedDeny(t *testing.T) {
	e := newEnv(t)
	u := e.user("Delegated", allowAll)
	b := aws.String("stackd-version-policy-74a6d9a38d01")
	must(u.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}))
	put := func(body string) *string {
		return must(u.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("item"), Body: strings.NewReader(body)})).VersionId
	}
	put("null")
	must(u.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	v1, v2 := put("v1"), put("v2")
	must(u.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(`{"Version": "2012-10-17", "Statement": [{"Sid": "KeepFirstAndNull", "Effect": "Deny", "Principal": "*", "Action": ["s3:GetObjectVersion", "s3:DeleteObjectVersion"], "Resource": "arn:aws:s3:::stackd-version-policy-74a6d9a38d01/item", "Condition": {"StringNotEquals": {"s3:VersionId": ["` + *v1 + `", "null"]}}}]}`)}))
	read := func(v *string) (string, error) {
		g, err := u.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("item"), VersionId: v})
		if err != nil {
			return "", err
		}
		defer g.Body.Close()
		data, _ := io.ReadAll(g.Body)
		return string(data), nil
	}
	del := func(v *string) (*s3.DeleteObjectOutput, error) {
		return u.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("item"), VersionId: v})
	}
	denied := func(action string) string {
		return `User: arn:aws:iam::000000000000:user/Delegated is not authorized to perform: ` + action + ` on resource: "arn:aws:s3:::stackd-version-policy-74a6d9a38d01/item" with an explicit deny in a resource-based policy`
	}
	_, err := read(v2)
	wantErr(t, err, "AccessDenied", 403, denied("s3:GetObjectVersion"))
	for _, c := range []struct {
		v    *string
		want string
	}{{nil, "v2"}, {v1, "v1"}, {aws.String("null"), "null"}} {
		if got, err := read(c.v); err != nil || got != c.want {
			t.Errorf("read %v: %q %v", aws.ToString(c.v), got, err)
		}
	}
	if _, err := u.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("item"), VersionId: v1}); err != nil {
		t.Errorf("head v1: %v", err)
	}
	_, err = del(v2)
	wantErr(t, err, "AccessDenied", 403, denied("s3:DeleteObjectVersion"))
	marker := must(del(nil))
	if !aws.ToBool(marker.DeleteMarker) {
		t.Fatal("no delete marker")
	}
	_, err = read(nil)
	wantErr(t, err, "NoSuchKey", 404, "The specified key does not exist.")
	_, err = read(marker.VersionId)
	wantErr(t, err, "MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
	_, err = del(marker.VersionId)
	wantErr(t, err, "AccessDenied", 403, denied("s3:DeleteObjectVersion"))
	for _, v := range []*string{aws.String("null"), v1} {
		if out, err := del(v); err != nil || aws.ToString(out.VersionId) != *v {
			t.Errorf("delete %s: %v", *v, err)
		}
	}
	vs := must(u.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b}))
	if len(vs.Versions) != 1 || *vs.Versions[0].VersionId != *v2 || len(vs.DeleteMarkers) != 1 || *vs.DeleteMarkers[0].VersionId != *marker.VersionId {
		t.Errorf("left: %d versions, %d markers", len(vs.Versions), len(vs.DeleteMarkers))
	}
}

// TestRecordedExpectedOwnerACLAPIs: each of the seven ACL and ownership APIs refuses a
// wrong ExpectedBucketOwner with 403 and serves the right one
// (ownership_authority_replay.json, expected-bucket-owner-for-all-seven-acl-and-ownership-apis).
func TestRecordedExpectedOwnerACLAPIs(t *testing.T) {
	e := newEnv(t)
	b, k := aws.String("ownership-main"), aws.String("source")
	e.bucket(*b)
	e.put(*b, *k, "harmless ownership fixture\n")
	must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}}))
	rules := &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}
	for _, c := range []struct {
		name string
		call func(owner *string) error
	}{
		{"GetBucketOwnershipControls", func(o *string) error {
			_, err := e.s3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b, ExpectedBucketOwner: o})
			return err
		}},
		{"PutBucketOwnershipControls", func(o *string) error {
			_, err := e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, ExpectedBucketOwner: o, OwnershipControls: rules})
			return err
		}},
		{"DeleteBucketOwnershipControls", func(o *string) error {
			_, err := e.s3.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: b, ExpectedBucketOwner: o})
			return err
		}},
		{"GetBucketAcl", func(o *string) error {
			_, err := e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b, ExpectedBucketOwner: o})
			return err
		}},
		{"PutBucketAcl", func(o *string) error {
			_, err := e.s3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ExpectedBucketOwner: o, ACL: types.BucketCannedACLPrivate})
			return err
		}},
		{"GetObjectAcl", func(o *string) error {
			_, err := e.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: k, ExpectedBucketOwner: o})
			return err
		}},
		{"PutObjectAcl", func(o *string) error {
			_, err := e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, ExpectedBucketOwner: o, ACL: types.ObjectCannedACLPrivate})
			return err
		}},
	} {
		wantErr(t, c.call(aws.String("111111111111")), "AccessDenied", 403, "")
		if err := c.call(aws.String("000000000000")); err != nil {
			t.Errorf("%s with the right owner: %v", c.name, err)
		}
	}
}

// TestRecordedACLActions: which actions ACL-bearing calls need. A caller allowed only
// s3:GetObject and s3:PutObject may write with the private and
// bucket-owner-full-control ACLs but not public-read, nor read or write any ACL; one
// allowed the current ACL actions may not use them on a version, nor PutBucketAcl,
// nor write objects; one allowed the version ACL actions may not use them on the
// current object (ownership_authority_replay.json,
// object-only-versus-current-acl-iam-actions and
// version-acl-actions-and-copy-multipart-acl-admission calls 621-652: CopyObject and
// CreateMultipartUpload as PutObject). The recordings'
// callers are role sessions; IAM users with the same policies stand in for them.
func TestRecordedACLActions(t *testing.T) {
	e := newEnv(t)
	b, src := aws.String("ownership-main"), aws.String("source")
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}))
	e.put(*b, *src, "harmless ownership fixture\n")
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	v := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("versioned"), ACL: types.ObjectCannedACLPublicRead, Body: strings.NewReader("harmless version one\n")})).VersionId
	objectOnly := e.user("object-only", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::ownership-main/*"}]}`)
	currentACL := e.user("current-acl", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObjectAcl", "s3:PutObjectAcl"], "Resource": "arn:aws:s3:::ownership-main/*"}, {"Effect": "Allow", "Action": ["s3:GetBucketAcl", "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls"], "Resource": "arn:aws:s3:::ownership-main"}]}`)
	versionACL := e.user("version-acl", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:GetObjectVersionAcl", "s3:PutObjectVersionAcl"], "Resource": "arn:aws:s3:::ownership-main/*"}]}`)
	status := func(err error) int {
		var re *awshttp.ResponseError
		if err == nil {
			return 200
		} else if errors.As(err, &re) {
			return re.HTTPStatusCode()
		}
		return 0
	}
	putObject := func(c *s3.Client, key string, acl types.ObjectCannedACL) int {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(key), ACL: acl, Body: strings.NewReader("harmless role\n")})
		return status(err)
	}
	getACL := func(c *s3.Client, key *string, version *string) int {
		_, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: key, VersionId: version})
		return status(err)
	}
	putACL := func(c *s3.Client, key *string, version *string) int {
		_, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: key, VersionId: version, ACL: types.ObjectCannedACLPrivate})
		return status(err)
	}
	bucketCalls := func(c *s3.Client) [5]int {
		_, e1 := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
		_, e2 := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}})
		_, e3 := c.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: b})
		_, e4 := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})
		_, e5 := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPrivate})
		return [5]int{status(e1), status(e2), status(e3), status(e4), status(e5)}
	}
	check := func(what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	check("object-only bucket calls", bucketCalls(objectOnly), [5]int{403, 403, 403, 403, 403})
	check("object-only object ACLs", [2]int{getACL(objectOnly, src, nil), putACL(objectOnly, src, nil)}, [2]int{403, 403})
	check("object-only puts", [4]int{putObject(objectOnly, "none", ""), putObject(objectOnly, "private", types.ObjectCannedACLPrivate),
		putObject(objectOnly, "full", types.ObjectCannedACLBucketOwnerFullControl), putObject(objectOnly, "public", types.ObjectCannedACLPublicRead)}, [4]int{200, 200, 200, 403})
	check("object-only version ACLs", [2]int{getACL(objectOnly, aws.String("versioned"), v), putACL(objectOnly, aws.String("versioned"), v)}, [2]int{403, 403})
	must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}}))
	check("object-only enforced ACLs", [2]int{getACL(objectOnly, src, nil), putACL(objectOnly, src, nil)}, [2]int{403, 403})
	check("object-only enforced puts", [3]int{putObject(objectOnly, "boe-none", ""), putObject(objectOnly, "boe-private", types.ObjectCannedACLPrivate),
		putObject(objectOnly, "boe-full", types.ObjectCannedACLBucketOwnerFullControl)}, [3]int{200, 200, 200})
	must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}}))
	check("current-acl bucket calls", bucketCalls(currentACL), [5]int{200, 200, 200, 200, 403})
	check("current-acl object ACLs", [2]int{getACL(currentACL, src, nil), putACL(currentACL, src, nil)}, [2]int{200, 200})
	check("current-acl puts", [4]int{putObject(currentACL, "c-none", ""), putObject(currentACL, "c-private", types.ObjectCannedACLPrivate),
		putObject(currentACL, "c-full", types.ObjectCannedACLBucketOwnerFullControl), putObject(currentACL, "c-public", types.ObjectCannedACLPublicRead)}, [4]int{403, 403, 403, 403})
	check("current-acl version ACLs", [2]int{getACL(currentACL, aws.String("versioned"), v), putACL(currentACL, aws.String("versioned"), v)}, [2]int{403, 403})
	check("version-acl current", [2]int{getACL(versionACL, aws.String("versioned"), nil), putACL(versionACL, aws.String("versioned"), nil)}, [2]int{403, 403})
	check("version-acl version", [2]int{getACL(versionACL, aws.String("versioned"), v), putACL(versionACL, aws.String("versioned"), v)}, [2]int{200, 200})
	for _, own := range []types.ObjectOwnership{types.ObjectOwnershipObjectWriter, types.ObjectOwnershipBucketOwnerEnforced} {
		must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: own}}}}))
		for _, acl := range []types.ObjectCannedACL{"", types.ObjectCannedACLPrivate, types.ObjectCannedACLBucketOwnerFullControl} {
			_, err := versionACL.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("copy-" + string(acl)), CopySource: aws.String("ownership-main/source"), ACL: acl})
			check(string(own)+" copy "+string(acl), status(err), 200)
			_, err = versionACL.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("upload-" + string(acl)), ACL: acl})
			check(string(own)+" upload "+string(acl), status(err), 200)
		}
	}
	// Under BucketOwnerEnforced a public-read ACL is refused as unsupported before
	// the missing s3:PutObjectAcl is (calls 655-656).
	_, err := versionACL.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("copy-public"), CopySource: aws.String("ownership-main/source"), ACL: types.ObjectCannedACLPublicRead})
	wantErr(t, err, "AccessControlListNotSupported", 400, "")
	_, err = versionACL.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("upload-public"), ACL: types.ObjectCannedACLPublicRead})
	wantErr(t, err, "AccessControlListNotSupported", 400, "")
	must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}}))
	_, err = versionACL.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("copy-public"), CopySource: aws.String("ownership-main/source"), ACL: types.ObjectCannedACLPublicRead})
	check("copy public-read", status(err), 403)
	_, err = versionACL.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("upload-public"), ACL: types.ObjectCannedACLPublicRead})
	check("upload public-read", status(err), 403)
}

// TestRecordedForeignObjectWriter: under ObjectWriter an object another account writes
// is that account's: the bucket owner may read neither it nor its ACL unless the writer
// grants bucket-owner-full-control; a bucket ACL granting another account stops
// BucketOwnerEnforced (ownership_authority_replay.json,
// cross-account-writer-preferred-enforced-legacy-and-copy-owner, calls 715-740). The
// other account's caller is its root user rather than a role session.
func TestRecordedForeignObjectWriter(t *testing.T) {
	e := newEnv(t)
	member, otherOwner := e.member()
	b := aws.String("ownership-cross")
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	owner := *must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})).Owner.ID
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	must(0, e.policy(*b, `{"Version": "2012-10-17", "Statement": [{"Sid": "OwnedCrossAccountProbe", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::000000000000:root", "arn:aws:iam::`+other+`:root"]}, "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAcl", "s3:GetObjectVersionAcl", "s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectVersionAcl", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], "Resource": "arn:aws:s3:::ownership-cross/*"}]}`))
	name := func(id string) string {
		switch id {
		case owner:
			return "owner"
		case otherOwner:
			return "other"
		}
		return id
	}
	acl := func(c *s3.Client, key string) string {
		out, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: aws.String(key)})
		if err != nil {
			var re *awshttp.ResponseError
			if errors.As(err, &re) {
				return fmt.Sprint(re.HTTPStatusCode())
			}
			return err.Error()
		}
		got := "owner:" + name(*out.Owner.ID)
		for _, g := range out.Grants {
			got += "," + name(aws.ToString(g.Grantee.ID)) + "=" + string(g.Permission)
		}
		return got
	}
	read := func(c *s3.Client, key string) int {
		g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String(key)})
		if err != nil {
			var re *awshttp.ResponseError
			if errors.As(err, &re) {
				return re.HTTPStatusCode()
			}
			return 0
		}
		g.Body.Close()
		return 200
	}
	for _, c := range []struct {
		key         string
		acl         types.ObjectCannedACL
		ownerACL    string
		ownerRead   int
		memberACL   string
		memberReads int
	}{
		{"foreign-private", "", "403", 403, "owner:other,other=FULL_CONTROL", 200},
		{"cross-ObjectWriter-private", types.ObjectCannedACLPrivate, "403", 403, "owner:other,other=FULL_CONTROL", 200},
		{"cross-ObjectWriter-bucket-owner-full-control", types.ObjectCannedACLBucketOwnerFullControl, "owner:other,other=FULL_CONTROL,owner=FULL_CONTROL", 200, "owner:other,other=FULL_CONTROL,owner=FULL_CONTROL", 200},
	} {
		must(member.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(c.key), ACL: c.acl, Body: strings.NewReader("harmless foreign ownership\n")}))
		if got := [4]string{acl(e.s3, c.key), fmt.Sprint(read(e.s3, c.key)), acl(member, c.key), fmt.Sprint(read(member, c.key))}; got != [4]string{c.ownerACL, fmt.Sprint(c.ownerRead), c.memberACL, fmt.Sprint(c.memberReads)} {
			t.Errorf("%s: bucket owner ACL, read, member ACL, read = %q", c.key, got)
		}
	}
	must(e.s3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, AccessControlPolicy: &types.AccessControlPolicy{Owner: &types.Owner{ID: aws.String(owner)}, Grants: []types.Grant{
		{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(owner)}, Permission: types.PermissionFullControl},
		{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(otherOwner)}, Permission: types.PermissionRead}}}}))
	ownership := func(o types.ObjectOwnership) error {
		_, err := e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: o}}}})
		return err
	}
	wantErr(t, ownership(types.ObjectOwnershipBucketOwnerEnforced), "InvalidBucketAclWithObjectOwnership", 400, "")
	must(e.s3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPrivate}))

	// A copy the other account makes of its object is its own (calls 742-745).
	must(member.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("cross-copy-ObjectWriter"), CopySource: aws.String("ownership-cross/foreign-private")}))
	if got := [3]string{acl(e.s3, "cross-copy-ObjectWriter"), fmt.Sprint(read(e.s3, "cross-copy-ObjectWriter")), acl(member, "cross-copy-ObjectWriter")}; got != [3]string{"403", "403", "owner:other,other=FULL_CONTROL"} {
		t.Errorf("foreign copy: %q", got)
	}
	// BucketOwnerPreferred: bucket-owner-full-control hands the object to the bucket
	// owner (calls 747-763).
	must(0, ownership(types.ObjectOwnershipBucketOwnerPreferred))
	must(member.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("preferred-none"), Body: strings.NewReader("x")}))
	must(member.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("preferred-full"), ACL: types.ObjectCannedACLBucketOwnerFullControl, Body: strings.NewReader("x")}))
	if got := [4]string{acl(e.s3, "preferred-none"), fmt.Sprint(read(e.s3, "preferred-none")), acl(e.s3, "preferred-full"), acl(member, "preferred-full")}; got != [4]string{"403", "403", "owner:owner,owner=FULL_CONTROL", "owner:owner,owner=FULL_CONTROL"} {
		t.Errorf("preferred: %q", got)
	}
	// BucketOwnerEnforced: every object is the bucket owner's, and the other
	// account's private ACL is unsupported (calls 769-777).
	must(0, ownership(types.ObjectOwnershipBucketOwnerEnforced))
	must(member.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("enforced-none"), Body: strings.NewReader("x")}))
	if got := [3]string{acl(e.s3, "enforced-none"), fmt.Sprint(read(e.s3, "enforced-none")), acl(member, "enforced-none")}; got != [3]string{"owner:owner,owner=FULL_CONTROL", "200", "owner:owner,owner=FULL_CONTROL"} {
		t.Errorf("enforced: %q", got)
	}
	_, err := member.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("enforced-private"), ACL: types.ObjectCannedACLPrivate, Body: strings.NewReader("x")})
	wantErr(t, err, "AccessControlListNotSupported", 400, "")
	must(member.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("enforced-full"), ACL: types.ObjectCannedACLBucketOwnerFullControl, Body: strings.NewReader("x")}))
	if got := [2]string{acl(e.s3, "foreign-private"), fmt.Sprint(read(e.s3, "foreign-private"))}; got != [2]string{"owner:owner,owner=FULL_CONTROL", "200"} {
		t.Errorf("enforced, the older foreign object: %q", got)
	}
	// Without ownership controls objects are their writers' as under ObjectWriter
	// (calls 787-807).
	must(e.s3.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: b}))
	must(member.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("legacy-none"), Body: strings.NewReader("x")}))
	must(member.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("legacy-full"), ACL: types.ObjectCannedACLBucketOwnerFullControl, Body: strings.NewReader("x")}))
	if got := [3]string{acl(e.s3, "legacy-none"), fmt.Sprint(read(e.s3, "legacy-none")), acl(e.s3, "legacy-full")}; got != [3]string{"403", "403", "owner:other,other=FULL_CONTROL,owner=FULL_CONTROL"} {
		t.Errorf("legacy: %q", got)
	}
	// The writer's later bucket-owner-full-control lets the bucket owner in (calls
	// 809-818).
	must(0, ownership(types.ObjectOwnershipBucketOwnerPreferred))
	if got := read(e.s3, "foreign-private"); got != 403 {
		t.Errorf("preferred, before the grant: %d", got)
	}
	must(member.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: aws.String("foreign-private"), ACL: types.ObjectCannedACLBucketOwnerFullControl}))
	if got := [2]string{acl(e.s3, "foreign-private"), fmt.Sprint(read(e.s3, "foreign-private"))}; got != [2]string{"owner:other,other=FULL_CONTROL,owner=FULL_CONTROL", "200"} {
		t.Errorf("preferred, after the grant: %q", got)
	}
}

// TestRecordedForeignVersionGrants: a READ grant on another account's object version
// lets the bucket owner read the version, not its ACL; BucketOwnerEnforced makes
// every version the bucket owner's, and turning ACLs back on restores the writer's
// ACL (ownership_authority_replay.json,
// cross-account-selected-version-retention-and-policy-allow-boundary, calls 820-851).
func TestRecordedForeignVersionGrants(t *testing.T) {
	e := newEnv(t)
	member, otherOwner := e.member()
	b, k := aws.String("ownership-cross"), aws.String("cross-versioned")
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	owner := *must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})).Owner.ID
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	must(0, e.policy(*b, `{"Version": "2012-10-17", "Statement": [{"Sid": "OwnedCrossAccountProbe", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::000000000000:root", "arn:aws:iam::`+other+`:root"]}, "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAcl", "s3:GetObjectVersionAcl", "s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectVersionAcl"], "Resource": "arn:aws:s3:::ownership-cross/*"}]}`))
	v1 := must(member.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("harmless foreign v1\n")})).VersionId
	must(member.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, VersionId: v1, AccessControlPolicy: &types.AccessControlPolicy{Owner: &types.Owner{ID: aws.String(otherOwner)}, Grants: []types.Grant{
		{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(otherOwner)}, Permission: types.PermissionFullControl},
		{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(owner)}, Permission: types.PermissionRead}}}}))
	v2 := must(member.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLBucketOwnerFullControl, Body: strings.NewReader("harmless foreign v2\n")})).VersionId
	status := func(err error) int {
		var re *awshttp.ResponseError
		if err == nil {
			return 200
		} else if errors.As(err, &re) {
			return re.HTTPStatusCode()
		}
		return 0
	}
	ownerView := func(v *string) [2]int {
		_, aerr := e.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: k, VersionId: v})
		g, gerr := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k, VersionId: v})
		if gerr == nil {
			g.Body.Close()
		}
		return [2]int{status(aerr), status(gerr)}
	}
	if got := [2][2]int{ownerView(v1), ownerView(v2)}; got != [2][2]int{{403, 200}, {200, 200}} {
		t.Errorf("writer: bucket owner's ACL and object reads of v1, v2 = %v", got)
	}
	own := func(o types.ObjectOwnership) {
		must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: o}}}}))
	}
	own(types.ObjectOwnershipBucketOwnerEnforced)
	if got := [2][2]int{ownerView(v1), ownerView(v2)}; got != [2][2]int{{200, 200}, {200, 200}} {
		t.Errorf("enforced: %v", got)
	}
	for _, c := range []*s3.Client{e.s3, member} {
		a := must(c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: k, VersionId: v1}))
		if *a.Owner.ID != owner || len(a.Grants) != 1 || aws.ToString(a.Grants[0].Grantee.ID) != owner {
			t.Errorf("enforced ACL of v1: owner %s, %d grants", *a.Owner.ID, len(a.Grants))
		}
	}
	own(types.ObjectOwnershipObjectWriter)
	if got := ownerView(v1); got != [2]int{403, 200} {
		t.Errorf("writer again: v1 %v", got)
	}
}

// TestRecordedForeignMultipartOwner: an upload another account begins under
// ObjectWriter keeps that account as the object's owner and the ACL it began with, even
// when completed under BucketOwnerEnforced, which only hides them until ACLs are on
// again (ownership_authority_replay.json,
// cross-account-pending-multipart-owner-frozen-at-initiation, calls 897-995).
func TestRecordedForeignMultipartOwner(t *testing.T) {
	e := newEnv(t)
	member := e.otherAccount(other)
	b := aws.String("ownership-cross")
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	owner := *must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})).Owner.ID
	must(0, e.policy(*b, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::000000000000:root", "arn:aws:iam::`+other+`:root"]}, "Action": ["s3:GetObject", "s3:GetObjectAcl", "s3:PutObject", "s3:PutObjectAcl"], "Resource": "arn:aws:s3:::ownership-cross/*"}]}`))
	own := func(o types.ObjectOwnership) {
		must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: o}}}}))
	}
	ownerOf := func(key string) string {
		out, err := e.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: aws.String(key)})
		if err != nil {
			return "denied"
		}
		if *out.Owner.ID == owner {
			return fmt.Sprintf("owner/%d", len(out.Grants))
		}
		return fmt.Sprintf("other/%d", len(out.Grants))
	}
	for _, c := range []struct {
		acl                types.ObjectCannedACL
		enforced, restored string
	}{{"", "owner/1", "denied"}, {types.ObjectCannedACLBucketOwnerFullControl, "owner/1", "other/2"}} {
		key := aws.String("mpu-" + string(c.acl))
		own(types.ObjectOwnershipObjectWriter)
		id := must(member.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: key, ACL: c.acl})).UploadId
		part := must(member.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: key, UploadId: id, PartNumber: aws.Int32(1), Body: strings.NewReader("harmless cross-account multipart\n")}))
		own(types.ObjectOwnershipBucketOwnerEnforced)
		must(member.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: key, UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}}))
		got := [2]string{ownerOf(*key)}
		own(types.ObjectOwnershipObjectWriter)
		got[1] = ownerOf(*key)
		if got != [2]string{c.enforced, c.restored} {
			t.Errorf("%q: enforced, restored = %q, want %q", c.acl, got, [2]string{c.enforced, c.restored})
		}
		// Begun under BucketOwnerEnforced, completed under ObjectWriter: the bucket
		// owner's (calls 975-995).
		key = aws.String("mpu-enforced-" + string(c.acl))
		own(types.ObjectOwnershipBucketOwnerEnforced)
		id = must(member.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: key, ACL: c.acl})).UploadId
		part = must(member.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: key, UploadId: id, PartNumber: aws.Int32(1), Body: strings.NewReader("harmless cross-account multipart\n")}))
		own(types.ObjectOwnershipObjectWriter)
		must(member.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: key, UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}}))
		if got := ownerOf(*key); got != "owner/1" {
			t.Errorf("%q begun enforced: %s", c.acl, got)
		}
	}
}

// TestRecordedForeignOwnerBoundary: a bucket policy's Deny, of the writer or of
// everyone, stops the writer's own reads of its object; under BucketOwnerEnforced the
// other account may write with no ACL, bucket-owner-full-control or a full-control
// grant to the bucket owner (alone or with itself, which is dropped), and not with private, bucket-owner-read or a grant to
// itself (ownership_authority_replay.json, stable-explicit-policy-deny-of-foreign-object-owner
// and cross-account-enforced-canned-and-canonical-admission, calls 1013-1064).
func TestRecordedForeignOwnerBoundary(t *testing.T) {
	e := newEnv(t)
	member, otherOwner := e.member()
	b, src := aws.String("ownership-boundary"), aws.String("source")
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	owner := *must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})).Owner.ID
	const allow = `{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::` + other + `:root", "arn:aws:iam::000000000000:root"]}, "Action": ["s3:GetObject", "s3:GetObjectAcl", "s3:PutObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"], "Resource": "arn:aws:s3:::ownership-boundary/*"}`
	must(0, e.policy(*b, `{"Version": "2012-10-17", "Statement": [`+allow+`]}`))
	must(member.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: src, Body: strings.NewReader("harmless policy propagation\n")}))
	reads := func() error {
		if _, err := member.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: src}); err != nil {
			return err
		}
		g, err := member.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: src})
		if err == nil {
			g.Body.Close()
		}
		return err
	}
	must(0, reads())
	for _, who := range []string{`{"AWS": "arn:aws:iam::` + other + `:root"}`, `"*"`} {
		must(0, e.policy(*b, `{"Version": "2012-10-17", "Statement": [`+allow+`, {"Effect": "Deny", "Principal": `+who+`, "Action": ["s3:GetObject", "s3:GetObjectAcl"], "Resource": "arn:aws:s3:::ownership-boundary/source"}]}`))
		_, err := member.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: src})
		wantErr(t, err, "AccessDenied", 403, "")
		_, err = member.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: src})
		wantErr(t, err, "AccessDenied", 403, "")
	}
	must(0, e.policy(*b, `{"Version": "2012-10-17", "Statement": [`+allow+`]}`))
	must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}}))
	type acl struct {
		canned types.ObjectCannedACL
		full   string
	}
	write := func(key string, a acl) [3]error {
		var full *string
		if a.full != "" {
			full = aws.String(`id="` + a.full + `"`)
		}
		_, e1 := member.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("put-" + key), ACL: a.canned, GrantFullControl: full, Body: strings.NewReader("harmless admission\n")})
		_, e2 := member.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("copy-" + key), CopySource: aws.String("ownership-boundary/source"), ACL: a.canned, GrantFullControl: full})
		_, e3 := member.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("mpu-" + key), ACL: a.canned, GrantFullControl: full})
		return [3]error{e1, e2, e3}
	}
	for name, a := range map[string]acl{"none": {}, "bucket-owner-full-control": {canned: types.ObjectCannedACLBucketOwnerFullControl}, "root-full": {full: owner}, "both-full": {full: owner + `", id="` + otherOwner}} {
		for i, err := range write(name, a) {
			if err != nil {
				t.Errorf("%s #%d: %v", name, i, err)
			}
		}
		if name != "none" {
			got := must(e.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: aws.String("put-" + name)}))
			if *got.Owner.ID != owner || len(got.Grants) != 1 {
				t.Errorf("%s: owner %s, %d grants", name, *got.Owner.ID, len(got.Grants))
			}
		}
	}
	for name, a := range map[string]acl{"private": {canned: types.ObjectCannedACLPrivate}, "bucket-owner-read": {canned: types.ObjectCannedACLBucketOwnerRead}, "member-full": {full: otherOwner}} {
		for _, err := range write(name, a) {
			wantErr(t, err, "AccessControlListNotSupported", 400, "")
		}
	}
}

// TestRecordedDenyOverBucketOwnerGrant: a bucket policy's Deny of the bucket owner's
// account outweighs the bucket-owner-full-control grant on another account's object,
// and leaves the writer's reads alone (ownership_authority_replay.json,
// explicit-policy-deny-overrides-bucket-owner-full-control-grant, calls 886-895).
func TestRecordedDenyOverBucketOwnerGrant(t *testing.T) {
	e := newEnv(t)
	member := e.otherAccount(other)
	b, k := aws.String("ownership-cross"), aws.String("policy-foreign-private")
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	const allow = `{"Sid": "OwnedCrossAccountProbe", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::000000000000:root", "arn:aws:iam::` + other + `:root"]}, "Action": ["s3:GetObject", "s3:GetObjectAcl", "s3:PutObject", "s3:PutObjectAcl"], "Resource": "arn:aws:s3:::ownership-cross/*"}`
	must(0, e.policy(*b, `{"Version": "2012-10-17", "Statement": [`+allow+`]}`))
	must(member.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("harmless policy ownership\n")}))
	must(member.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLBucketOwnerFullControl}))
	reads := func(c *s3.Client) [2]string {
		var out [2]string
		if _, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: k}); err != nil {
			out[0] = "denied"
		}
		if g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k}); err != nil {
			out[1] = "denied"
		} else {
			g.Body.Close()
		}
		return out
	}
	if got := [2][2]string{reads(e.s3), reads(member)}; got != [2][2]string{} {
		t.Errorf("shared: %q", got)
	}
	must(0, e.policy(*b, `{"Version": "2012-10-17", "Statement": [`+allow+`, {"Sid": "DenyBucketOwnerRead", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": ["s3:GetObject", "s3:GetObjectAcl"], "Resource": "arn:aws:s3:::ownership-cross/policy-foreign-private"}]}`))
	if got := [2][2]string{reads(e.s3), reads(member)}; got != [2][2]string{{"denied", "denied"}, {}} {
		t.Errorf("denied: %q", got)
	}
}

// other is the recordings' second account.
const other = "222233334444"

// member returns an S3 client of the recordings' second account and that account's
// canonical user ID (read from the owner of a bucket it makes).
func (e *env) member() (*s3.Client, string) {
	e.Helper()
	member := e.otherAccount(other)
	must(member.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("ownership-member-canonical")}))
	return member, *must(member.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("ownership-member-canonical")})).Owner.ID
}

// The ownership_replay.json cases below keep codes and statuses: the recording has no
// messages.

func ownershipRules(o types.ObjectOwnership) *types.OwnershipControls {
	return &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: o}}}
}

// ownershipEnv is the recordings' bucket: public policies blocked, public ACLs not.
type ownershipEnv struct {
	*env
	b     *string
	owner string
}

func newOwnershipEnv(t *testing.T, name string, create *s3.CreateBucketInput) *ownershipEnv {
	e := newEnv(t)
	if create == nil {
		create = &s3.CreateBucketInput{}
	}
	create.Bucket = aws.String(name)
	must(e.s3.CreateBucket(ctx, create))
	must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: create.Bucket, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}))
	acl := must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: create.Bucket}))
	if acl.Owner.DisplayName != nil {
		t.Errorf("bucket ACL owner has a DisplayName %q; AWS no longer returns one", *acl.Owner.DisplayName)
	}
	return &ownershipEnv{env: e, b: create.Bucket, owner: *acl.Owner.ID}
}

func (o *ownershipEnv) mode(m types.ObjectOwnership) error {
	_, err := o.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: o.b, OwnershipControls: ownershipRules(m)})
	return err
}

func (o *ownershipEnv) wantMode(m types.ObjectOwnership) {
	o.Helper()
	got := must(o.s3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: o.b}))
	if r := got.OwnershipControls.Rules; len(r) != 1 || r[0].ObjectOwnership != m {
		o.Errorf("ownership %+v, want %s", r, m)
	}
}

func (o *ownershipEnv) objectACL(key string, version *string) string {
	o.Helper()
	out, err := o.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: o.b, Key: aws.String(key), VersionId: version})
	if err != nil {
		o.Fatalf("GetObjectAcl %s: %v", key, err)
	}
	if out.Owner == nil || aws.ToString(out.Owner.ID) != o.owner || out.Owner.DisplayName != nil {
		o.Errorf("GetObjectAcl %s owner %+v", key, out.Owner)
	}
	return grantsOf(o.owner, out.Grants)
}

func (o *ownershipEnv) bucketACL() string {
	o.Helper()
	out := must(o.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: o.b}))
	return grantsOf(o.owner, out.Grants)
}

// aclWrite is an ACL a write may carry: a canned ACL or grant headers.
type aclWrite struct {
	name              string
	canned            string
	fullControl, read string
}

// write does the recordings' three object writes (PutObject, CopyObject from "source"
// and a one-part multipart upload) with the ACL, under key prefix-op-name.
func (o *ownershipEnv) write(prefix string, w aclWrite) map[string]error {
	errs := map[string]error{}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return aws.String(s)
	}
	key := func(op string) *string { return aws.String(prefix + "-" + op + "-" + w.name) }
	_, errs["put_object"] = o.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: o.b, Key: key("put_object"), Body: strings.NewReader("harmless acl admission\n"),
		ACL: types.ObjectCannedACL(w.canned), GrantFullControl: opt(w.fullControl), GrantRead: opt(w.read)})
	_, errs["copy_object"] = o.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: o.b, Key: key("copy_object"), CopySource: aws.String(*o.b + "/source"),
		ACL: types.ObjectCannedACL(w.canned), GrantFullControl: opt(w.fullControl), GrantRead: opt(w.read)})
	up, err := o.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: o.b, Key: key("create_multipart_upload"),
		ACL: types.ObjectCannedACL(w.canned), GrantFullControl: opt(w.fullControl), GrantRead: opt(w.read)})
	errs["create_multipart_upload"] = err
	if err == nil {
		o.completeOne(*key("create_multipart_upload"), up.UploadId)
	}
	return errs
}

func (o *ownershipEnv) completeOne(key string, id *string) {
	o.Helper()
	part := must(o.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: o.b, Key: aws.String(key), UploadId: id, PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("harmless multipart\n"))}))
	must(o.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: o.b, Key: aws.String(key), UploadId: id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}}))
}

// TestRecordedOwnershipWriteAdmission: which ACLs object writes and ACL writes may
// carry under each Object Ownership setting, and what the object's ACL is then. With
// BucketOwnerEnforced, writes with the private, bucket-owner-full-control and
// bucket-owner-read canned ACLs or a FULL_CONTROL grant to the owner go through and
// leave the owner's FULL_CONTROL alone; public-read and a READ grant are
// AccessControlListNotSupported, and so is every PutBucketAcl and PutObjectAcl, even
// private. BucketOwnerPreferred and ObjectWriter keep a public-read grant, and
// ObjectWriter keeps a READ-only grant to the owner as the whole ACL
// (ownership_replay.json, same-account-creation-admission-and-disabled-acl-apis).
func TestRecordedOwnershipWriteAdmission(t *testing.T) {
	o := newOwnershipEnv(t, "ownership-main", nil)
	o.put(*o.b, "source", "harmless ownership fixture\n")
	o.wantMode(types.ObjectOwnershipBucketOwnerEnforced)
	if got := o.bucketACL(); got != "owner=FULL_CONTROL" {
		t.Errorf("default bucket ACL %s", got)
	}
	id := `id="` + o.owner + `"`
	ops := []string{"put_object", "copy_object", "create_multipart_upload"}
	check := func(prefix string, w aclWrite, wantCode, wantACL string) {
		t.Helper()
		errs := o.write(prefix, w)
		for _, op := range ops {
			if wantCode != "" {
				wantErr(t, errs[op], wantCode, 400, "")
				continue
			}
			if errs[op] != nil {
				t.Errorf("%s-%s-%s: %v", prefix, op, w.name, errs[op])
				continue
			}
			if got := o.objectACL(prefix+"-"+op+"-"+w.name, nil); got != wantACL {
				t.Errorf("%s-%s-%s ACL %s, want %s", prefix, op, w.name, got, wantACL)
			}
		}
	}

	must(0, o.mode(types.ObjectOwnershipBucketOwnerEnforced))
	o.wantMode(types.ObjectOwnershipBucketOwnerEnforced)
	const own = "owner=FULL_CONTROL"
	for _, w := range []aclWrite{{name: "none"}, {name: "private", canned: "private"}, {name: "bucket-owner-full-control", canned: "bucket-owner-full-control"},
		{name: "bucket-owner-read", canned: "bucket-owner-read"}, {name: "owner-full-control-header", fullControl: id}} {
		check("BucketOwnerEnforced", w, "", own)
	}
	for _, w := range []aclWrite{{name: "public-read", canned: "public-read"}, {name: "owner-read-header", read: id}} {
		check("BucketOwnerEnforced", w, "AccessControlListNotSupported", "")
	}
	for _, w := range []aclWrite{{name: "private", canned: "private"}, {name: "bucket-owner-full-control", canned: "bucket-owner-full-control"},
		{name: "bucket-owner-read", canned: "bucket-owner-read"}, {name: "public-read", canned: "public-read"},
		{name: "owner-full-control-header", fullControl: id}, {name: "owner-read-header", read: id}} {
		var fc, rd *string
		if w.fullControl != "" {
			fc = aws.String(w.fullControl)
		}
		if w.read != "" {
			rd = aws.String(w.read)
		}
		_, err := o.s3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: o.b, ACL: types.BucketCannedACL(w.canned), GrantFullControl: fc, GrantRead: rd})
		wantErr(t, err, "AccessControlListNotSupported", 400, "")
		if got := o.bucketACL(); got != own {
			t.Errorf("bucket ACL after refused %s: %s", w.name, got)
		}
		_, err = o.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: o.b, Key: aws.String("source"), ACL: types.ObjectCannedACL(w.canned), GrantFullControl: fc, GrantRead: rd})
		wantErr(t, err, "AccessControlListNotSupported", 400, "")
		if got := o.objectACL("source", nil); got != own {
			t.Errorf("source ACL after refused %s: %s", w.name, got)
		}
	}

	must(0, o.mode(types.ObjectOwnershipBucketOwnerPreferred))
	o.wantMode(types.ObjectOwnershipBucketOwnerPreferred)
	check("BucketOwnerPreferred", aclWrite{name: "bucket-owner-full-control", canned: "bucket-owner-full-control"}, "", own)
	check("BucketOwnerPreferred", aclWrite{name: "public-read", canned: "public-read"}, "", own+",AllUsers=READ")

	must(0, o.mode(types.ObjectOwnershipObjectWriter))
	o.wantMode(types.ObjectOwnershipObjectWriter)
	check("ObjectWriter", aclWrite{name: "none"}, "", own)
	check("ObjectWriter", aclWrite{name: "public-read", canned: "public-read"}, "", own+",AllUsers=READ")
	check("ObjectWriter", aclWrite{name: "owner-read-header", read: id}, "", "owner=READ")

	must(o.s3.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: o.b}))
	_, err := o.s3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: o.b})
	wantErr(t, err, "OwnershipControlsNotFoundError", 404, "")
	must(o.s3.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: o.b}))
	check("legacy", aclWrite{name: "public-read", canned: "public-read"}, "", own+",AllUsers=READ")
}

// errStatus is the HTTP status and one response header of a failed call.
func errHeader(err error, name string) (int, string) {
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.Response == nil {
		return 0, ""
	}
	return re.Response.StatusCode, re.Response.Header.Get(name)
}

// TestRecordedOwnershipVersionACLs: a version's ACL set with PutObjectAcl is masked
// to the owner's FULL_CONTROL while ACLs are disabled (and may not be set) and comes
// back when they are enabled again, without any new version; a copy does not inherit
// its source's ACL. Behind a delete marker, GetObjectAcl of the key is NoSuchKey and
// PutObjectAcl MethodNotAllowed; of the marker both are MethodNotAllowed; a version ID
// S3 never issued is InvalidArgument (ownership_replay.json,
// selected-version-acls-mask-and-restore-without-new-versions).
func TestRecordedOwnershipVersionACLs(t *testing.T) {
	o := newOwnershipEnv(t, "ownership-main", nil)
	const own, authRead = "owner=FULL_CONTROL", "owner=FULL_CONTROL,AuthenticatedUsers=READ"
	must(0, o.mode(types.ObjectOwnershipObjectWriter))
	must(o.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: o.b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	key := aws.String("versioned")
	v1 := must(o.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: o.b, Key: key, ACL: types.ObjectCannedACLPublicRead, Body: strings.NewReader("harmless version one\n")})).VersionId
	v2 := must(o.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: o.b, Key: key, ACL: types.ObjectCannedACLPrivate, Body: strings.NewReader("harmless version two\n")})).VersionId
	must(o.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: o.b, Key: key, VersionId: v1, ACL: types.ObjectCannedACLAuthenticatedRead}))
	for _, c := range []struct {
		v    *string
		want string
	}{{v1, authRead}, {v2, own}, {nil, own}} {
		if got := o.objectACL(*key, c.v); got != c.want {
			t.Errorf("before enforcement %v: %s", aws.ToString(c.v), got)
		}
	}
	cp := must(o.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: o.b, Key: aws.String("copy-version"), CopySource: aws.String("ownership-main/versioned?versionId=" + *v1)}))
	if aws.ToString(cp.CopySourceVersionId) != *v1 {
		t.Errorf("CopySourceVersionId %v", aws.ToString(cp.CopySourceVersionId))
	}
	if got := o.objectACL("copy-version", nil); got != own {
		t.Errorf("copy ACL %s", got)
	}

	must(0, o.mode(types.ObjectOwnershipBucketOwnerEnforced))
	o.wantMode(types.ObjectOwnershipBucketOwnerEnforced)
	for _, v := range []*string{v1, v2} {
		if got := o.objectACL(*key, v); got != own {
			t.Errorf("enforced %s: %s", *v, got)
		}
	}
	_, err := o.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: o.b, Key: key, VersionId: v1, ACL: types.ObjectCannedACLPrivate})
	wantErr(t, err, "AccessControlListNotSupported", 400, "")
	o.put(*o.b, "enforced-born", "harmless enforced\n")
	vs := must(o.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: o.b, Prefix: key}))
	if len(vs.Versions) != 2 || *vs.Versions[0].VersionId != *v2 || *vs.Versions[1].VersionId != *v1 || len(vs.DeleteMarkers) != 0 {
		t.Errorf("versions after ACL changes: %+v", vs.Versions)
	}

	must(0, o.mode(types.ObjectOwnershipBucketOwnerPreferred))
	if got := o.objectACL(*key, v1); got != authRead {
		t.Errorf("preferred again: %s", got)
	}
	if got := o.objectACL("enforced-born", nil); got != own {
		t.Errorf("written under enforcement: %s", got)
	}
	must(o.s3.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: o.b}))
	if got := o.objectACL(*key, v1); got != authRead {
		t.Errorf("without ownership controls: %s", got)
	}

	marker := must(o.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: o.b, Key: key})).VersionId
	getACL := func(k string, v *string) error {
		_, err := o.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: o.b, Key: aws.String(k), VersionId: v})
		return err
	}
	putACL := func(k string, v *string) error {
		_, err := o.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: o.b, Key: aws.String(k), VersionId: v, ACL: types.ObjectCannedACLPrivate})
		return err
	}
	// markerAnswer checks a refusal's headers: x-amz-delete-marker when marker, Allow
	// when allow is set.
	markerAnswer := func(what string, err error, marker bool, allow string) {
		t.Helper()
		if _, h := errHeader(err, "x-amz-delete-marker"); marker && h != "true" {
			t.Errorf("%s: x-amz-delete-marker %q", what, h)
		}
		if _, h := errHeader(err, "Allow"); allow != "" && h != allow {
			t.Errorf("%s: Allow %q", what, h)
		}
	}
	err = getACL(*key, nil)
	wantErr(t, err, "NoSuchKey", 404, "")
	markerAnswer("GetObjectAcl behind a marker", err, true, "")
	err = getACL(*key, marker)
	wantErr(t, err, "MethodNotAllowed", 405, "")
	markerAnswer("GetObjectAcl of a marker", err, true, "DELETE")
	wantErr(t, getACL(*key, aws.String("does-not-exist")), "InvalidArgument", 400, "")
	if got := o.objectACL(*key, v1); got != authRead {
		t.Errorf("old version behind a marker: %s", got)
	}
	wantErr(t, getACL("never-created", nil), "NoSuchKey", 404, "")
	err = putACL(*key, nil)
	wantErr(t, err, "MethodNotAllowed", 405, "")
	markerAnswer("PutObjectAcl behind a marker", err, false, "DELETE")
	err = putACL(*key, marker)
	wantErr(t, err, "MethodNotAllowed", 405, "")
	markerAnswer("PutObjectAcl of a marker", err, true, "DELETE")
	wantErr(t, putACL(*key, aws.String("does-not-exist")), "InvalidArgument", 400, "")
	must(0, putACL(*key, v1))
	if got := o.objectACL(*key, v1); got != own {
		t.Errorf("old version after PutObjectAcl private: %s", got)
	}
	wantErr(t, putACL("never-created", nil), "NoSuchKey", 404, "")
}

// TestRecordedOwnershipEnforcementPreconditions: BucketOwnerEnforced may be set only
// while the bucket's ACL is exactly the owner's FULL_CONTROL: a group grant, a READ-only
// grant to the owner and an empty grant list all keep it off with
// InvalidBucketAclWithObjectOwnership and leave the setting as it was; every canonical
// permission may be granted to the owner; a public object ACL does not stand in the
// way, is masked while ACLs are disabled and comes back after (ownership_replay.json,
// canonical-group-grants-and-enforcement-preconditions and
// empty-partial-bucket-grants-and-enforced-initiation).
func TestRecordedOwnershipEnforcementPreconditions(t *testing.T) {
	o := newOwnershipEnv(t, "ownership-main", nil)
	o.put(*o.b, "source", "harmless ownership fixture\n")
	must(0, o.mode(types.ObjectOwnershipObjectWriter))
	ownerG := func(p types.Permission) types.Grant {
		return types.Grant{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(o.owner)}, Permission: p}
	}
	policy := func(display *string, gs ...types.Grant) *types.AccessControlPolicy {
		return &types.AccessControlPolicy{Owner: &types.Owner{ID: aws.String(o.owner), DisplayName: display}, Grants: gs}
	}
	enforceRefused := func(what string) {
		t.Helper()
		wantErr(t, o.mode(types.ObjectOwnershipBucketOwnerEnforced), "InvalidBucketAclWithObjectOwnership", 400, "")
		o.wantMode(types.ObjectOwnershipObjectWriter)
	}
	for _, g := range []struct{ uri, short string }{
		{"http://acs.amazonaws.com/groups/global/AllUsers", "AllUsers"},
		{"http://acs.amazonaws.com/groups/global/AuthenticatedUsers", "AuthenticatedUsers"},
		{"http://acs.amazonaws.com/groups/s3/LogDelivery", "http://acs.amazonaws.com/groups/s3/LogDelivery"},
	} {
		p := policy(aws.String("ignored-display"), ownerG(types.PermissionFullControl), types.Grant{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String(g.uri)}, Permission: types.PermissionRead})
		must(o.s3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: o.b, AccessControlPolicy: p}))
		if got := o.bucketACL(); got != "owner=FULL_CONTROL,"+g.short+"=READ" {
			t.Errorf("bucket ACL with %s: %s", g.short, got)
		}
		must(o.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: o.b, Key: aws.String("source"), AccessControlPolicy: p}))
		if got := o.objectACL("source", nil); got != "owner=FULL_CONTROL,"+g.short+"=READ" {
			t.Errorf("object ACL with %s: %s", g.short, got)
		}
		enforceRefused(g.short)
		must(o.s3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: o.b, ACL: types.BucketCannedACLPrivate}))
	}
	for _, p := range []types.Permission{types.PermissionRead, types.PermissionWrite, types.PermissionReadAcp, types.PermissionWriteAcp, types.PermissionFullControl} {
		must(o.s3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: o.b, AccessControlPolicy: policy(nil, ownerG(p))}))
		if got := o.bucketACL(); got != "owner="+string(p) {
			t.Errorf("bucket ACL %s: %s", p, got)
		}
		must(o.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: o.b, Key: aws.String("source"), AccessControlPolicy: policy(nil, ownerG(p))}))
		if got := o.objectACL("source", nil); got != "owner="+string(p) {
			t.Errorf("object ACL %s: %s", p, got)
		}
	}
	must(o.s3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: o.b, AccessControlPolicy: policy(nil, ownerG(types.PermissionRead))}))
	enforceRefused("owner READ only")
	must(o.s3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: o.b, AccessControlPolicy: policy(nil)}))
	if got := o.bucketACL(); got != "" {
		t.Errorf("empty bucket ACL: %s", got)
	}
	enforceRefused("no grants")
	must(o.s3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: o.b, ACL: types.BucketCannedACLPrivate}))

	must(o.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: o.b, Key: aws.String("source"), ACL: types.ObjectCannedACLPublicRead}))
	must(0, o.mode(types.ObjectOwnershipBucketOwnerEnforced))
	if got := o.objectACL("source", nil); got != "owner=FULL_CONTROL" {
		t.Errorf("public object under enforcement: %s", got)
	}
	must(0, o.mode(types.ObjectOwnershipObjectWriter))
	if got := o.objectACL("source", nil); got != "owner=FULL_CONTROL,AllUsers=READ" {
		t.Errorf("public object after enforcement: %s", got)
	}
}

// TestRecordedOwnershipPendingUploads: under BucketOwnerEnforced an object write
// granting the owner anything beside one FULL_CONTROL (a READ too, or FULL_CONTROL
// twice) is AccessControlListNotSupported, while an upload begun then with the private
// ACL completes after ACLs are enabled again with that ACL. An upload begun with
// public-read while ACLs were in force keeps the grant through a change of setting
// before it completes: masked under BucketOwnerEnforced, shown under
// BucketOwnerPreferred and without controls (ownership_replay.json,
// empty-partial-bucket-grants-and-enforced-initiation and
// pending-public-multipart-grants-survive-mode-transitions).
func TestRecordedOwnershipPendingUploads(t *testing.T) {
	o := newOwnershipEnv(t, "ownership-supplement", &s3.CreateBucketInput{ObjectOwnership: types.ObjectOwnershipObjectWriter})
	id := `id="` + o.owner + `"`
	must(0, o.mode(types.ObjectOwnershipBucketOwnerEnforced))
	_, err := o.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: o.b, Key: aws.String("owner-full-plus-read"), GrantFullControl: aws.String(id), GrantRead: aws.String(id), Body: strings.NewReader("harmless\n")})
	wantErr(t, err, "AccessControlListNotSupported", 400, "")
	_, err = o.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: o.b, Key: aws.String("owner-full-duplicate"), GrantFullControl: aws.String(id + ", " + id), Body: strings.NewReader("harmless\n")})
	wantErr(t, err, "AccessControlListNotSupported", 400, "")
	up := must(o.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: o.b, Key: aws.String("enforced-init"), ACL: types.ObjectCannedACLPrivate}))
	must(0, o.mode(types.ObjectOwnershipObjectWriter))
	o.completeOne("enforced-init", up.UploadId)
	if got := o.objectACL("enforced-init", nil); got != "owner=FULL_CONTROL" {
		t.Errorf("begun under enforcement: %s", got)
	}

	must(o.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: o.b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	const public = "owner=FULL_CONTROL,AllUsers=READ"
	for _, c := range []struct {
		mode     types.ObjectOwnership
		whileSet string
	}{{types.ObjectOwnershipBucketOwnerEnforced, "owner=FULL_CONTROL"}, {types.ObjectOwnershipBucketOwnerPreferred, public}, {"", public}} {
		must(0, o.mode(types.ObjectOwnershipObjectWriter))
		key := "transition-multipart-" + string(c.mode)
		up := must(o.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: o.b, Key: aws.String(key), ACL: types.ObjectCannedACLPublicRead}))
		part := must(o.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: o.b, Key: aws.String(key), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("harmless transition\n")}))
		if c.mode == "" {
			must(o.s3.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: o.b}))
		} else {
			must(0, o.mode(c.mode))
		}
		must(o.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: o.b, Key: aws.String(key), UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}}))
		if got := o.objectACL(key, nil); got != c.whileSet {
			t.Errorf("%s: completed under the new setting: %s", key, got)
		}
		must(0, o.mode(types.ObjectOwnershipObjectWriter))
		if got := o.objectACL(key, nil); got != public {
			t.Errorf("%s: back under ObjectWriter: %s", key, got)
		}
	}
}

// TestRecordedOwnershipVersionIdentities: a version ID another key's version has is
// NoSuchVersion for GetObjectAcl and PutObjectAcl, a well-shaped one S3 never issued
// InvalidArgument (ownership_replay.json, valid-absent-versus-malformed-version-identities
// and mutated-native-version-is-malformed).
func TestRecordedOwnershipVersionIdentities(t *testing.T) {
	o := newOwnershipEnv(t, "ownership-propagation", &s3.CreateBucketInput{ObjectOwnership: types.ObjectOwnershipObjectWriter})
	must(o.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: o.b, Key: aws.String("source"), ACL: types.ObjectCannedACLPublicRead, Body: strings.NewReader("harmless propagation fixture\n")}))
	must(o.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: o.b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	other := o.put(*o.b, "version-source", "harmless version\n").VersionId
	for _, c := range []struct {
		v, code string
		status  int
	}{{*other, "NoSuchVersion", 404}, {"T1h8vBhGAUwX4pt3IFSNtWUJQbelvYlA", "InvalidArgument", 400}} {
		_, err := o.s3.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: o.b, Key: aws.String("source"), VersionId: aws.String(c.v)})
		wantErr(t, err, c.code, c.status, "")
		_, err = o.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: o.b, Key: aws.String("source"), VersionId: aws.String(c.v), ACL: types.ObjectCannedACLPrivate})
		wantErr(t, err, c.code, c.status, "")
	}
}

// TestRecordedRecreationAuthority: what CreateBucket needs, fresh or on a bucket the
// account owns. s3:CreateBucket alone covers no ACL, private, and a FULL_CONTROL grant
// to the owner; a wider ACL needs s3:PutBucketAcl, an ObjectOwnership header
// s3:PutBucketOwnershipControls, and Object Lock both
// s3:PutBucketObjectLockConfiguration and s3:PutBucketVersioning. On an owned bucket
// the bucket's policy is weighed (its deny refuses), its tags are not (a tag condition
// is unmet). Authorized, re-creating an owned bucket in us-east-1 succeeds when the
// request's Object Ownership (BucketOwnerEnforced when absent) is the bucket's: its ACL
// becomes the request's (the owner's FULL_CONTROL by default) and nothing else changes;
// otherwise it is BucketAlreadyOwnedByYou and nothing changes
// (recreation_authority_replay.json, preferred-owned-dependent-authority and
// default-owned-policy-tags-and-custom-acl).
func TestRecordedRecreationAuthority(t *testing.T) {
	e := newEnv(t)
	caller, session := e.roleSessions("recreation-authority-role", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::recreation-authority*"}]}`)
	allow := func(actions ...string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Join(actions, `","`) + `"],"Resource":"arn:aws:s3:::recreation-authority*"}]}`
	}
	existing := aws.String("recreation-authority-existing")
	must(caller.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: existing, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}))
	owner := *must(caller.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: existing})).Owner.ID
	logWrite := types.Grant{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String("http://acs.amazonaws.com/groups/s3/LogDelivery")}, Permission: types.PermissionWrite}
	ownerFull := types.Grant{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(owner)}, Permission: types.PermissionFullControl}
	reseed := func() {
		t.Helper()
		must(caller.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: existing, AccessControlPolicy: &types.AccessControlPolicy{Owner: &types.Owner{ID: aws.String(owner)}, Grants: []types.Grant{ownerFull, logWrite}}}))
	}
	reseed()
	must(caller.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: existing, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	must(caller.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: existing, Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("Purpose"), Value: aws.String("Recreation")}}}}))
	must(caller.PutObject(ctx, &s3.PutObjectInput{Bucket: existing, Key: aws.String("survivor"), Metadata: map[string]string{"purpose": "recreation"}, Body: strings.NewReader("recreation authority survivor")}))
	const seeded, reset = "owner=FULL_CONTROL,http://acs.amazonaws.com/groups/s3/LogDelivery=WRITE", "owner=FULL_CONTROL"
	state := func(label, wantACL string, mode types.ObjectOwnership, bucket *string) {
		t.Helper()
		if got := grantsOf(owner, must(caller.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: bucket})).Grants); got != wantACL {
			t.Errorf("%s: bucket ACL %s, want %s", label, got, wantACL)
		}
		if got := must(caller.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: bucket})).OwnershipControls.Rules[0].ObjectOwnership; got != mode {
			t.Errorf("%s: ownership %s", label, got)
		}
		if tags := must(caller.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: bucket})).TagSet; len(tags) != 1 || *tags[0].Key != "Purpose" {
			t.Errorf("%s: tags %+v", label, tags)
		}
		if got := readBody(must(caller.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("survivor")})).Body); got != "recreation authority survivor" {
			t.Errorf("%s: object %q", label, got)
		}
		if p := must(caller.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: bucket})).PublicAccessBlockConfiguration; !*p.BlockPublicAcls || !*p.RestrictPublicBuckets {
			t.Errorf("%s: public access block %+v", label, p)
		}
	}
	version := func(label string) {
		t.Helper()
		if got := must(caller.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: existing})).Status; got != types.BucketVersioningStatusEnabled {
			t.Errorf("%s: versioning %s", label, got)
		}
	}
	id := aws.String(`id="` + owner + `"`)
	sessions := map[string]*s3.Client{
		"create":       session("create", allow("s3:CreateBucket")),
		"none":         session("none", allow("s3:GetBucketAcl")),
		"deny":         session("deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":"arn:aws:s3:::recreation-authority*"},{"Effect":"Deny","Action":"s3:CreateBucket","Resource":"arn:aws:s3:::recreation-authority*"}]}`),
		"ownership":    session("ownership", allow("s3:CreateBucket", "s3:PutBucketOwnershipControls")),
		"acl":          session("acl", allow("s3:CreateBucket", "s3:PutBucketAcl", "s3:PutBucketOwnershipControls")),
		"lock-config":  session("lock-config", allow("s3:CreateBucket", "s3:PutBucketObjectLockConfiguration")),
		"lock-version": session("lock-version", allow("s3:CreateBucket", "s3:PutBucketVersioning")),
		"lock-all":     session("lock-all", allow("s3:CreateBucket", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning")),
	}
	for i, c := range []struct {
		actor        string
		in           s3.CreateBucketInput
		fresh, owned string // "" is success
	}{
		{"create", s3.CreateBucketInput{}, "", "BucketAlreadyOwnedByYou"},
		{"none", s3.CreateBucketInput{}, "AccessDenied", "AccessDenied"},
		{"deny", s3.CreateBucketInput{}, "AccessDenied", "AccessDenied"},
		{"create", s3.CreateBucketInput{ACL: types.BucketCannedACLPrivate}, "", "BucketAlreadyOwnedByYou"},
		{"create", s3.CreateBucketInput{GrantFullControl: id}, "", "BucketAlreadyOwnedByYou"},
		{"create", s3.CreateBucketInput{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}, "AccessDenied", "AccessDenied"},
		{"ownership", s3.CreateBucketInput{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}, "", ""},
		{"ownership", s3.CreateBucketInput{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred, GrantFullControl: id}, "", ""},
		{"acl", s3.CreateBucketInput{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred, GrantFullControl: id}, "", ""},
		{"create", s3.CreateBucketInput{ObjectLockEnabledForBucket: aws.Bool(true)}, "AccessDenied", "AccessDenied"},
		{"lock-config", s3.CreateBucketInput{ObjectLockEnabledForBucket: aws.Bool(true)}, "AccessDenied", "AccessDenied"},
		{"lock-version", s3.CreateBucketInput{ObjectLockEnabledForBucket: aws.Bool(true)}, "AccessDenied", "AccessDenied"},
		{"lock-all", s3.CreateBucketInput{ObjectLockEnabledForBucket: aws.Bool(true)}, "", "BucketAlreadyOwnedByYou"},
		{"create", s3.CreateBucketInput{ObjectLockEnabledForBucket: aws.Bool(false)}, "", "BucketAlreadyOwnedByYou"},
	} {
		label := fmt.Sprintf("%s/%+v", c.actor, c.in)
		fresh := c.in
		fresh.Bucket = aws.String(fmt.Sprintf("recreation-authority-f%d", i))
		_, err := sessions[c.actor].CreateBucket(ctx, &fresh)
		if c.fresh == "" {
			if err != nil {
				t.Errorf("%s fresh: %v", label, err)
			}
		} else {
			wantErr(t, err, c.fresh, 403, "")
		}
		reseed()
		owned := c.in
		owned.Bucket = existing
		out, err := sessions[c.actor].CreateBucket(ctx, &owned)
		switch c.owned {
		case "":
			if err != nil {
				t.Errorf("%s owned: %v", label, err)
			} else if aws.ToString(out.Location) != "/recreation-authority-existing" || aws.ToString(out.BucketArn) != "arn:aws:s3:::recreation-authority-existing" {
				t.Errorf("%s owned: %+v", label, out)
			}
			state(label, reset, types.ObjectOwnershipBucketOwnerPreferred, existing)
		case "BucketAlreadyOwnedByYou":
			wantErr(t, err, c.owned, 409, "")
			state(label, seeded, types.ObjectOwnershipBucketOwnerPreferred, existing)
		default:
			wantErr(t, err, c.owned, 403, "")
			state(label, seeded, types.ObjectOwnershipBucketOwnerPreferred, existing)
		}
		version(label)
	}

	// The bucket's policy denies the role everything: re-creating it is refused.
	must(0, e.policy(*existing, `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::000000000000:role/recreation-authority-role"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::recreation-authority-existing", "arn:aws:s3:::recreation-authority-existing/*"]}]}`))
	_, err := sessions["none"].GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: existing})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = sessions["create"].CreateBucket(ctx, &s3.CreateBucketInput{Bucket: existing})
	wantErr(t, err, "AccessDenied", 403, "")
	state("policy deny", seeded, types.ObjectOwnershipBucketOwnerPreferred, existing)
	must(caller.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: existing}))
	for _, cond := range []string{`"aws:ResourceTag/Purpose"`, `"s3:BucketTag/Purpose"`} {
		c := session("tag", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:CreateBucket"],"Resource":"arn:aws:s3:::recreation-authority*","Condition":{"StringEquals":{`+cond+`:"Recreation"}}}]}`)
		_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: existing})
		wantErr(t, err, "AccessDenied", 403, "")
	}

	// A bucket created with the defaults is re-created by a request naming none, or
	// only an owner-only ACL, or BucketOwnerEnforced (with its permission).
	boe := aws.String("recreation-authority-boe")
	must(caller.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: boe}))
	must(caller.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: boe, Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("Purpose"), Value: aws.String("Recreation")}}}}))
	must(caller.PutObject(ctx, &s3.PutObjectInput{Bucket: boe, Key: aws.String("survivor"), Body: strings.NewReader("recreation authority survivor")}))
	boeCreate := sessions["create"]
	for _, c := range []struct {
		actor *s3.Client
		in    s3.CreateBucketInput
		code  string
	}{
		{boeCreate, s3.CreateBucketInput{}, ""},
		{sessions["none"], s3.CreateBucketInput{}, "AccessDenied"},
		{sessions["deny"], s3.CreateBucketInput{}, "AccessDenied"},
		{boeCreate, s3.CreateBucketInput{ACL: types.BucketCannedACLPrivate}, ""},
		{boeCreate, s3.CreateBucketInput{GrantFullControl: id}, ""},
		{session("boe-acl", allow("s3:CreateBucket", "s3:PutBucketAcl")), s3.CreateBucketInput{GrantFullControl: id}, ""},
		{boeCreate, s3.CreateBucketInput{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}, "AccessDenied"},
		{session("boe-owner", allow("s3:CreateBucket", "s3:PutBucketOwnershipControls")), s3.CreateBucketInput{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}, ""},
		{boeCreate, s3.CreateBucketInput{ObjectLockEnabledForBucket: aws.Bool(true)}, "AccessDenied"},
		{boeCreate, s3.CreateBucketInput{ObjectLockEnabledForBucket: aws.Bool(false)}, ""},
	} {
		in := c.in
		in.Bucket = boe
		_, err := c.actor.CreateBucket(ctx, &in)
		label := fmt.Sprintf("default bucket %+v", c.in)
		if c.code == "" && err != nil {
			t.Errorf("%s: %v", label, err)
		} else if c.code != "" {
			wantErr(t, err, c.code, 403, "")
		}
		state(label, reset, types.ObjectOwnershipBucketOwnerEnforced, boe)
	}
	must(0, e.policy(*boe, `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::000000000000:role/recreation-authority-role"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::recreation-authority-boe", "arn:aws:s3:::recreation-authority-boe/*"]}]}`))
	_, err = boeCreate.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: boe})
	wantErr(t, err, "AccessDenied", 403, "")
	must(caller.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: boe}))

	// A wider ACL needs s3:PutBucketAcl, fresh or owned; allowed, it replaces the ACL.
	custom := aws.String("recreation-authority-custom")
	must(caller.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: custom, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}))
	wide := s3.CreateBucketInput{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred, GrantFullControl: id, GrantWrite: aws.String(`uri="http://acs.amazonaws.com/groups/s3/LogDelivery"`)}
	noACL, withACL := session("custom-noacl", allow("s3:CreateBucket", "s3:PutBucketOwnershipControls")), session("custom-allowed", allow("s3:CreateBucket", "s3:PutBucketOwnershipControls", "s3:PutBucketAcl"))
	for _, c := range []struct {
		actor  *s3.Client
		bucket string
		ok     bool
	}{{noACL, "recreation-authority-custom-noacl", false}, {noACL, *custom, false}, {withACL, "recreation-authority-custom-allowed", true}, {withACL, *custom, true}} {
		in := wide
		in.Bucket = aws.String(c.bucket)
		_, err := c.actor.CreateBucket(ctx, &in)
		if c.ok && err != nil {
			t.Errorf("%s: %v", c.bucket, err)
		} else if !c.ok {
			wantErr(t, err, "AccessDenied", 403, "")
		}
	}
	// AWS lists the group's grant first; the order is not pinned here.
	got := strings.Split(grantsOf(owner, must(caller.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: custom})).Grants), ",")
	slices.Sort(got)
	if strings.Join(got, ",") != "http://acs.amazonaws.com/groups/s3/LogDelivery=WRITE,owner=FULL_CONTROL" {
		t.Errorf("custom ACL after re-creation: %v", got)
	}
}

// TestRecordedRecreationControls: when re-creating a bucket the account owns in
// us-east-1 succeeds. The request must name the bucket's Object Ownership
// (BucketOwnerEnforced when it names none, none at all once the controls are deleted)
// and its Object Lock (off when it names none), carry no tags (not even the bucket's
// own) nor location (an empty configuration is fine), and the bucket's public access
// block must be the all-on default or absent; its ACL is checked as a new bucket's first
// (a group grant without ownership, a public ACL whatever the bucket's settings). The
// ACL then becomes the request's and versions, objects, tags, versioning, the public
// access block and CreationDate stay; other regions are always 409
// (recreation_controls_replay.json, owned-recreation-acl-transition-and-retained-resource-state).
func TestRecordedRecreationControls(t *testing.T) {
	e := newEnv(t)
	create := func(in *s3.CreateBucketInput) error {
		_, err := e.s3.CreateBucket(ctx, in)
		return err
	}
	ownership := func(b string) (types.ObjectOwnership, error) {
		out, err := e.s3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String(b)})
		if err != nil {
			return "", err
		}
		return out.OwnershipControls.Rules[0].ObjectOwnership, nil
	}
	var owner string
	acl := func(b string) string {
		t.Helper()
		return grantsOf(owner, must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(b)})).Grants)
	}
	tags := func(b string) string {
		t.Helper()
		var out []string
		for _, tg := range must(e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})).TagSet {
			out = append(out, *tg.Key+"="+*tg.Value)
		}
		slices.Sort(out)
		return strings.Join(out, ",")
	}
	const seeded = "owner=FULL_CONTROL,http://acs.amazonaws.com/groups/s3/LogDelivery=WRITE"
	seed := func(c *s3.Client, b string) {
		t.Helper()
		must(c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(b), AccessControlPolicy: &types.AccessControlPolicy{Owner: &types.Owner{ID: aws.String(owner)}, Grants: []types.Grant{
			{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(owner)}, Permission: types.PermissionFullControl},
			{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String("http://acs.amazonaws.com/groups/s3/LogDelivery")}, Permission: types.PermissionWrite}}}}))
	}
	tagged := func(kv ...string) *types.CreateBucketConfiguration {
		cfg := &types.CreateBucketConfiguration{Tags: []types.Tag{}}
		for i := 0; i < len(kv); i += 2 {
			cfg.Tags = append(cfg.Tags, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		return cfg
	}
	const conflict = "BucketAlreadyOwnedByYou"

	def := aws.String("recreation-original-default")
	must(0, create(&s3.CreateBucketInput{Bucket: def}))
	owner = *must(e.s3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: def})).Owner.ID
	wantErr(t, create(&s3.CreateBucketInput{Bucket: def, ObjectOwnership: types.ObjectOwnershipObjectWriter}), conflict, 409, "")
	if got, _ := ownership(*def); got != types.ObjectOwnershipBucketOwnerEnforced {
		t.Errorf("default bucket ownership %s", got)
	}
	must(0, create(&s3.CreateBucketInput{Bucket: def, ACL: types.BucketCannedACLPrivate}))

	east := aws.String("recreation-original-east")
	must(0, create(&s3.CreateBucketInput{Bucket: east, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred, CreateBucketConfiguration: tagged("birth", "original")}))
	seed(e.s3, *east)
	must(e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: east, Tagging: &types.Tagging{TagSet: tagged("state", "must-survive", "birth", "original").Tags}}))
	wantErr(t, create(&s3.CreateBucketInput{Bucket: east}), conflict, 409, "")
	if got := acl(*east); got != seeded {
		t.Errorf("east after omitted: %s", got)
	}
	wantErr(t, create(&s3.CreateBucketInput{Bucket: east, ObjectOwnership: types.ObjectOwnershipObjectWriter, ACL: types.BucketCannedACLPrivate, CreateBucketConfiguration: tagged("replacement", "ignored-or-applied")}), conflict, 409, "")
	if got := tags(*east); got != "birth=original,state=must-survive" {
		t.Errorf("east tags %s", got)
	}
	id := aws.String(`id="` + owner + `"`)
	must(0, create(&s3.CreateBucketInput{Bucket: east, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred, GrantRead: id}))
	if got := acl(*east); got != "owner=READ" {
		t.Errorf("east after owner-read re-creation: %s", got)
	}
	logWrite := aws.String(`uri="http://acs.amazonaws.com/groups/s3/LogDelivery"`)
	wantErr(t, create(&s3.CreateBucketInput{Bucket: east, GrantFullControl: id, GrantWrite: logWrite}), "InvalidBucketAclWithObjectOwnership", 400, "")
	wantErr(t, create(&s3.CreateBucketInput{Bucket: east, ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced, GrantFullControl: id, GrantWrite: logWrite}), "InvalidBucketAclWithObjectOwnership", 400, "")
	wantErr(t, create(&s3.CreateBucketInput{Bucket: east, ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced, ACL: types.BucketCannedACLPrivate}), conflict, 409, "")
	wantErr(t, create(&s3.CreateBucketInput{Bucket: east, CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "us-east-1"}}), "InvalidLocationConstraint", 400, "")
	wantErr(t, create(&s3.CreateBucketInput{Bucket: east, CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "invalid-region"}}), "InvalidLocationConstraint", 400, "")
	if got, _ := ownership(*east); got != types.ObjectOwnershipBucketOwnerPreferred || acl(*east) != "owner=READ" || tags(*east) != "birth=original,state=must-survive" {
		t.Errorf("east after refusals: %s %s %s", got, acl(*east), tags(*east))
	}

	west := e.region("us-west-2")
	westCfg := func(tagKV ...string) *types.CreateBucketConfiguration {
		cfg := tagged(tagKV...)
		cfg.LocationConstraint = "us-west-2"
		return cfg
	}
	wb := aws.String("recreation-original-west")
	must(west.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: wb, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred, CreateBucketConfiguration: westCfg()}))
	seed(west, *wb)
	_, err := west.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: wb, ACL: types.BucketCannedACLPrivate, ObjectOwnership: types.ObjectOwnershipObjectWriter, CreateBucketConfiguration: westCfg("replacement", "ignored")})
	wantErr(t, err, conflict, 409, "")
	_, err = west.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: wb})
	wantErr(t, err, "IllegalLocationConstraintException", 400, "")
	_, err = west.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: wb, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred, CreateBucketConfiguration: westCfg()})
	wantErr(t, err, conflict, 409, "")
	if got := grantsOf(owner, must(west.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: wb})).Grants); got != seeded {
		t.Errorf("west after re-creation: %s", got)
	}

	kept := aws.String("recreation-preserved")
	must(0, create(&s3.CreateBucketInput{Bucket: kept, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}))
	seed(e.s3, *kept)
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: kept, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	v0 := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: kept, Key: aws.String("survivor"), Metadata: map[string]string{"proof": "retained", "revision": "0"}, CacheControl: aws.String("max-age=43"), Body: strings.NewReader("followup-old-version")})).VersionId
	v1 := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: kept, Key: aws.String("survivor"), Metadata: map[string]string{"proof": "retained", "revision": "1"}, CacheControl: aws.String("max-age=43"), Body: strings.NewReader("followup-live-version")})).VersionId
	must(e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: kept, Tagging: &types.Tagging{TagSet: tagged("state", "must-survive").Tags}}))
	created := func() time.Time {
		t.Helper()
		out := must(e.s3.ListBuckets(ctx, &s3.ListBucketsInput{Prefix: kept, MaxBuckets: aws.Int32(10)}))
		if len(out.Buckets) != 1 {
			t.Fatalf("buckets %+v", out.Buckets)
		}
		return *out.Buckets[0].CreationDate
	}
	born := created()
	e.p.Clock.Advance(time.Hour)
	retained := func(label string) {
		t.Helper()
		if got := created(); !got.Equal(born) {
			t.Errorf("%s: CreationDate %v, want %v", label, got, born)
		}
		vs := must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: kept}))
		if len(vs.Versions) != 2 || *vs.Versions[0].VersionId != *v1 || *vs.Versions[1].VersionId != *v0 {
			t.Errorf("%s: versions %+v", label, vs.Versions)
		}
		h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: kept, Key: aws.String("survivor")}))
		if aws.ToString(h.CacheControl) != "max-age=43" || h.Metadata["revision"] != "1" {
			t.Errorf("%s: head %+v", label, h)
		}
		if got := tags(*kept); got != "state=must-survive" {
			t.Errorf("%s: tags %s", label, got)
		}
		if got := must(e.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: kept})).Status; got != types.BucketVersioningStatusEnabled {
			t.Errorf("%s: versioning %s", label, got)
		}
		if p := must(e.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: kept})).PublicAccessBlockConfiguration; !*p.BlockPublicAcls || !*p.IgnorePublicAcls || !*p.BlockPublicPolicy || !*p.RestrictPublicBuckets {
			t.Errorf("%s: public access block %+v", label, p)
		}
	}
	must(0, create(&s3.CreateBucketInput{Bucket: kept, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}))
	if got := acl(*kept); got != "owner=FULL_CONTROL" {
		t.Errorf("kept ACL after re-creation: %s", got)
	}
	retained("re-created")
	seed(e.s3, *kept)
	wantErr(t, create(&s3.CreateBucketInput{Bucket: kept, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred, CreateBucketConfiguration: tagged("replacement", "new")}), conflict, 409, "")
	if got := acl(*kept); got != seeded {
		t.Errorf("kept ACL after tagged re-creation: %s", got)
	}
	must(0, create(&s3.CreateBucketInput{Bucket: kept, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred, CreateBucketConfiguration: &types.CreateBucketConfiguration{}}))
	wantErr(t, create(&s3.CreateBucketInput{Bucket: kept, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred, CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "us-west-2"}}), conflict, 409, "")
	if lc := must(e.s3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: kept})).LocationConstraint; lc != "" {
		t.Errorf("kept location %q", lc)
	}
	must(e.s3.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: kept}))
	must(0, create(&s3.CreateBucketInput{Bucket: kept}))
	_, err = ownership(*kept)
	wantErr(t, err, "OwnershipControlsNotFoundError", 404, "")
	retained("re-created without ownership controls")

	match := aws.String("recreation-matching")
	must(0, create(&s3.CreateBucketInput{Bucket: match, CreateBucketConfiguration: tagged("birth", "original")}))
	wantErr(t, create(&s3.CreateBucketInput{Bucket: match, CreateBucketConfiguration: tagged("birth", "original")}), conflict, 409, "")
	must(0, create(&s3.CreateBucketInput{Bucket: match, CreateBucketConfiguration: tagged()}))
	if got := tags(*match); got != "birth=original" {
		t.Errorf("matching tags %s", got)
	}
	must(e.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: match, Tagging: &types.Tagging{TagSet: tagged("state", "current").Tags}}))
	wantErr(t, create(&s3.CreateBucketInput{Bucket: match, CreateBucketConfiguration: tagged("state", "current")}), conflict, 409, "")
	must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: match, OwnershipControls: ownershipRules(types.ObjectOwnershipObjectWriter)}))
	must(0, create(&s3.CreateBucketInput{Bucket: match, ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	wantErr(t, create(&s3.CreateBucketInput{Bucket: match}), conflict, 409, "")
	must(0, create(&s3.CreateBucketInput{Bucket: match, ObjectOwnership: types.ObjectOwnershipObjectWriter, CreateBucketConfiguration: &types.CreateBucketConfiguration{}}))

	lock := aws.String("recreation-lock-public-access")
	must(0, create(&s3.CreateBucketInput{Bucket: lock, ObjectLockEnabledForBucket: aws.Bool(true)}))
	wantErr(t, create(&s3.CreateBucketInput{Bucket: lock}), conflict, 409, "")
	wantErr(t, create(&s3.CreateBucketInput{Bucket: lock, ObjectLockEnabledForBucket: aws.Bool(false)}), conflict, 409, "")
	must(0, create(&s3.CreateBucketInput{Bucket: lock, ObjectLockEnabledForBucket: aws.Bool(true)}))
	must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: lock, OwnershipControls: ownershipRules(types.ObjectOwnershipBucketOwnerPreferred)}))
	must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: lock, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}))
	wantErr(t, create(&s3.CreateBucketInput{Bucket: lock, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred, ACL: types.BucketCannedACLPublicRead, ObjectLockEnabledForBucket: aws.Bool(true)}), "InvalidBucketAclWithBlockPublicAccessError", 400, "")
	again := &s3.CreateBucketInput{Bucket: lock, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred, ACL: types.BucketCannedACLPrivate, ObjectLockEnabledForBucket: aws.Bool(true)}
	wantErr(t, create(again), conflict, 409, "")
	must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: lock, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}))
	must(0, create(again))
	must(e.s3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: lock}))
	must(0, create(again))
	_, err = e.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: lock})
	wantErr(t, err, "NoSuchPublicAccessBlockConfiguration", 404, "")
}

// TestRecordedVersionReadAuthority: reading the current object needs s3:GetObject and
// reading a version s3:GetObjectVersion; GetObjectAttributes of the current object
// needs s3:GetObject and s3:GetObjectAttributes, of a version s3:GetObjectVersion and
// s3:GetObjectVersionAttributes; no one of them is enough, nor the current pair for a
// version or the version pair for the current object (multipart_authority_replay.json,
// current-version-attribute-intersections).
func TestRecordedVersionReadAuthority(t *testing.T) {
	e := newEnv(t)
	b := aws.String("mpu-authority-attributes")
	caller, session := e.roleSessions("mpu-authority-replay", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`)
	must(caller.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}))
	must(caller.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	v := must(caller.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("single"), Body: strings.NewReader("0123456789")})).VersionId
	for _, c := range []struct {
		name    string
		actions string
		// current GetObject, current attributes, version GetObject, version attributes
		want [4]bool
	}{
		{"all", `"s3:GetObject", "s3:GetObjectAttributes", "s3:GetObjectVersion", "s3:GetObjectVersionAttributes"`, [4]bool{true, true, true, true}},
		{"get-only", `"s3:GetObject"`, [4]bool{true, false, false, false}},
		{"attrs-only", `"s3:GetObjectAttributes"`, [4]bool{}},
		{"get-and-attrs", `"s3:GetObject", "s3:GetObjectAttributes"`, [4]bool{true, true, false, false}},
		{"version-only", `"s3:GetObjectVersion"`, [4]bool{false, false, true, false}},
		{"version-attrs-only", `"s3:GetObjectVersionAttributes"`, [4]bool{}},
		{"version-pair", `"s3:GetObjectVersion", "s3:GetObjectVersionAttributes"`, [4]bool{false, false, true, true}},
		{"get-and-version-attrs", `"s3:GetObject", "s3:GetObjectVersionAttributes"`, [4]bool{true, false, false, false}},
		{"version-and-current-attrs", `"s3:GetObjectVersion", "s3:GetObjectAttributes"`, [4]bool{false, false, true, false}},
	} {
		s := session(c.name, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [`+c.actions+`], "Resource": "arn:aws:s3:::mpu-authority-attributes/*"}]}`)
		for i, version := range []*string{nil, nil, v, v} {
			var err error
			if i%2 == 0 {
				var out *s3.GetObjectOutput
				if out, err = s.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("single"), VersionId: version}); err == nil {
					if got := readBody(out.Body); got != "0123456789" {
						t.Errorf("%s: body %q", c.name, got)
					}
				}
			} else {
				var out *s3.GetObjectAttributesOutput
				out, err = s.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: aws.String("single"), VersionId: version,
					ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesObjectParts}})
				if err == nil && (aws.ToString(out.ETag) != "781e5e245d69b566979b86e28d23f2c7" || aws.ToString(out.VersionId) != *v || out.ObjectParts != nil) {
					t.Errorf("%s: attributes ETag %v version %v parts %+v", c.name, aws.ToString(out.ETag), aws.ToString(out.VersionId), out.ObjectParts)
				}
			}
			switch {
			case c.want[i] && err != nil:
				t.Errorf("%s call %d: %v", c.name, i, err)
			case !c.want[i]:
				wantErr(t, err, "AccessDenied", 403, "")
			}
		}
	}
}

// TestRecordedCompositeChecksumAlgorithms: multipart uploads with the MD5, SHA512 and
// XXHASH checksums: only COMPOSITE (FULL_OBJECT is InvalidRequest), a copied part gets
// the upload's checksum of the bytes copied, completion answers the checksum of the
// parts' checksums with the part count (once: an exact retry omits it), a part read
// by number shows its own checksum, and GetObjectAttributes shows the checksum without
// the part count and each part's. XXHASH128 shows how parts and completions are
// refused (checksum_algorithms_multipart_replay.json, composite-copy-and-completion).
func TestRecordedCompositeChecksumAlgorithms(t *testing.T) {
	e := newEnv(t)
	b := aws.String("stackd-checksum-mpu")
	e.bucket(*b)
	large, small := bytes.Repeat([]byte("A"), 5242880), []byte("checksum final part\n")
	for _, c := range []struct {
		alg                types.ChecksumAlgorithm
		part1, part2, full string
	}{
		{"MD5", "uPyFeiXnlYhowvAD1eCVLQ==", "J0m7hCcJG9Zf7wwcA45fuQ==", "f53SihZr8rZZOzrV6o5CKg==-2"},
		{"SHA512", "bSuHg8pnhOy8f0iO1MWr/KsuUF6BO+ZoH4501A8Nq+/BV2qW99WyckU3tppblsNZMRrOS59lvtK2cFlHD8h7CQ==",
			"FXPOCHvDBOB1Pq7gFl3v8h/+Zev3xi/wDUVZ2xDjQ7olr+MdDzmCXXf6kKkjwPZa7NWJF0Eki2KevlaVKumk7A==",
			"hw4mWHqzbym72bHeM/JWIEs2xJCJ9IB/QvT7q5mrKS1ZYmChyIgBlPjIgUTVxPMRuSmcu/Mi56kuKPvfy9LPwg==-2"},
		{"XXHASH64", "uXYKj9tQzeE=", "jK1xj1zFlFU=", "gKfpg4EM1FI=-2"},
		{"XXHASH3", "Ywl+52vpzqE=", "pCyuonQS5fs=", "ZCORpDFrcxY=-2"},
		{"XXHASH128", "/ua/PkXRaphjCX7na+nOoQ==", "9Bw/3sBdB1fI1cZzjBhuFw==", "mpzpV7nvhq6pro693x+oDw==-2"},
	} {
		alg := string(c.alg)
		set := func(v string) (cks map[types.ChecksumAlgorithm]*string) {
			return map[types.ChecksumAlgorithm]*string{c.alg: aws.String(v)}
		}
		part := func(n int32, etag *string, v string) types.CompletedPart {
			p := types.CompletedPart{PartNumber: aws.Int32(n), ETag: etag}
			switch m := set(v); c.alg {
			case "MD5":
				p.ChecksumMD5 = m[c.alg]
			case "SHA512":
				p.ChecksumSHA512 = m[c.alg]
			case "XXHASH64":
				p.ChecksumXXHASH64 = m[c.alg]
			case "XXHASH3":
				p.ChecksumXXHASH3 = m[c.alg]
			case "XXHASH128":
				p.ChecksumXXHASH128 = m[c.alg]
			}
			return p
		}
		got := func(md5, sha512, x64, x3, x128 *string) string {
			for _, v := range []*string{md5, sha512, x64, x3, x128} {
				if v != nil {
					return *v
				}
			}
			return ""
		}
		_, err := e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String(alg + "-full"), ChecksumAlgorithm: c.alg, ChecksumType: types.ChecksumTypeFullObject})
		wantErr(t, err, "InvalidRequest", 400, "")
		key := aws.String(alg + "-composite")
		up := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: key, ServerSideEncryption: types.ServerSideEncryptionAes256, ChecksumAlgorithm: c.alg}))
		if up.ChecksumAlgorithm != c.alg || up.ChecksumType != types.ChecksumTypeComposite {
			t.Errorf("%s: upload %s %s", alg, up.ChecksumAlgorithm, up.ChecksumType)
		}
		must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(alg + "-source"), Body: bytes.NewReader(large)}))
		cp := must(e.s3.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: b, Key: key, UploadId: up.UploadId, PartNumber: aws.Int32(1), CopySource: aws.String(*b + "/" + alg + "-source")})).CopyPartResult
		r := cp
		if v := got(r.ChecksumMD5, r.ChecksumSHA512, r.ChecksumXXHASH64, r.ChecksumXXHASH3, r.ChecksumXXHASH128); *cp.ETag != `"b8fc857a25e7958868c2f003d5e0952d"` || v != c.part1 {
			t.Errorf("%s: copied part %s %s", alg, *cp.ETag, v)
		}
		in := &s3.UploadPartInput{Bucket: b, Key: key, UploadId: up.UploadId, PartNumber: aws.Int32(2), Body: bytes.NewReader(small)}
		in.ChecksumMD5, in.ChecksumSHA512, in.ChecksumXXHASH64, in.ChecksumXXHASH3, in.ChecksumXXHASH128 = part(2, nil, c.part2).ChecksumMD5, part(2, nil, c.part2).ChecksumSHA512,
			part(2, nil, c.part2).ChecksumXXHASH64, part(2, nil, c.part2).ChecksumXXHASH3, part(2, nil, c.part2).ChecksumXXHASH128
		p2 := must(e.s3.UploadPart(ctx, in))
		if v := got(p2.ChecksumMD5, p2.ChecksumSHA512, p2.ChecksumXXHASH64, p2.ChecksumXXHASH3, p2.ChecksumXXHASH128); v != c.part2 {
			t.Errorf("%s: part 2 checksum %s", alg, v)
		}
		lp := must(e.s3.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: key, UploadId: up.UploadId}))
		if len(lp.Parts) != 2 || lp.ChecksumAlgorithm != c.alg || lp.ChecksumType != types.ChecksumTypeComposite {
			t.Errorf("%s: ListParts %+v", alg, lp)
		} else {
			for i, want := range []string{c.part1, c.part2} {
				p := lp.Parts[i]
				if v := got(p.ChecksumMD5, p.ChecksumSHA512, p.ChecksumXXHASH64, p.ChecksumXXHASH3, p.ChecksumXXHASH128); v != want || p.ChecksumCRC64NVME != nil {
					t.Errorf("%s: listed part %d checksum %s", alg, i+1, v)
				}
			}
		}
		parts := []types.CompletedPart{part(1, cp.ETag, c.part1), part(2, p2.ETag, c.part2)}
		complete := func(whole *string, ps []types.CompletedPart) (*s3.CompleteMultipartUploadOutput, error) {
			in := &s3.CompleteMultipartUploadInput{Bucket: b, Key: key, UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: ps}}
			if whole != nil {
				in.ChecksumType = types.ChecksumTypeComposite
				switch c.alg {
				case "MD5":
					in.ChecksumMD5 = whole
				case "SHA512":
					in.ChecksumSHA512 = whole
				case "XXHASH64":
					in.ChecksumXXHASH64 = whole
				case "XXHASH3":
					in.ChecksumXXHASH3 = whole
				case "XXHASH128":
					in.ChecksumXXHASH128 = whole
				}
			}
			return e.s3.CompleteMultipartUpload(ctx, in)
		}
		if c.alg == "XXHASH128" {
			path := "/" + *b + "/" + *key + "?partNumber=3&uploadId=" + *up.UploadId
			for _, h := range []map[string]string{{}, {"x-amz-sdk-checksum-algorithm": "XXHASH128"},
				{"x-amz-sdk-checksum-algorithm": "SHA256", "x-amz-checksum-xxhash128": c.part2}} {
				if code, body := e.signed("PUT", path, h, string(small)); code != 400 || !strings.Contains(body, "<Code>InvalidRequest</Code>") {
					t.Errorf("part 3 with %v: %d %s", h, code, body)
				}
			}
			if code, body := e.signed("PUT", path, map[string]string{"x-amz-checksum-xxhash128": "AAAAAAAAAAAAAAAAAAAAAA=="}, string(small)); code != 400 || !strings.Contains(body, "<Code>BadDigest</Code>") {
				t.Errorf("part 3 with a wrong checksum: %d %s", code, body)
			}
			_, err := complete(nil, []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: cp.ETag}, {PartNumber: aws.Int32(2), ETag: p2.ETag}})
			wantErr(t, err, "InvalidRequest", 400, "")
			_, err = complete(nil, []types.CompletedPart{parts[0], part(2, p2.ETag, "AAAAAAAAAAAAAAAAAAAAAA==")})
			wantErr(t, err, "InvalidPart", 400, "")
			for _, whole := range []string{"R+eX2x70I7IzTIRUcgdglQ==", "mpzpV7nvhq6pro693x+oDw==-1", "AAAAAAAAAAAAAAAAAAAAAA==-2"} {
				_, err = complete(aws.String(whole), parts)
				wantErr(t, err, "BadDigest", 400, "")
			}
		}
		out, err := complete(aws.String(c.full), parts)
		if err != nil {
			t.Fatalf("%s: complete: %v", alg, err)
		}
		if v := got(out.ChecksumMD5, out.ChecksumSHA512, out.ChecksumXXHASH64, out.ChecksumXXHASH3, out.ChecksumXXHASH128); *out.ETag != `"7f9dd28a166bf2b6593b3ad5ea8e422a-2"` || v != c.full || out.ChecksumType != types.ChecksumTypeComposite {
			t.Errorf("%s: completed %s %s %s", alg, *out.ETag, v, out.ChecksumType)
		}
		again, err := complete(aws.String(c.full), parts)
		if err != nil {
			t.Fatalf("%s: retried completion: %v", alg, err)
		}
		if v := got(again.ChecksumMD5, again.ChecksumSHA512, again.ChecksumXXHASH64, again.ChecksumXXHASH3, again.ChecksumXXHASH128); *again.ETag != *out.ETag || v != "" || again.ChecksumType != "" {
			t.Errorf("%s: retried completion shows checksum %q type %q", alg, v, again.ChecksumType)
		}
		g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: key, ChecksumMode: types.ChecksumModeEnabled}))
		body := readBody(g.Body)
		if v := got(g.ChecksumMD5, g.ChecksumSHA512, g.ChecksumXXHASH64, g.ChecksumXXHASH3, g.ChecksumXXHASH128); v != c.full || len(body) != 5242900 || g.ChecksumCRC64NVME != nil {
			t.Errorf("%s: GetObject checksum %s length %d", alg, v, len(body))
		}
		at := must(e.s3.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: key,
			ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesChecksum, types.ObjectAttributesObjectParts, types.ObjectAttributesObjectSize, types.ObjectAttributesEtag}}))
		if ck := at.Checksum; ck == nil || got(ck.ChecksumMD5, ck.ChecksumSHA512, ck.ChecksumXXHASH64, ck.ChecksumXXHASH3, ck.ChecksumXXHASH128) != strings.TrimSuffix(c.full, "-2") ||
			ck.ChecksumType != types.ChecksumTypeComposite || aws.ToString(at.ETag) != "7f9dd28a166bf2b6593b3ad5ea8e422a-2" || aws.ToInt64(at.ObjectSize) != 5242900 {
			t.Errorf("%s: attributes %+v checksum %+v", alg, at, at.Checksum)
		}
		if op := at.ObjectParts; op == nil || aws.ToInt32(op.TotalPartsCount) != 2 || len(op.Parts) != 2 ||
			got(op.Parts[0].ChecksumMD5, op.Parts[0].ChecksumSHA512, op.Parts[0].ChecksumXXHASH64, op.Parts[0].ChecksumXXHASH3, op.Parts[0].ChecksumXXHASH128) != c.part1 ||
			got(op.Parts[1].ChecksumMD5, op.Parts[1].ChecksumSHA512, op.Parts[1].ChecksumXXHASH64, op.Parts[1].ChecksumXXHASH3, op.Parts[1].ChecksumXXHASH128) != c.part2 {
			t.Errorf("%s: attribute parts %+v", alg, at.ObjectParts)
		}
		g2 := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: key, PartNumber: aws.Int32(2), ChecksumMode: types.ChecksumModeEnabled}))
		if v := got(g2.ChecksumMD5, g2.ChecksumSHA512, g2.ChecksumXXHASH64, g2.ChecksumXXHASH3, g2.ChecksumXXHASH128); v != c.part2 || readBody(g2.Body) != string(small) ||
			aws.ToString(g2.ContentRange) != "bytes 5242880-5242899/5242900" || aws.ToInt32(g2.PartsCount) != 2 {
			t.Errorf("%s: part 2 read: checksum %s range %s parts %d", alg, v, aws.ToString(g2.ContentRange), aws.ToInt32(g2.PartsCount))
		}
		_, err = e.s3.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: key, UploadId: up.UploadId})
		wantErr(t, err, "NoSuchUpload", 404, "")
	}
}

// TestRecordedObjectLockRefusals: what Object Lock's operations answer for a bucket
// without it — GetObjectLockConfiguration 404 ObjectLockConfigurationNotFoundError,
// retention and legal hold reads and writes 400 InvalidRequest, and turning it on
// while versioning is not enabled 409 InvalidBucketState — and that a bucket created
// with it shows it enabled with no rule, with versioning enabled
// (object_lock_controls_replay.json, calls 1-26).
func TestRecordedObjectLockRefusals(t *testing.T) {
	e := newEnv(t)
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lock-enabled"), ObjectLockEnabledForBucket: aws.Bool(true)}))
	cfg := must(e.s3.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("lock-enabled")})).ObjectLockConfiguration
	if cfg == nil || cfg.ObjectLockEnabled != types.ObjectLockEnabledEnabled || cfg.Rule != nil {
		t.Errorf("lock-enabled configuration %+v", cfg)
	}
	if v := must(e.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("lock-enabled")})); v.Status != types.BucketVersioningStatusEnabled {
		t.Errorf("lock-enabled versioning %+v", v)
	}

	for _, name := range []string{"lock-false", "lock-suspended"} {
		b := aws.String(name)
		in := &s3.CreateBucketInput{Bucket: b}
		if name == "lock-false" {
			in.ObjectLockEnabledForBucket = aws.Bool(false)
		}
		must(e.s3.CreateBucket(ctx, in))
		if name == "lock-suspended" {
			for _, st := range []types.BucketVersioningStatus{types.BucketVersioningStatusEnabled, types.BucketVersioningStatusSuspended} {
				must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: st}}))
			}
		}
		k := aws.String("old-null")
		e.put(name, *k, "object-lock-native-payload")
		_, err := e.s3.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: b})
		wantErr(t, err, "ObjectLockConfigurationNotFoundError", 404, "")
		_, err = e.s3.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: b, Key: k, VersionId: aws.String("null")})
		wantErr(t, err, "InvalidRequest", 400, "")
		_, err = e.s3.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: b, Key: k, VersionId: aws.String("null")})
		wantErr(t, err, "InvalidRequest", 400, "")
		_, err = e.s3.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: b, ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}})
		wantErr(t, err, "InvalidBucketState", 409, "")
		_, err = e.s3.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: b})
		wantErr(t, err, "ObjectLockConfigurationNotFoundError", 404, "")
		h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k, VersionId: aws.String("null")}))
		if h.ObjectLockMode != "" || h.ObjectLockRetainUntilDate != nil || h.ObjectLockLegalHoldStatus != "" {
			t.Errorf("%s: head shows a lock: %+v", name, h)
		}
		_, err = e.s3.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: b, Key: k, VersionId: aws.String("null"),
			Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(time.Now().Add(10 * time.Minute))}})
		wantErr(t, err, "InvalidRequest", 400, "")
		_, err = e.s3.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: b, Key: k, VersionId: aws.String("null"), LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}})
		wantErr(t, err, "InvalidRequest", 400, "")
		// A write asking for protection is refused as S3 refuses it on such a bucket
		// ("Bucket is missing Object Lock Configuration"), and nothing is written.
		until := aws.Time(time.Now().Add(time.Hour))
		_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("held"), Body: strings.NewReader("x"), ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
		wantErr(t, err, "InvalidRequest", 400, "")
		_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("held"), Body: strings.NewReader("x"), ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: until})
		wantErr(t, err, "InvalidRequest", 400, "")
		_, err = e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("held"), CopySource: aws.String(name + "/old-null"), ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: until})
		wantErr(t, err, "InvalidRequest", 400, "")
		_, err = e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("held"), ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
		wantErr(t, err, "InvalidRequest", 400, "")
		_, err = e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("held")})
		wantErr(t, err, "NotFound", 404, "")
	}

	// The unlocked boundary: an empty retention is refused for the bucket before its
	// body is looked at, a bypass header is an invalid argument, a plain delete goes
	// through (object_lock_controls_replay.json, calls 403-409).
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lock-boundary")}))
	e.put("lock-boundary", "plain", "object-lock-native-payload")
	emptyRetention := `<Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/" />`
	sum := md5.Sum([]byte(emptyRetention))
	if code, body := e.signed("PUT", "/lock-boundary/plain?retention", map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}, emptyRetention); code != 400 || !strings.Contains(body, "<Code>InvalidRequest</Code>") {
		t.Errorf("empty retention on an unlocked bucket: %d %s", code, body)
	}
	_, err := e.s3.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("lock-boundary"), Key: aws.String("plain"), LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}})
	wantErr(t, err, "InvalidRequest", 400, "")
	_, err = e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("lock-boundary"), Key: aws.String("plain"), BypassGovernanceRetention: aws.Bool(false)})
	wantErr(t, err, "InvalidArgument", 400, "")
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("lock-boundary"), Key: aws.String("plain")}))

	// In the bucket with Object Lock, a null version that is not there is NoSuchVersion
	// (calls 401-402).
	_, err = e.s3.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("lock-enabled"), Key: aws.String("plain"), VersionId: aws.String("null")})
	wantErr(t, err, "NoSuchVersion", 404, "")

	e.put("lock-enabled", "plain", "x")
	_, err = e.s3.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("lock-enabled"), Key: aws.String("plain")})
	wantErr(t, err, "NoSuchObjectLockConfiguration", 404, "")
}

// TestRecordedCreateBucketRecord: CreateBucket's CloudTrail record has no
// responseElements, created or re-created, and a refused one carries the refusal
// (recreation_audit_replay.json, create-existing, fresh-none-plain, owned-none-plain).
// Its requestParameters' names are not yet AWS's (x-amz-object-ownership, Host).
func TestRecordedCreateBucketRecord(t *testing.T) {
	e := newEnv(t)
	b := aws.String("recreation-authority-existing")
	caller, session := e.roleSessions("recreation-authority-role", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::recreation-authority*"}]}`)
	must(caller.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}))
	must(caller.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}))
	none := session("none", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetBucketAcl"],"Resource":"arn:aws:s3:::recreation-authority*"}]}`)
	_, err := none.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	wantErr(t, err, "AccessDenied", 403, "")
	var got []string
	for _, ev := range e.events(audit.Source) {
		var r audit.Record
		if err := json.Unmarshal(ev.Data, &r); err != nil {
			t.Fatal(err)
		}
		if r.EventName != "CreateBucket" {
			continue
		}
		got = append(got, r.ErrorCode+" "+string(r.ResponseElements))
		if r.ErrorCode == "AccessDenied" && r.ErrorMessage != `User: arn:aws:sts::000000000000:assumed-role/recreation-authority-role/none is not authorized to perform: s3:CreateBucket on resource: "arn:aws:s3:::recreation-authority-existing" because no session policy allows the s3:CreateBucket action` {
			t.Errorf("denial message %q", r.ErrorMessage)
		}
	}
	if strings.Join(got, "|") != " null| null|AccessDenied null" {
		t.Errorf("CreateBucket records %q", got)
	}
}

// TestRecordedObjectLockConfigurationChecks: the Object Lock configurations S3 refuses
// on a bucket with Object Lock, which keeps the one it had, and the versioning changes
// such a bucket refuses (object_lock_controls_replay.json, calls 33-46).
func TestRecordedObjectLockConfigurationChecks(t *testing.T) {
	e := newEnv(t)
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lock-enabled"), ObjectLockEnabledForBucket: aws.Bool(true)}))
	const ns = `<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`
	for _, c := range []struct {
		body, code string
		status     int
	}{
		{`<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/" />`, "MalformedXML", 400},
		{ns + `<ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>`, "MalformedXML", 400},
		{ns + `<ObjectLockEnabled /></ObjectLockConfiguration>`, "MalformedXML", 400},
		{ns + `<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule /></ObjectLockConfiguration>`, "MalformedXML", 400},
		{ns + `<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode></DefaultRetention></Rule></ObjectLockConfiguration>`, "InvalidRequest", 400},
		{ns + `<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>`, "MalformedXML", 400},
		{ns + `<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>0</Days></DefaultRetention></Rule></ObjectLockConfiguration>`, "InvalidArgument", 400},
		{ns + `<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>-1</Days></DefaultRetention></Rule></ObjectLockConfiguration>`, "InvalidArgument", 400},
		{ns + `<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years></DefaultRetention></Rule></ObjectLockConfiguration>`, "MalformedXML", 400},
		{ns + `<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>OTHER</Mode><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>`, "MalformedXML", 400},
	} {
		sum := md5.Sum([]byte(c.body))
		code, body := e.signed("PUT", "/lock-enabled?object-lock", map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}, c.body)
		if code != c.status || !strings.Contains(body, "<Code>"+c.code+"</Code>") {
			t.Errorf("%s: %d %s", c.body, code, body)
		}
		if strings.Contains(c.body, "<Days>0</Days>") && !strings.Contains(body, "<ArgumentName>Days</ArgumentName><ArgumentValue>0</ArgumentValue>") {
			t.Errorf("zero days: %s", body)
		}
	}
	cfg := must(e.s3.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("lock-enabled")})).ObjectLockConfiguration
	if cfg.ObjectLockEnabled != types.ObjectLockEnabledEnabled || cfg.Rule != nil {
		t.Errorf("configuration after refusals %+v", cfg)
	}
	_, err := e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("lock-enabled"), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	wantErr(t, err, "InvalidBucketState", 409, "")
	empty := `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status /></VersioningConfiguration>`
	sum := md5.Sum([]byte(empty))
	if code, body := e.signed("PUT", "/lock-enabled?versioning", map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}, empty); code != 400 || !strings.Contains(body, "<Code>IllegalVersioningConfigurationException</Code>") {
		t.Errorf("empty versioning status: %d %s", code, body)
	}
}

// TestRecordedRequesterPays: a bucket's payment setting and who may call a Requester
// Pays bucket. Its owner's account calls as before whatever x-amz-request-payer says
// and is not charged; another account must send exactly "requester" and is then told
// x-amz-request-charged, still under the bucket policy; an anonymous caller is refused
// even with the header and a public policy; back to BucketOwner, the public read works
// again. An invalid payer configuration is MalformedXML and changes nothing
// (requester_control_replay.json; requester_data_replay.json, first scenario;
// requester_admission_replay.json).
func TestRecordedRequesterPays(t *testing.T) {
	e := newEnv(t)
	b := aws.String("requester-native")
	e.bucket(*b)
	payer := func() types.Payer {
		return must(e.s3.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: b})).Payer
	}
	if p := payer(); p != types.PayerBucketOwner {
		t.Errorf("default payer %s", p)
	}
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	e.put(*b, "index.html", "first harmless requester fixture\n")
	e.put(*b, "index.html", "second harmless requester fixture\n")
	must(e.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}}))
	foreign := e.otherAccount("111122223333")
	must(0, e.policy(*b, `{"Version": "2012-10-17", "Statement": [{"Sid": "PublicHarmlessFixture", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::requester-native/index.html"},
		{"Sid": "ForeignOwnedExperiment", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::requester-native", "arn:aws:s3:::requester-native/*"]},
		{"Sid": "DeniedRegardlessOfPayer", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::requester-native/forbidden"}]}`))
	const body = "second harmless requester fixture\n"
	if code, got := e.anon("GET", "/requester-native/index.html", nil); code != 200 || got != body {
		t.Fatalf("public read before: %d %q", code, got)
	}
	must(e.s3.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: b, RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerRequester}}))
	if p := payer(); p != types.PayerRequester {
		t.Errorf("payer %s", p)
	}
	_, err := e.s3.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: b, ExpectedBucketOwner: aws.String("111122223333")})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = e.s3.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: b, ExpectedBucketOwner: aws.String("111122223333"), RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerBucketOwner}})
	wantErr(t, err, "AccessDenied", 403, "")
	must(e.s3.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: b, ExpectedBucketOwner: aws.String(account), RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerRequester}}))

	for _, h := range []map[string]string{{}, {"x-amz-request-payer": "requester"}} {
		req, _ := http.NewRequest("GET", e.p.URL+"/requester-native/index.html", nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp := must(http.DefaultClient.Do(req))
		if got := readAll(resp); resp.StatusCode != 403 || !strings.Contains(got, "<Code>AccessDenied</Code>") || resp.Header.Get("x-amz-request-charged") != "" {
			t.Errorf("anonymous read with %v: %d %s", h, resp.StatusCode, got)
		}
	}
	owner := e.user("RequesterOwner", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`)
	read := func(c *s3.Client, key string, payer types.RequestPayer) (*s3.GetObjectOutput, error) {
		return c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String(key), RequestPayer: payer})
	}
	for _, p := range []types.RequestPayer{"", "invalid"} {
		out, err := read(owner, "index.html", p)
		if err != nil {
			t.Fatalf("owner read with payer %q: %v", p, err)
		}
		if got := readBody(out.Body); got != body || out.RequestCharged != "" {
			t.Errorf("owner read with payer %q: %q charged %q", p, got, out.RequestCharged)
		}
	}
	for _, p := range []types.RequestPayer{"", "invalid", "Requester"} {
		_, err := read(foreign, "index.html", p)
		wantErr(t, err, "AccessDenied", 403, "")
	}
	out, err := read(foreign, "index.html", types.RequestPayerRequester)
	if err != nil {
		t.Fatal(err)
	}
	if got := readBody(out.Body); got != body || out.RequestCharged != types.RequestChargedRequester {
		t.Errorf("foreign paid read: %q charged %q", got, out.RequestCharged)
	}
	// Past the payer check the caller is charged for its errors too: the bucket
	// policy's Deny of an existing key and a missing key (requester_data_replay.json,
	// foreign explicit-deny existing requester, foreign missing key with exact payer).
	// Not pinned: AWS answers NoSuchKey for a missing key the policy denies
	// (sequence 180, deny hold member missing); Palisade answers AccessDenied.
	e.put(*b, "forbidden", "harmless denied")
	chargedErr := func(err error) string {
		var re *awshttp.ResponseError
		if !errors.As(err, &re) {
			return ""
		}
		return re.Response.Header.Get("x-amz-request-charged")
	}
	_, err = read(foreign, "forbidden", types.RequestPayerRequester)
	wantErr(t, err, "AccessDenied", 403, "")
	if ch := chargedErr(err); ch != "requester" {
		t.Errorf("denied paid read charged %q", ch)
	}
	_, err = read(foreign, "missing", types.RequestPayerRequester)
	wantErr(t, err, "NoSuchKey", 404, "")
	if ch := chargedErr(err); ch != "requester" {
		t.Errorf("missing paid read charged %q", ch)
	}
	_, err = read(foreign, "missing", "")
	wantErr(t, err, "AccessDenied", 403, "")
	if ch := chargedErr(err); ch != "" {
		t.Errorf("unpaid read charged %q", ch)
	}
	// A paid upload says it was charged at every step (requester_data_replay.json,
	// multipart create/upload part/list parts/complete requester).
	rq := types.RequestPayerRequester
	mpu := must(foreign.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("multipart-requester"), RequestPayer: rq}))
	part := must(foreign.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("multipart-requester"), UploadId: mpu.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("one small final part"), RequestPayer: rq}))
	parts := must(foreign.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String("multipart-requester"), UploadId: mpu.UploadId, RequestPayer: rq}))
	done := must(foreign.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("multipart-requester"), UploadId: mpu.UploadId, RequestPayer: rq,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}}))
	del := must(foreign.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("multipart-requester"), RequestPayer: rq}))
	for i, ch := range []types.RequestCharged{mpu.RequestCharged, part.RequestCharged, parts.RequestCharged, done.RequestCharged, del.RequestCharged} {
		if ch != types.RequestChargedRequester {
			t.Errorf("paid multipart step %d charged %q", i, ch)
		}
	}
	// A presigned URL carries the payer in its query (requester_presigned_replay.json,
	// foreign-presigned-omitted-exact-and-invalid-query-payer).
	presign := s3.NewPresignClient(foreign)
	for _, c := range []struct {
		payer types.RequestPayer
		code  int
	}{{"", 403}, {types.RequestPayerRequester, 200}, {"invalid", 403}} {
		url := must(presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("index.html"), RequestPayer: c.payer})).URL
		resp := must(http.Get(url))
		got := readAll(resp)
		if resp.StatusCode != c.code || c.code == 200 && (got != body || resp.Header.Get("x-amz-request-charged") != "requester") {
			t.Errorf("presigned with payer %q (%s): %d %s", c.payer, url, resp.StatusCode, got)
		}
	}

	for _, bad := range []string{"<Payer>Owner</Payer>", "", "<Payer></Payer>"} {
		doc := `<RequestPaymentConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + bad + `</RequestPaymentConfiguration>`
		sum := md5.Sum([]byte(doc))
		if code, got := e.signed("PUT", "/requester-native?requestPayment", map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}, doc); code != 400 || !strings.Contains(got, "<Code>MalformedXML</Code>") {
			t.Errorf("payment %q: %d %s", bad, code, got)
		}
	}
	if p := payer(); p != types.PayerRequester {
		t.Errorf("payer after refusals %s", p)
	}

	// A copy reading from or writing to the Requester Pays bucket needs the header;
	// aborting an upload into another bucket does not (requester_data_replay.json,
	// copy-source-destination-and-complete-abort-multipart-payment).
	dst := aws.String("requester-native-dst")
	e.bucket(*dst)
	must(0, e.policy(*dst, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::requester-native-dst", "arn:aws:s3:::requester-native-dst/*"]}]}`))
	e.put(*dst, "copy-source", "copy source\n")
	for _, c := range []struct{ to, from string }{{"requester-native-dst", "requester-native/index.html"}, {"requester-native", "requester-native-dst/copy-source"}} {
		_, err := foreign.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(c.to), Key: aws.String("copy"), CopySource: aws.String(c.from)})
		wantErr(t, err, "AccessDenied", 403, "")
		if ch := chargedErr(err); ch != "" {
			t.Errorf("unpaid copy %s charged %q", c.from, ch)
		}
		// Charged whichever side pays (requester source/destination copy payer requester).
		if out := must(foreign.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(c.to), Key: aws.String("copy"), CopySource: aws.String(c.from),
			RequestPayer: types.RequestPayerRequester})); out.RequestCharged != types.RequestChargedRequester {
			t.Errorf("paid copy %s charged %q", c.from, out.RequestCharged)
		}
	}
	up := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: dst, Key: aws.String("copy-mpu")}))
	_, err = foreign.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: dst, Key: aws.String("copy-mpu"), UploadId: up.UploadId, PartNumber: aws.Int32(1), CopySource: aws.String("requester-native/index.html")})
	wantErr(t, err, "AccessDenied", 403, "")
	if out := must(foreign.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: dst, Key: aws.String("copy-mpu"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
		CopySource: aws.String("requester-native/index.html"), RequestPayer: types.RequestPayerRequester})); out.RequestCharged != types.RequestChargedRequester {
		t.Errorf("paid part copy charged %q", out.RequestCharged)
	}
	if out := must(foreign.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: dst, Key: aws.String("copy-mpu"), UploadId: up.UploadId})); out.RequestCharged != "" {
		t.Errorf("abort in the other bucket charged %q", out.RequestCharged)
	}

	must(e.s3.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: b, RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerBucketOwner}}))
	if p := payer(); p != types.PayerBucketOwner {
		t.Errorf("payer restored %s", p)
	}
	if code, got := e.anon("GET", "/requester-native/index.html", nil); code != 200 || got != body {
		t.Errorf("public read after: %d %q", code, got)
	}
}

// TestRecordedRequestPaymentAdmission: how PutBucketRequestPayment's body is checked:
// Content-MD5 and x-amz-checksum-* as any document's, an algorithm named without its
// checksum refused, a payer other than the two, none, an empty, a repeated one or an
// unknown element MalformedXML; a refusal keeps the setting
// (requester_admission_replay.json, payment-xml-integrity-and-atomic-state; not its
// wrong-root call: AWS ignores the root element's name, Palisade's decoder does not).
func TestRecordedRequestPaymentAdmission(t *testing.T) {
	e := newEnv(t)
	e.bucket("requester-native")
	must(e.s3.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: aws.String("requester-native"), RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerRequester}}))
	doc := func(inner string) string {
		return `<RequestPaymentConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + inner + `</RequestPaymentConfiguration>`
	}
	md := func(body string) string {
		sum := md5.Sum([]byte(body))
		return base64.StdEncoding.EncodeToString(sum[:])
	}
	requester := doc("<Payer>Requester</Payer>")
	for _, c := range []struct {
		name    string
		body    string
		headers map[string]string
		code    string // "" is 200
	}{
		{"missing checksum", requester, map[string]string{}, ""},
		{"correct MD5", requester, map[string]string{"Content-MD5": md(requester)}, ""},
		{"bad MD5", requester, map[string]string{"Content-MD5": "MDAwMDAwMDAwMDAwMDAwMA=="}, "BadDigest"},
		{"malformed MD5", requester, map[string]string{"Content-MD5": "broken"}, "InvalidDigest"},
		{"checksum SHA256", requester, map[string]string{"x-amz-sdk-checksum-algorithm": "SHA256", "x-amz-checksum-sha256": "qtAkObkIy60N7VsNSkGPSyueikUV1hNOKxJL3quC8z4="}, ""},
		{"algorithm without checksum", requester, map[string]string{"x-amz-sdk-checksum-algorithm": "SHA256"}, "InvalidRequest"},
		{"invalid payer", doc("<Payer>Owner</Payer>"), nil, "MalformedXML"},
		{"missing payer", doc(""), nil, "MalformedXML"},
		{"empty payer", doc("<Payer></Payer>"), nil, "MalformedXML"},
		{"duplicate payer", doc("<Payer>Requester</Payer><Payer>BucketOwner</Payer>"), nil, "MalformedXML"},
		{"unknown child", doc("<Payer>Requester</Payer><Other>x</Other>"), nil, "MalformedXML"},
		{"malformed XML", "<RequestPaymentConfiguration><Payer>", nil, "MalformedXML"},
	} {
		h := c.headers
		if h == nil {
			h = map[string]string{"Content-MD5": md(c.body)}
		}
		code, body := e.signed("PUT", "/requester-native?requestPayment", h, c.body)
		switch {
		case c.code == "" && code != 200:
			t.Errorf("%s: %d %s", c.name, code, body)
		case c.code != "" && (code != 400 || !strings.Contains(body, "<Code>"+c.code+"</Code>")):
			t.Errorf("%s: %d %s, want %s", c.name, code, body, c.code)
		}
		if p := must(e.s3.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: aws.String("requester-native")})).Payer; p != types.PayerRequester {
			t.Errorf("%s: payer %s", c.name, p)
		}
	}
}

// GetObjectAttributes on an SSE-KMS object wants kms:Decrypt on its key, as GetObject
// does: a session denied kms:Decrypt (or kms:*) is refused 403
// AccessDenied for every attribute set, current and by version; one denied only
// kms:GenerateDataKey reads them (recorded, 2026: multipart_authority_replay.json,
// attributes-decrypt-lifecycle).
func TestRecordedObjectAttributesKMSDecrypt(t *testing.T) {
	e := newEnv(t)
	b := aws.String("mpu-authority-replay")
	key := must(kms.NewFromConfig(e.p.RootConfig()).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("attributes")})).KeyMetadata
	caller, session := e.roleSessions("mpu-authority-replay", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::mpu-authority-replay", "arn:aws:s3:::mpu-authority-replay/*"]}, {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"], "Resource": "`+*key.Arn+`"}]}`)
	must(caller.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}))
	must(caller.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	put := must(caller.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("kms-source"), ServerSideEncryption: types.ServerSideEncryptionAwsKms,
		SSEKMSKeyId: key.Arn, Body: strings.NewReader("encrypted source bytes\n")}))
	for name, deny := range map[string]string{"session-deny-generate": "kms:GenerateDataKey", "session-deny-decrypt-allow-generate": "kms:Decrypt", "session-deny-both": "kms:*"} {
		s := session(name, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": ["`+deny+`"], "Resource": "*"}]}`)
		for _, version := range []*string{nil, put.VersionId} {
			for _, a := range []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesStorageClass, types.ObjectAttributesChecksum, types.ObjectAttributesObjectSize} {
				out, err := s.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: aws.String("kms-source"), VersionId: version,
					ObjectAttributes: []types.ObjectAttributes{a}})
				if deny == "kms:GenerateDataKey" {
					if err != nil || out.LastModified == nil {
						t.Fatalf("%s %s version=%v: %v", name, a, version != nil, err)
					}
				} else if errCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "kms:Decrypt") {
					t.Fatalf("%s %s version=%v: want AccessDenied for kms:Decrypt, got %v", name, a, version != nil, err)
				}
			}
		}
	}
}

// Bucket calls by another account to a Requester Pays bucket: refused 403 without the
// payer header, with no x-amz-request-charged; with it they are served and say
// x-amz-request-charged: requester, the 404 of a missing configuration as well, and
// that account may then change the bucket's tags and its payer. The owner's
// PutBucketRequestPayment needs no Content-MD5 (recorded, 2026:
// requester_management_raw_replay.json, foreign-management-admission-and-state-transition).
func TestRecordedRequesterPaysManagement(t *testing.T) {
	e := newEnv(t)
	b := aws.String("requester-native")
	e.bucket(*b)
	foreign := e.otherAccount("111122223333")
	must(0, e.policy(*b, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::requester-native", "arn:aws:s3:::requester-native/*"]}]}`))
	var charged *string
	call := func(pay bool) func(*s3.Options) {
		return func(o *s3.Options) {
			if pay {
				o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("x-amz-request-payer", "requester"))
			}
			o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
				return st.Deserialize.Add(middleware.DeserializeMiddlewareFunc("charged", func(c context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
					out, md, err := next.HandleDeserialize(c, in)
					if r, ok := out.RawResponse.(*smithyhttp.Response); ok {
						charged = aws.String(r.Header.Get("x-amz-request-charged"))
					}
					return out, md, err
				}), middleware.After)
			})
		}
	}
	ops := func(pay bool) map[string]error {
		o := call(pay)
		res := map[string]error{}
		_, res["GetBucketRequestPayment"] = foreign.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: b}, o)
		_, res["GetBucketVersioning"] = foreign.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b}, o)
		_, res["GetBucketLocation"] = foreign.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b}, o)
		_, res["GetBucketAcl"] = foreign.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b}, o)
		_, res["GetBucketLogging"] = foreign.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: b}, o)
		_, res["HeadBucket"] = foreign.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b}, o)
		return res
	}
	// Before Requester Pays, the foreign account is served and charged nothing.
	for op, err := range ops(false) {
		if err != nil || charged == nil || *charged != "" {
			t.Errorf("BucketOwner %s: %v charged %v", op, err, charged)
		}
	}
	must(e.s3.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: b, RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerRequester}}))
	for _, pay := range []bool{false, true} {
		for op, err := range ops(pay) {
			if pay && (err != nil || charged == nil || *charged != "requester") {
				t.Errorf("paid %s: %v charged %v", op, err, charged)
			}
			if !pay && (errCode(err) != "AccessDenied" && !(op == "HeadBucket" && strings.Contains(fmt.Sprint(err), "403")) || *charged != "") {
				t.Errorf("unpaid %s: %v charged %v", op, err, charged)
			}
		}
	}
	tagging := &types.Tagging{TagSet: []types.Tag{{Key: aws.String("probe"), Value: aws.String("payer")}}}
	_, err := foreign.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: tagging}, call(false))
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	wantErr(t, err, "NoSuchTagSet", 404, "")
	must(foreign.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: tagging}, call(true)))
	if *charged != "requester" {
		t.Errorf("paid PutBucketTagging charged %q", *charged)
	}
	must(e.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b}))
	// Object calls whose outputs have no RequestCharged say it as well
	// (requester_data_replay.json, denied-key-version-selection-tags-acl-and-version-deletion:
	// DeleteObjectTagging, GetObjectTagging, GetObjectAttributes requester).
	v := e.put(*b, "object", "old version").VersionId
	for name, f := range map[string]func(o func(*s3.Options)) error{
		"DeleteObjectTagging": func(o func(*s3.Options)) error {
			_, err := foreign.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: b, Key: aws.String("object")}, o)
			return err
		},
		"GetObjectTagging": func(o func(*s3.Options)) error {
			_, err := foreign.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("object"), VersionId: v}, o)
			return err
		},
		"GetObjectAttributes": func(o func(*s3.Options)) error {
			_, err := foreign.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: aws.String("object"), VersionId: v,
				ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesObjectSize}}, o)
			return err
		},
	} {
		if err := f(call(false)); errCode(err) != "AccessDenied" || *charged != "" {
			t.Errorf("unpaid %s: %v charged %q", name, err, *charged)
		}
		if err := f(call(true)); err != nil || *charged != "requester" {
			t.Errorf("paid %s: %v charged %q", name, err, *charged)
		}
	}
	_, err = foreign.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: b, RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerBucketOwner}}, call(false))
	wantErr(t, err, "AccessDenied", 403, "")
	must(foreign.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: b, RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerBucketOwner}}, call(true)))
	if *charged != "requester" {
		t.Errorf("paid PutBucketRequestPayment charged %q", *charged)
	}
	if p := must(e.s3.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: b})).Payer; p != types.PayerBucketOwner {
		t.Errorf("payer after foreign change %s", p)
	}
	if code, got := e.signed("PUT", "/requester-native?requestPayment", nil, "<RequestPaymentConfiguration><Payer>Requester</Payer></RequestPaymentConfiguration>"); code != 200 {
		t.Errorf("payment without Content-MD5: %d %s", code, got)
	}
	if p := must(e.s3.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: b})).Payer; p != types.PayerRequester {
		t.Errorf("payer after unchecked change %s", p)
	}
}

// A call another account makes to a Requester Pays bucket without paying is refused,
// and the bucket owner's account gets the record of the refusal, as of the paid call,
// with the caller as an AWSAccount and a sharedEventID (recorded, 2026:
// requester_audit_replay.json, Requester foreign /?requestPayment None and requester).
func TestRecordedRequesterPaysAudit(t *testing.T) {
	e := newEnv(t)
	b := aws.String("requester-boundaries")
	e.bucket(*b)
	foreign := e.otherAccount("111122223333")
	must(0, e.policy(*b, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::requester-boundaries", "arn:aws:s3:::requester-boundaries/*"]}]}`))
	must(e.s3.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: b, RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerRequester}}))
	_, err := foreign.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: b})
	wantErr(t, err, "AccessDenied", 403, "")
	must(foreign.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: b}, func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("x-amz-request-payer", "requester"))
	}))
	var owner []audit.Record
	for _, ev := range e.events(audit.Source) {
		var r audit.Record
		if err := json.Unmarshal(ev.Data, &r); err != nil {
			t.Fatal(err)
		}
		if r.EventName == "GetBucketRequestPayment" && r.RecipientAccountID == account {
			owner = append(owner, r)
		}
	}
	if len(owner) != 2 || owner[0].ErrorCode != "AccessDenied" || owner[1].ErrorCode != "" {
		t.Fatalf("owner's records: %+v", owner)
	}
	for _, r := range owner {
		if r.UserIdentity.Type != "AWSAccount" || r.SharedEventID == "" || !r.ReadOnly || !r.ManagementEvent {
			t.Errorf("owner's record %+v", r)
		}
	}
}
