package s3_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestPutGetHeadDelete(t *testing.T) {
	e := newEnv(t)
	e.bucket("bkt1")
	out := e.put("bkt1", "dir/hello.txt", "hello world")
	if *out.ETag != `"5eb63bbbe01eeed093cb22bb8f5acdc3"` {
		t.Fatalf("etag %s", *out.ETag)
	}
	if out.ServerSideEncryption != "AES256" {
		t.Fatalf("sse %q", out.ServerSideEncryption)
	}
	if got := e.get("bkt1", "dir/hello.txt"); got != "hello world" {
		t.Fatalf("got %q", got)
	}
	h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt1"), Key: aws.String("dir/hello.txt")}))
	if *h.ContentLength != 11 || *h.ETag != *out.ETag {
		t.Fatalf("head %+v", h)
	}
	_, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt1"), Key: aws.String("nope")})
	wantErr(t, err, "NoSuchKey", 404, "The specified key does not exist.")
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nob"), Key: aws.String("nope")})
	wantErr(t, err, "NoSuchBucket", 404, "The specified bucket does not exist")
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt1"), Key: aws.String("dir/hello.txt")}))
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt1"), Key: aws.String("dir/hello.txt")})
	wantErr(t, err, "NoSuchKey", 404, "")
	big := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320,000 bytes: several chunks
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt1"), Key: aws.String("big"), Body: bytes.NewReader(big)}))
	g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt1"), Key: aws.String("big"), Range: aws.String("bytes=65530-65545")}))
	b, _ := io.ReadAll(g.Body)
	if string(b) != string(big[65530:65546]) || *g.ContentRange != "bytes 65530-65545/320000" {
		t.Fatalf("range %q %s", b, *g.ContentRange)
	}
	if !strings.Contains(e.get("bkt1", "big"), "abcdef0123") {
		t.Fatal("big body")
	}
}

func TestObjectMetadataAndHeaders(t *testing.T) {
	e := newEnv(t)
	e.bucket("meta")
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("doc.json"), Body: strings.NewReader("{}"),
		ContentType: aws.String("application/json"), CacheControl: aws.String("max-age=60"), ContentDisposition: aws.String("attachment"),
		Metadata: map[string]string{"Owner": "alice", "project": "x y"}, Tagging: aws.String("a=1&b=two%20words"),
		WebsiteRedirectLocation: aws.String("/other.json")}))
	h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("doc.json")}))
	if *h.ContentType != "application/json" || *h.CacheControl != "max-age=60" || *h.ContentDisposition != "attachment" ||
		h.Metadata["owner"] != "alice" || h.Metadata["project"] != "x y" || *h.TagCount != 2 ||
		aws.ToString(h.WebsiteRedirectLocation) != "/other.json" {
		t.Fatalf("head %+v meta %v", h, h.Metadata)
	}
	g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("meta"), Key: aws.String("doc.json"),
		ResponseContentType: aws.String("text/plain"), ResponseCacheControl: aws.String("no-cache")}))
	g.Body.Close()
	if *g.ContentType != "text/plain" || *g.CacheControl != "no-cache" || aws.ToString(g.WebsiteRedirectLocation) != "/other.json" {
		t.Fatalf("overrides %v %v", *g.ContentType, *g.CacheControl)
	}
	tags := must(e.s3.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("meta"), Key: aws.String("doc.json")}))
	if len(tags.TagSet) != 2 || *tags.TagSet[1].Value != "two words" {
		t.Fatalf("tags %+v", tags.TagSet)
	}
	must(e.s3.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("meta"), Key: aws.String("doc.json"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}))
	tags = must(e.s3.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("meta"), Key: aws.String("doc.json")}))
	if len(tags.TagSet) != 1 || *tags.TagSet[0].Key != "k" {
		t.Fatalf("tags after put %+v", tags.TagSet)
	}
	var eleven []types.Tag
	for i := range 11 {
		eleven = append(eleven, types.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")})
	}
	_, err := e.s3.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("meta"), Key: aws.String("doc.json"), Tagging: &types.Tagging{TagSet: eleven}})
	wantErr(t, err, "BadRequest", 400, "Object tags cannot be greater than 10")
	must(e.s3.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("meta"), Key: aws.String("doc.json")}))
	tags = must(e.s3.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("meta"), Key: aws.String("doc.json")}))
	if len(tags.TagSet) != 0 {
		t.Fatalf("tags after delete %+v", tags.TagSet)
	}
	// 2 KB metadata limit; 1024-byte keys.
	_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("m"), Body: strings.NewReader("x"),
		Metadata: map[string]string{"big": strings.Repeat("v", 2100)}})
	wantErr(t, err, "MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size")
	_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String(strings.Repeat("k", 1025)), Body: strings.NewReader("x")})
	wantErr(t, err, "KeyTooLongError", 400, "Your key is too long")
}

