package sigv4

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// fakeAWS is the smallest server that runs this package the way the Palisade
// pipeline will: Parse, CheckScope, look up the secret, Verify, wrap the body. It
// answers sts:GetCallerIdentity and S3 PUT/GET of objects, so that unmodified
// clients (the AWS SDK for Go v2 and the AWS CLI) can be pointed at it.
type fakeAWS struct {
	t       *testing.T
	v       Verifier
	mu      sync.Mutex
	objects map[string][]byte
	seen    []string // "<service> <payload claim> <presigned>" per verified request
	refused []error
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, err := Parse(r)
	if err == nil {
		err = a.CheckScope("us-east-1", a.Scope.Service)
	}
	hash := ""
	if err == nil && a.NeedsBodyHash() {
		hash, err = BufferBody(r, 1<<20)
	}
	var vr *Verified
	if err == nil {
		secret := []byte(testSecret)
		if a.AccessKeyID != testAKID {
			err = UnknownAccessKey(a)
		} else {
			vr, err = f.v.Verify(r, a, secret, time.Now(), hash)
		}
	}
	var data []byte
	var body *Body
	if err == nil {
		body = vr.Body(r.Body)
		data, err = io.ReadAll(body)
	}
	if err != nil {
		f.mu.Lock()
		f.refused = append(f.refused, err)
		f.mu.Unlock()
		f.writeError(w, err)
		return
	}
	f.mu.Lock()
	f.seen = append(f.seen, fmt.Sprintf("%s %s %v %s %v", a.Scope.Service, a.PayloadHash, a.Presigned, r.Method, r.Header))
	f.mu.Unlock()
	switch {
	case a.Scope.Service == "sts":
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>arn:aws:iam::123456789012:user/e2e</Arn><UserId>AIDAE2E</UserId><Account>123456789012</Account>`+
			`</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	case r.Method == http.MethodPut:
		if c := body.Trailer().Get("X-Amz-Checksum-Crc32"); c != "" && c != crc32Base64(data) {
			f.writeError(w, errors.New("trailer checksum "+c+" != "+crc32Base64(data)))
			return
		}
		f.mu.Lock()
		f.objects[r.URL.Path] = data
		f.mu.Unlock()
		w.Header().Set("ETag", `"e2e"`)
	case r.Method == http.MethodGet:
		f.mu.Lock()
		obj, ok := f.objects[r.URL.Path]
		f.mu.Unlock()
		if !ok {
			http.Error(w, "<Error><Code>NoSuchKey</Code></Error>", http.StatusNotFound)
			return
		}
		w.Write(obj)
	}
}

func (f *fakeAWS) writeError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p := S3
	if e.Service == "sts" {
		p = Query
	}
	resp := e.Response(p)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(resp.Status)
	fmt.Fprintf(w, "<ErrorResponse><Error><Code>%s</Code><Message>%s</Message></Error></ErrorResponse>", resp.Code, resp.Message)
}

func crc32Base64(b []byte) string {
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc32.ChecksumIEEE(b))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func startFakeAWS(t *testing.T) (*fakeAWS, *httptest.Server) {
	f := &fakeAWS{t: t, objects: map[string][]byte{}}
	srv := httptest.NewTLSServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeAWS) check(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, err := range f.refused {
		t.Errorf("server refused a client's request: %v\n%s", err, detail(err))
	}
}

