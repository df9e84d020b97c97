package s3_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// signed sends a request signed by the root key with the given headers and body and
// returns the status and body: for the error fields the SDK's generic error drops.
func (e *env) signed(method, path string, headers map[string]string, body string) (int, string) {
	e.Helper()
	req, err := http.NewRequest(method, e.p.URL+path, strings.NewReader(body))
	if err != nil {
		e.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	apptest.SignAsRoot(e, req, "s3", hash)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.Fatal(err)
	}
	return resp.StatusCode, readAll(resp)
}

// begin starts a one-part upload of key and returns its ID and completed parts.
func (e *env) begin(bucket, key string) (*string, []types.CompletedPart) {
	e.Helper()
	cr := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)}))
	up := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: cr.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("test"))}))
	return cr.UploadId, []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: up.ETag}}
}

const conflictMsg = "The conditional request cannot succeed due to a conflicting operation against this resource."

// A conditional completion whose condition holds is refused with 409
// ConditionalRequestConflict when the key was written or deleted after the upload
// began, after the 412 and 404 of the condition itself: the sequences of LocalStack's
// AWS recordings (test_s3_api.py, TestS3ObjectWritePrecondition).
func TestCompleteUploadConflict(t *testing.T) {
	e := newEnv(t)
	e.bucket("mpc")
	ok := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	complete := func(key string, id *string, parts []types.CompletedPart, ifMatch, ifNoneMatch *string) error {
		_, err := e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpc"), Key: aws.String(key), UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}, IfMatch: ifMatch, IfNoneMatch: ifNoneMatch})
		return err
	}
	star := aws.String("*")

	// test_multipart_if_none_match_with_delete: the object exists (412), is deleted
	// (409); a new upload succeeds.
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("mpc"), Key: aws.String("nm-del"), Body: strings.NewReader(""), IfNoneMatch: star}))
	id, parts := e.begin("mpc", "nm-del")
	wantErr(t, complete("nm-del", id, parts, nil, star), "PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold")
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("mpc"), Key: aws.String("nm-del")}))
	wantErr(t, complete("nm-del", id, parts, nil, star), "ConditionalRequestConflict", 409, conflictMsg)
	// The error's Condition and Key, which the SDK's generic error drops.
	xml := `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>` + *parts[0].ETag + `</ETag></Part></CompleteMultipartUpload>`
	code, body := e.signed("POST", "/mpc/nm-del?uploadId="+*id, map[string]string{"If-None-Match": "*"}, xml)
	if code != 409 || !strings.Contains(body, "<Code>ConditionalRequestConflict</Code><Message>"+conflictMsg+"</Message>") ||
		!strings.Contains(body, "<Condition>If-None-Match</Condition>") || !strings.Contains(body, "<Key>nm-del</Key>") {
		t.Fatalf("conflict: %d %s", code, body)
	}
	id, parts = e.begin("mpc", "nm-del")
	ok(complete("nm-del", id, parts, nil, star))

	// test_multipart_if_none_match_with_put: an object created during the upload is
	// the precondition's failure, not a conflict.
	id, parts = e.begin("mpc", "nm-put")
	must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("mpc"), Key: aws.String("nm-put"), Body: strings.NewReader(""), IfNoneMatch: star}))
	wantErr(t, complete("nm-put", id, parts, nil, star), "PreconditionFailed", 412, "")

	// test_multipart_if_match_with_put: the ETag from before the upload no longer
	// matches (412); the one written during it matches but conflicts (409).
	etag1 := e.put("mpc", "m-put", "test").ETag
	id, parts = e.begin("mpc", "m-put")
	etag2 := e.put("mpc", "m-put", "test2").ETag
	wantErr(t, complete("m-put", id, parts, etag1, nil), "PreconditionFailed", 412, "")
	wantErr(t, complete("m-put", id, parts, etag2, nil), "ConditionalRequestConflict", 409, conflictMsg)
	code, body = e.signed("POST", "/mpc/m-put?uploadId="+*id, map[string]string{"If-Match": *etag2},
		`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>`+*parts[0].ETag+`</ETag></Part></CompleteMultipartUpload>`)
	if code != 409 || !strings.Contains(body, "<Condition>If-Match</Condition>") || !strings.Contains(body, "<Key>m-put</Key>") {
		t.Fatalf("If-Match conflict: %d %s", code, body)
	}
	id, parts = e.begin("mpc", "m-put")
	ok(complete("m-put", id, parts, etag2, nil))

	// test_multipart_if_match_with_put_identical: the same content written again
	// during the upload still conflicts.
	etag := e.put("mpc", "m-same", "test").ETag
	id, parts = e.begin("mpc", "m-same")
	if again := e.put("mpc", "m-same", "test").ETag; *again != *etag {
		t.Fatalf("ETags %s %s", *again, *etag)
	}
	wantErr(t, complete("m-same", id, parts, etag, nil), "ConditionalRequestConflict", 409, conflictMsg)

	// test_multipart_if_match_with_delete: deleted during the upload (404), then
	// written again (409).
	etag = e.put("mpc", "m-del", "test").ETag
	id, parts = e.begin("mpc", "m-del")
	must(e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("mpc"), Key: aws.String("m-del")}))
	wantErr(t, complete("m-del", id, parts, etag, nil), "NoSuchKey", 404, "The specified key does not exist.")
	etag = e.put("mpc", "m-del", "test").ETag
	wantErr(t, complete("m-del", id, parts, etag, nil), "ConditionalRequestConflict", 409, conflictMsg)

	// test_multipart_if_match_etag: a completion that replaced the object before the
	// next upload began is no conflict for it.
	etag = e.put("mpc", "m-etag", "test").ETag
	id, parts = e.begin("mpc", "m-etag")
	first := must(e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpc"), Key: aws.String("m-etag"), UploadId: id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}, IfMatch: etag}))
	id, parts = e.begin("mpc", "m-etag")
	wantErr(t, complete("m-etag", id, parts, etag, nil), "PreconditionFailed", 412, "")
	ok(complete("m-etag", id, parts, first.ETag, nil))

	// Without a condition, the last writer wins as before.
	id, parts = e.begin("mpc", "plain")
	e.put("mpc", "plain", "during")
	ok(complete("plain", id, parts, nil, nil))
	if got := e.get("mpc", "plain"); got != "test" {
		t.Fatalf("plain completion: %q", got)
	}
}

