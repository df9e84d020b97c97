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
	"github.com/aws/aws-sdk-go-v2/service/organizations"
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

// root_access.json (radkawar/stackd testdata/aws/iam/, 2026): AssumeRoot from the
// management account of an all-features organization that has not trusted IAM. Past
// the input checks every refusal is the same AccessDenied naming the target's root,
// with no reason: an explicit deny and the management account targeting itself
// alike. The recording's "original" caller is an administrator (not root).
func TestRecorded2026AssumeRoot(t *testing.T) {
	e := newEnv(t)
	org := organizations.NewFromConfig(e.p.RootConfig())
	must(org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: "ALL"}))
	admin, adminARN := e.user("admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	observerName := "stackd-root-access-fixture-explicit_deny_observer"
	u := must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(observerName), Path: aws.String("/org-access/")})).User
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(observerName), PolicyName: aws.String("ReportPermissions"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListOrganizationsFeatures","iam:GetAccountProperties"],"Resource":"*"},{"Effect":"Deny","Action":["iam:EnableOrganizationsRootCredentialsManagement","iam:DisableOrganizationsRootCredentialsManagement","iam:EnableOrganizationsRootSessions","iam:DisableOrganizationsRootSessions","organizations:*","sts:AssumeRoot"],"Resource":"*"}]}`)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(observerName)})).AccessKey
	observer := e.as(*k.AccessKeyId, *k.SecretAccessKey, "")

	audit := &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")}
	refused := func(caller string) string {
		return "User: " + caller + " is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::" + account + ":root"
	}
	_, err := observer.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(account), TaskPolicyArn: audit})
	wantErr(t, err, "AccessDenied", 403, refused(*u.Arn)) // assume_root_observer_denied
	_, err = admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(account), TaskPolicyArn: audit})
	wantErr(t, err, "AccessDenied", 403, refused(adminARN)) // assume_root_management_id
	_, err = admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String("arn:aws:iam::" + account + ":root"), TaskPolicyArn: audit})
	wantErr(t, err, "AccessDenied", 403, refused(adminARN)) // assume_root_management_root_arn
	_, err = admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: u.Arn, TaskPolicyArn: audit})
	wantErr(t, err, "ValidationError", 400, "Request must contain a valid target principal") // assume_root_owned_user_arn
	_, err = admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(account), TaskPolicyArn: audit, DurationSeconds: aws.Int32(0)})
	wantErr(t, err, "AccessDenied", 403, refused(adminARN)) // assume_root_duration_zero
	_, err = admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(account), TaskPolicyArn: audit, DurationSeconds: aws.Int32(901)})
	wantErr(t, err, "ValidationError", 400, "1 validation error detected: Value '901' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 900") // assume_root_duration_over_limit
	_, err = admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(account),
		TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}})
	wantErr(t, err, "ValidationError", 400, "Request must contain valid AWS managed task policy ARN") // assume_root_invalid_task_policy
	_, err = admin.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(account), TaskPolicyArn: &ststypes.PolicyDescriptorType{}})
	wantErr(t, err, "ValidationError", 400, "1 validation error detected: Value null at 'taskPolicyArn' failed to satisfy constraint: Member must not be null") // assume_root_task_policy_missing_arn
}
