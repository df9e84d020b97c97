package organizations_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/palisade/palisade/internal/app/apptest"
)

var ctx = apptest.Context()

const mgmt = "000000000000"

type env struct {
	*testing.T
	p   *apptest.Palisade
	org *organizations.Client
	iam *iam.Client
	sts *sts.Client
}

func newEnv(t *testing.T) *env {
	p := apptest.Start(t)
	cfg := p.RootConfig()
	return &env{T: t, p: p, org: organizations.NewFromConfig(cfg), iam: iam.NewFromConfig(cfg), sts: sts.NewFromConfig(cfg)}
}

type clients struct {
	org *organizations.Client
	iam *iam.Client
	sts *sts.Client
}

func (e *env) as(ak, sk, token string) clients {
	cfg := e.p.Config(ak, sk, token)
	return clients{organizations.NewFromConfig(cfg), iam.NewFromConfig(cfg), sts.NewFromConfig(cfg)}
}

func (e *env) session(c *ststypes.Credentials) clients {
	return e.as(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

// user makes an IAM user of the clients' account with an inline policy.
func (e *env) user(c *iam.Client, name, policy string) (clients, string) {
	e.Helper()
	u := must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})).User
	if policy != "" {
		must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}))
	}
	k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).AccessKey
	return e.as(*k.AccessKeyId, *k.SecretAccessKey, ""), *u.Arn
}

// member creates an organization (once) and a member account; it returns the
// account ID.
func (e *env) member(name string) string {
	e.Helper()
	if _, err := e.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
		must(e.org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	}
	st := must(e.org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})).CreateAccountStatus
	return *must(e.org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})).CreateAccountStatus.AccountId
}

// accessRole assumes OrganizationAccountAccessRole in a member account as c.
func accessRole(c clients, account, session string) (*sts.AssumeRoleOutput, error) {
	return c.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String(session)})
}

func must[T any](v T, err error) T { return apptest.Must(v, err) }

// wantErr is apptest.WantErr.
var wantErr = apptest.WantErr

