package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testAKID   = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

var testTime = time.Date(2024, 3, 9, 12, 34, 56, 0, time.UTC)

// overTheWire turns a client-side request into what net/http's server hands a
// handler: RequestURI set, Host moved out of the headers, names canonicalized.
func overTheWire(t testing.TB, req *http.Request) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatal(err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatalf("re-reading request: %v\n%s", err, buf.String())
	}
	return sr
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

type sdkCase struct {
	name    string
	method  string
	rawURL  string // path and query as the client puts them on the wire
	headers [][2]string
	body    string
	expires string // X-Amz-Expires when presigned; 900 if empty
}

var sdkCases = []sdkCase{
	{name: "root", method: "GET", rawURL: "/"},
	{name: "query", method: "GET", rawURL: "/?b=2&a=1&a=0&empty=&noval"},
	{name: "query-escapes", method: "GET", rawURL: "/?k=%2F%2B%20x&sp=a%20b&uni=%C3%A9&star=%2A&tilde=~"},
	{name: "space", method: "GET", rawURL: "/my%20key/with%20spaces"},
	{name: "unicode", method: "GET", rawURL: "/%C3%BCn%C3%AFc%C3%B6d%C3%A9/%D0%BA%D0%BB%D1%8E%D1%87"},
	{name: "plus", method: "GET", rawURL: "/a+b/c%2Bd"},
	{name: "encoded-slash", method: "GET", rawURL: "/bucket/a%2Fb"},
	{name: "double-slash", method: "GET", rawURL: "//double//slash/"},
	{name: "dots", method: "GET", rawURL: "/./dots/../x/."},
	{name: "specials", method: "GET", rawURL: "/k(1)!*'~$@=;:,"},
	{name: "multi-value", method: "GET", rawURL: "/mv",
		headers: [][2]string{{"X-Amz-Meta-A", "one"}, {"X-Amz-Meta-A", "  two   words "}, {"X-Custom", "a   b\tc"}}},
	{name: "post-body", method: "POST", rawURL: "/?Action=GetCallerIdentity",
		headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
		body:    "Action=GetCallerIdentity&Version=2011-06-15"},
}

// sdkSign signs c for service with the AWS SDK for Go v2 and returns the request as
// the server sees it. S3 gets UNSIGNED-PAYLOAD presigned and the body's hash in
// x-amz-content-sha256 otherwise, as the S3 client does.
func sdkSign(t testing.TB, c sdkCase, service string, presign bool, secret string) *http.Request {
	t.Helper()
	req := newTestRequest(t, c.method, "https://example.amazonaws.com"+c.rawURL, c.body)
	for _, h := range c.headers {
		req.Header.Add(h[0], h[1])
	}
	creds := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: secret}
	s3 := service == "s3"
	opts := func(o *v4.SignerOptions) { o.DisableURIPathEscaping = s3 }
	payload := sha256Hex([]byte(c.body))
	signer := v4.NewSigner()
	if presign {
		if s3 {
			payload = UnsignedPayload
		}
		q := req.URL.Query()
		q.Set("X-Amz-Expires", "900")
		if c.expires != "" {
			q.Set("X-Amz-Expires", c.expires)
		}
		req.URL.RawQuery = q.Encode()
		u, hdr, err := signer.PresignHTTP(context.Background(), creds, req, payload, service, "us-east-1", testTime, opts)
		if err != nil {
			t.Fatal(err)
		}
		pr := newTestRequest(t, c.method, u, c.body)
		for k, v := range hdr {
			if !strings.EqualFold(k, "host") {
				pr.Header[k] = v
			}
		}
		return overTheWire(t, pr)
	}
	if s3 {
		req.Header.Set("X-Amz-Content-Sha256", payload)
	}
	if err := signer.SignHTTP(context.Background(), creds, req, payload, service, "us-east-1", testTime, opts); err != nil {
		t.Fatal(err)
	}
	return overTheWire(t, req)
}

