package organizations_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
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
