package s3_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/palisade/palisade/internal/audit"
)

// TestAccessPointDeleteObjects: a batch delete through an access point weighs each
// key on the access point (its policy's deny on ARN/object/KEY) and on the bucket
// (its policy, with s3:DataAccessPointArn), as that key's DeleteObject would be
// (User Guide, "Access points compatibility"): a denied key is reported and stays.
func TestAccessPointDeleteObjects(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	e.bucket("batch-src")
	for _, k := range []string{"open/a", "open/b", "secret/c", "held/d"} {
		e.put("batch-src", k, "v")
	}
	e.dataTrail()
	ap := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("batch-ap"), Bucket: aws.String("batch-src")})
	cfg := e.apUser("batch-user", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	must(ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: aws.String(account), Name: aws.String("batch-ap"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"` + *ap.AccessPointArn + `/object/secret/*"},` +
			`{"Effect":"Deny","Principal":"*","Action":"s3:ListBucketVersions","Resource":"` + *ap.AccessPointArn + `","Condition":{"StringLike":{"s3:prefix":"secret*"}}}]}`)}))
	must(e.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("batch-src"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::batch-src/held/*","Condition":{"StringEquals":{"s3:DataAccessPointArn":"` + *ap.AccessPointArn + `"}}}]}`)}))
	keys := func(ks ...string) *types.Delete {
		d := &types.Delete{}
		for _, k := range ks {
			d.Objects = append(d.Objects, types.ObjectIdentifier{Key: aws.String(k)})
		}
		return d
	}
	for i, c := range []struct {
		cl     *s3.Client
		bucket *string
		open   string
	}{{e.apClient(cfg), ap.AccessPointArn, "open/a"}, {s3Client(cfg), ap.Alias, "open/b"}} {
		out := must(c.cl.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: c.bucket, Delete: keys(c.open, "secret/c", "held/d")}))
		if len(out.Deleted) != 1 || *out.Deleted[0].Key != c.open || len(out.Errors) != 2 ||
			*out.Errors[0].Key != "secret/c" || *out.Errors[0].Code != "AccessDenied" || *out.Errors[1].Key != "held/d" || *out.Errors[1].Code != "AccessDenied" {
			t.Fatalf("%d: deleted %+v errors %+v", i, out.Deleted, out.Errors)
		}
	}
	if e.get("batch-src", "secret/c") != "v" || e.get("batch-src", "held/d") != "v" {
		t.Fatal("denied keys deleted")
	}
	r := e.lastRecord("DeleteObjects")
	if n := len(r.Resources); n == 0 || r.Resources[n-1] != (audit.Resource{AccountID: account, Type: "AWS::S3::AccessPoint", ARN: *ap.AccessPointArn}) {
		t.Errorf("DeleteObjects resources %+v", r.Resources)
	}
	if params := e.params(r); params["accessPointAlias"] != *ap.Alias || params["bucketName"] != "batch-src" {
		t.Errorf("DeleteObjects requestParameters %v", params)
	}

	// ListObjectVersions lists the bucket's versions, its s3:ListBucketVersions
	// weighed on the access point too.
	u := s3Client(cfg)
	l := must(u.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: ap.Alias}))
	if *l.Name != "batch-src" || len(l.Versions) != 2 {
		t.Fatalf("versions %s %+v", *l.Name, l.Versions)
	}
	_, err := u.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: ap.Alias, Prefix: aws.String("secret/")})
	wantErr(t, err, "AccessDenied", 403, "")
	r = e.lastRecord("ListObjectVersions")
	if n := len(r.Resources); n == 0 || r.Resources[n-1].ARN != *ap.AccessPointArn {
		t.Errorf("ListObjectVersions resources %+v", r.Resources)
	}
}

