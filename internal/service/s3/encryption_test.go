package s3_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

func TestBodiesEncryptedOnDisk(t *testing.T) {
	e := newEnv(t)
	e.bucket("disk")
	marker := "zq-plaintext-marker-7731"
	e.put("disk", "k", strings.Repeat(marker, 100))
	must(e.upload("disk", "mp", [][]byte{bytes.Repeat([]byte(marker), 300000), []byte(marker)}, ""))
	found := false
	filepath.Walk(e.p.DataDir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(path)
		if bytes.Contains(b, []byte(marker)) {
			t.Errorf("plaintext in %s", path)
		}
		if strings.Contains(path, string(filepath.Separator)+"s3"+string(filepath.Separator)+"data") {
			found = true
		}
		return nil
	})
	if !found {
		t.Fatal("no body files under <data-dir>/s3/data")
	}
	if e.get("disk", "k") != strings.Repeat(marker, 100) {
		t.Fatal("round trip")
	}
}

func TestSSECustomerKeys(t *testing.T) {
	e := newEnv(t)
	e.bucket("ssec")
	e.allowSSEC("ssec")
	key := bytes.Repeat([]byte{7}, 32)
	k64 := base64.StdEncoding.EncodeToString(key)
	sum := md5.Sum(key)
	md := base64.StdEncoding.EncodeToString(sum[:])
	out := must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("k"), Body: strings.NewReader("customer secret"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k64), SSECustomerKeyMD5: aws.String(md)}))
	if *out.SSECustomerAlgorithm != "AES256" || *out.SSECustomerKeyMD5 != md || out.ServerSideEncryption != "" {
		t.Fatalf("put sse-c %+v", out)
	}
	g := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("k"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k64), SSECustomerKeyMD5: aws.String(md)}))
	if readBody(g.Body) != "customer secret" {
		t.Fatal("sse-c round trip")
	}
	_, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("k")})
	wantErr(t, err, "InvalidRequest", 400, "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
	other := bytes.Repeat([]byte{8}, 32)
	osum := md5.Sum(other)
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("k"), SSECustomerAlgorithm: aws.String("AES256"),
		SSECustomerKey: aws.String(base64.StdEncoding.EncodeToString(other)), SSECustomerKeyMD5: aws.String(base64.StdEncoding.EncodeToString(osum[:]))})
	wantErr(t, err, "AccessDenied", 403, "Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.")
	_, err = e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("k2"), Body: strings.NewReader("x"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k64), SSECustomerKeyMD5: aws.String(base64.StdEncoding.EncodeToString(osum[:]))})
	wantErr(t, err, "InvalidArgument", 400, "The calculated MD5 hash of the key did not match the hash that was provided.")
	e.put("ssec", "plain", "p")
	_, err = e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("plain"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k64), SSECustomerKeyMD5: aws.String(md)})
	wantErr(t, err, "InvalidRequest", 400, "The encryption parameters are not applicable to this object.")
}

func TestBucketDefaultEncryption(t *testing.T) {
	e := newEnv(t)
	e.bucket("enc")
	_, err := e.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("enc"), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256, KMSMasterKeyID: aws.String("alias/x")}}}}})
	wantErr(t, err, "InvalidArgument", 400, "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
	must(e.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("enc"), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("alias/app")}, BucketKeyEnabled: aws.Bool(true)}}}}))
	got := must(e.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("enc")})).ServerSideEncryptionConfiguration.Rules[0]
	if got.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAwsKms || *got.ApplyServerSideEncryptionByDefault.KMSMasterKeyID != "alias/app" || !*got.BucketKeyEnabled {
		t.Fatalf("encryption %+v", got)
	}
	must(e.s3.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("enc")}))
	got = must(e.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("enc")})).ServerSideEncryptionConfiguration.Rules[0]
	if got.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Fatalf("after delete %+v", got)
	}
	// Anonymous SSE-KMS requests need SigV4.
	must(e.s3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("enc")}))
	must(0, e.policy("enc", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::enc/*"}]}`))
	req, _ := http.NewRequest("PUT", e.p.URL+"/enc/anon", strings.NewReader("x"))
	req.Header.Set("x-amz-server-side-encryption", "aws:kms")
	resp := must(http.DefaultClient.Do(req))
	if b := readAll(resp); resp.StatusCode != 400 || !strings.Contains(b, "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.") {
		t.Fatalf("anonymous sse-kms: %d %s", resp.StatusCode, b)
	}
}

// chunkedPut sends an aws-chunked STREAMING-UNSIGNED-PAYLOAD-TRAILER upload with a
// CRC32 trailer, as the SDKs do over TLS.
func chunkedPut(t *testing.T, p *apptest.Palisade, path string, body []byte, crc string) (int, string) {
	var b bytes.Buffer
	for off := 0; off < len(body); off += 1000 {
		end := min(off+1000, len(body))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", end-off, body[off:end])
	}
	fmt.Fprintf(&b, "0\r\nx-amz-checksum-crc32:%s\r\n\r\n", crc)
	req, _ := http.NewRequest("PUT", p.URL+path, bytes.NewReader(b.Bytes()))
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(body)))
	req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	req.Header.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
	creds := aws.Credentials{AccessKeyID: apptest.RootAccessKeyID, SecretAccessKey: apptest.RootSecret}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "s3", apptest.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp := must(http.DefaultClient.Do(req))
	return resp.StatusCode, readAll(resp)
}

func TestChunkedUploadTrailerChecksum(t *testing.T) {
	e := newEnv(t)
	e.bucket("chunked")
	body := bytes.Repeat([]byte("trailer body "), 500)
	sum := crc32.ChecksumIEEE(body)
	good := base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
	if code, out := chunkedPut(t, e.p, "/chunked/ok", body, good); code != 200 {
		t.Fatalf("chunked upload: %d %s", code, out)
	}
	if e.get("chunked", "ok") != string(body) {
		t.Fatal("chunked body")
	}
	h := must(e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("chunked"), Key: aws.String("ok"), ChecksumMode: types.ChecksumModeEnabled}))
	if h.ChecksumCRC32 == nil || *h.ChecksumCRC32 != good || h.ContentEncoding != nil {
		t.Fatalf("stored checksum %v, content-encoding %v", h.ChecksumCRC32, h.ContentEncoding)
	}
	code, out := chunkedPut(t, e.p, "/chunked/bad", body, "AAAAAA==")
	if code != 400 || !strings.Contains(out, "<Code>BadDigest</Code><Message>The CRC32 you specified did not match the calculated checksum.</Message>") {
		t.Fatalf("bad trailer: %d %s", code, out)
	}
	_, err := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("chunked"), Key: aws.String("bad")})
	wantErr(t, err, "NotFound", 404, "")
	// Nothing is left behind in the temporary directory.
	tmp, _ := os.ReadDir(filepath.Join(e.p.DataDir, "s3", "tmp"))
	if len(tmp) != 0 {
		t.Fatalf("temporary files left: %d", len(tmp))
	}
}