// newTestRequest is a client request whose empty body is http.NoBody, as the SDKs
// send it (no Content-Length: 0 header to sign).
func newTestRequest(t testing.TB, method, url, body string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == "" {
		r.Body, r.ContentLength = http.NoBody, 0
	}
	return r
}

func mustParse(t testing.TB, r *http.Request) *Auth {
	t.Helper()
	a, err := Parse(r)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return a
}

// verifyBody parses and verifies r, hashing a non-S3 body as the server would.
func verifyBody(t testing.TB, v *Verifier, r *http.Request, secret string, now time.Time) (*Verified, error) {
	t.Helper()
	a, err := Parse(r)
	if err != nil {
		return nil, err
	}
	hash := ""
	if a.NeedsBodyHash() {
		if hash, err = BufferBody(r, 1<<20); err != nil {
			t.Fatal(err)
		}
	}
	return v.Verify(r, a, []byte(secret), now, hash)
}

func kindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func TestSDKSignedRequestsVerify(t *testing.T) {
	var v Verifier
	for _, service := range []string{"s3", "sts", "iam"} {
		for _, presign := range []bool{false, true} {
			for _, c := range sdkCases {
				name := service + "/" + c.name
				if presign {
					name += "/presigned"
				}
				t.Run(name, func(t *testing.T) {
					r := sdkSign(t, c, service, presign, testSecret)
					if _, err := verifyBody(t, &v, r, testSecret, testTime.Add(time.Minute)); err != nil {
						t.Fatalf("valid request refused: %v\n%s", err, detail(err))
					}
					if _, err := verifyBody(t, &v, sdkSign(t, c, service, presign, testSecret), "wrong"+testSecret, testTime); kindOf(err) != KindSignatureMismatch {
						t.Errorf("wrong secret: got %v, want SignatureMismatch", err)
					}
				})
			}
		}
	}
}

func detail(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return "CanonicalRequest:\n" + e.CanonicalRequest + "\nStringToSign:\n" + e.StringToSign
	}
	return ""
}

// TestSDKTamper changes one thing at a time in a signed request; each must break it.
func TestSDKTamper(t *testing.T) {
	var v Verifier
	c := sdkCase{method: "PUT", rawURL: "/bucket/key?x=1", headers: [][2]string{{"X-Amz-Meta-Color", "blue"}}, body: "hello"}
	tampers := map[string]func(r *http.Request){
		"path":        func(r *http.Request) { r.RequestURI = strings.Replace(r.RequestURI, "key", "kex", 1) },
		"query":       func(r *http.Request) { r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "x=1", "x=2", 1) },
		"header":      func(r *http.Request) { r.Header.Set("X-Amz-Meta-Color", "green") },
		"method":      func(r *http.Request) { r.Method = "POST" },
		"host":        func(r *http.Request) { r.Host = "evil.example.com" },
		"signature":   func(r *http.Request) { flipSignature(r) },
		"extra-query": func(r *http.Request) { r.URL.RawQuery += "&y=1" },
	}
	for _, service := range []string{"s3", "sts"} {
		for _, presign := range []bool{false, true} {
			for name, tamper := range tampers {
				r := sdkSign(t, c, service, presign, testSecret)
				tamper(r)
				_, err := verifyBody(t, &v, r, testSecret, testTime)
				if kindOf(err) != KindSignatureMismatch {
					t.Errorf("%s presign=%v tamper %s: got %v, want SignatureMismatch", service, presign, name, err)
				}
			}
		}
	}
}

func flipSignature(r *http.Request) {
	flip := func(s string) string {
		i := strings.LastIndex(s, "Signature=") + len("Signature=")
		b := []byte(s)
		if b[i] == '0' {
			b[i] = '1'
		} else {
			b[i] = '0'
		}
		return string(b)
	}
	if a := r.Header.Get("Authorization"); a != "" {
		r.Header.Set("Authorization", flip(a))
		return
	}
	r.URL.RawQuery = flip(r.URL.RawQuery)
}