// TestRecordedAccessPointMultipart: an upload begun through an access point is the
// bucket's, continued, listed and completed by its ARN, its alias or the bucket's
// name alike; answers name the bucket, and a completion's Location the access point
// (recorded, 2026: access_point_multipart_replay.json, initiate-arn,
// upload-part-alias, list-parts-*, list-uploads-*, complete-alias,
// arn-completion-location).
func TestRecordedAccessPointMultipart(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	e.bucket("multipart-bucket")
	ap := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("multipart-ap"), Bucket: aws.String("multipart-bucket")})
	host := e.apClient(e.p.RootConfig())
	up := must(host.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: ap.AccessPointArn, Key: aws.String("b-uploaded")}))
	if *up.Bucket != "multipart-bucket" {
		t.Fatalf("initiate-arn Bucket %s", *up.Bucket)
	}
	part := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: ap.Alias, Key: aws.String("b-uploaded"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
		Body: strings.NewReader("owned AP multipart uploaded bytes\x00\xff\n")}))
	if *part.ETag != `"2b5929f507ff36d7b3e843fc94363b04"` {
		t.Fatalf("upload-part-alias ETag %s", *part.ETag)
	}
	for _, c := range []struct {
		cl     *s3.Client
		bucket *string
	}{{host, ap.AccessPointArn}, {e.s3, ap.Alias}, {e.s3, aws.String("multipart-bucket")}} {
		lp := must(c.cl.ListParts(ctx, &s3.ListPartsInput{Bucket: c.bucket, Key: aws.String("b-uploaded"), UploadId: up.UploadId}))
		if *lp.Bucket != "multipart-bucket" || len(lp.Parts) != 1 || *lp.Parts[0].Size != 36 || *lp.Parts[0].ETag != *part.ETag {
			t.Fatalf("list-parts %s: %+v", *c.bucket, lp)
		}
		lu := must(c.cl.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: c.bucket}))
		if *lu.Bucket != "multipart-bucket" || len(lu.Uploads) != 1 || *lu.Uploads[0].UploadId != *up.UploadId {
			t.Fatalf("list-uploads %s: %+v", *c.bucket, lu)
		}
	}
	done := must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: ap.Alias, Key: aws.String("b-uploaded"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}))
	if *done.Bucket != "multipart-bucket" || *done.ETag != `"f3c4789e7c5a27b37cd17e2f3062370c-1"` || !strings.HasSuffix(*done.Location, "/"+*ap.Alias+"/b-uploaded") {
		t.Fatalf("complete-alias %s %s %s", *done.Bucket, *done.ETag, *done.Location)
	}
	if got := e.get("multipart-bucket", "b-uploaded"); got != "owned AP multipart uploaded bytes\x00\xff\n" {
		t.Fatalf("read-uploaded-direct %q", got)
	}

	// initiate-copy-direct, copy-part-ap-source-alias-destination, list-copy-parts-arn,
	// complete-copy-alias, read-copied-direct.
	e.put("multipart-bucket", "a-source", "owned AP multipart copy source\n")
	up = must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("multipart-bucket"), Key: aws.String("c-copied")}))
	cp := must(e.s3.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: ap.Alias, Key: aws.String("c-copied"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
		CopySource: aws.String(*ap.AccessPointArn + "/object/a-source")}))
	if *cp.CopyPartResult.ETag != `"43a4bb143fc69dbd15d4143894fb836a"` {
		t.Fatalf("copy-part ETag %s", *cp.CopyPartResult.ETag)
	}
	lp := must(host.ListParts(ctx, &s3.ListPartsInput{Bucket: ap.AccessPointArn, Key: aws.String("c-copied"), UploadId: up.UploadId}))
	if len(lp.Parts) != 1 || *lp.Parts[0].Size != 31 {
		t.Fatalf("list-copy-parts-arn %+v", lp.Parts)
	}
	done = must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: ap.Alias, Key: aws.String("c-copied"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: cp.CopyPartResult.ETag, PartNumber: aws.Int32(1)}}}}))
	if *done.ETag != `"12fd7e0b445b8ca1a127bc2027d54507-1"` || e.get("multipart-bucket", "c-copied") != "owned AP multipart copy source\n" {
		t.Fatalf("complete-copy-alias %s", *done.ETag)
	}
	// initiate-deny-probe-direct, deny-ap-source-read, denied-source-get-arn,
	// denied-copy-ap-source, allowed-copy-direct-source.
	up = must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("multipart-bucket"), Key: aws.String("d-deny-probe")}))
	must(ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: aws.String(account), Name: aws.String("multipart-ap"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"` + *ap.AccessPointArn + `/object/a-source"}]}`)}))
	_, err := host.GetObject(ctx, &s3.GetObjectInput{Bucket: ap.AccessPointArn, Key: aws.String("a-source")})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = e.s3.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: ap.Alias, Key: aws.String("d-deny-probe"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
		CopySource: aws.String(*ap.AccessPointArn + "/object/a-source")})
	wantErr(t, err, "AccessDenied", 403, "")
	cp = must(e.s3.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: ap.Alias, Key: aws.String("d-deny-probe"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
		CopySource: aws.String("multipart-bucket/a-source")}))
	if *cp.CopyPartResult.ETag != `"43a4bb143fc69dbd15d4143894fb836a"` {
		t.Fatalf("allowed-copy-direct-source ETag %s", *cp.CopyPartResult.ETag)
	}
	must(ctl.DeleteAccessPointPolicy(ctx, &s3control.DeleteAccessPointPolicyInput{AccountId: aws.String(account), Name: aws.String("multipart-ap")}))

	// native-arn-multipart-completion-location.
	up = must(host.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: ap.AccessPointArn, Key: aws.String("arn-completed")}))
	part = must(host.UploadPart(ctx, &s3.UploadPartInput{Bucket: ap.AccessPointArn, Key: aws.String("arn-completed"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
		Body: strings.NewReader("native ARN multipart completion\n")}))
	done = must(host.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: ap.AccessPointArn, Key: aws.String("arn-completed"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}))
	if *done.Bucket != "multipart-bucket" || *done.Location != "http://multipart-ap-"+account+".s3-accesspoint.us-east-1.amazonaws.com/arn-completed" {
		t.Fatalf("arn-completion-location %s %s", *done.Bucket, *done.Location)
	}
}

// TestAccessPointMultipartDeny: each multipart call through an access point is
// weighed on it: its policy's deny refuses initiating, uploading, listing, completing
// and aborting, while the bucket's own name still serves the caller.
func TestAccessPointMultipartDeny(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	e.bucket("mpdeny-src")
	e.dataTrail()
	ap := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("mpdeny-ap"), Bucket: aws.String("mpdeny-src")})
	cfg := e.apUser("mpdeny-user", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	u, host := s3Client(cfg), e.apClient(cfg)
	direct := must(u.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpdeny-src"), Key: aws.String("secret/x")}))
	part := must(u.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpdeny-src"), Key: aws.String("secret/x"), UploadId: direct.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("p")}))
	must(ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: aws.String(account), Name: aws.String("mpdeny-ap"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":["s3:PutObject","s3:ListMultipartUploadParts","s3:AbortMultipartUpload"],"Resource":"` + *ap.AccessPointArn + `/object/secret/*"},` +
			`{"Effect":"Deny","Principal":"*","Action":"s3:ListBucketMultipartUploads","Resource":"` + *ap.AccessPointArn + `"}]}`)}))
	for _, c := range []struct {
		cl     *s3.Client
		bucket *string
	}{{host, ap.AccessPointArn}, {u, ap.Alias}} {
		_, err := c.cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: c.bucket, Key: aws.String("secret/y")})
		wantErr(t, err, "AccessDenied", 403, "")
		_, err = c.cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: c.bucket, Key: aws.String("secret/x"), UploadId: direct.UploadId, PartNumber: aws.Int32(2), Body: strings.NewReader("p")})
		wantErr(t, err, "AccessDenied", 403, "")
		_, err = c.cl.ListParts(ctx, &s3.ListPartsInput{Bucket: c.bucket, Key: aws.String("secret/x"), UploadId: direct.UploadId})
		wantErr(t, err, "AccessDenied", 403, "")
		_, err = c.cl.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: c.bucket})
		wantErr(t, err, "AccessDenied", 403, "")
		_, err = c.cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: c.bucket, Key: aws.String("secret/x"), UploadId: direct.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}})
		wantErr(t, err, "AccessDenied", 403, "")
		_, err = c.cl.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: c.bucket, Key: aws.String("secret/x"), UploadId: direct.UploadId})
		wantErr(t, err, "AccessDenied", 403, "")
	}
	// Other keys go through, and the upload is recorded naming the access point.
	open := must(u.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: ap.Alias, Key: aws.String("open/z")}))
	r := e.lastRecord("CreateMultipartUpload")
	if n := len(r.Resources); n != 3 || r.Resources[2].ARN != *ap.AccessPointArn {
		t.Errorf("CreateMultipartUpload resources %+v", r.Resources)
	}
	must(host.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: ap.AccessPointArn, Key: aws.String("open/z"), UploadId: open.UploadId}))
	if l := must(u.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpdeny-src"), Key: aws.String("secret/x"), UploadId: direct.UploadId})); len(l.Parts) != 1 {
		t.Fatalf("direct parts %+v", l.Parts)
	}
}

