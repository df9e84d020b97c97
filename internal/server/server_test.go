package server_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/store"
)

func apiError(t *testing.T, err error) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an API error, got %v", err)
	}
	return ae
}

func TestGetCallerIdentityAsRoot(t *testing.T) {
	p := apptest.Start(t)
	out, err := sts.NewFromConfig(p.RootConfig()).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Account != "000000000000" || *out.Arn != "arn:aws:iam::000000000000:root" || *out.UserId != "000000000000" {
		t.Fatalf("got %s %s %s", *out.Account, *out.Arn, *out.UserId)
	}
}

func TestAuthenticationErrors(t *testing.T) {
	p := apptest.Start(t)
	ctx := context.Background()
	cases := []struct {
		name, ak, sk, code string
	}{
		{"wrong secret", apptest.RootAccessKeyID, apptest.RootSecret[:39] + "X", "SignatureDoesNotMatch"},
		{"unknown key", "AKIAUNKNOWNKEY000000", apptest.RootSecret, "InvalidClientTokenId"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := sts.NewFromConfig(p.Config(c.ak, c.sk, "")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			ae := apiError(t, err)
			var re interface{ HTTPStatusCode() int }
			if ae.ErrorCode() != c.code || !errors.As(err, &re) || re.HTTPStatusCode() != 403 {
				t.Fatalf("got %v", err)
			}
		})
	}
	t.Run("missing authentication", func(t *testing.T) {
		cfg := p.RootConfig()
		cfg.Credentials = aws.AnonymousCredentials{}
		_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if ae := apiError(t, err); ae.ErrorCode() != "MissingAuthenticationToken" {
			t.Fatalf("got %v", err)
		}
	})
}

// signedRequest builds a GetCallerIdentity request signed by the SDK's own signer at a
// chosen time.
func signedRequest(t *testing.T, url string, at time.Time, presign bool) *http.Request {
	t.Helper()
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: apptest.RootAccessKeyID, SecretAccessKey: apptest.RootSecret}
	signer := v4.NewSigner()
	if presign {
		get, _ := http.NewRequest(http.MethodGet, url+"/?Action=GetCallerIdentity&Version=2011-06-15", nil)
		empty := sha256.Sum256(nil)
		signed, _, err := signer.PresignHTTP(context.Background(), creds, get, hex.EncodeToString(empty[:]), "sts", apptest.Region, at)
		if err != nil {
			t.Fatal(err)
		}
		get, _ = http.NewRequest(http.MethodGet, signed, nil)
		return get
	}
	if err := signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", apptest.Region, at); err != nil {
		t.Fatal(err)
	}
	return req
}

func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestSignatureFreshnessUsesRealTime(t *testing.T) {
	p := apptest.Start(t)
	now := time.Now()
	if code, body := do(t, signedRequest(t, p.URL, now, false)); code != 200 {
		t.Fatalf("fresh request: %d %s", code, body)
	}
	code, body := do(t, signedRequest(t, p.URL, now.Add(-20*time.Minute), false))
	if code != 403 || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") || !strings.Contains(body, "Signature expired") {
		t.Fatalf("request signed 20 minutes ago: %d %s", code, body)
	}
	code, body = do(t, signedRequest(t, p.URL, now.Add(20*time.Minute), false))
	if code != 403 || !strings.Contains(body, "Signature not yet current") {
		t.Fatalf("request signed 20 minutes ahead: %d %s", code, body)
	}
	// Moving Palisade's clock a day ahead must not break real clients.
	p.Clock.Advance(24 * time.Hour)
	if code, body := do(t, signedRequest(t, p.URL, time.Now(), false)); code != 200 {
		t.Fatalf("after the clock moved: %d %s", code, body)
	}
	// Presigned URLs are held to the same window outside S3.
	if code, body := do(t, signedRequest(t, p.URL, time.Now(), true)); code != 200 {
		t.Fatalf("fresh presigned URL: %d %s", code, body)
	}
	code, body = do(t, signedRequest(t, p.URL, time.Now().Add(-20*time.Minute), true))
	if code != 403 || !strings.Contains(body, "<Code>") {
		t.Fatalf("expired presigned URL: %d %s", code, body)
	}
}

