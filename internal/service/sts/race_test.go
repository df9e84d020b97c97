package sts_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/palisade/palisade/internal/app/apptest"
)

const trustAccount = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`

// A role session's calls are decided on the role's policies as they are once a change
// of them is acknowledged, however many of the session's calls were in flight.
func TestSessionFollowsRolePolicyOnceAcknowledged(t *testing.T) {
	e := newEnv(t)
	const allow = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetAccessKeyLastUsed","Resource":"*"}]}`
	arn := e.role(e.iam, "r", trustAccount, allow)
	ak, _, _ := e.userKey("someone", "")
	caller, _ := e.user("caller", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	creds := must(caller.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("session")})).Credentials
	s := e.session(creds)
	call := func() error {
		// The call's checks read the key before the decision: its snapshot is fixed
		// before the authorizer reads the role's policies.
		_, err := s.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(ak)})
		return err
	}
	put := func() {
		must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allow)}))
	}
	stop := apptest.Hammer(t, 6, []string{"AccessDenied"}, func(int) error { return call() })
	defer stop()
	deadline := time.Now().Add(1500 * time.Millisecond)
	for i := 0; time.Now().Before(deadline); i++ {
		must(e.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p")}))
		if call() == nil {
			t.Fatalf("round %d: the session was allowed after the role's policy deletion was acknowledged", i)
		}
		put()
		if err := call(); err != nil {
			t.Fatalf("round %d: %v after the role's policy was put back", i, err)
		}
	}
}

// AssumeRole racing DeleteRole and UpdateAssumeRolePolicy answers success or
// AccessDenied, never a 500; once a trust policy that no longer trusts the caller is
// acknowledged, AssumeRole is denied.
func TestAssumeRoleRacingRoleChanges(t *testing.T) {
	e := newEnv(t)
	const deny = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:username":"nobody"}}}]}`
	arn := e.role(e.iam, "r", trustAccount, "")
	caller, _ := e.user("caller", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	assume := func() error {
		_, err := caller.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("session")})
		return err
	}
	stop := apptest.Hammer(t, 6, []string{"AccessDenied"}, func(int) error { return assume() })
	defer stop()
	deadline := time.Now().Add(1200 * time.Millisecond)
	for i := 0; time.Now().Before(deadline); i++ {
		must(e.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"), PolicyDocument: aws.String(deny)}))
		if assume() == nil {
			t.Fatalf("round %d: assumed after the trust policy's change was acknowledged", i)
		}
		must(e.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"), PolicyDocument: aws.String(trustAccount)}))
		if err := assume(); err != nil {
			t.Fatalf("round %d: %v after the trust was restored", i, err)
		}
		must(e.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("r")}))
		if assume() == nil {
			t.Fatalf("round %d: assumed after the role's deletion was acknowledged", i)
		}
		e.role(e.iam, "r", trustAccount, "")
	}
}
