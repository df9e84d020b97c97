package kms_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/palisade/palisade/internal/app/apptest"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/store"
)

var ctx = apptest.Context()

const account = "000000000000"

// env is one test server with KMS and IAM clients signed by the root key.
type env struct {
	*testing.T
	p   *apptest.Palisade
	kms *kms.Client
	iam *iam.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	p := apptest.Start(t)
	return &env{T: t, p: p, kms: kms.NewFromConfig(p.RootConfig()), iam: iam.NewFromConfig(p.RootConfig())}
}

// user creates an IAM user with an access key and the given inline policy ("" for
// none) and returns a KMS client signed as the user and the user's ARN.
func (e *env) user(name, policy string) (*kms.Client, string) {
	e.Helper()
	ak, sk, arn := e.userKey(name, policy)
	return kms.NewFromConfig(e.p.Config(ak, sk, "")), arn
}

// userKey creates an IAM user as user does and returns its access key and ARN.
func (e *env) userKey(name, policy string) (ak, sk, arn string) {
	e.Helper()
	u := must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})).User
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).AccessKey
	if policy != "" {
		must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}))
	}
	return *k.AccessKeyId, *k.SecretAccessKey, *u.Arn
}

// otherAccount installs a root key for another account and returns a KMS client
// signed with it.
func (e *env) otherAccount(id string) *kms.Client {
	e.Helper()
	ak := "AKIAOTHERACCOUNT" + id[len(id)-4:]
	sk := "otherAccountSecret0000000000000000000000"
	err := e.p.Store.Update(ctx, func(tx *store.Tx) error {
		return e.p.Keys.Put(tx, &auth.Credential{AccessKeyID: ak, Secret: []byte(sk), Active: true, Principal: auth.RootPrincipal(id), Created: time.Now()})
	})
	if err != nil {
		e.Fatal(err)
	}
	return kms.NewFromConfig(e.p.Config(ak, sk, ""))
}

// key creates a key and returns its metadata.
func (e *env) key(in *kms.CreateKeyInput) *types.KeyMetadata {
	e.Helper()
	if in == nil {
		in = &kms.CreateKeyInput{}
	}
	return must(e.kms.CreateKey(ctx, in)).KeyMetadata
}

// must returns v, failing the test (by a panic the testing package reports with the
// caller's line) when err is set.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

// wantErr asserts an AWS error with the code, HTTP status (0: any) and, when msg is
// not "", the exact message.
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

// eventually polls cond until it holds or 5 s pass (background work after a clock
// advance).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s did not happen", what)
}

func allow(actions ...string) string {
	list := ""
	for i, a := range actions {
		if i > 0 {
			list += ","
		}
		list += `"` + a + `"`
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[` + list + `],"Resource":"*"}]}`
}