func TestConditionalRequests(t *testing.T) {
	e := newEnv(t)
	e.bucket("cond")
	etag := *e.put("cond", "k", "v1").ETag
	h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cond"), Key: aws.String("k")}))
	lm := *h.LastModified
	_, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfMatch: aws.String(`"nope"`)})
	wantErr(t, err, "PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold")
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfNoneMatch: aws.String(etag)})
	wantErr(t, err, "NotModified", 304, "")
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfModifiedSince: aws.Time(lm)})
	wantErr(t, err, "NotModified", 304, "")
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfUnmodifiedSince: aws.Time(lm.Add(-time.Hour))})
	wantErr(t, err, "PreconditionFailed", 412, "")
	g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfMatch: aws.String(etag), IfUnmodifiedSince: aws.Time(lm.Add(-time.Hour))}))
	g.Body.Close()
	_, err = e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfNoneMatch: aws.String("*")})
	wantErr(t, err, "NotModified", 304, "")
	// Conditional writes.
	_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: strings.NewReader("v2"), IfNoneMatch: aws.String("*")})
	wantErr(t, err, "PreconditionFailed", 412, "")
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("new"), Body: strings.NewReader("n"), IfNoneMatch: aws.String("*")}))
	_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: strings.NewReader("v2"), IfMatch: aws.String(`"0000"`)})
	wantErr(t, err, "PreconditionFailed", 412, "")
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: strings.NewReader("v2"), IfMatch: aws.String(etag)}))
	if e.get("cond", "k") != "v2" {
		t.Fatal("conditional overwrite lost")
	}
	// What S3 does not take: If-Match "*", both headers at once.
	_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: strings.NewReader("v3"), IfMatch: aws.String("*")})
	wantErr(t, err, "NotImplemented", 501, "A header you provided implies functionality that is not implemented")
	_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: strings.NewReader("v3"), IfMatch: aws.String(etag), IfNoneMatch: aws.String("*")})
	wantErr(t, err, "NotImplemented", 501, "A header you provided implies functionality that is not implemented")
	// A copy's If-Modified-Since in the future is ignored.
	must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cond"), Key: aws.String("copy"), CopySource: aws.String("cond/k"),
		CopySourceIfModifiedSince: aws.Time(e.p.Clock.Now().Add(24 * time.Hour))}))
	_, err = e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("cond"), Key: aws.String("copy"), CopySource: aws.String("cond/k"),
		CopySourceIfModifiedSince: aws.Time(e.p.Clock.Now())})
	wantErr(t, err, "PreconditionFailed", 412, "")
	if e.get("cond", "k") != "v2" {
		t.Fatal("a refused write changed the object")
	}
}

func TestRanges(t *testing.T) {
	e := newEnv(t)
	e.bucket("ranges")
	e.put("ranges", "k", "0123456789")
	e.put("ranges", "empty", "")
	for _, c := range []struct{ r, body, cr string }{
		{"bytes=0-3", "0123", "bytes 0-3/10"},
		{"bytes=7-", "789", "bytes 7-9/10"},
		{"bytes=-2", "89", "bytes 8-9/10"},
		{"bytes=5-100", "56789", "bytes 5-9/10"},
		{"bytes=-50", "0123456789", "bytes 0-9/10"},
	} {
		g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), Range: aws.String(c.r)}))
		b, _ := io.ReadAll(g.Body)
		if string(b) != c.body || *g.ContentRange != c.cr || *g.ContentLength != int64(len(c.body)) {
			t.Fatalf("%s: %q %v", c.r, b, *g.ContentRange)
		}
	}
	_, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), Range: aws.String("bytes=10-20")})
	wantErr(t, err, "InvalidRange", 416, "The requested range is not satisfiable")
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("empty"), Range: aws.String("bytes=0-1")})
	wantErr(t, err, "InvalidRange", 416, "")
	// A malformed or multi-range header is ignored: the whole object comes back.
	g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), Range: aws.String("bytes=0-1,3-4")}))
	b, _ := io.ReadAll(g.Body)
	if string(b) != "0123456789" || g.ContentRange != nil {
		t.Fatalf("multi-range %q", b)
	}
}