func TestBadInputAnswersAWSErrors(t *testing.T) {
	p := apptest.Start(t)
	t.Run("unknown action", func(t *testing.T) {
		req := signedForm(t, p.URL, "Action=NoSuchThing&Version=2011-06-15")
		code, body := do(t, req)
		if code != 400 || !strings.Contains(body, "<Code>InvalidAction</Code>") || !strings.Contains(body, "Could not find operation NoSuchThing for version 2011-06-15") {
			t.Fatalf("%d %s", code, body)
		}
	})
	t.Run("oversized body refused from its length", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, p.URL+"/", io.LimitReader(zeroReader{}, 64<<20))
		req.ContentLength = 64 << 20
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+apptest.RootAccessKeyID+"/"+time.Now().UTC().Format("20060102")+"/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("0", 64))
		req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
		code, body := do(t, req)
		if code != 413 || !strings.Contains(body, "RequestEntityTooLarge") {
			t.Fatalf("%d %s", code, body)
		}
	})
	t.Run("unserved service", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, p.URL+"/", strings.NewReader("{}"))
		creds := aws.Credentials{AccessKeyID: apptest.RootAccessKeyID, SecretAccessKey: apptest.RootSecret}
		sum := sha256.Sum256([]byte("{}"))
		v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "lambda", apptest.Region, time.Now())
		code, body := do(t, req)
		if code != 400 || !strings.Contains(body, "UnknownService") {
			t.Fatalf("%d %s", code, body)
		}
	})
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func signedForm(t *testing.T, url, body string) *http.Request {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: apptest.RootAccessKeyID, SecretAccessKey: apptest.RootSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", apptest.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

func TestHealthAndAdminAPI(t *testing.T) {
	p := apptest.Start(t)
	code, body := do(t, mustReq(http.MethodGet, p.URL+"/_palisade/health", "", ""))
	var h struct {
		Status   string
		Services []string
	}
	if code != 200 || json.Unmarshal([]byte(body), &h) != nil || h.Status != "ok" || len(h.Services) == 0 {
		t.Fatalf("health: %d %s", code, body)
	}
	for _, tok := range []string{"", "wrong", apptest.AdminToken + "x"} {
		if code, _ := do(t, mustReq(http.MethodPost, p.URL+"/_palisade/clock", `{"advance_seconds":1}`, tok)); code != 401 {
			t.Fatalf("clock with token %q: %d", tok, code)
		}
	}
	if code, _ := do(t, mustReq(http.MethodGet, p.URL+"/_palisade/anything", "", "")); code != 401 {
		t.Fatalf("unknown admin path without token: %d", code)
	}
	before := time.Now()
	code, body = do(t, mustReq(http.MethodPost, p.URL+"/_palisade/clock", `{"advance_seconds":3600}`, apptest.AdminToken))
	var c struct{ Now time.Time }
	if code != 200 || json.Unmarshal([]byte(body), &c) != nil || c.Now.Sub(before) < time.Hour {
		t.Fatalf("advance: %d %s", code, body)
	}
	if code, _ := do(t, mustReq(http.MethodPost, p.URL+"/_palisade/clock", `{"advance_seconds":-5}`, apptest.AdminToken)); code != 400 {
		t.Fatalf("negative advance: %d", code)
	}
	if code, _ := do(t, mustReq(http.MethodPost, p.URL+"/_palisade/clock", `{"advance":5}`, apptest.AdminToken)); code != 400 {
		t.Fatalf("malformed advance: %d", code)
	}
}

func mustReq(method, url, body, token string) *http.Request {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// Restart keeps the root key, the clock offset and the recorded calls.
func TestRestartKeepsState(t *testing.T) {
	dir := t.TempDir()
	p := apptest.StartIn(t, dir)
	if _, err := sts.NewFromConfig(p.RootConfig()).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	do(t, mustReq(http.MethodPost, p.URL+"/_palisade/clock", `{"advance_seconds":86400}`, apptest.AdminToken))
	offset := p.Clock.Offset()
	p.Stop()

	q := apptest.StartIn(t, dir)
	if got := q.Clock.Offset(); got != offset {
		t.Fatalf("offset %v after restart, want %v", got, offset)
	}
	if _, err := sts.NewFromConfig(q.RootConfig()).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("root key lost on restart: %v", err)
	}
	records := 0
	q.Store.View(context.Background(), func(tx *store.Tx) error {
		return tx.Events(0, 100, func(e *store.Event) bool {
			if e.Source == audit.Source {
				records++
			}
			return true
		})
	})
	if records != 2 {
		t.Fatalf("%d CloudTrail records after restart, want 2", records)
	}
	creds, err := os.ReadFile(filepath.Join(dir, "credentials"))
	if err != nil || !bytes.Contains(creds, []byte("[palisade]\naws_access_key_id = "+apptest.RootAccessKeyID+"\naws_secret_access_key = "+apptest.RootSecret+"\n")) {
		t.Fatalf("credentials file: %s %v", creds, err)
	}
	for _, f := range []string{"credentials", "master.key", "palisade.db", "palisade.db-wal"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v %v", f, fi.Mode().Perm(), err)
		}
	}
	// The root secret is sealed: it appears nowhere in the database files.
	for _, f := range []string{"palisade.db", "palisade.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		if bytes.Contains(b, []byte(apptest.RootSecret)) {
			t.Errorf("%s holds the root secret in the clear", f)
		}
	}
}