func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func TestOrganizationStructure(t *testing.T) {
	e := newEnv(t)
	_, err := e.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantErr(t, err, "AWSOrganizationsNotInUseException", 400, "Your account is not a member of an organization.")
	o := must(e.org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})).Organization
	if !strings.HasPrefix(*o.Id, "o-") || len(*o.Id) != 12 || *o.MasterAccountId != mgmt || o.FeatureSet != orgtypes.OrganizationFeatureSetAll ||
		*o.Arn != "arn:aws:organizations::"+mgmt+":organization/"+*o.Id {
		t.Fatalf("organization %+v", o)
	}
	_, err = e.org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	wantErr(t, err, "AlreadyInOrganizationException", 400, "")
	roots := must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots
	if len(roots) != 1 || !strings.HasPrefix(*roots[0].Id, "r-") || len(roots[0].PolicyTypes) != 0 {
		t.Fatalf("roots %+v", roots)
	}
	root := *roots[0].Id

	st := must(e.org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("dev"), Email: aws.String("dev@example.com")})).CreateAccountStatus
	if st.State != orgtypes.CreateAccountStateInProgress || !strings.HasPrefix(*st.Id, "car-") || st.AccountId != nil {
		t.Fatalf("create account %+v", st)
	}
	done := must(e.org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})).CreateAccountStatus
	if done.State != orgtypes.CreateAccountStateSucceeded || len(*done.AccountId) != 12 {
		t.Fatalf("status %+v", done)
	}
	dev := *done.AccountId
	dup := must(e.org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("dev2"), Email: aws.String("DEV@example.com")})).CreateAccountStatus
	failed := must(e.org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: dup.Id})).CreateAccountStatus
	if failed.State != orgtypes.CreateAccountStateFailed || failed.FailureReason != orgtypes.CreateAccountFailureReasonEmailAlreadyExists {
		t.Fatalf("duplicate email %+v", failed)
	}
	_, err = e.org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String("car-00000000000000000000000000000000")})
	wantErr(t, err, "CreateAccountStatusNotFoundException", 400, "")
	accts := must(e.org.ListAccounts(ctx, &organizations.ListAccountsInput{})).Accounts
	if len(accts) != 2 {
		t.Fatalf("accounts %+v", accts)
	}
	a := must(e.org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(dev)})).Account
	if *a.Name != "dev" || *a.Email != "dev@example.com" || a.JoinedMethod != orgtypes.AccountJoinedMethodCreated || a.Status != orgtypes.AccountStatusActive {
		t.Fatalf("account %+v", a)
	}

	// OUs: create, move an account in, list, refuse duplicates and unknown parents.
	ou := must(e.org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("Workloads")})).OrganizationalUnit
	if !strings.HasPrefix(*ou.Id, "ou-"+strings.TrimPrefix(root, "r-")+"-") {
		t.Fatalf("ou %s", *ou.Id)
	}
	_, err = e.org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("Workloads")})
	wantErr(t, err, "DuplicateOrganizationalUnitException", 400, "An OU with the same name already exists.")
	_, err = e.org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String("ou-zzzz-zzzzzzzz"), Name: aws.String("x")})
	wantErr(t, err, "ParentNotFoundException", 400, "")
	must(e.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(dev), SourceParentId: aws.String(root), DestinationParentId: ou.Id}))
	_, err = e.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(dev), SourceParentId: ou.Id, DestinationParentId: ou.Id})
	wantErr(t, err, "DuplicateAccountException", 400, "")
	if l := must(e.org.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: ou.Id})).Accounts; len(l) != 1 || *l[0].Id != dev {
		t.Fatalf("accounts in ou %+v", l)
	}
	if l := must(e.org.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(root)})).OrganizationalUnits; len(l) != 1 || *l[0].Name != "Workloads" {
		t.Fatalf("ous %+v", l)
	}
	if p := must(e.org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(dev)})).Parents; len(p) != 1 || *p[0].Id != *ou.Id || p[0].Type != orgtypes.ParentTypeOrganizationalUnit {
		t.Fatalf("parents %+v", p)
	}
	if ch := must(e.org.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: aws.String(root), ChildType: orgtypes.ChildTypeOrganizationalUnit})).Children; len(ch) != 1 {
		t.Fatalf("children %+v", ch)
	}
	_, err = e.org.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: ou.Id})
	wantErr(t, err, "OrganizationalUnitNotEmptyException", 400, "")

	// Pagination.
	for i := range 3 {
		must(e.org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String(fmt.Sprint("u", i))}))
	}
	p1 := must(e.org.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(root), MaxResults: aws.Int32(3)}))
	p2 := must(e.org.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(root), MaxResults: aws.Int32(3), NextToken: p1.NextToken}))
	if len(p1.OrganizationalUnits) != 3 || p1.NextToken == nil || len(p2.OrganizationalUnits) != 1 || p2.NextToken != nil {
		t.Fatalf("pages %d %v %d %v", len(p1.OrganizationalUnits), p1.NextToken, len(p2.OrganizationalUnits), p2.NextToken)
	}

	// The member account is in the organization but may not manage it.
	m := e.session(must(accessRole(e.admin(), dev, "s1")).Credentials)
	if d := must(m.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})).Organization; *d.Id != *o.Id {
		t.Fatalf("member sees %s", *d.Id)
	}
	_, err = m.org.ListAccounts(ctx, &organizations.ListAccountsInput{})
	wantErr(t, err, "AccessDeniedException", 400, "You don't have permissions to access this resource.")
	_, err = m.org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	wantErr(t, err, "AlreadyInOrganizationException", 400, "")
}

// admin is an IAM user of the management account with AdministratorAccess.
func (e *env) admin() clients {
	e.Helper()
	if _, err := e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("admin")}); err == nil {
		k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("admin")})).AccessKey
		return e.as(*k.AccessKeyId, *k.SecretAccessKey, "")
	}
	c, _ := e.user(e.iam, "admin", "")
	must(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("admin"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}))
	return c
}

