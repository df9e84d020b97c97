package iam_test

import (
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

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

func must[T any](v T, err error) T { return apptest.Must(v, err) }

// wantErr is apptest.WantErr.
var wantErr = apptest.WantErr

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
