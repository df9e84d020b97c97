package organizations_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// TestRecorded2026InputReasons replays organizations_inputs.json and
// organizations_policy_validation.json in the public repository radkawar/stackd
// (testdata/aws/iam/): Organizations answers a constraint violation with
// InvalidInputException and a Reason naming the violation and the member.
func TestRecorded2026InputReasons(t *testing.T) {
	e := newEnv(t)
	must(e.org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}))
	root := *must(e.org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	ou := must(e.org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("owned")})).OrganizationalUnit
	reason := func(err error) string {
		t.Helper()
		var ie *orgtypes.InvalidInputException
		if !errors.As(err, &ie) {
			t.Fatalf("want InvalidInputException, got %v", err)
		}
		return string(ie.Reason)
	}
	update := func(id, name string) error {
		_, err := e.org.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: aws.String(id), Name: aws.String(name)})
		return err
	}
	if r := reason(update(*ou.Id, "")); r != "MIN_LENGTH_EXCEEDED:NAME" {
		t.Errorf("empty name: %s", r)
	}
	if r := reason(update(*ou.Id, strings.Repeat("\u00e9", 129))); r != "MAX_LENGTH_EXCEEDED:NAME" {
		t.Errorf("129 characters: %s", r)
	}
	if r := reason(update("invalid", "rejected")); r != "INVALID_PATTERN:ORGANIZATIONAL_UNIT_ID" {
		t.Errorf("bad OU ID: %s", r)
	}
	for _, name := range []string{" ", strings.Repeat("\u00e9", 128)} {
		if err := update(*ou.Id, name); err != nil {
			t.Errorf("name %q: %v", name, err)
		}
	}
	_, err := e.org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: "WRONG"})
	if r := reason(err); r != "INVALID_ENUM_POLICY_TYPE" {
		t.Errorf("unknown policy type: %s", r)
	}
	wantErr(t, err, "InvalidInputException", 400, "You specified an invalid policy type.")
}

// TestRecorded2026OrganizationRoles replays organizations_roles.json (radkawar/stackd
// testdata/aws/iam/, 2026): a created member account has OrganizationAccountAccessRole
// (trusting the management account's root, AdministratorAccess attached, one hour)
// and, as the management account does, Organizations' service-linked role.
func TestRecorded2026OrganizationRoles(t *testing.T) {
	e := newEnv(t)
	member := e.member("m")
	out := must(accessRole(e.admin(), member, "stackd-read-access-role"))
	if arn := *out.AssumedRoleUser.Arn; arn != "arn:aws:sts::"+member+":assumed-role/OrganizationAccountAccessRole/stackd-read-access-role" {
		t.Errorf("access role session %s", arn)
	}
	memberIAM := e.session(out.Credentials).iam
	type want struct {
		arn, trust, description string
		policies                []string
	}
	check := func(c *iam.Client, name string, w want) {
		t.Helper()
		r := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})).Role
		trust, _ := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument))
		var got, exp any
		if err := json.Unmarshal([]byte(trust), &got); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal([]byte(w.trust), &exp)
		if *r.Arn != w.arn || !reflect.DeepEqual(got, exp) || aws.ToString(r.Description) != w.description || aws.ToInt32(r.MaxSessionDuration) != 3600 {
			t.Errorf("%s: %s %s %q %d", name, *r.Arn, trust, aws.ToString(r.Description), aws.ToInt32(r.MaxSessionDuration))
		}
		var arns []string
		for _, p := range must(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})).AttachedPolicies {
			arns = append(arns, *p.PolicyArn)
		}
		inline := must(c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})).PolicyNames
		if !reflect.DeepEqual(arns, w.policies) || len(inline) != 0 {
			t.Errorf("%s: attached %v, inline %v", name, arns, inline)
		}
	}
	check(memberIAM, "OrganizationAccountAccessRole", want{
		arn:      "arn:aws:iam::" + member + ":role/OrganizationAccountAccessRole",
		trust:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole"}]}`,
		policies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"},
	})
	slr := func(account string) want {
		return want{
			arn:         "arn:aws:iam::" + account + ":role/aws-service-role/organizations.amazonaws.com/AWSServiceRoleForOrganizations",
			trust:       `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"organizations.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
			description: "Service-linked role used by AWS Organizations to enable integration of other AWS services with Organizations.",
			policies:    []string{"arn:aws:iam::aws:policy/aws-service-role/AWSOrganizationsServiceTrustPolicy"},
		}
	}
	check(memberIAM, "AWSServiceRoleForOrganizations", slr(member))
	check(e.iam, "AWSServiceRoleForOrganizations", slr(mgmt))
}
