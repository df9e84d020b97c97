package s3_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The answers in this file are AWS's, recorded against us-east-1 in 2026 and published
// in the radkawar/stackd repository under testdata/aws/s3/ (the file is named in each
// case), for object reads and writes.

// TestRecordedPresignedHeaders: a presigned GET carries x-amz-expected-bucket-owner in
// its query and S3 holds the bucket to it (presigned_headers.json).
func TestRecordedPresignedHeaders(t *testing.T) {
	e := newEnv(t)
	b := aws.String("presigned-headers")
	e.bucket(*b)
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("owned-presign-object"), Body: strings.NewReader("owned synthetic payload 12345"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256}))
	presign := s3.NewPresignClient(e.s3)
	for _, c := range []struct {
		owner string
		code  int
	}{{account, 200}, {"999999999999", 403}} {
		req := must(presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("owned-presign-object"), ExpectedBucketOwner: aws.String(c.owner)}))
		if !strings.Contains(req.URL, "x-amz-expected-bucket-owner="+c.owner) {
			t.Fatalf("the SDK no longer hoists the owner into the query: %s", req.URL)
		}
		resp := must(http.Get(req.URL))
		got := readAll(resp)
		if resp.StatusCode != c.code || c.code == 403 && !strings.Contains(got, "<Code>AccessDenied</Code><Message>Access Denied</Message>") {
			t.Errorf("presigned owner %s: %d %s", c.owner, resp.StatusCode, got)
		}
	}
	// Both the header and the query parameter: refused even when they agree
	// (owner-query-header-conflict, owner-query-header-same; recorded for presigned
	// URLs, a header-signed request by analogy).
	for _, q := range []string{"999999999999", account} {
		code, got := e.signed("GET", "/presigned-headers/owned-presign-object?x-amz-expected-bucket-owner="+q, map[string]string{"x-amz-expected-bucket-owner": account}, "")
		wantXMLError(t, code, got, 400, "<Code>InvalidBucketOwnerAWSAccountID</Code>",
			"<Message>Expected bucket owner must be provided as either a header or parameter, not both</Message>")
	}
	code, got := e.signed("GET", "/presigned-headers/owned-presign-object?x-amz-expected-bucket-owner=999999999999", nil, "")
	wantXMLError(t, code, got, 403, "<Code>AccessDenied</Code>")

	// x-amz-checksum-mode is a header only: in the query (either case) it is ignored
	// and no checksum is answered (owner-query-correct, checksum-query-capitalized,
	// checksum-header-only).
	req := must(presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("owned-presign-object"), ChecksumMode: types.ChecksumModeEnabled}))
	if !strings.Contains(req.URL, "X-Amz-Checksum-Mode=ENABLED") {
		t.Fatalf("the SDK no longer hoists the checksum mode into the query: %s", req.URL)
	}
	resp := must(http.Get(req.URL))
	if got := readAll(resp); resp.StatusCode != 200 || resp.Header.Get("x-amz-checksum-sha256") != "" || resp.Header.Get("x-amz-checksum-type") != "" {
		t.Errorf("checksum mode in the query: %d %v %s", resp.StatusCode, resp.Header, got)
	}
}
