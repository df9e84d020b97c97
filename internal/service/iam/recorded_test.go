package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// The tests in this file replay requests whose answers AWS recorded in LocalStack's
// AWS-validated snapshots (tests/aws/services/iam/*.snapshot.json); each names the
// test and snapshot key it follows.

func tagKeys(tags []types.Tag) []string {
	var out []string
	for _, t := range tags {
		out = append(out, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
	}
	return out
}

func wantTags(t *testing.T, what string, tags []types.Tag, want ...string) {
	t.Helper()
	got := tagKeys(tags)
	if len(got) != len(want) {
		t.Fatalf("%s: tags %v, want %v", what, got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: tags %v, want %v", what, got, want)
		}
	}
}

// test_iam_policies.py TestPolicyTags: a policy's tag keys are compared with case, and
// ListPolicyTags orders them by length, then key.
func TestRecordedPolicyTags(t *testing.T) {
	e := newEnv(t)
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	// test_policy_tag_lifecycle, create-with-case-sensitive-tags / list-case-sensitive-tags.
	p := must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("cs"), PolicyDocument: aws.String(allowAll),
		Tags: []types.Tag{tag("a", "lowercase"), tag("A", "uppercase")}})).Policy
	wantTags(t, "create", p.Tags, "a=lowercase", "A=uppercase")
	list := must(e.iam.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: p.Arn})).Tags
	wantTags(t, "list", list, "A=uppercase", "a=lowercase")
	// test_policy_tag_operations, list-after-untag-lowercase.
	must(e.iam.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: p.Arn, TagKeys: []string{"a"}}))
	list = must(e.iam.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: p.Arn})).Tags
	wantTags(t, "after untag", list, "A=uppercase")
	// test_policy_tag_order, list-tags.
	o := must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("order"), PolicyDocument: aws.String(allowAll),
		Tags: []types.Tag{tag("abc", "first"), tag("b", "second"), tag("z", "third"), tag("a", "fourth")}})).Policy
	list = must(e.iam.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: o.Arn})).Tags
	wantTags(t, "order", list, "a=fourth", "b=second", "z=third", "abc=first")
	// test_policy_tag_create_errors, err-duplicate-keys; test_policy_tag_update_errors,
	// err-tag-duplicate-keys.
	_, err := e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("dup"), PolicyDocument: aws.String(allowAll),
		Tags: []types.Tag{tag("0", ""), tag("0", "")}})
	wantErr(t, err, "InvalidInput", 400, "Duplicate tag keys found.")
	_, err = e.iam.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: p.Arn, Tags: []types.Tag{tag("0", ""), tag("0", "")}})
	wantErr(t, err, "InvalidInput", 400, "Duplicate tag keys found.")
}

// test_iam_roles.py TestRoleTags: role keys stay case insensitive, and a retagged key
// keeps its place.
func TestRecordedRoleTags(t *testing.T) {
	e := newEnv(t)
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2)}))
	must(e.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("r"), Tags: []types.Tag{tag("somekey", "somevalue"), tag("someotherkey", "someothervalue")}}))
	// test_role_tag_operations, list-role-tags-after-update.
	must(e.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("r"), Tags: []types.Tag{tag("somekey", "updatedvalue")}}))
	list := must(e.iam.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("r")})).Tags
	wantTags(t, "after update", list, "somekey=updatedvalue", "someotherkey=someothervalue")
	// test_role_tag_errors, tag-role-duplicate-tags-different-case.
	_, err := e.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("r"), Tags: []types.Tag{tag("a", ""), tag("A", "")}})
	wantErr(t, err, "InvalidInput", 400, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
}