// Conditional writes racing on one key: exactly one of many concurrent If-None-Match
// PUTs of a new key succeeds, and of many concurrent If-Match PUTs naming the same
// ETag exactly one succeeds, the rest 412 — also while reads keep the object cache
// warm. Concurrent writes commit in one transaction, where a write must see the
// uncommitted writes before it in its batch, not the object cache (currentForWrite).
func TestConditionalWritesRacing(t *testing.T) {
	e := newEnv(t)
	e.bucket("race-cond")
	const n = 32
	status := func(err error) int {
		if err == nil {
			return 200
		}
		var re interface{ HTTPStatusCode() int }
		if errors.As(err, &re) {
			return re.HTTPStatusCode()
		}
		t.Errorf("unexpected error %v", err)
		return 0
	}
	var writes atomic.Int64 // every body differs: a write must change the ETag
	round := func(key string, cond func(in *s3.PutObjectInput)) (wins int) {
		var wg sync.WaitGroup
		codes := make([]int, n)
		for i := range n {
			wg.Add(2)
			go func() {
				defer wg.Done()
				in := &s3.PutObjectInput{Bucket: aws.String("race-cond"), Key: aws.String(key), Body: strings.NewReader(fmt.Sprint("body ", writes.Add(1)))}
				cond(in)
				_, err := e.s3.PutObject(ctx, in)
				codes[i] = status(err)
			}()
			go func() { // reads fill the object cache between writes
				defer wg.Done()
				e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("race-cond"), Key: aws.String(key)})
			}()
		}
		wg.Wait()
		for _, c := range codes {
			switch c {
			case 200:
				wins++
			case 412:
			default:
				t.Errorf("%s: status %d", key, c)
			}
		}
		return wins
	}
	for r := range 5 {
		key := fmt.Sprint("k", r)
		if w := round(key, func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") }); w != 1 {
			t.Fatalf("round %d: %d If-None-Match writes of a new key succeeded, want 1", r, w)
		}
		for range 3 {
			head := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("race-cond"), Key: aws.String(key)}))
			if w := round(key, func(in *s3.PutObjectInput) { in.IfMatch = head.ETag }); w != 1 {
				t.Fatalf("round %d: %d If-Match writes naming one ETag succeeded, want 1", r, w)
			}
		}
	}
}

// One DeleteObjects naming a key twice with its ETag deletes it once: the second
// entry finds no object (its first entry's write, not yet committed, is what the
// second reads — not the object cache, which still holds the object).
func TestDeleteObjectsSameKeyTwice(t *testing.T) {
	e := newEnv(t)
	e.bucket("twice")
	put := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("twice"), Key: aws.String("k"), Body: strings.NewReader("x")}))
	must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("twice"), Key: aws.String("k")}))
	out := must(e.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("twice"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("k"), ETag: put.ETag}, {Key: aws.String("k"), ETag: put.ETag}}}}))
	if len(out.Deleted) != 1 || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "NoSuchKey" {
		t.Fatalf("deleted %d, errors %+v", len(out.Deleted), out.Errors)
	}
}
