package s3_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// DeleteObjects takes an ETag per object and deletes that object only when its
// current version has that ETag; a failed precondition is that object's entry in
// Errors, the others are deleted (User Guide, "How to perform conditional deletes").
func TestDeleteObjectsETagCondition(t *testing.T) {
	e := newEnv(t)
	e.bucket("cond-del")
	for _, quiet := range []bool{false, true} {
		tag1 := *e.put("cond-del", "k1", "one").ETag
		e.put("cond-del", "k2", "two")
		out := must(e.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("cond-del"), Delete: &types.Delete{Quiet: aws.Bool(quiet), Objects: []types.ObjectIdentifier{
			{Key: aws.String("k1"), ETag: aws.String(tag1)},
			{Key: aws.String("k2"), ETag: aws.String(`"00000000000000000000000000000000"`)},
		}}}))
		if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "k2" || aws.ToString(out.Errors[0].Code) != "PreconditionFailed" ||
			aws.ToString(out.Errors[0].Message) != "At least one of the pre-conditions you specified did not hold" {
			t.Fatalf("quiet=%v: errors %+v", quiet, out.Errors)
		}
		if e.get("cond-del", "k2") != "two" {
			t.Fatal("k2 deleted although its ETag did not match")
		}
		if !quiet && (len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].Key) != "k1") {
			t.Fatalf("deleted %+v", out.Deleted)
		}
		_, err := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cond-del"), Key: aws.String("k1")})
		wantErr(t, err, "NotFound", 404, "")
	}
	e.put("cond-del", "k3", "three")
	// Without an ETag the delete is unconditional, as before.
	out := must(e.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("cond-del"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("k3")}}}}))
	if len(out.Errors) != 0 || len(out.Deleted) != 1 {
		t.Fatalf("unconditional delete: %+v %+v", out.Deleted, out.Errors)
	}
}

// GetObject's response-* parameters "cannot be used with an unsigned (anonymous)
// request" (GetObject, "Overriding response header values through the request"): S3
// answers 400 InvalidRequest; signed requests (and unsigned ones without them) read.
func TestAnonymousResponseOverrides(t *testing.T) {
	e := newEnv(t)
	e.bucket("anon-over")
	e.put("anon-over", "page", "<p>")
	must(e.s3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("anon-over")}))
	must(0, e.policy("anon-over", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::anon-over/*"}]}`))
	for _, q := range []string{"response-content-type=text/html", "response-content-disposition=attachment", "response-expires=Thu%2C%2001%20Dec%201994%2016%3A00%3A00%20GMT"} {
		code, body := e.anon("GET", "/anon-over/page?"+q, nil)
		if code != 400 || !strings.Contains(body, "<Code>InvalidRequest</Code><Message>Request specific response headers cannot be used for anonymous GET requests.</Message>") {
			t.Fatalf("anonymous %s: %d %s", q, code, body)
		}
	}
	if code, body := e.anon("GET", "/anon-over/page", nil); code != 200 || body != "<p>" {
		t.Fatalf("anonymous read: %d %s", code, body)
	}
	g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("anon-over"), Key: aws.String("page"), ResponseContentType: aws.String("text/html")}))
	g.Body.Close()
	if aws.ToString(g.ContentType) != "text/html" {
		t.Fatalf("signed override: %q", aws.ToString(g.ContentType))
	}
}

// A copy is stored in STANDARD unless x-amz-storage-class says otherwise, whatever the
// source's class; x-amz-website-redirect-location is never copied from the source
// (with either metadata directive): the copy has the one the request gives (CopyObject
// API reference, StorageClass, MetadataDirective and WebsiteRedirectLocation).
func TestCopyStorageClassAndRedirect(t *testing.T) {
	e := newEnv(t)
	e.bucket("copy-sc")
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("copy-sc"), Key: aws.String("src"), Body: strings.NewReader("x"),
		StorageClass: types.StorageClassStandardIa, WebsiteRedirectLocation: aws.String("/elsewhere.html")}))
	head := func(key string) *s3.HeadObjectOutput {
		t.Helper()
		return must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("copy-sc"), Key: aws.String(key)}))
	}
	if h := head("src"); h.StorageClass != types.StorageClassStandardIa || aws.ToString(h.WebsiteRedirectLocation) != "/elsewhere.html" {
		t.Fatalf("source: %q %q", h.StorageClass, aws.ToString(h.WebsiteRedirectLocation))
	}
	for _, d := range []types.MetadataDirective{"", types.MetadataDirectiveCopy, types.MetadataDirectiveReplace} {
		key := "plain-" + string(d)
		must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copy-sc"), Key: aws.String(key), CopySource: aws.String("copy-sc/src"), MetadataDirective: d}))
		if h := head(key); h.StorageClass != "" || h.WebsiteRedirectLocation != nil {
			t.Fatalf("directive %q: copy has class %q, redirect %q; want STANDARD and none", d, h.StorageClass, aws.ToString(h.WebsiteRedirectLocation))
		}
		key = "given-" + string(d)
		must(e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copy-sc"), Key: aws.String(key), CopySource: aws.String("copy-sc/src"), MetadataDirective: d,
			StorageClass: types.StorageClassStandardIa, WebsiteRedirectLocation: aws.String("/there.html")}))
		if h := head(key); h.StorageClass != types.StorageClassStandardIa || aws.ToString(h.WebsiteRedirectLocation) != "/there.html" {
			t.Fatalf("directive %q with both headers: class %q, redirect %q", d, h.StorageClass, aws.ToString(h.WebsiteRedirectLocation))
		}
	}
	list := must(e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("copy-sc"), Prefix: aws.String("plain-")}))
	for _, o := range list.Contents {
		if o.StorageClass != types.ObjectStorageClassStandard {
			t.Fatalf("listed %s as %q", aws.ToString(o.Key), o.StorageClass)
		}
	}
}

// x-amz-server-side-encryption chooses how a write encrypts: a GET or HEAD of an
// SSE-S3 (or SSE-KMS) object that sends it is 400 (GetObject and HeadObject API
// reference, "Encryption"); S3 answers InvalidArgument "x-amz-server-side-encryption
// header is not supported for this operation." (s3tools/s3cmd#276).
func TestReadWithEncryptionHeader(t *testing.T) {
	e := newEnv(t)
	e.bucket("read-sse")
	e.put("read-sse", "k", "body")
	send := func(method string, hdr map[string]string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, e.p.URL+"/read-sse/k", nil)
		if err != nil {
			t.Fatal(err)
		}
		const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		req.Header.Set("X-Amz-Content-Sha256", empty)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		apptest.SignAsRoot(e, req, "s3", empty)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp, readAll(resp)
	}
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		r, body := send(method, map[string]string{"x-amz-server-side-encryption": "AES256"})
		if r.StatusCode != 400 {
			t.Fatalf("%s with x-amz-server-side-encryption: %d %s", method, r.StatusCode, body)
		}
		if method == http.MethodGet && !strings.Contains(body, "<Code>InvalidArgument</Code><Message>x-amz-server-side-encryption header is not supported for this operation.</Message>") {
			t.Fatalf("GET with x-amz-server-side-encryption: %s", body)
		}
		if r, body := send(method, nil); r.StatusCode != 200 {
			t.Fatalf("%s: %d %s", method, r.StatusCode, body)
		}
	}
}