func TestChecksumsAndDigests(t *testing.T) {
	e := newEnv(t)
	e.bucket("sums")
	body := "The quick brown fox"
	crc := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("k"), Body: strings.NewReader(body),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c}))
	if crc.ChecksumCRC32C == nil || *crc.ChecksumCRC32C != "U35c9A==" {
		t.Fatalf("crc32c %v", crc.ChecksumCRC32C)
	}
	h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums"), Key: aws.String("k"), ChecksumMode: types.ChecksumModeEnabled}))
	if h.ChecksumCRC32C == nil || *h.ChecksumCRC32C != "U35c9A==" {
		t.Fatalf("head crc32c %v", h.ChecksumCRC32C)
	}
	sha := sha256.Sum256([]byte(body))
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("s"), Body: strings.NewReader(body),
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sha[:]))}))
	wrong := sha256.Sum256([]byte("other"))
	_, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("bad"), Body: strings.NewReader(body),
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(wrong[:]))})
	wantErr(t, err, "BadDigest", 400, "The SHA256 you specified did not match the calculated checksum.")
	sum := md5.Sum([]byte("other"))
	_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("bad"), Body: strings.NewReader(body),
		ContentMD5: aws.String(base64.StdEncoding.EncodeToString(sum[:]))})
	wantErr(t, err, "BadDigest", 400, "The Content-MD5 you specified did not match what we received.")
	_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("bad"), Body: strings.NewReader(body),
		ContentMD5: aws.String("not-base64")})
	wantErr(t, err, "InvalidDigest", 400, "The Content-MD5 you specified was invalid.")
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sums"), Key: aws.String("bad")})
	wantErr(t, err, "NoSuchKey", 404, "")
	// An object uploaded without a checksum gets S3's default CRC64NVME.
	plain := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("p"), Body: strings.NewReader("123456789"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme}))
	if plain.ChecksumCRC64NVME == nil || *plain.ChecksumCRC64NVME != "rosUhgp5mIg=" {
		t.Fatalf("crc64nvme %v", plain.ChecksumCRC64NVME)
	}
}

func TestCopyObject(t *testing.T) {
	e := newEnv(t)
	e.bucket("src-b")
	e.bucket("dst-b")
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src-b"), Key: aws.String("a b+c"), Body: strings.NewReader("payload"),
		ContentType: aws.String("text/x"), Metadata: map[string]string{"m": "1"}, Tagging: aws.String("t=1")}))
	cp := must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst-b"), Key: aws.String("copy"), CopySource: aws.String("src-b/a%20b%2Bc")}))
	if *cp.CopyObjectResult.ETag != `"`+fmt.Sprintf("%x", md5.Sum([]byte("payload")))+`"` {
		t.Fatalf("copy etag %s", *cp.CopyObjectResult.ETag)
	}
	h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst-b"), Key: aws.String("copy")}))
	if *h.ContentType != "text/x" || h.Metadata["m"] != "1" || *h.TagCount != 1 {
		t.Fatalf("copied head %+v", h)
	}
	must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst-b"), Key: aws.String("copy2"), CopySource: aws.String("src-b/a%20b%2Bc"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/y"), Metadata: map[string]string{"n": "2"}}))
	h = must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst-b"), Key: aws.String("copy2")}))
	if *h.ContentType != "text/y" || h.Metadata["n"] != "2" || h.Metadata["m"] != "" {
		t.Fatalf("replaced head %+v", h)
	}
	// Deleting the source leaves the copy intact (the copy has its own file names).
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("src-b"), Key: aws.String("a b+c")}))
	if e.get("dst-b", "copy") != "payload" {
		t.Fatal("copy lost its body")
	}
	_, err := e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst-b"), Key: aws.String("copy"), CopySource: aws.String("dst-b/copy")})
	wantErr(t, err, "InvalidRequest", 400, "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	_, err = e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst-b"), Key: aws.String("x"), CopySource: aws.String("src-b/a%20b%2Bc")})
	wantErr(t, err, "NoSuchKey", 404, "")
	_, err = e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst-b"), Key: aws.String("x"), CopySource: aws.String("dst-b/copy"),
		CopySourceIfMatch: aws.String(`"abc"`)})
	wantErr(t, err, "PreconditionFailed", 412, "")
}

func TestDeleteObjects(t *testing.T) {
	e := newEnv(t)
	e.bucket("multi-del")
	for _, k := range []string{"a", "b", "c"} {
		e.put("multi-del", k, k)
	}
	out := must(e.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("multi-del"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("a")}, {Key: aws.String("b")}, {Key: aws.String("zz")}}}}))
	if len(out.Deleted) != 3 || len(out.Errors) != 0 {
		t.Fatalf("deleted %+v errors %+v", out.Deleted, out.Errors)
	}
	l := must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("multi-del")}))
	if len(l.Contents) != 1 || *l.Contents[0].Key != "c" {
		t.Fatalf("left %+v", l.Contents)
	}
	// Each key is authorized on its own.
	e.put("multi-del", "keep/x", "x")
	u := e.user("deleter", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::multi-del/c"}]}`)
	out = must(u.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("multi-del"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("c")}, {Key: aws.String("keep/x")}}}}))
	if len(out.Deleted) != 1 || len(out.Errors) != 1 || *out.Errors[0].Code != "AccessDenied" || *out.Errors[0].Key != "keep/x" {
		t.Fatalf("per-key authorization: deleted %+v errors %+v", out.Deleted, out.Errors)
	}
}
