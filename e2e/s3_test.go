package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// s3controlEnv is the environment under which the CLI reaches Palisade's S3 Control.
// S3 Control's endpoint rules put the account ID in front of the endpoint's host name,
// which must then resolve to Palisade: an HTTP proxy, closed when the test ends,
// stands in for that DNS entry.
func s3controlEnv(t *testing.T, s *server) []string {
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		target, _ := url.Parse(s.URL)
		r.SetURL(target)
		r.Out.Host = r.In.Host // signed by the CLI
	}})
	t.Cleanup(proxy.Close)
	return []string{"HTTP_PROXY=" + proxy.URL, "http_proxy=" + proxy.URL, "NO_PROXY=", "no_proxy="}
}

// must runs a CLI call that has to succeed.
func (c cli) must(t *testing.T, s *server, args ...string) string {
	t.Helper()
	out, ok := c.run(s, rootAK, rootSK, args...)
	if !ok {
		t.Fatalf("%s %v: %s", c.name, args, out)
	}
	return out
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Objects through `aws s3` and `aws s3api` with both CLIs: a multipart upload and
// download, sync, listings (url-encoded too), and the BucketNotEmpty error.
func TestS3ObjectsThroughTheCLI(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	dir := t.TempDir()
	big := make([]byte, 20<<20) // above the CLIs' 8 MiB multipart threshold
	rand.Read(big)
	os.WriteFile(filepath.Join(dir, "big.bin"), big, 0o600)
	os.MkdirAll(filepath.Join(dir, "tree", "sub"), 0o700)
	os.WriteFile(filepath.Join(dir, "tree", "a.txt"), []byte("a"), 0o600)
	os.WriteFile(filepath.Join(dir, "tree", "sub", "b c.txt"), []byte("b"), 0o600)
	for _, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) {
			bucket := "cli-objects-v2"
			if c.v1 {
				bucket = "cli-objects-v1"
			}
			c.must(t, s, "s3", "mb", "s3://"+bucket)
			c.must(t, s, "s3", "cp", "--only-show-errors", filepath.Join(dir, "big.bin"), "s3://"+bucket+"/big.bin")
			c.must(t, s, "s3", "cp", "--only-show-errors", "s3://"+bucket+"/big.bin", filepath.Join(dir, "back-"+bucket))
			if got, _ := os.ReadFile(filepath.Join(dir, "back-"+bucket)); !bytes.Equal(got, big) {
				t.Fatal("20 MiB round trip differs")
			}
			head := c.must(t, s, "s3api", "head-object", "--bucket", bucket, "--key", "big.bin")
			if !strings.Contains(head, `-3\""`) || !strings.Contains(head, `"ServerSideEncryption": "AES256"`) || !strings.Contains(head, `"ContentLength": 20971520`) {
				t.Fatalf("multipart head: %s", head)
			}
			c.must(t, s, "s3", "sync", "--only-show-errors", filepath.Join(dir, "tree"), "s3://"+bucket+"/tree")
			l := c.must(t, s, "s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "tree/", "--delimiter", "/")
			var lv2 struct {
				Contents       []struct{ Key string }
				CommonPrefixes []struct{ Prefix string }
			}
			json.Unmarshal([]byte(l), &lv2)
			if len(lv2.Contents) != 1 || lv2.Contents[0].Key != "tree/a.txt" || len(lv2.CommonPrefixes) != 1 || lv2.CommonPrefixes[0].Prefix != "tree/sub/" {
				t.Fatalf("list-objects-v2: %s", l)
			}
			// encoding-type=url: S3 form-encodes keys; botocore decodes them only when
			// it asked for the encoding itself, so an explicit request shows them as sent.
			l = c.must(t, s, "s3api", "list-objects", "--bucket", bucket, "--prefix", "tree/sub/", "--encoding-type", "url")
			if !strings.Contains(l, `"Key": "tree/sub/b+c.txt"`) {
				t.Fatalf("url-encoded listing: %s", l)
			}
			out, ok := c.run(s, rootAK, rootSK, "s3", "rb", "s3://"+bucket)
			expectError(t, out, ok, "BucketNotEmpty")
			// Operations S3 refuses without Content-MD5 or x-amz-checksum-*: each CLI
			// sends the one its botocore computes (v2's older one Content-MD5, v1's
			// CRC32), and Palisade checks it against the body.
			c.must(t, s, "s3api", "put-bucket-tagging", "--bucket", bucket, "--tagging", `{"TagSet":[{"Key":"team","Value":"a"}]}`)
			if tags := c.must(t, s, "s3api", "get-bucket-tagging", "--bucket", bucket); !strings.Contains(tags, `"team"`) {
				t.Fatalf("get-bucket-tagging: %s", tags)
			}
			del := c.must(t, s, "s3api", "delete-objects", "--bucket", bucket, "--delete", `{"Objects":[{"Key":"tree/a.txt"}]}`)
			if !strings.Contains(del, `"Key": "tree/a.txt"`) {
				t.Fatalf("delete-objects: %s", del)
			}
			c.must(t, s, "s3", "rm", "--only-show-errors", "--recursive", "s3://"+bucket) // DeleteObjects in batches
			c.must(t, s, "s3", "rb", "s3://"+bucket)
		})
	}
}

