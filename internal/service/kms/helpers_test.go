package kms_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/palisade/palisade/internal/app/apptest"
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
	return kms.NewFromConfig(e.p.AccountConfig(id))
}

// key creates a key and returns its metadata.
func (e *env) key(in *kms.CreateKeyInput) *types.KeyMetadata {
	e.Helper()
	if in == nil {
		in = &kms.CreateKeyInput{}
	}
	return must(e.kms.CreateKey(ctx, in)).KeyMetadata
}

func must[T any](v T, err error) T { return apptest.Must(v, err) }

// wantErr is apptest.WantErr.
var wantErr = apptest.WantErr

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