// TestGoSDKEndToEnd drives the real S3 and STS clients: PutObject (aws-chunked with
// a CRC32 trailer over TLS), GetObject, a presigned GetObject and GetCallerIdentity.
func TestGoSDKEndToEnd(t *testing.T) {
	f, srv := startFakeAWS(t)
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", HTTPClient: srv.Client(),
		Credentials: credentials.NewStaticCredentialsProvider(testAKID, testSecret, "")}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL); o.UsePathStyle = true })
	data := testData(300000)
	for i, key := range []string{"plain.bin", "dir/with space+plus/ünï.bin"} {
		// A seekable body is hashed up front (UNSIGNED-PAYLOAD plus a checksum
		// header); a plain reader makes the SDK stream aws-chunked with a trailer.
		var body io.Reader = bytes.NewReader(data)
		if i == 0 {
			body = struct{ io.Reader }{body}
		}
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key),
			Body: body, ContentLength: aws.Int64(int64(len(data))), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}); err != nil {
			t.Fatalf("PutObject %q: %v", key, err)
		}
		out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject %q: %v", key, err)
		}
		got, _ := io.ReadAll(out.Body)
		if !bytes.Equal(got, data) {
			t.Fatalf("GetObject %q: %d bytes", key, len(got))
		}
		ps, err := s3.NewPresignClient(s3c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Get(ps.URL)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("presigned GET %s: %v %v", ps.URL, err, resp)
		}
		resp.Body.Close()
	}
	stsc := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	id, err := stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != "123456789012" {
		t.Fatalf("GetCallerIdentity: %v %v", id, err)
	}
	// The EKS token: a presigned GetCallerIdentity, signed over the empty body's hash.
	ps, err := sts.NewPresignClient(stsc).PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	preq, _ := http.NewRequest(ps.Method, ps.URL, nil)
	preq.Header = ps.SignedHeader.Clone()
	preq.Header.Del("Host")
	resp, err := srv.Client().Do(preq)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("presigned GetCallerIdentity %s: %v %v", ps.URL, err, resp)
	}
	resp.Body.Close()
	// A wrong secret is refused with AWS's code, which the SDK surfaces.
	bad := cfg.Copy()
	bad.Credentials = credentials.NewStaticCredentialsProvider(testAKID, "wrong", "")
	_, err = sts.NewFromConfig(bad, func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL) }).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Fatalf("wrong secret: %v", err)
	}
	f.mu.Lock()
	f.refused = nil
	seen := strings.Join(f.seen, "\n")
	f.mu.Unlock()
	if !strings.Contains(seen, "s3 "+StreamingUnsignedTrailer) {
		t.Logf("requests seen:\n%s", seen)
		t.Errorf("the S3 client sent no aws-chunked upload; the trailer path went untested")
	}
	f.check(t)
}

// TestAWSCLIEndToEnd runs the AWS CLI (botocore) against the same server:
// s3api put-object (aws-chunked with a CRC32 trailer), get-object, s3 presign and
// sts get-caller-identity.
func TestAWSCLIEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not installed")
	}
	f, srv := startFakeAWS(t)
	dir := t.TempDir()
	// The CLI presigns S3 URLs with Signature Version 2 unless told otherwise, and
	// this server verifies only version 4 (as AWS does in every region opened since 2014).
	config := filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte("[default]\ns3 =\n    signature_version = s3v4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "src.bin")
	data := testData(200000)
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "aws", append([]string{"--endpoint-url", srv.URL, "--no-verify-ssl",
			"--region", "us-east-1", "--output", "text"}, args...)...)
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "AWS_") {
				env = append(env, kv)
			}
		}
		cmd.Env = append(env, "AWS_ACCESS_KEY_ID="+testAKID, "AWS_SECRET_ACCESS_KEY="+testSecret,
			"AWS_CONFIG_FILE="+config, "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
			"PYTHONWARNINGS=ignore")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("s3api", "put-object", "--bucket", "bucket", "--key", "cli/key with space.bin", "--body", src)
	dst := filepath.Join(dir, "dst.bin")
	run("s3api", "get-object", "--bucket", "bucket", "--key", "cli/key with space.bin", dst)
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) {
		t.Fatalf("get-object returned %d bytes", len(got))
	}
	url := strings.TrimSpace(run("s3", "presign", "s3://bucket/cli/key with space.bin"))
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Get(url)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("presigned GET %s: %v %v", url, err, resp)
	}
	resp.Body.Close()
	if out := run("sts", "get-caller-identity"); !strings.Contains(out, "123456789012") {
		t.Fatalf("get-caller-identity: %s", out)
	}
	f.mu.Lock()
	seen := strings.Join(f.seen, "\n")
	f.mu.Unlock()
	if !strings.Contains(seen, "s3 "+StreamingUnsignedTrailer) {
		t.Errorf("the CLI sent no aws-chunked upload; requests seen:\n%s", seen)
	}
	f.check(t)
}
