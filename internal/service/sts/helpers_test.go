package sts_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/palisade/palisade/internal/app/apptest"
)

var ctx = apptest.Context()

const account = "000000000000"

// env is one test server with IAM and STS clients signed by the root key.
type env struct {
	*testing.T
	p   *apptest.Palisade
	iam *iam.Client
	sts *sts.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	p := apptest.Start(t)
	cfg := p.RootConfig()
	return &env{T: t, p: p, iam: iam.NewFromConfig(cfg), sts: sts.NewFromConfig(cfg)}
}

// clients are IAM and STS clients for one set of credentials.
type clients struct {
	iam *iam.Client
	sts *sts.Client
}

func (e *env) as(ak, sk, token string) clients {
	cfg := e.p.Config(ak, sk, token)
	return clients{iam.NewFromConfig(cfg), sts.NewFromConfig(cfg)}
}

func (e *env) session(c *ststypes.Credentials) clients {
	return e.as(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

// user creates an IAM user with an inline policy (when given) and an access key.
func (e *env) user(name, policy string) (clients, string) {
	e.Helper()
	ak, sk, arn := e.userKey(name, policy)
	return e.as(ak, sk, ""), arn
}

// userKey is user returning the access key itself.
func (e *env) userKey(name, policy string) (string, string, string) {
	e.Helper()
	u := must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})).User
	if policy != "" {
		must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}))
	}
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).AccessKey
	return *k.AccessKeyId, *k.SecretAccessKey, *u.Arn
}

// role creates a role with a trust policy and an inline permissions policy.
func (e *env) role(c *iam.Client, name, trust, policy string) string {
	e.Helper()
	r := must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})).Role
	if policy != "" {
		must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}))
	}
	return *r.Arn
}

// advance moves Palisade's clock through the admin API.
func (e *env) advance(d time.Duration) {
	e.Helper()
	e.admin("POST", "/_palisade/clock", fmt.Sprintf(`{"advance_seconds": %d}`, int(d.Seconds())), http.StatusOK)
}

// admin calls the admin API with the token and asserts the status.
func (e *env) admin(method, path, body string, status int) string {
	e.Helper()
	req, _ := http.NewRequest(method, e.p.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+apptest.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	if resp.StatusCode != status {
		e.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b.String())
	}
	return b.String()
}

func must[T any](v T, err error) T { return apptest.Must(v, err) }

// wantErr is apptest.WantErr.
var wantErr = apptest.WantErr

// doc builds a policy document from statements.
func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func allow(action, resource string) string {
	return `{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}`
}

func deny(action, resource string) string {
	return `{"Effect":"Deny","Action":"` + action + `","Resource":"` + resource + `"}`
}

// trust is a trust policy statement letting an AWS principal assume the role, with
// an optional condition block.
func trust(principal, action, cond string) string {
	s := `{"Effect":"Allow","Principal":` + principal + `,"Action":"` + action + `"`
	if cond != "" {
		s += `,"Condition":` + cond
	}
	return s + "}"
}

func awsPrincipal(arn string) string { return `{"AWS":"` + arn + `"}` }

// code is the RFC 6238 code of a Base32 seed for real time shifted by steps.
func code(t testing.TB, seed string, steps int) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(seed, time.Now().Add(time.Duration(steps)*30*time.Second), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// mfa gives a user a virtual MFA device enabled with two codes from the past, so
// that the current code is still unused; it returns the serial and seed.
func (e *env) mfa(user string) (string, string) {
	e.Helper()
	d := must(e.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(user)})).VirtualMFADevice
	seed := string(d.Base32StringSeed)
	must(e.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: d.SerialNumber,
		AuthenticationCode1: aws.String(code(e, seed, -2)), AuthenticationCode2: aws.String(code(e, seed, -1))}))
	return *d.SerialNumber, seed
}
