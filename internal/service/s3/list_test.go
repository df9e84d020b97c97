package s3_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func keys(objs []types.Object) string {
	var out []string
	for _, o := range objs {
		out = append(out, *o.Key)
	}
	return strings.Join(out, ",")
}

func prefixes(ps []types.CommonPrefix) string {
	var out []string
	for _, p := range ps {
		out = append(out, *p.Prefix)
	}
	return strings.Join(out, ",")
}

func TestListObjectsV2(t *testing.T) {
	e := newEnv(t)
	e.bucket("listing")
	for _, k := range []string{"a.txt", "dir/x", "dir/y", "dir/sub/z", "dir2/w", "e f+g", "zz"} {
		e.put("listing", k, "v")
	}
	l := must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("listing")}))
	if keys(l.Contents) != "a.txt,dir/sub/z,dir/x,dir/y,dir2/w,e f+g,zz" || *l.KeyCount != 7 || *l.IsTruncated {
		t.Fatalf("all: %s", keys(l.Contents))
	}
	l = must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("listing"), Delimiter: aws.String("/")}))
	if keys(l.Contents) != "a.txt,e f+g,zz" || prefixes(l.CommonPrefixes) != "dir/,dir2/" || *l.KeyCount != 5 {
		t.Fatalf("delimited: %s | %s", keys(l.Contents), prefixes(l.CommonPrefixes))
	}
	l = must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("listing"), Prefix: aws.String("dir/"), Delimiter: aws.String("/")}))
	if keys(l.Contents) != "dir/x,dir/y" || prefixes(l.CommonPrefixes) != "dir/sub/" {
		t.Fatalf("prefix: %s | %s", keys(l.Contents), prefixes(l.CommonPrefixes))
	}
	// Pagination: common prefixes count toward max-keys and are not repeated.
	var got []string
	var token *string
	for range 10 {
		p := must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("listing"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2), ContinuationToken: token}))
		for _, o := range p.Contents {
			got = append(got, *o.Key)
		}
		for _, c := range p.CommonPrefixes {
			got = append(got, *c.Prefix)
		}
		if !*p.IsTruncated {
			break
		}
		token = p.NextContinuationToken
	}
	sort.Strings(got)
	if strings.Join(got, ",") != "a.txt,dir/,dir2/,e f+g,zz" {
		t.Fatalf("pages: %v", got)
	}
	l = must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("listing"), StartAfter: aws.String("dir/y")}))
	if keys(l.Contents) != "dir2/w,e f+g,zz" {
		t.Fatalf("start-after: %s", keys(l.Contents))
	}
	// encoding-type=url (the Go SDK hands back the encoded keys; botocore decodes them).
	l = must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("listing"), Prefix: aws.String("e "), EncodingType: types.EncodingTypeUrl}))
	if keys(l.Contents) != "e+f%2Bg" {
		t.Fatalf("url encoding: %s", keys(l.Contents))
	}
	code, body := e.anonSigned("GET", "/listing?list-type=2&prefix=e%20&encoding-type=url")
	if code != 200 || !strings.Contains(body, "<Key>e+f%2Bg</Key>") || !strings.Contains(body, "<EncodingType>url</EncodingType>") {
		t.Fatalf("raw url-encoded listing %d %s", code, body)
	}
	l = must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("listing"), FetchOwner: aws.Bool(true), MaxKeys: aws.Int32(1)}))
	if l.Contents[0].Owner == nil || len(*l.Contents[0].Owner.ID) != 64 || *l.Contents[0].ETag != `"9e3669d19b675bd57058fd4664205d2a"` {
		t.Fatalf("owner/etag %+v", l.Contents[0])
	}
	_, err := e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("listing"), ContinuationToken: aws.String("!!")})
	wantErr(t, err, "InvalidArgument", 400, "The continuation token provided is incorrect")
}

func TestListObjectsV1(t *testing.T) {
	e := newEnv(t)
	e.bucket("listing1")
	for _, k := range []string{"a", "b/1", "b/2", "c/1", "d"} {
		e.put("listing1", k, "v")
	}
	p := must(e.s3.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("listing1"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)}))
	if keys(p.Contents) != "a" || prefixes(p.CommonPrefixes) != "b/" || !*p.IsTruncated || *p.NextMarker != "b/" {
		t.Fatalf("page 1: %s | %s %v", keys(p.Contents), prefixes(p.CommonPrefixes), p.NextMarker)
	}
	p = must(e.s3.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("listing1"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2), Marker: p.NextMarker}))
	if keys(p.Contents) != "d" || prefixes(p.CommonPrefixes) != "c/" || *p.IsTruncated {
		t.Fatalf("page 2: %s | %s", keys(p.Contents), prefixes(p.CommonPrefixes))
	}
	p = must(e.s3.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("listing1"), Marker: aws.String("b/1")}))
	if keys(p.Contents) != "b/2,c/1,d" || p.NextMarker != nil {
		t.Fatalf("marker: %s", keys(p.Contents))
	}
	_, err := e.s3.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("nobucket")})
	wantErr(t, err, "NoSuchBucket", 404, "")
}

// max-keys 0 (max-uploads, max-parts) asks for nothing: the page is empty and not
// truncated, without a marker or token. It was truncated, and its token or marker
// led back to the same empty page, a paginator's endless loop.
func TestListZeroMaxNotTruncated(t *testing.T) {
	e := newEnv(t)
	e.bucket("zero")
	e.put("zero", "a", "v")
	e.put("zero", "b/c", "v")
	b := aws.String("zero")
	v2 := must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, MaxKeys: aws.Int32(0)}))
	if len(v2.Contents) != 0 || *v2.IsTruncated || *v2.KeyCount != 0 || v2.NextContinuationToken != nil {
		t.Fatalf("v2: %+v", v2)
	}
	v1 := must(e.s3.ListObjects(ctx, &s3.ListObjectsInput{Bucket: b, MaxKeys: aws.Int32(0), Delimiter: aws.String("/")}))
	if len(v1.Contents) != 0 || len(v1.CommonPrefixes) != 0 || *v1.IsTruncated || v1.NextMarker != nil {
		t.Fatalf("v1: %+v", v1)
	}
	vs := must(e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b, MaxKeys: aws.Int32(0)}))
	if len(vs.Versions) != 0 || *vs.IsTruncated {
		t.Fatalf("versions: %+v", vs)
	}
	up := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("m")}))
	must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("m"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("x")}))
	ups := must(e.s3.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b, MaxUploads: aws.Int32(0)}))
	if len(ups.Uploads) != 0 || *ups.IsTruncated {
		t.Fatalf("uploads: %+v", ups)
	}
	ps := must(e.s3.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String("m"), UploadId: up.UploadId, MaxParts: aws.Int32(0)}))
	if len(ps.Parts) != 0 || *ps.IsTruncated {
		t.Fatalf("parts: %+v", ps)
	}
	// One more than nothing is still a truncated page.
	v2 = must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, MaxKeys: aws.Int32(1)}))
	if len(v2.Contents) != 1 || !*v2.IsTruncated || v2.NextContinuationToken == nil {
		t.Fatalf("v2 one: %+v", v2)
	}
}
