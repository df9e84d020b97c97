package s3_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

// signedRaw sends a request signed by the root key with the given headers and
// returns the status and body (for the error members the SDK decodes away).
func (e *env) signedRaw(method, path string, hdr map[string]string, body string) (int, string) {
	e.Helper()
	req, _ := http.NewRequest(method, e.p.URL+path, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256([]byte(body))
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	apptest.SignAsRoot(e, req, "s3", hex.EncodeToString(sum[:]))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// wantXMLError checks a raw S3 error answer's status and the given elements.
func wantXMLError(t *testing.T, status int, body string, wantStatus int, elems ...string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d: %s", status, wantStatus, body)
	}
	for _, el := range elems {
		if !strings.Contains(body, el) {
			t.Fatalf("want %s in\n%s", el, body)
		}
	}
}

func ssecHeaders(alg, key, md string) map[string]string {
	h := map[string]string{}
	if alg != "" {
		h["x-amz-server-side-encryption-customer-algorithm"] = alg
	}
	if key != "" {
		h["x-amz-server-side-encryption-customer-key"] = key
	}
	if md != "" {
		h["x-amz-server-side-encryption-customer-key-MD5"] = md
	}
	return h
}

func b64md5(b []byte) string {
	s := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

// An x-amz-server-side-encryption value S3 does not know is S3's InvalidArgument
// naming the header (recorded for an empty value, aws/aws-sdk-cpp#1771), not the
// model validation's enumeration message.
func TestSSEHeaderValueNotSupported(t *testing.T) {
	e := newEnv(t)
	e.bucket("sse-values")
	for _, v := range []string{"bogus", ""} {
		st, body := e.signedRaw("PUT", "/sse-values/k", map[string]string{"x-amz-server-side-encryption": v}, "x")
		wantXMLError(t, st, body, 400, "<Code>InvalidArgument</Code>", "<Message>The encryption method specified is not supported</Message>",
			"<ArgumentName>x-amz-server-side-encryption</ArgumentName>")
		if v != "" && !strings.Contains(body, "<ArgumentValue>"+v+"</ArgumentValue>") {
			t.Fatalf("ArgumentValue: %s", body)
		}
	}
}

// SSE-C header errors as S3 was recorded answering them (LocalStack's AWS-validated
// SSE-C recordings; aws-sdk-go#2724, aws-sdk-php#1050, aws-sdk-go#1726): a bad
// algorithm is InvalidEncryptionAlgorithmError, and these errors name
// x-amz-server-side-encryption; the MD5 is checked before the key's length.
func TestSSECustomerHeaderErrors(t *testing.T) {
	e := newEnv(t)
	e.bucket("ssec-errors")
	e.allowSSEC("ssec-errors")
	key := bytes.Repeat([]byte{7}, 32)
	k64 := base64.StdEncoding.EncodeToString(key)
	md := b64md5(key)
	st, body := e.signedRaw("PUT", "/ssec-errors/k", ssecHeaders("AES512", k64, md), "x")
	wantXMLError(t, st, body, 400, "<Code>InvalidEncryptionAlgorithmError</Code>",
		"<Message>The Encryption request you specified is not valid. Supported value: AES256.</Message>",
		"<ArgumentName>x-amz-server-side-encryption</ArgumentName>", "<ArgumentValue>AES512</ArgumentValue>")
	st, body = e.signedRaw("PUT", "/ssec-errors/k", ssecHeaders("", k64, md), "x")
	wantXMLError(t, st, body, 400, "<Code>InvalidArgument</Code>",
		"<Message>Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.</Message>",
		"<ArgumentName>x-amz-server-side-encryption</ArgumentName>", "<ArgumentValue>null</ArgumentValue>")
	st, body = e.signedRaw("PUT", "/ssec-errors/k", ssecHeaders("AES256", k64, b64md5([]byte("other"))), "x")
	wantXMLError(t, st, body, 400, "<Code>InvalidArgument</Code>",
		"<Message>The calculated MD5 hash of the key did not match the hash that was provided.</Message>",
		"<ArgumentName>x-amz-server-side-encryption</ArgumentName>", "<ArgumentValue>null</ArgumentValue>")
	// A 24-byte key with an MD5 that is not its own: the MD5 answer.
	short := bytes.Repeat([]byte{1}, 24)
	st, body = e.signedRaw("PUT", "/ssec-errors/k", ssecHeaders("AES256", base64.StdEncoding.EncodeToString(short), b64md5([]byte("other"))), "x")
	wantXMLError(t, st, body, 400, "<Message>The calculated MD5 hash of the key did not match the hash that was provided.</Message>")
	// With its own MD5 it is the wrong length.
	st, body = e.signedRaw("PUT", "/ssec-errors/k", ssecHeaders("AES256", base64.StdEncoding.EncodeToString(short), b64md5(short)), "x")
	wantXMLError(t, st, body, 400, "<Message>The secret key was invalid for the specified algorithm.</Message>")
}

// UploadPart with another customer key than the upload's is 400 InvalidRequest, not
// the 403 of a GET with a wrong key (LocalStack's AWS-validated recordings).
func TestSSECustomerUploadPartOtherKey(t *testing.T) {
	e := newEnv(t)
	e.bucket("ssec-mp")
	e.allowSSEC("ssec-mp")
	key := bytes.Repeat([]byte{7}, 32)
	other := bytes.Repeat([]byte{8}, 32)
	up := must(e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ssec-mp"), Key: aws.String("k"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(base64.StdEncoding.EncodeToString(key)), SSECustomerKeyMD5: aws.String(b64md5(key))}))
	_, err := e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("ssec-mp"), Key: aws.String("k"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("p"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(base64.StdEncoding.EncodeToString(other)), SSECustomerKeyMD5: aws.String(b64md5(other))})
	wantErr(t, err, "InvalidRequest", 400, "The provided encryption parameters did not match the ones used originally.")
	out := must(e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("ssec-mp"), Key: aws.String("k"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("p"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(base64.StdEncoding.EncodeToString(key)), SSECustomerKeyMD5: aws.String(b64md5(key))}))
	if aws.ToString(out.SSECustomerKeyMD5) != b64md5(key) {
		t.Fatalf("part %+v", out)
	}
}

// An encryption context that is not base64 JSON of strings gets S3's recorded message
// (HADOOP-19197, 2024).
func TestSSEKMSContextInvalid(t *testing.T) {
	e := newEnv(t)
	e.bucket("ctx-invalid")
	for _, v := range []string{"notbase64!", base64.StdEncoding.EncodeToString([]byte(`{"a":1}`))} {
		st, body := e.signedRaw("PUT", "/ctx-invalid/k", map[string]string{"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-context": v}, "x")
		wantXMLError(t, st, body, 400, "<Code>InvalidArgument</Code>",
			"<Message>The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map</Message>")
	}
}

// S3 Bucket Keys aren't supported for DSSE-KMS (User Guide, "Reducing the cost of
// SSE-KMS with Amazon S3 Bucket Keys"): a DSSE-KMS object uses no Bucket Key even
// when the bucket's default enables one, and its context names the object.
func TestDSSENoBucketKey(t *testing.T) {
	e := newEnv(t)
	e.bucket("dsse-bk")
	must(e.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("dsse-bk"), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKmsDsse}, BucketKeyEnabled: aws.Bool(true)}}}}))
	for _, in := range []*s3.PutObjectInput{
		{Bucket: aws.String("dsse-bk"), Key: aws.String("default"), Body: strings.NewReader("x")},
		{Bucket: aws.String("dsse-bk"), Key: aws.String("explicit"), Body: strings.NewReader("x"), ServerSideEncryption: types.ServerSideEncryptionAwsKmsDsse, BucketKeyEnabled: aws.Bool(true)},
	} {
		out := must(e.s3.PutObject(ctx, in))
		if out.ServerSideEncryption != types.ServerSideEncryptionAwsKmsDsse || aws.ToBool(out.BucketKeyEnabled) {
			t.Fatalf("%s: sse %q bucket key %v", *in.Key, out.ServerSideEncryption, aws.ToBool(out.BucketKeyEnabled))
		}
		raw, _ := base64.StdEncoding.DecodeString(aws.ToString(out.SSEKMSEncryptionContext))
		var c map[string]string
		json.Unmarshal(raw, &c)
		if c["aws:s3:arn"] != "arn:aws:s3:::dsse-bk/"+*in.Key {
			t.Fatalf("%s: context %s", *in.Key, raw)
		}
		h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dsse-bk"), Key: in.Key}))
		if aws.ToBool(h.BucketKeyEnabled) {
			t.Fatalf("%s: HEAD reports a bucket key", *in.Key)
		}
		if e.get("dsse-bk", *in.Key) != "x" {
			t.Fatal("read back")
		}
	}
}