func TestServiceControlPolicies(t *testing.T) {
	e := newEnv(t)
	dev := e.member("dev")
	admin := e.admin()
	root := *must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id

	out := must(accessRole(admin, dev, "s1"))
	if *out.AssumedRoleUser.Arn != "arn:aws:sts::"+dev+":assumed-role/OrganizationAccountAccessRole/s1" || !strings.HasPrefix(*out.Credentials.AccessKeyId, "ASIA") {
		t.Fatalf("assumed %+v", out.AssumedRoleUser)
	}
	m := e.session(out.Credentials)
	if id := must(m.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})); *id.Account != dev {
		t.Fatalf("caller account %s", *id.Account)
	}
	must(m.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("before")}))

	// SCPs must be enabled before they can be attached; enabling attaches
	// FullAWSAccess to the root and every account.
	content := doc(`{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}`)
	pol := must(e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("no-users"), Type: orgtypes.PolicyTypeServiceControlPolicy,
		Description: aws.String("d"), Content: aws.String(content)})).Policy.PolicySummary
	if !strings.HasPrefix(*pol.Id, "p-") || pol.AwsManaged || !strings.Contains(*pol.Arn, ":policy/o-") {
		t.Fatalf("policy %+v", pol)
	}
	_, err := e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pol.Id, TargetId: aws.String(dev)})
	wantErr(t, err, "PolicyTypeNotEnabledException", 400, "")
	r := must(e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})).Root
	if len(r.PolicyTypes) != 1 || r.PolicyTypes[0].Status != orgtypes.PolicyTypeStatusEnabled {
		t.Fatalf("root %+v", r)
	}
	_, err = e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
	wantErr(t, err, "PolicyTypeAlreadyEnabledException", 400, "")
	for _, target := range []string{root, dev} {
		ps := must(e.org.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: orgtypes.PolicyTypeServiceControlPolicy})).Policies
		if len(ps) != 1 || *ps[0].Id != "p-FullAWSAccess" || !ps[0].AwsManaged {
			t.Fatalf("policies of %s %+v", target, ps)
		}
	}
	must(m.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("still")}))

	// Attached to the member account: its principals are denied, the management
	// account's are not.
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pol.Id, TargetId: aws.String(dev)}))
	_, err = e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pol.Id, TargetId: aws.String(dev)})
	wantErr(t, err, "DuplicatePolicyAttachmentException", 400, "")
	_, err = m.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("blocked")})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:sts::"+dev+":assumed-role/OrganizationAccountAccessRole/s1 is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::"+
		dev+":user/blocked with an explicit deny in a service control policy: "+*pol.Arn)
	must(m.iam.ListUsers(ctx, &iam.ListUsersInput{}))
	must(admin.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("management-ok")}))
	// The member account's root user is restricted too.
	key := e.adminJSON("POST", "/_palisade/organizations/root-key?account="+dev, http.StatusOK)
	mroot := e.as(key["AccessKeyId"], key["SecretAccessKey"], "")
	if id := must(mroot.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})); *id.Arn != "arn:aws:iam::"+dev+":root" {
		t.Fatalf("member root %s", *id.Arn)
	}
	_, err = mroot.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("by-root")})
	wantErr(t, err, "AccessDenied", 403, "")
	e.adminJSON("POST", "/_palisade/organizations/root-key?account="+mgmt, http.StatusNotFound)

	// Detached from the account and attached to an OU the account moves into.
	must(e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: pol.Id, TargetId: aws.String(dev)}))
	must(m.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("free")}))
	ou := must(e.org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("Locked")})).OrganizationalUnit
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pol.Id, TargetId: ou.Id}))
	must(m.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("not-yet")}))
	must(e.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(dev), SourceParentId: aws.String(root), DestinationParentId: ou.Id}))
	_, err = m.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("in-ou")})
	wantErr(t, err, "AccessDenied", 403, "")
	// A level that allows nothing denies everything: FullAWSAccess off the OU.
	_, err = e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: pol.Id, TargetId: aws.String(dev)})
	wantErr(t, err, "PolicyNotAttachedException", 400, "")
	must(e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: ou.Id}))
	_, err = m.iam.ListUsers(ctx, &iam.ListUsersInput{})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:sts::"+dev+":assumed-role/OrganizationAccountAccessRole/s1 is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::"+dev+":user/ because no service control policy allows the iam:ListUsers action")
	_, err = e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: pol.Id, TargetId: ou.Id})
	wantErr(t, err, "ConstraintViolationException", 400, "")
	_, err = e.org.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: pol.Id})
	wantErr(t, err, "PolicyInUseException", 400, "")
	if ts := must(e.org.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: pol.Id})).Targets; len(ts) != 1 || *ts[0].TargetId != *ou.Id ||
		ts[0].Type != orgtypes.TargetTypeOrganizationalUnit {
		t.Fatalf("targets %+v", ts)
	}
	_, err = e.org.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String("p-FullAWSAccess"), Name: aws.String("x")})
	wantErr(t, err, "InvalidInputException", 400, "")
	_, err = e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("bad"), Type: orgtypes.PolicyTypeServiceControlPolicy, Description: aws.String("d"),
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)})
	wantErr(t, err, "MalformedPolicyDocumentException", 400, "")

	// Disabling SCPs lifts them all.
	must(e.org.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}))
	must(m.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("after")}))
}

