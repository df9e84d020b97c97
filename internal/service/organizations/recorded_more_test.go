package organizations_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// TestRecordedResourceAccountIsManagement replays the "owner" cases of
// organizations_delegation_authority.json (radkawar/stackd testdata/aws/iam/, 2026):
// an identity policy allowing Organizations reads only when the resource's owner
// is the management account lets both a management-account and a member-account
// principal read; naming the member account, or requiring the key absent, denies
// both. AWS-managed policies (p-FullAWSAccess) are owned by the management account
// too, not "aws". That the cases' key is aws:ResourceAccount is inferred from their
// names and the user guide ("For an organization, its master account owns all
// resources").
func TestRecordedResourceAccountIsManagement(t *testing.T) {
	e := newEnv(t)
	member := e.member("m")
	memberIAM := e.session(must(accessRole(e.admin(), member, "owner")).Credentials).iam
	type call struct {
		name string
		do   func(c clients) error
	}
	describeOrg := call{"DescribeOrganization", func(c clients) error {
		_, err := c.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		return err
	}}
	listAccounts := call{"ListAccounts", func(c clients) error {
		_, err := c.org.ListAccounts(ctx, &organizations.ListAccountsInput{})
		return err
	}}
	describeFull := call{"DescribePolicy p-FullAWSAccess", func(c clients) error {
		_, err := c.org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
		return err
	}}
	actions := `["organizations:DescribeOrganization","organizations:ListAccounts","organizations:DescribePolicy"]`
	owner := func(account string) string {
		return doc(`{"Effect":"Allow","Action":` + actions + `,"Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"` + account + `"}}}`)
	}
	absent := doc(`{"Effect":"Allow","Action":` + actions + `,"Resource":"*","Condition":{"Null":{"aws:ResourceAccount":"true"}}}`)
	cases := []struct {
		who    string
		c      *iam.Client
		policy string
		calls  []call
		ok     bool
	}{
		{"management", e.iam, owner(mgmt), []call{describeOrg, listAccounts, describeFull}, true},
		{"management", e.iam, owner(member), []call{describeOrg, listAccounts, describeFull}, false},
		{"management", e.iam, owner("aws"), []call{describeFull}, false},
		{"management", e.iam, absent, []call{describeOrg, listAccounts, describeFull}, false},
		{"member", memberIAM, owner(mgmt), []call{describeOrg}, true},
		{"member", memberIAM, owner(member), []call{describeOrg}, false},
		{"member", memberIAM, absent, []call{describeOrg}, false},
	}
	for i, tc := range cases {
		c, _ := e.user(tc.c, "owner"+string(rune('a'+i)), tc.policy)
		for _, k := range tc.calls {
			err := k.do(c)
			if tc.ok {
				if err != nil {
					t.Errorf("%s, policy %s, %s: %v", tc.who, tc.policy, k.name, err)
				}
				continue
			}
			if err == nil {
				t.Errorf("%s, policy %s, %s: allowed", tc.who, tc.policy, k.name)
				continue
			}
			// AWS words these "You don't have permissions to access this
			// resource."; Palisade keeps IAM's wording of identity-policy denials
			// (other AWS answers quote it for Organizations), so only the code is
			// compared.
			wantErr(t, err, "AccessDeniedException", 400, "")
		}
	}
	// A member reading a policy of the organization is refused whatever its IAM
	// policies say ("member-without-delegation").
	_, err := e.session(must(accessRole(e.admin(), member, "reader")).Credentials).org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
	wantErr(t, err, "AccessDeniedException", 400, "You don't have permissions to access this resource.")
}

// TestRecordedPolicyInUse replays "delete-attached-policy" of
// organizations_delegation_writes.json (radkawar/stackd testdata/aws/iam/, 2026).
func TestRecordedPolicyInUse(t *testing.T) {
	e := newEnv(t)
	root := e.orgEnv()
	ou := e.newOU(root, "empty")
	pol := e.scp("owned", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	must(e.org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(pol), TargetId: aws.String(ou)}))
	_, err := e.org.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(pol)})
	wantErr(t, err, "PolicyInUseException", 400, "The specified policy is in use and cannot be deleted.")
	must(e.org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(pol), TargetId: aws.String(ou)}))
	must(e.org.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(pol)}))
	_, err = e.org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(pol)})
	wantErr(t, err, "PolicyNotFoundException", 400, "")
}