// The security scenarios of issue 7 with both CLIs: a bucket policy denying a user
// overrides its admin policy; Block Public Access refuses a public policy until it is
// lifted; anonymous reads of public and private objects; an SSE-KMS object cannot
// be read without kms:Decrypt; presigned URLs and their expiry; account-level Block
// Public Access through s3control.
func TestS3SecurityThroughTheCLI(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, []byte("s3-e2e-marker"), 0o600)
	all := clis(t)
	setup := all[0]
	setup.must(t, s, "s3api", "create-bucket", "--bucket", "priv")
	setup.must(t, s, "s3", "cp", "--only-show-errors", file, "s3://priv/k")
	setup.must(t, s, "iam", "create-user", "--user-name", "eve")
	setup.must(t, s, "iam", "attach-user-policy", "--user-name", "eve", "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess")
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	json.Unmarshal([]byte(setup.must(t, s, "iam", "create-access-key", "--user-name", "eve")), &key)
	ak, sk := key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey
	if out, ok := setup.run(s, ak, sk, "s3api", "get-object", "--bucket", "priv", "--key", "k", filepath.Join(dir, "g")); !ok {
		t.Fatalf("admin read: %s", out)
	}
	setup.must(t, s, "s3api", "put-bucket-policy", "--bucket", "priv", "--policy",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::000000000000:user/eve"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::priv/*"}]}`)
	setup.must(t, s, "s3api", "create-bucket", "--bucket", "pub")
	setup.must(t, s, "s3", "cp", "--only-show-errors", file, "s3://pub/k")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pub/*"}]}`
	// SSE-KMS: reading needs kms:Decrypt on the key, which frank lacks.
	var ck struct{ KeyMetadata struct{ KeyId, Arn string } }
	json.Unmarshal([]byte(setup.must(t, s, "kms", "create-key")), &ck)
	setup.must(t, s, "s3", "cp", "--only-show-errors", file, "s3://priv/enc", "--sse", "aws:kms", "--sse-kms-key-id", ck.KeyMetadata.KeyId)
	setup.must(t, s, "iam", "create-user", "--user-name", "frank")
	setup.must(t, s, "iam", "put-user-policy", "--user-name", "frank", "--policy-name", "read", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	json.Unmarshal([]byte(setup.must(t, s, "iam", "create-access-key", "--user-name", "frank")), &key)
	fak, fsk := key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey
	// S3's presigned URLs are SigV4 (botocore 1.43 presigns SigV2 for us-east-1 unless told).
	cfg := filepath.Join(dir, "config")
	os.WriteFile(cfg, []byte("[default]\ns3 =\n    signature_version = s3v4\n"), 0o600)
	for _, c := range all {
		t.Run(c.name, func(t *testing.T) {
			out, ok := c.run(s, ak, sk, "s3api", "get-object", "--bucket", "priv", "--key", "k", filepath.Join(dir, "g"))
			expectError(t, out, ok, "AccessDenied")
			if !strings.Contains(out, `User: arn:aws:iam::000000000000:user/eve is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::priv/k" with an explicit deny in a resource-based policy`) {
				t.Fatalf("deny message: %s", out)
			}
			out, ok = c.run(s, rootAK, rootSK, "s3api", "put-bucket-policy", "--bucket", "pub", "--policy", policy)
			expectError(t, out, ok, "AccessDenied")
			if !strings.Contains(out, "because public policies are blocked by the BlockPublicPolicy block public access setting.") {
				t.Fatalf("block public access message: %s", out)
			}
			out, ok = c.run(s, fak, fsk, "s3api", "get-object", "--bucket", "priv", "--key", "enc", filepath.Join(dir, "e"))
			expectError(t, out, ok, "AccessDenied")
			if !strings.Contains(out, "kms:Decrypt on resource: "+ck.KeyMetadata.Arn) {
				t.Fatalf("SSE-KMS denial: %s", out)
			}
			url := strings.TrimSpace(must1(c.runWith(s, []string{"AWS_CONFIG_FILE=" + cfg}, rootAK, rootSK, "", "s3", "presign", "s3://priv/k", "--expires-in", "2")))
			if code, body := httpGet(t, url); code != 200 || body != "s3-e2e-marker" {
				t.Fatalf("presigned get %s: %d %s", url, code, body)
			}
			time.Sleep(3 * time.Second)
			if code, body := httpGet(t, url); code != 403 || !strings.Contains(body, "<Code>AccessDenied</Code><Message>Request has expired</Message>") {
				t.Fatalf("expired presigned get: %d %s", code, body)
			}
		})
	}
	setup.must(t, s, "s3api", "delete-public-access-block", "--bucket", "pub")
	setup.must(t, s, "s3api", "put-bucket-policy", "--bucket", "pub", "--policy", policy)
	for _, c := range all {
		if out := c.must(t, s, "s3api", "get-bucket-policy-status", "--bucket", "pub"); !strings.Contains(out, `"IsPublic": true`) {
			t.Fatalf("%s policy status: %s", c.name, out)
		}
	}
	if code, body := httpGet(t, s.URL+"/pub/k"); code != 200 || body != "s3-e2e-marker" {
		t.Fatalf("anonymous read of a public object: %d %s", code, body)
	}
	if code, body := httpGet(t, s.URL+"/priv/k"); code != 403 || !strings.Contains(body, "<Code>AccessDenied</Code><Message>Access Denied</Message>") {
		t.Fatalf("anonymous read of a private object: %d %s", code, body)
	}

	// Account-level Block Public Access through s3control.
	env := s3controlEnv(t, s)
	for _, c := range all {
		out, ok := c.runWith(s, env, rootAK, rootSK, "", "s3control", "put-public-access-block", "--account-id", "000000000000",
			"--public-access-block-configuration", "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true")
		if !ok {
			t.Fatalf("%s s3control put-public-access-block: %s", c.name, out)
		}
		out, ok = c.runWith(s, env, rootAK, rootSK, "", "s3control", "get-public-access-block", "--account-id", "000000000000")
		if !ok || !strings.Contains(out, `"RestrictPublicBuckets": true`) {
			t.Fatalf("%s s3control get-public-access-block: %s", c.name, out)
		}
	}
	// The bucket's policy is public, but the account now restricts public buckets.
	if code, _ := httpGet(t, s.URL+"/pub/k"); code != 403 {
		t.Fatalf("account RestrictPublicBuckets: %d", code)
	}
}

