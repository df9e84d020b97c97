package s3_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

var ctx = apptest.Context()

const account = "000000000000"

// env is one test server with S3 and IAM clients signed by the root key.
type env struct {
	*testing.T
	p   *apptest.Palisade
	s3  *s3.Client
	iam *iam.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	p := apptest.Start(t)
	return &env{T: t, p: p, s3: s3Client(p.RootConfig()), iam: iam.NewFromConfig(p.RootConfig())}
}

func s3Client(cfg aws.Config, opts ...func(*s3.Options)) *s3.Client {
	return s3.NewFromConfig(cfg, append([]func(*s3.Options){func(o *s3.Options) { o.UsePathStyle = true }}, opts...)...)
}

// user creates an IAM user with an access key and the given inline policy ("" for
// none) and returns an S3 client signed as the user.
func (e *env) user(name, policy string) *s3.Client {
	e.Helper()
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
	if policy != "" {
		must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}))
	}
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).AccessKey
	return s3Client(e.p.Config(*k.AccessKeyId, *k.SecretAccessKey, ""))
}

func (e *env) bucket(name string) {
	e.Helper()
	must(e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}))
}

func (e *env) put(bucket, key, body string) *s3.PutObjectOutput {
	e.Helper()
	return must(e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader([]byte(body))}))
}

func (e *env) get(bucket, key string) string {
	e.Helper()
	out := must(e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}))
	defer out.Body.Close()
	b := must(io.ReadAll(out.Body))
	return string(b)
}

func must[T any](v T, err error) T { return apptest.Must(v, err) }

// wantErr is apptest.WantErr.
var wantErr = apptest.WantErr

// otherAccount gives a second account a root key and returns an S3 client signed
// with it (Palisade creates accounts through Organizations; tests install the key
// directly).
func (e *env) otherAccount(id string) *s3.Client {
	e.Helper()
	return s3Client(e.p.AccountConfig(id))
}

// region returns a root client for another region.
func (e *env) region(r string) *s3.Client {
	return s3Client(e.p.RootConfig(), func(o *s3.Options) { o.Region = r })
}

// anon does an unsigned HTTP request and returns the status and body.
func (e *env) anon(method, path string, body []byte) (int, string) {
	e.Helper()
	req, err := http.NewRequest(method, e.p.URL+path, bytes.NewReader(body))
	if err != nil {
		e.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// anonSigned does a GET signed by the root key with the SDK's signer, returning the
// raw response (for what the SDK would decode away).
func (e *env) anonSigned(method, path string) (int, string) {
	e.Helper()
	req, _ := http.NewRequest(method, e.p.URL+path, nil)
	empty := sha256.Sum256(nil)
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(empty[:]))
	apptest.SignAsRoot(e, req, "s3", hex.EncodeToString(empty[:]))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func readBody(r io.ReadCloser) string {
	defer r.Close()
	b, _ := io.ReadAll(r)
	return string(b)
}

var (
	keyFormat    = regexp.MustCompile(`^logs/\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-F]{16}$`)
	recordFormat = regexp.MustCompile(`^[0-9a-f]{64} \S+ \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] \S+ \S+ [0-9A-F]{16} REST\.\w+\.\w+ \S+ "[^"]*" \d{3} \S+ \S+ \S+ \d+ \S+ "[^"]*" "[^"]*" \S+ \S+ SigV4 - AuthHeader \S+ - - -$`)
)

// allowSSEC lets a bucket take SSE-C objects, which new buckets refuse since April
// 2026 (BlockedEncryptionTypes NONE).
func (e *env) allowSSEC(bucket string) {
	e.Helper()
	must(e.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(bucket), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256},
			BlockedEncryptionTypes: &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{"NONE"}}}}}}))
}