func TestResourceControlPoliciesAndOrgKeys(t *testing.T) {
	e := newEnv(t)
	dev := e.member("dev")
	admin := e.admin()
	o := must(e.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})).Organization
	root := *must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	m := e.session(must(accessRole(admin, dev, "s1")).Credentials)

	// aws:PrincipalOrgID and aws:PrincipalOrgPaths in a trust policy of the member.
	trust := func(key, value string) string {
		return doc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringLike":{"` + key + `":"` + value + `"}}}`)
	}
	must(m.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("org-only"), AssumeRolePolicyDocument: aws.String(trust("aws:PrincipalOrgID", *o.Id))}))
	must(m.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("other-org"), AssumeRolePolicyDocument: aws.String(trust("aws:PrincipalOrgID", "o-0000000000"))}))
	must(m.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("by-path"), AssumeRolePolicyDocument: aws.String(trust("aws:PrincipalOrgPaths", *o.Id+"/"+root+"/*"))}))
	assume := func(c clients, role string) error {
		_, err := c.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + dev + ":role/" + role), RoleSessionName: aws.String("x1")})
		return err
	}
	noErr(t, assume(admin, "org-only"))
	noErr(t, assume(admin, "by-path"))
	wantErr(t, assume(admin, "other-org"), "AccessDenied", 403, "")

	// An RCP on the member: only its own principals may assume its roles.
	must(e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeResourceControlPolicy}))
	if ps := must(e.org.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(dev), Filter: orgtypes.PolicyTypeResourceControlPolicy})).Policies; len(ps) != 1 || *ps[0].Id != "p-RCPFullAWSAccess" {
		t.Fatalf("rcps %+v", ps)
	}
	rcp := must(e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("own-only"), Type: orgtypes.PolicyTypeResourceControlPolicy, Description: aws.String("d"),
		Content: aws.String(doc(`{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"` + dev + `"}}}`))})).Policy.PolicySummary
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: rcp.Id, TargetId: aws.String(dev)}))
	err := assume(admin, "org-only")
	wantErr(t, err, "AccessDenied", 403, "")
	if !strings.Contains(err.Error(), "with an explicit deny in a resource control policy") {
		t.Fatalf("denial %v", err)
	}
	// RCPs do not restrict the management account's own resources, nor services
	// outside their reach (IAM).
	must(admin.iam.ListUsers(ctx, &iam.ListUsersInput{}))
	must(m.iam.ListRoles(ctx, &iam.ListRolesInput{}))
	must(e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: rcp.Id, TargetId: aws.String(dev)}))
	noErr(t, assume(admin, "org-only"))
}