func must1(out string, ok bool) string {
	if !ok {
		panic(out)
	}
	return out
}

// Server access logs arrive in the target bucket once the clock has moved past the
// delivery delay, in S3's record format.
func TestS3AccessLogsThroughTheCLI(t *testing.T) {
	s := start(t, t.TempDir(), withRootKey()...)
	c := clis(t)[0]
	c.must(t, s, "s3api", "create-bucket", "--bucket", "app-data")
	c.must(t, s, "s3api", "create-bucket", "--bucket", "app-logs")
	c.must(t, s, "s3api", "put-bucket-policy", "--bucket", "app-logs", "--policy",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::app-logs/*"}]}`)
	c.must(t, s, "s3api", "put-bucket-logging", "--bucket", "app-data", "--bucket-logging-status",
		`{"LoggingEnabled":{"TargetBucket":"app-logs","TargetPrefix":"access/"}}`)
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, []byte("logged"), 0o600)
	c.must(t, s, "s3", "cp", "--only-show-errors", file, "s3://app-data/file.txt")
	time.Sleep(1500 * time.Millisecond) // records are queued within a second
	req, _ := http.NewRequest("POST", s.URL+"/_palisade/clock", strings.NewReader(`{"advance_seconds": 900}`))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 200 {
		t.Fatalf("clock advance: %v", err)
	}
	var listing string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if listing = c.must(t, s, "s3", "ls", "s3://app-logs/access/"); strings.TrimSpace(listing) != "" {
			break
		}
	}
	fields := strings.Fields(listing)
	if len(fields) < 4 {
		t.Fatalf("no access log delivered: %q", listing)
	}
	logFile := filepath.Join(t.TempDir(), "log")
	c.must(t, s, "s3", "cp", "--only-show-errors", "s3://app-logs/access/"+fields[3], logFile)
	b, _ := os.ReadFile(logFile)
	if !strings.Contains(string(b), " app-data [") || !strings.Contains(string(b), `REST.PUT.OBJECT file.txt "PUT /app-data/file.txt HTTP/1.1" 200 - - 6 `) {
		t.Fatalf("log records:\n%s", b)
	}
}