// test_iam_roles.py: CreateRole leaves out the description and maximum session
// duration, UpdateRoleDescription the maximum session duration; the roles of an
// instance profile (test_iam_instance_profiles.py) have no maximum session duration.
func TestRecordedRoleMembers(t *testing.T) {
	e := newEnv(t)
	// test_role_permissions_boundary_lifecycle, create-role-with-boundary.
	r := must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2),
		Description: aws.String("Role with permissions boundary")})).Role
	if r.Description != nil || r.MaxSessionDuration != nil || r.RoleLastUsed != nil {
		t.Fatalf("CreateRole answered %+v", r)
	}
	// test_create_role_defaults, get-role-response.
	g := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})).Role
	if aws.ToString(g.Description) != "Role with permissions boundary" || aws.ToInt32(g.MaxSessionDuration) != 3600 || g.RoleLastUsed == nil {
		t.Fatalf("GetRole answered %+v", g)
	}
	// test_update_role, update-role-description-response.
	must(e.iam.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("r"), MaxSessionDuration: aws.Int32(7200)}))
	u := must(e.iam.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("r"), Description: aws.String("d")})).Role
	if aws.ToString(u.Description) != "d" || u.MaxSessionDuration != nil || u.RoleLastUsed != nil {
		t.Fatalf("UpdateRoleDescription answered %+v", u)
	}
	// test_list_roles_pagination: ListRoles has it.
	l := must(e.iam.ListRoles(ctx, &iam.ListRolesInput{})).Roles
	if len(l) != 1 || aws.ToInt32(l[0].MaxSessionDuration) != 7200 || aws.ToString(l[0].Description) != "d" {
		t.Fatalf("ListRoles answered %+v", l)
	}
	// test_iam_instance_profiles.py test_add_remove_role_from_instance_profile, get-with-role.
	must(e.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")}))
	must(e.iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String("r")}))
	ip := must(e.iam.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("ip")})).InstanceProfile
	if len(ip.Roles) != 1 || ip.Roles[0].MaxSessionDuration != nil || aws.ToString(ip.Roles[0].RoleName) != "r" {
		t.Fatalf("instance profile roles %+v", ip.Roles)
	}
}

// Error answers recorded from AWS that name the request's inputs.
func TestRecordedErrors(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2)}))
	p := must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("policy-name-of-twenty"), PolicyDocument: aws.String(allowAll)})).Policy
	missing := "arn:aws:iam::" + account + ":policy/TestNonExistingPolicy"

	// test_iam_policies.py test_policy_version_errors, err-get-version-nonexistent-policy
	// and err-set-default-nonexistent-policy.
	_, err := e.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(missing), VersionId: aws.String("v1")})
	wantErr(t, err, "NoSuchEntity", 404, "Policy "+missing+" version v1 does not exist or is not attachable.")
	_, err = e.iam.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(missing), VersionId: aws.String("v1")})
	wantErr(t, err, "NoSuchEntity", 404, "Policy "+missing+" version v1 does not exist or is not attachable.")
	// test_list_entities_for_policy_errors, err-nonexistent-policy.
	_, err = e.iam.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(missing)})
	wantErr(t, err, "NoSuchEntity", 404, "Policy "+missing+" does not exist or is not attachable.")

	// test_iam_roles.py test_role_managed_policy_errors, non-existent-malformed-policy-arn
	// and existing-policy-name-provided.
	_, err = e.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String("longpolicynamebutnoarn")})
	wantErr(t, err, "ValidationError", 400, "ARN longpolicynamebutnoarn is not valid.")
	_, err = e.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: p.PolicyName})
	wantErr(t, err, "ValidationError", 400, "ARN policy-name-of-twenty is not valid.")

	// test_role_permissions_boundary_errors, put-invalid-boundary-error and
	// create-role-invalid-boundary-error.
	notPolicy := "arn:aws:iam::" + account + ":not_a_policy/invalid"
	_, err = e.iam.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("r"), PermissionsBoundary: aws.String(notPolicy)})
	wantErr(t, err, "InvalidInput", 400, "ARN "+notPolicy+" is not valid.")
	_, err = e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r2"), AssumeRolePolicyDocument: aws.String(trustEC2), PermissionsBoundary: aws.String(notPolicy)})
	wantErr(t, err, "InvalidInput", 400, "ARN "+notPolicy+" is not valid.")
	// put-nonexistent-policy-error: a policy ARN that names nothing is still NoSuchEntity.
	_, err = e.iam.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("r"), PermissionsBoundary: aws.String("arn:aws:iam::" + account + ":policy/nonexistent-policy")})
	wantErr(t, err, "NoSuchEntity", 404, "Scope ARN: arn:aws:iam::"+account+":policy/nonexistent-policy does not exist or is not attachable.")

	// test_iam_groups.py test_remove_user_from_unknown_group, remove-from-unknown-group:
	// with neither the user nor the group there, the user is named.
	_, err = e.iam.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("non-existent-group"), UserName: aws.String("any-user")})
	wantErr(t, err, "NoSuchEntity", 404, "The user with name any-user cannot be found.")

	// test_iam_instance_profiles.py test_role_instance_profile_operations_errors,
	// remove-unattached-role-error.
	must(e.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")}))
	_, err = e.iam.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String("r")})
	wantErr(t, err, "NoSuchEntity", 404, "Role r in Instance Profile ip cannot be found.")
}