// TestSDKBodyTamper: a non-S3 body is part of the signature even though no header
// carries its hash.
func TestSDKBodyTamper(t *testing.T) {
	var v Verifier
	c := sdkCases[len(sdkCases)-1]
	r := sdkSign(t, c, "sts", false, testSecret)
	r.Body = io.NopCloser(strings.NewReader(strings.Replace(c.body, "2011", "2012", 1)))
	if _, err := verifyBody(t, &v, r, testSecret, testTime); kindOf(err) != KindSignatureMismatch {
		t.Fatalf("tampered body: got %v", err)
	}
}

// TestS3PayloadHashReader: the S3 body is checked against x-amz-content-sha256 at EOF.
func TestS3PayloadHashReader(t *testing.T) {
	var v Verifier
	c := sdkCase{method: "PUT", rawURL: "/bucket/key", body: "hello world"}
	r := sdkSign(t, c, "s3", false, testSecret)
	vr, err := verifyBody(t, &v, r, testSecret, testTime)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(vr.Body(r.Body))
	if err != nil || string(got) != c.body {
		t.Fatalf("body %q, %v", got, err)
	}
	r = sdkSign(t, c, "s3", false, testSecret)
	vr, err = verifyBody(t, &v, r, testSecret, testTime)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(vr.Body(io.NopCloser(strings.NewReader("hello wOrld"))))
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindContentSHA256Mismatch {
		t.Fatalf("tampered body: %v", err)
	}
	resp := e.Response(S3)
	if resp.Code != "XAmzContentSHA256Mismatch" || resp.Fields[0].Value != sha256Hex([]byte(c.body)) ||
		resp.Fields[1].Value != sha256Hex([]byte("hello wOrld")) {
		t.Fatalf("response %+v", resp)
	}
}

// TestPresignNonS3EmptyBodyHash: non-S3 presigned URLs (e.g. the EKS token, a
// presigned sts:GetCallerIdentity) sign the hash of the empty body, not UNSIGNED-PAYLOAD.
func TestPresignNonS3EmptyBodyHash(t *testing.T) {
	var v Verifier
	r := sdkSign(t, sdkCase{method: "GET", rawURL: "/?Action=GetCallerIdentity&Version=2011-06-15"}, "sts", true, testSecret)
	a := mustParse(t, r)
	if !a.Presigned || !a.NeedsBodyHash() {
		t.Fatalf("presigned=%v needsBodyHash=%v", a.Presigned, a.NeedsBodyHash())
	}
	if _, err := v.Verify(r, a, []byte(testSecret), testTime, ""); !errors.Is(err, ErrNeedBodyHash) {
		t.Fatalf("without body hash: %v", err)
	}
	if _, err := v.Verify(r, a, []byte(testSecret), testTime, emptySHA256); err != nil {
		t.Fatal(err)
	}
}

func TestParseFields(t *testing.T) {
	c := sdkCase{method: "GET", rawURL: "/bucket/key", headers: [][2]string{{"X-Amz-Security-Token", "tok"}}}
	r := sdkSign(t, c, "s3", false, testSecret)
	a := mustParse(t, r)
	want := Scope{Date: "20240309", Region: "us-east-1", Service: "s3", Terminator: "aws4_request"}
	if a.AccessKeyID != testAKID || a.Scope != want || !a.Time.Equal(testTime) || a.Presigned ||
		a.SecurityToken != "tok" || a.PayloadHash != emptySHA256 || a.Algorithm != Algorithm ||
		len(a.Signature) != 64 || a.SignedHeaders[0] != "host" {
		t.Fatalf("%+v", a)
	}
	r = sdkSign(t, c, "s3", true, testSecret)
	a = mustParse(t, r)
	if !a.Presigned || a.Expires != 900*time.Second || a.Scope != want {
		t.Fatalf("%+v", a)
	}
	if s := a.String(); strings.Contains(s, testSecret) {
		t.Fatal(s)
	}
	_ = url.Values{}
}