// TestAccessPointCopyObject: CopyObject through an access point writes the bucket's
// object under the access point's policy; a source named by access point ARN is read
// through that access point, whose policy's deny refuses it, while the destination's
// access point does not weigh a source named by its bucket (inferred from UploadPartCopy's,
// recorded: access_point_multipart_replay.json, denied-copy-ap-source,
// allowed-copy-direct-source; API Reference, CopyObject, x-amz-copy-source).
func TestAccessPointCopyObject(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	e.bucket("copy-src")
	e.put("copy-src", "secret/s", "source")
	e.put("copy-src", "open/s", "open source")
	ap := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("copy-ap"), Bucket: aws.String("copy-src")})
	cfg := e.apUser("copy-user", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	u, host := s3Client(cfg), e.apClient(cfg)
	must(ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: aws.String(account), Name: aws.String("copy-ap"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"` + *ap.AccessPointArn + `/object/secret/*"},` +
			`{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"` + *ap.AccessPointArn + `/object/locked/*"}]}`)}))
	apSrc := func(key string) *string { return aws.String(*ap.AccessPointArn + "/object/" + key) }
	for _, c := range []struct {
		cl     *s3.Client
		bucket *string
	}{{host, ap.AccessPointArn}, {u, ap.Alias}} {
		must(c.cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: c.bucket, Key: aws.String("dst/1"), CopySource: aws.String("copy-src/secret/s")}))
		must(c.cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: c.bucket, Key: aws.String("dst/2"), CopySource: apSrc("open/s")}))
		_, err := c.cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: c.bucket, Key: aws.String("dst/3"), CopySource: apSrc("secret/s")})
		wantErr(t, err, "AccessDenied", 403, "")
		_, err = c.cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: c.bucket, Key: aws.String("locked/1"), CopySource: aws.String("copy-src/open/s")})
		wantErr(t, err, "AccessDenied", 403, "")
	}
	// A source named by access point ARN is read through it into a bucket named
	// directly too.
	_, err := u.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copy-src"), Key: aws.String("dst/4"), CopySource: apSrc("secret/s")})
	wantErr(t, err, "AccessDenied", 403, "")
	must(u.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copy-src"), Key: aws.String("dst/5"), CopySource: apSrc("open/s")}))
	// An alias names the access point as a source's bucket too.
	_, err = u.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copy-src"), Key: aws.String("dst/6"), CopySource: aws.String(*ap.Alias + "/secret/s")})
	wantErr(t, err, "AccessDenied", 403, "")
	if e.get("copy-src", "dst/1") != "source" || e.get("copy-src", "dst/2") != "open source" || e.get("copy-src", "dst/5") != "open source" {
		t.Fatal("copies")
	}
	for _, k := range []string{"dst/3", "dst/4", "dst/6", "locked/1"} {
		if _, err := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("copy-src"), Key: aws.String(k)}); err == nil {
			t.Fatalf("%s copied", k)
		}
	}
}

// TestAccessPointObjectCalls: the object ACL, attributes, Object Lock and restore
// calls the User Guide lists ("Access points compatibility") answer for the bucket's
// object through an access point, and each is refused by its policy's deny on
// ARN/object/KEY.
func TestAccessPointObjectCalls(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("objcalls-src"), ObjectLockEnabledForBucket: aws.Bool(true)}))
	must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("objcalls-src"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}}}}))
	for _, k := range []string{"open/o", "secret/o"} {
		e.put("objcalls-src", k, "v")
		for _, n := range []string{"0", "1"} {
			must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("objcalls-src"), Key: aws.String(k + "-cold" + n), Body: strings.NewReader("cold"), StorageClass: types.StorageClassGlacier}))
		}
	}
	e.dataTrail()
	ap := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("objcalls-ap"), Bucket: aws.String("objcalls-src")})
	cfg := e.apUser("objcalls-user", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	must(ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: aws.String(account), Name: aws.String("objcalls-ap"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"` + *ap.AccessPointArn + `/object/secret/*"}]}`)}))
	until := aws.Time(time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second))
	calls := func(cl *s3.Client, bucket *string, prefix, n string) []error {
		k := aws.String(prefix + "/o")
		var errs []error
		add := func(_ any, err error) { errs = append(errs, err) }
		add(cl.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: bucket, Key: k, ACL: types.ObjectCannedACLPrivate}))
		add(cl.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: bucket, Key: k}))
		add(cl.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket, Key: k, ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectSize}}))
		add(cl.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: bucket, Key: k, Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: until}}))
		add(cl.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: bucket, Key: k}))
		add(cl.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: bucket, Key: k, LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}}))
		add(cl.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: bucket, Key: k}))
		add(cl.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: bucket, Key: aws.String(prefix + "/o-cold" + n), RestoreRequest: &types.RestoreRequest{Days: aws.Int32(1)}}))
		return errs
	}
	for n, c := range []struct {
		cl     *s3.Client
		bucket *string
	}{{e.apClient(cfg), ap.AccessPointArn}, {s3Client(cfg), ap.Alias}} {
		for i, err := range calls(c.cl, c.bucket, "open", strconv.Itoa(n)) {
			if err != nil {
				t.Fatalf("%s open call %d: %v", *c.bucket, i, err)
			}
		}
		for i, err := range calls(c.cl, c.bucket, "secret", strconv.Itoa(n)) {
			if err == nil {
				t.Fatalf("%s secret call %d allowed", *c.bucket, i)
			}
			wantErr(t, err, "AccessDenied", 403, "")
		}
	}
	if h := must(e.s3.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("objcalls-src"), Key: aws.String("open/o")})); h.LegalHold.Status != types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("legal hold %v", h.LegalHold.Status)
	}
	if _, err := e.s3.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("objcalls-src"), Key: aws.String("secret/o")}); err == nil {
		t.Fatal("denied legal hold set")
	}
	// A key whose current version is a delete marker is answered as one through the
	// access point too.
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("objcalls-src"), Key: aws.String("open/o")}))
	_, err := s3Client(cfg).GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: ap.Alias, Key: aws.String("open/o")})
	wantErr(t, err, "MethodNotAllowed", 405, "")
	r := e.lastRecord("PutObjectLockLegalHold")
	if n := len(r.Resources); n != 3 || r.Resources[2].ARN != *ap.AccessPointArn {
		t.Errorf("PutObjectLockLegalHold resources %+v", r.Resources)
	}
}

