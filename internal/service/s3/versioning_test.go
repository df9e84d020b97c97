package s3_test

import (
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestVersioning(t *testing.T) {
	e := newEnv(t)
	e.bucket("vers")
	e.put("vers", "k", "null-version")
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("vers"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	if v := must(e.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("vers")})); v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("status %q", v.Status)
	}
	v1 := *e.put("vers", "k", "one").VersionId
	v2 := *e.put("vers", "k", "two").VersionId
	if v1 == v2 || len(v1) != 32 {
		t.Fatalf("version ids %q %q", v1, v2)
	}
	read := func(v string) string {
		out := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vers"), Key: aws.String("k"), VersionId: aws.String(v)}))
		defer out.Body.Close()
		if *out.VersionId != v {
			t.Fatalf("version header %q for %q", *out.VersionId, v)
		}
		b, _ := io.ReadAll(out.Body)
		return string(b)
	}
	if read(v1) != "one" || read("null") != "null-version" || e.get("vers", "k") != "two" {
		t.Fatal("versions read back wrong")
	}
	del := must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vers"), Key: aws.String("k")}))
	if del.DeleteMarker == nil || !*del.DeleteMarker || del.VersionId == nil {
		t.Fatalf("delete marker %+v", del)
	}
	_, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vers"), Key: aws.String("k")})
	wantErr(t, err, "NoSuchKey", 404, "")
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vers"), Key: aws.String("k"), VersionId: del.VersionId})
	wantErr(t, err, "MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
	// Tagging calls on a key whose newest version is a delete marker: 405, naming the method.
	_, err = e.s3.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("vers"), Key: aws.String("k")})
	wantErr(t, err, "MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
	if code, body := e.anonSigned("GET", "/vers/k?tagging"); code != 405 || !strings.Contains(body, "<Method>GET</Method>") || !strings.Contains(body, "<ResourceType>DeleteMarker</ResourceType>") {
		t.Fatalf("MethodNotAllowed: %d %s", code, body)
	}
	_, err = e.s3.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("vers"), Key: aws.String("k"), Tagging: &types.Tagging{TagSet: []types.Tag{}}})
	wantErr(t, err, "MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
	_, err = e.s3.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("vers"), Key: aws.String("k")})
	wantErr(t, err, "MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
	// A version ID S3 could not have minted is InvalidArgument; one that names no
	// version (any more) NoSuchVersion. DeleteObjects reports both as NoSuchVersion.
	bogus := *del.VersionId
	bogus = bogus[:28] + "ABCD"
	if bogus == *del.VersionId {
		bogus = bogus[:28] + "WXYZ"
	}
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vers"), Key: aws.String("k"), VersionId: aws.String(bogus)})
	wantErr(t, err, "InvalidArgument", 400, "Invalid version id specified")
	_, err = e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vers"), Key: aws.String("k"), VersionId: aws.String(bogus)})
	wantErr(t, err, "InvalidArgument", 400, "Invalid version id specified")
	dels := must(e.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("vers"),
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("k"), VersionId: aws.String(bogus)}}}}))
	if len(dels.Errors) != 1 || aws.ToString(dels.Errors[0].Code) != "NoSuchVersion" || len(dels.Deleted) != 0 {
		t.Fatalf("DeleteObjects of a bogus version: %+v %+v", dels.Errors, dels.Deleted)
	}
	gone := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vers"), Key: aws.String("gone"), Body: strings.NewReader("x")})).VersionId
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vers"), Key: aws.String("gone"), VersionId: gone}))
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vers"), Key: aws.String("gone"), VersionId: gone})
	wantErr(t, err, "NoSuchVersion", 404, "The specified version does not exist.")
	l := must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("vers")}))
	if len(l.Versions) != 3 || len(l.DeleteMarkers) != 1 || !*l.DeleteMarkers[0].IsLatest || *l.Versions[0].VersionId != v2 ||
		*l.Versions[0].IsLatest || *l.Versions[2].VersionId != "null" {
		t.Fatalf("versions %+v markers %+v", l.Versions, l.DeleteMarkers)
	}
	// Removing the delete marker brings the newest version back.
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vers"), Key: aws.String("k"), VersionId: del.VersionId}))
	if e.get("vers", "k") != "two" {
		t.Fatal("delete marker removal")
	}
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vers"), Key: aws.String("k"), VersionId: aws.String(v2)}))
	if e.get("vers", "k") != "one" {
		t.Fatal("version removal")
	}
	// Paging through versions with key and version-id markers.
	for range 3 {
		e.put("vers", "p", "x")
	}
	var seen []string
	var km, vm *string
	for range 10 {
		p := must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("vers"), MaxKeys: aws.Int32(2), KeyMarker: km, VersionIdMarker: vm}))
		for _, v := range p.Versions {
			seen = append(seen, *v.Key)
		}
		if !*p.IsTruncated {
			break
		}
		km, vm = p.NextKeyMarker, p.NextVersionIdMarker
	}
	if strings.Join(seen, ",") != "k,k,p,p,p" {
		t.Fatalf("version pages %v", seen)
	}
	// Suspended: writes replace the null version.
	must(e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("vers"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}))
	if v := e.put("vers", "k", "suspended").VersionId; v != nil {
		t.Fatalf("suspended version id %q", *v)
	}
	if read("null") != "suspended" || read(v1) != "one" {
		t.Fatal("suspended null version")
	}
	_, err = e.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("vers")})
	wantErr(t, err, "BucketNotEmpty", 409, "The bucket you tried to delete is not empty. You must delete all versions in the bucket.")
}
