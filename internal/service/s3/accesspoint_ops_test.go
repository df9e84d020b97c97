package s3_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"

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
