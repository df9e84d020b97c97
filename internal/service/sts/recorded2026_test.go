package sts_test

// Answers AWS STS gave in 2026, as recorded in the public repository
// radkawar/stackd under testdata/aws/sts/ (each case names its file).

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// query_inputs.json: GetSessionToken's DurationSeconds as the query string spells it.
// Leading zeros and a plus sign are an integer; 0 is out of range. (The spellings
// AWS answered MalformedInput are not pinned: Palisade differs, see COVERAGE.)
func TestRecorded2026DurationSpellings(t *testing.T) {
	e := newEnv(t)
	ak, sk, _ := e.userKey("u", "")
	for _, c := range []struct {
		value string
		code  string
	}{{"900", ""}, {"0900", ""}, {"+900", ""}, {"0", "ValidationError"}} {
		body := "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=" + url.QueryEscape(c.value)
		req, _ := http.NewRequest("POST", e.p.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk}, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case c.code == "" && resp.StatusCode != 200:
			t.Errorf("%q: %d %s", c.value, resp.StatusCode, b)
		case c.code != "" && (resp.StatusCode != 400 || !strings.Contains(string(b), "<Code>"+c.code+"</Code>")):
			t.Errorf("%q: %d %s, want %s", c.value, resp.StatusCode, b, c.code)
		}
	}
}

// managed_session_policy.json: a managed session policy is read when the session
// is used, so changing its default version changes what an existing session may do.
func TestRecorded2026ManagedSessionPolicy(t *testing.T) {
	e := newEnv(t)
	pol := must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("session"), PolicyDocument: aws.String(doc(allow("iam:ListUsers", "*")))})).Policy
	role := e.role(e.iam, "probe", doc(trust(awsPrincipal("arn:aws:iam::"+account+":root"), "sts:AssumeRole", "")), doc(allow("iam:ListUsers", "*")))
	alice, _ := e.user("alice", doc(allow("sts:AssumeRole", "*")))
	out := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("probe"),
		DurationSeconds: aws.Int32(900), PolicyArns: []ststypes.PolicyDescriptorType{{Arn: pol.Arn}}}))
	s := e.session(out.Credentials)
	must(s.iam.ListUsers(ctx, &iam.ListUsersInput{})) // before_change
	must(e.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: pol.Arn, PolicyDocument: aws.String(doc(deny("iam:ListUsers", "*"))), SetAsDefault: true}))
	_, err := s.iam.ListUsers(ctx, &iam.ListUsersInput{}) // after_default_version_change
	wantErr(t, err, "AccessDenied", 403, "")
}