// TestAccessPointBlockPublicAcls: an access point's BlockPublicAcls (on unless
// created otherwise) refuses a public ACL set through it, by PutObjectAcl or
// PutObject, while the bucket, whose own setting is off, takes it directly; an
// access point created with it off lets it through.
func TestAccessPointBlockPublicAcls(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	e.bucket("bpa-src")
	must(e.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("bpa-src"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}}}}))
	must(e.s3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("bpa-src")}))
	e.put("bpa-src", "k", "v")
	blocked := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("bpa-on"), Bucket: aws.String("bpa-src")})
	open := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("bpa-off"), Bucket: aws.String("bpa-src"),
		PublicAccessBlockConfiguration: &ctltypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}})
	_, err := e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: blocked.Alias, Key: aws.String("k"), ACL: types.ObjectCannedACLPublicRead})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: blocked.Alias, Key: aws.String("k2"), ACL: types.ObjectCannedACLPublicRead, Body: strings.NewReader("v")})
	wantErr(t, err, "AccessDenied", 403, "")
	must(e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: open.Alias, Key: aws.String("k"), ACL: types.ObjectCannedACLPublicRead}))
	must(e.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("bpa-src"), Key: aws.String("k"), ACL: types.ObjectCannedACLPublicRead}))
}

