package server_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/server"
)

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// A body that stops arriving ends its call with S3's RequestTimeout once it has been
// idle for IdleTimeout, in S3 (streamed into the object) and in the other services
// (read whole before the call is decoded); a handler that waits after reading its body
// (a long poll) is not cut off by that deadline.
func TestIdleBodyTimesOut(t *testing.T) {
	defer func(d time.Duration) { server.IdleTimeout = d }(server.IdleTimeout)
	server.IdleTimeout = 300 * time.Millisecond
	p := apptest.Start(t)
	ctx := context.Background()
	q := apptest.Must(sqs.NewFromConfig(p.RootConfig()).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")}))
	s := s3.NewFromConfig(p.RootConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	apptest.Must(s.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("idle-bucket")}))

	t.Run("S3 PutObject", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPut, p.URL+"/idle-bucket/k", nil)
		req.ContentLength = 10
		req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		apptest.SignAsRoot(t, req, "s3", "UNSIGNED-PAYLOAD")
		start := time.Now()
		resp, body := apptest.SendPartial(t, req, "abc")
		if resp.StatusCode != 400 || !strings.Contains(body, "<Code>RequestTimeout</Code>") ||
			!strings.Contains(body, "Your socket connection to the server was not read from or written to within the timeout period.") {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		if took := time.Since(start); took < 250*time.Millisecond {
			t.Fatalf("timed out after %v, before the body was idle for 300ms", took)
		}
		if _, err := s.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("idle-bucket"), Key: aws.String("k")}); err == nil {
			t.Fatal("the object whose body timed out was stored")
		}
	})
	t.Run("JSON service", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, p.URL+"/", nil)
		req.ContentLength = 100
		req.Header.Set("X-Amz-Target", "TrentService.ListKeys")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		apptest.SignAsRoot(t, req, "kms", strings.Repeat("0", 64))
		resp, body := apptest.SendPartial(t, req, `{"Limit":`)
		if resp.StatusCode != 400 || !strings.Contains(body, `"__type":"RequestTimeout"`) {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("stalled reader of a large answer", func(t *testing.T) {
		const size = 48 << 20 // more than loopback's socket buffers hold
		apptest.Must(s.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("idle-bucket"), Key: aws.String("big"),
			Body: bytes.NewReader(make([]byte, size))}))
		req, _ := http.NewRequest(http.MethodGet, p.URL+"/idle-bucket/big", nil)
		req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
		apptest.SignAsRoot(t, req, "s3", emptySHA256)
		conn, err := net.Dial("tcp", req.URL.Host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if err := req.Write(conn); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%v %v", resp, err)
		}
		time.Sleep(1500 * time.Millisecond) // read nothing for five idle periods
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _ := io.Copy(io.Discard, resp.Body)
		if n >= size {
			t.Fatalf("the whole %d bytes arrived after the reader stalled; the answer should have been cut off", n)
		}
	})
	t.Run("headers-only answer after an idle keep-alive", func(t *testing.T) {
		// One connection: an answer with a body sets the write deadline, the connection
		// then idles past it, and a HEAD's answer (headers only, written by net/http,
		// not through Write) must still go out.
		one := s3.NewFromConfig(p.RootConfig(), func(o *s3.Options) {
			o.UsePathStyle = true
			o.RetryMaxAttempts = 1 // a dropped connection must fail the test, not be retried
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.MaxConnsPerHost = 1
			o.HTTPClient = &http.Client{Transport: tr}
		})
		apptest.Must(one.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("idle-bucket"), Key: aws.String("small"), Body: strings.NewReader("x")}))
		got := apptest.Must(one.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("idle-bucket"), Key: aws.String("small")}))
		io.Copy(io.Discard, got.Body)
		got.Body.Close() // the connection goes back to the pool
		time.Sleep(600 * time.Millisecond)
		apptest.Must(one.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("idle-bucket"), Key: aws.String("small")}))
	})
	t.Run("long poll outlives the deadline", func(t *testing.T) {
		start := time.Now()
		out, err := sqs.NewFromConfig(p.RootConfig()).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 1})
		if err != nil || len(out.Messages) != 0 {
			t.Fatalf("%+v %v", out, err)
		}
		if took := time.Since(start); took < 900*time.Millisecond {
			t.Fatalf("the long poll ended after %v", took)
		}
	})
}