// Every acknowledged call has its CloudTrail record, committed with it.
func TestCallsAreRecorded(t *testing.T) {
	p := apptest.Start(t)
	c := sts.NewFromConfig(p.RootConfig())
	for range 3 {
		if _, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
	}
	var recs []audit.Record
	p.Store.View(context.Background(), func(tx *store.Tx) error {
		return tx.Events(0, 100, func(e *store.Event) bool {
			var r audit.Record
			if err := json.Unmarshal(e.Data, &r); err != nil {
				t.Error(err)
			}
			recs = append(recs, r)
			return true
		})
	})
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	if r.EventName != "GetCallerIdentity" || r.EventSource != "sts.amazonaws.com" || !r.ReadOnly || r.UserIdentity.Type != "Root" ||
		r.UserIdentity.ARN != "arn:aws:iam::000000000000:root" || r.UserIdentity.AccessKeyID != apptest.RootAccessKeyID ||
		r.RecipientAccountID != "000000000000" || r.AWSRegion != "us-east-1" || r.SourceIPAddress != "127.0.0.1" || r.RequestID == "" {
		t.Fatalf("record %+v", r)
	}
	if !strings.Contains(r.UserAgent, "aws-sdk-go-v2") {
		t.Fatalf("user agent %q", r.UserAgent)
	}
}

// TestLargeBodyErrorPrecedence covers bodies large enough to be hashed on another
// goroutine while they are decoded: what the decoding finds counts only once the
// signature has checked out, so errors come in the same order as for small bodies.
// (JSON services answer a bad signature with 400 InvalidSignatureException.)
// Bodies from 256 KiB are read into pooled buffers (readBody).
func TestLargeBodyErrorPrecedence(t *testing.T) {
	p := apptest.Start(t)
	for _, size := range []int{200 << 10, 400 << 10} {
		t.Run(fmt.Sprint(size>>10, "KiB"), func(t *testing.T) { largeBodyErrorPrecedence(t, p, size) })
	}
}

func largeBodyErrorPrecedence(t *testing.T, p *apptest.Palisade, size int) {
	pad := strings.Repeat("x", size)
	valid := `{"logGroupName":"no-such-group","logStreamName":"s","logEvents":[{"timestamp":1,"message":"` + pad + `"}]}`
	malformed := `{"logGroupName":"no-such-group","logEvents":[{"timestamp":1,"message":"` + pad + `"}`
	send := func(body, signedBody, secret string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, p.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "Logs_20140328.PutLogEvents")
		sum := sha256.Sum256([]byte(signedBody))
		creds := aws.Credentials{AccessKeyID: apptest.RootAccessKeyID, SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "logs", apptest.Region, time.Now()); err != nil {
			t.Fatal(err)
		}
		return do(t, req)
	}
	wrongSecret := apptest.RootSecret[:39] + "X"
	cases := []struct {
		name                     string
		body, signedBody, secret string
		status                   int
		code                     string
	}{
		{"valid body, good signature", valid, valid, apptest.RootSecret, 400, "ResourceNotFoundException"},
		{"valid body, wrong secret", valid, valid, wrongSecret, 400, "InvalidSignatureException"},
		{"valid body, changed after signing", valid, valid[:len(valid)-2] + "}]", apptest.RootSecret, 400, "InvalidSignatureException"},
		{"malformed body, good signature", malformed, malformed, apptest.RootSecret, 400, "SerializationException"},
		{"malformed body, wrong secret", malformed, malformed, wrongSecret, 400, "InvalidSignatureException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := send(c.body, c.signedBody, c.secret)
			if status != c.status || !strings.Contains(body, c.code) {
				t.Fatalf("got %d %s, want %d %s", status, body[:min(len(body), 300)], c.status, c.code)
			}
		})
	}
	t.Run("query protocol, wrong secret", func(t *testing.T) {
		body := "Action=GetCallerIdentity&Version=2011-06-15&Pad=" + pad
		req, _ := http.NewRequest(http.MethodPost, p.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: apptest.RootAccessKeyID, SecretAccessKey: wrongSecret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", apptest.Region, time.Now()); err != nil {
			t.Fatal(err)
		}
		if status, out := do(t, req); status != 403 || !strings.Contains(out, "<Code>SignatureDoesNotMatch</Code>") {
			t.Fatalf("got %d %s", status, out[:min(len(out), 300)])
		}
	})
}

// A large body that ends before its Content-Length is 400 IncompleteBody, in a pooled
// buffer (from 256 KiB) or not.
func TestLargeBodyCutShort(t *testing.T) {
	p := apptest.Start(t)
	for _, size := range []int{200 << 10, 400 << 10} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(p.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Logs_20140328.PutLogEvents\r\nContent-Length: %d\r\n\r\n",
			strings.TrimPrefix(p.URL, "http://"), size)
		conn.Write(bytes.Repeat([]byte("x"), size/4))
		conn.(*net.TCPConn).CloseWrite()
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%d bytes: %v", size, err)
		}
		body, _ := io.ReadAll(resp.Body)
		conn.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(body), "IncompleteBody") {
			t.Fatalf("%d bytes: %d %s", size, resp.StatusCode, body)
		}
	}
}