// TestAccessPointLockHeaders: HEAD through an access point shows an object's retention
// only when the access point's policy lets the caller read it, as the direct HEAD does
// by the bucket's and the caller's policies.
func TestAccessPointLockHeaders(t *testing.T) {
	e := newEnv(t)
	ctl := e.controlClient()
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("aplock-src"), ObjectLockEnabledForBucket: aws.Bool(true)}))
	until := aws.Time(time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second))
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("aplock-src"), Key: aws.String("o"), Body: strings.NewReader("v"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: until}))
	ap := e.createAP(ctl, &s3control.CreateAccessPointInput{Name: aws.String("aplock-ap"), Bucket: aws.String("aplock-src")})
	cfg := e.apUser("aplock-user", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	head := func(cl *s3.Client, bucket *string) types.ObjectLockMode {
		return must(cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("o")})).ObjectLockMode
	}
	if m := head(e.apClient(cfg), ap.AccessPointArn); m != types.ObjectLockModeGovernance {
		t.Fatalf("through the access point before its deny: mode %q", m)
	}
	must(ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: aws.String(account), Name: aws.String("aplock-ap"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObjectRetention","Resource":"` + *ap.AccessPointArn + `/object/*"}]}`)}))
	if m := head(e.apClient(cfg), ap.AccessPointArn); m != "" {
		t.Fatalf("through the access point that denies GetObjectRetention: mode %q", m)
	}
	if m := head(s3Client(cfg), ap.Alias); m != "" {
		t.Fatalf("by the alias of the access point that denies GetObjectRetention: mode %q", m)
	}
	if m := head(s3Client(cfg), aws.String("aplock-src")); m != types.ObjectLockModeGovernance {
		t.Fatalf("direct: mode %q", m)
	}
}
