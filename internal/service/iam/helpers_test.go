package iam_test

import (
	"errors"
	"fmt"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/palisade/palisade/internal/app/apptest"
)

var ctx = apptest.Context()

const account = "000000000000"

// env is one test server with an IAM client signed by the root key.
type env struct {
	*testing.T
	p   *apptest.Palisade
	iam *iam.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	p := apptest.Start(t)
	return &env{T: t, p: p, iam: iam.NewFromConfig(p.RootConfig())}
}

// as returns IAM and STS clients signed with the given key.
func (e *env) as(ak, sk string) (*iam.Client, *sts.Client) {
	cfg := e.p.Config(ak, sk, "")
	return iam.NewFromConfig(cfg), sts.NewFromConfig(cfg)
}

// must returns v, failing the test (by a panic, which the testing package reports
// with the caller's line) when err is set.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

// wantErr asserts an AWS error with the code, HTTP status and (when msg is not "")
// exact message.
func wantErr(t testing.TB, err error, code string, status int, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got success", code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want API error %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("%s message:\n got %q\nwant %q", code, ae.ErrorMessage(), msg)
	}
	var re *smithyhttp.ResponseError
	if status != 0 && errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Fatalf("%s: status %d, want %d", code, re.HTTPStatusCode(), status)
	}
}

// decode undoes IAM's URL encoding of policy documents.
func decode(t testing.TB, doc *string) string {
	t.Helper()
	s, err := url.QueryUnescape(aws.ToString(doc))
	if err != nil {
		t.Fatalf("document not URL-encoded: %v", err)
	}
	return s
}

const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

const trustEC2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
