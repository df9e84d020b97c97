package apptest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// SendPartial writes req's head (its URL, Content-Length and headers, as signed) and
// then only part of the body it declares on a connection of its own, sends nothing
// more, and returns the answer the server gives meanwhile (within 10 s) and its body.
// It is for what a client does that net/http's own client will not: stall mid-body, or
// declare a body it never sends.
func SendPartial(t testing.TB, req *http.Request, part string) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", req.URL.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	// By hand: Request.Write buffers the head until the body is complete.
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", req.Method, req.URL.RequestURI(), req.URL.Host, req.ContentLength)
	req.Header.Write(conn)
	if _, err := io.WriteString(conn, "\r\n"+part); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("no answer to a partial body: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// SignAsRoot signs req with the root access key for service (SigV4, the SDK's signer,
// now), with payloadHash as the body's hash ("UNSIGNED-PAYLOAD" and the like
// included): for requests the SDK would not send as they are.
func SignAsRoot(t testing.TB, req *http.Request, service, payloadHash string) {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: RootAccessKeyID, SecretAccessKey: RootSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash, service, Region, time.Now()); err != nil {
		t.Fatal(err)
	}
}