// TestRecordedCreateAccountTakenEmail replays organizations_account_creation.json
// (radkawar/stackd testdata/aws/iam/, 2026): CreateAccount with the management
// account's email answers IN_PROGRESS (no account ID, completion or reason); the
// request then reads FAILED with EMAIL_ALREADY_EXISTS and a completion time, and
// is listed as such; the organization's accounts are unchanged.
func TestRecordedCreateAccountTakenEmail(t *testing.T) {
	e := newEnv(t)
	e.orgEnv()
	o := must(e.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})).Organization
	before := len(must(e.org.ListAccounts(ctx, &organizations.ListAccountsInput{})).Accounts)
	st := must(e.org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("owned"), Email: o.MasterAccountEmail})).CreateAccountStatus
	if st.State != orgtypes.CreateAccountStateInProgress || st.Id == nil || aws.ToString(st.AccountName) != "owned" || st.RequestedTimestamp == nil ||
		st.AccountId != nil || st.CompletedTimestamp != nil || st.FailureReason != "" {
		t.Fatalf("initial %+v", st)
	}
	check := func(what string, s orgtypes.CreateAccountStatus) {
		t.Helper()
		if *s.Id != *st.Id || s.State != orgtypes.CreateAccountStateFailed || s.FailureReason != orgtypes.CreateAccountFailureReasonEmailAlreadyExists ||
			s.CompletedTimestamp == nil || s.RequestedTimestamp == nil || s.AccountId != nil || aws.ToString(s.AccountName) != "owned" {
			t.Errorf("%s %+v", what, s)
		}
	}
	check("poll", *must(e.org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})).CreateAccountStatus)
	l := must(e.org.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{States: []orgtypes.CreateAccountState{orgtypes.CreateAccountStateFailed}})).CreateAccountStatuses
	if len(l) != 1 {
		t.Fatalf("listed failures %+v", l)
	}
	check("listed", l[0])
	if after := len(must(e.org.ListAccounts(ctx, &organizations.ListAccountsInput{})).Accounts); after != before {
		t.Errorf("accounts %d -> %d", before, after)
	}
}

// TestRecordedUpdatePolicyAnswer replays UpdatePolicy's answers in
// organizations_delegation_writes.json ("update-policy", a rename) and
// organizations_policy_limits.json (content-only updates) (radkawar/stackd
// testdata/aws/iam/, 2026): the summary carries the name and description only when
// the request set them; DescribePolicy still tells both.
func TestRecordedUpdatePolicyAnswer(t *testing.T) {
	e := newEnv(t)
	e.orgEnv()
	content := `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	p := must(e.org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("owned"), Description: aws.String("Owned delegation writes"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(content)})).Policy.PolicySummary
	summary := func(in *organizations.UpdatePolicyInput) *orgtypes.PolicySummary {
		t.Helper()
		in.PolicyId = p.Id
		out := must(e.org.UpdatePolicy(ctx, in)).Policy
		if aws.ToString(out.Content) != content {
			t.Errorf("content %q", aws.ToString(out.Content))
		}
		s := out.PolicySummary
		if *s.Id != *p.Id || *s.Arn != *p.Arn || s.Type != orgtypes.PolicyTypeServiceControlPolicy || s.AwsManaged {
			t.Errorf("summary %+v", s)
		}
		return s
	}
	if s := summary(&organizations.UpdatePolicyInput{Name: aws.String("owned-updated")}); aws.ToString(s.Name) != "owned-updated" || s.Description != nil {
		t.Errorf("rename: name %v, description %v", aws.ToString(s.Name), aws.ToString(s.Description))
	}
	if s := summary(&organizations.UpdatePolicyInput{Content: aws.String(content)}); s.Name != nil || s.Description != nil {
		t.Errorf("content update: name %v, description %v", aws.ToString(s.Name), aws.ToString(s.Description))
	}
	if s := summary(&organizations.UpdatePolicyInput{Description: aws.String("d2")}); s.Name != nil || aws.ToString(s.Description) != "d2" {
		t.Errorf("redescription: name %v, description %v", aws.ToString(s.Name), aws.ToString(s.Description))
	}
	d := must(e.org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: p.Id})).Policy.PolicySummary
	if aws.ToString(d.Name) != "owned-updated" || aws.ToString(d.Description) != "d2" {
		t.Errorf("described %+v", d)
	}
}

// TestRecordedFullAWSAccess replays DescribePolicy of p-FullAWSAccess in
// organizations_delegation_authority.json ("management-aws-policy-management-owner",
// radkawar/stackd testdata/aws/iam/, 2026): AWS answers its content indented.
func TestRecordedFullAWSAccess(t *testing.T) {
	e := newEnv(t)
	e.orgEnv()
	p := must(e.org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-FullAWSAccess")})).Policy
	want := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
	s := p.PolicySummary
	if aws.ToString(p.Content) != want || *s.Arn != "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess" || !s.AwsManaged ||
		aws.ToString(s.Description) != "Allows access to every operation" || *s.Id != "p-FullAWSAccess" || *s.Name != "FullAWSAccess" || s.Type != orgtypes.PolicyTypeServiceControlPolicy {
		t.Errorf("%q %+v", aws.ToString(p.Content), s)
	}
}
