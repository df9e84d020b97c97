package s3_test

import (
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"strings"
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
