package s3_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
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
