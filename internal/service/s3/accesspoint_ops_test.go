package s3_test

import (
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