func TestCrossAccountRoles(t *testing.T) {
	e := newEnv(t)
	dev := e.member("dev")
	admin := e.admin()
	m := e.session(must(accessRole(admin, dev, "s1")).Credentials)
	// A role in the member account that trusts the management account, with an
	// external ID.
	trust := doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"xyz"}}}`)
	role := *must(m.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ext"), AssumeRolePolicyDocument: aws.String(trust)})).Role.Arn
	assume := func(c clients, ext string) error {
		in := &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("e1")}
		if ext != "" {
			in.ExternalId = aws.String(ext)
		}
		_, err := c.sts.AssumeRole(ctx, in)
		return err
	}
	wantErr(t, assume(admin, ""), "AccessDenied", 403, "")
	wantErr(t, assume(admin, "abc"), "AccessDenied", 403, "")
	noErr(t, assume(admin, "xyz"))
	// Both sides must allow: a user of the trusted account without sts:AssumeRole is
	// refused, even with the right external ID.
	bob, bobARN := e.user(e.iam, "bob", "")
	err := assume(bob, "xyz")
	wantErr(t, err, "AccessDenied", 403, "User: "+bobARN+" is not authorized to perform: sts:AssumeRole on resource: "+role)
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc(allow("sts:AssumeRole", role)))}))
	noErr(t, assume(bob, "xyz"))
	// A trust policy naming the user directly still needs the user's own permission
	// across accounts.
	carol, carolARN := e.user(e.iam, "carol", "")
	direct := *must(m.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("direct"),
		AssumeRolePolicyDocument: aws.String(doc(`{"Effect":"Allow","Principal":{"AWS":"` + carolARN + `"},"Action":"sts:AssumeRole"}`))})).Role.Arn
	_, err = carol.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(direct), RoleSessionName: aws.String("c1")})
	wantErr(t, err, "AccessDenied", 403, "")
	// A role in the management account that does not trust the member is closed to it.
	mrole := *must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("mgmt-only"),
		AssumeRolePolicyDocument: aws.String(doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole"}`))})).Role.Arn
	_, err = m.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(mrole), RoleSessionName: aws.String("c1")})
	wantErr(t, err, "AccessDenied", 403, "")
	// One that trusts the member account lets the member's admin role in (role
	// chaining across accounts).
	must(e.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("mgmt-only"),
		PolicyDocument: aws.String(doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + dev + `:root"},"Action":"sts:AssumeRole"}`))}))
	back := must(m.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(mrole), RoleSessionName: aws.String("c1")}))
	if *back.AssumedRoleUser.Arn != "arn:aws:sts::"+mgmt+":assumed-role/mgmt-only/c1" {
		t.Fatalf("back %s", *back.AssumedRoleUser.Arn)
	}
}

// adminJSON calls the admin API and decodes its JSON answer.
func (e *env) adminJSON(method, path string, status int) map[string]string {
	e.Helper()
	req, _ := http.NewRequest(method, e.p.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+apptest.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]string
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != status {
		e.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, out)
	}
	return out
}

func allow(action, resource string) string {
	return `{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}`
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Trusted access: the management account lets a documented AWS service work across
// the organization; unknown principals and member accounts are refused.
func TestTrustedAccess(t *testing.T) {
	e := newEnv(t)
	enable := func(c *organizations.Client, p string) error {
		_, err := c.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(p)})
		return err
	}
	list := func() []orgtypes.EnabledServicePrincipal {
		return must(e.org.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})).EnabledServicePrincipals
	}
	apptest.WantErr(t, enable(e.org, "cloudtrail.amazonaws.com"), "AWSOrganizationsNotInUseException", 400, "Your account is not a member of an organization.")
	member := e.member("m")
	apptest.WantErr(t, enable(e.org, "cloudtrail.example.com"), "InvalidInputException", 400, "You specified an unrecognized service principal.")
	apptest.WantErr(t, enable(e.org, "stacksets.cloudformation.amazonaws.com"), "InvalidInputException", 400, "You specified an unrecognized service principal.")
	if l := list(); len(l) != 0 {
		t.Fatalf("trusted before any was enabled: %+v", l)
	}
	must(0, enable(e.org, "cloudtrail.amazonaws.com"))
	first := list()
	must(0, enable(e.org, "config.amazonaws.com"))
	must(0, enable(e.org, "cloudtrail.amazonaws.com")) // again: no change
	l := list()
	if len(first) != 1 || len(l) != 2 || *l[0].ServicePrincipal != "cloudtrail.amazonaws.com" || *l[1].ServicePrincipal != "config.amazonaws.com" ||
		!l[0].DateEnabled.Equal(*first[0].DateEnabled) {
		t.Fatalf("trusted services %+v (first %+v)", l, first)
	}
	// A member account, even its administrator, may not.
	admin, _ := e.user(e.iam, "admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	s := e.session(must(accessRole(admin, member, "admin")).Credentials)
	apptest.WantErr(t, enable(s.org, "guardduty.amazonaws.com"), "AccessDeniedException", 400, "You don't have permissions to access this resource.")
	_, err := s.org.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})
	apptest.WantErr(t, err, "AccessDeniedException", 400, "")
	must(e.org.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")}))
	must(e.org.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")}))
	if l := list(); len(l) != 1 || *l[0].ServicePrincipal != "cloudtrail.amazonaws.com" {
		t.Fatalf("after disabling config: %+v", l)
	}
}
