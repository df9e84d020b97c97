package iam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestGroups(t *testing.T) {
	e := newEnv(t)
	g := must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Devs"), Path: aws.String("/x/")})).Group
	if (*g.GroupId)[:4] != "AGPA" || !uniqueID.MatchString(*g.GroupId) || *g.Arn != "arn:aws:iam::"+account+":group/x/Devs" {
		t.Fatalf("group %+v", g)
	}
	_, err := e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")})
	wantErr(t, err, "EntityAlreadyExists", 409, "Group with name devs already exists.")
	for _, n := range []string{"bo", "al", "cy"} {
		must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n)}))
		must(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String(n)}))
	}
	must(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("al")}))
	out := must(e.iam.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("DEVS"), MaxItems: aws.Int32(2)}))
	if len(out.Users) != 2 || *out.Users[0].UserName != "al" || *out.Users[1].UserName != "bo" || !out.IsTruncated {
		t.Fatalf("get group page 1: %+v", out.Users)
	}
	out = must(e.iam.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("devs"), Marker: out.Marker}))
	if len(out.Users) != 1 || *out.Users[0].UserName != "cy" || out.IsTruncated {
		t.Fatalf("get group page 2: %+v", out.Users)
	}
	gs := must(e.iam.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("al")})).Groups
	if len(gs) != 1 || *gs[0].GroupName != "Devs" {
		t.Fatalf("groups for user %+v", gs)
	}
	_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("al")})
	wantErr(t, err, "DeleteConflict", 409, "Cannot delete entity, must remove users from group first.")
	_, err = e.iam.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("devs")})
	wantErr(t, err, "DeleteConflict", 409, "Cannot delete entity, must remove users from group first.")

	// Renaming keeps the members.
	must(e.iam.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("devs"), NewGroupName: aws.String("engineers"), NewPath: aws.String("/")}))
	out = must(e.iam.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("engineers")}))
	if len(out.Users) != 3 || *out.Group.Arn != "arn:aws:iam::"+account+":group/engineers" {
		t.Fatalf("renamed group %+v", out.Group)
	}
	for _, n := range []string{"al", "bo", "cy", "al"} {
		must(e.iam.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("engineers"), UserName: aws.String(n)}))
	}
	must(e.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("engineers"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowAll)}))
	_, err = e.iam.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("engineers")})
	wantErr(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
	must(e.iam.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("engineers"), PolicyName: aws.String("p")}))
	must(e.iam.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("engineers")}))
	_, err = e.iam.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("engineers")})
	wantErr(t, err, "NoSuchEntity", 404, "The group with name engineers cannot be found.")
	if n := len(must(e.iam.ListGroups(ctx, &iam.ListGroupsInput{})).Groups); n != 0 {
		t.Fatalf("%d groups left", n)
	}
}

func TestGroupsPerUserQuota(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	for i := range 11 {
		name := aws.String(fmt.Sprint("g", i))
		must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: name}))
		_, err := e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: name, UserName: aws.String("u")})
		if i < 10 {
			must(struct{}{}, err)
		} else {
			wantErr(t, err, "LimitExceeded", 409, "Cannot exceed quota for GroupsPerUser: 10")
		}
	}
}

func TestInlinePolicies(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	doc := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}`
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("Read"), PolicyDocument: aws.String(doc)}))
	got := must(e.iam.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("read")}))
	if decode(t, got.PolicyDocument) != doc || *got.PolicyName != "Read" || !strings.Contains(*got.PolicyDocument, "%20") {
		t.Fatalf("inline policy %q %q", *got.PolicyName, *got.PolicyDocument)
	}
	_, err := e.iam.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("nope")})
	wantErr(t, err, "NoSuchEntity", 404, "The user policy with name nope cannot be found.")
	_, err = e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Statement":[]`)})
	wantErr(t, err, "MalformedPolicyDocument", 400, "Syntax errors in policy.")

	// The size quota is on the sum of the user's inline policies.
	stmt := func(i int) string {
		return fmt.Sprintf(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-%03d/*"}`, i)
	}
	var parts []string
	for i := range 12 {
		parts = append(parts, stmt(i))
	}
	half := `{"Version":"2012-10-17","Statement":[` + strings.Join(parts, ",") + `]}`
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("half"), PolicyDocument: aws.String(half)}))
	_, err = e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("half2"), PolicyDocument: aws.String(half)})
	wantErr(t, err, "LimitExceeded", 409, "Maximum policy size of 2048 bytes exceeded for user u")
	// Replacing a policy does not count it twice.
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("half"), PolicyDocument: aws.String(half)}))

	names := must(e.iam.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("u")})).PolicyNames
	if fmt.Sprint(names) != "[half Read]" {
		t.Fatalf("policy names %v", names)
	}
	_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("u")})
	wantErr(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
	must(e.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("half")}))
	_, err = e.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("half")})
	wantErr(t, err, "NoSuchEntity", 404, "The user policy with name half cannot be found.")

	// Roles allow 10,240 characters.
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2)}))
	for _, n := range []string{"a", "b", "c", "d"} {
		must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String(n), PolicyDocument: aws.String(half)}))
	}
	rp := must(e.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("a")}))
	if decode(t, rp.PolicyDocument) != half || *rp.RoleName != "r" {
		t.Fatal("role policy")
	}
	if n := len(must(e.iam.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("r")})).PolicyNames); n != 4 {
		t.Fatalf("role has %d inline policies", n)
	}
	_, err = e.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("z")})
	wantErr(t, err, "NoSuchEntity", 404, "The role policy with name z cannot be found.")
	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")}))
	must(e.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("gp"), PolicyDocument: aws.String(allowAll)}))
	gp := must(e.iam.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("gp")}))
	if decode(t, gp.PolicyDocument) != allowAll {
		t.Fatal("group policy")
	}
	if n := len(must(e.iam.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("g")})).PolicyNames); n != 1 {
		t.Fatalf("group has %d inline policies", n)
	}
}

func TestRoles(t *testing.T) {
	e := newEnv(t)
	r := must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Web"), Path: aws.String("/svc/"), AssumeRolePolicyDocument: aws.String(trustEC2),
		Description: aws.String("web tier"), MaxSessionDuration: aws.Int32(7200), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})).Role
	if (*r.RoleId)[:4] != "AROA" || !uniqueID.MatchString(*r.RoleId) || *r.Arn != "arn:aws:iam::"+account+":role/svc/Web" || r.MaxSessionDuration != nil || r.Description != nil {
		t.Fatalf("role %+v", r)
	}
	if decode(t, r.AssumeRolePolicyDocument) != trustEC2 {
		t.Fatalf("trust %s", *r.AssumeRolePolicyDocument)
	}
	_, err := e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(trustEC2)})
	wantErr(t, err, "EntityAlreadyExists", 409, "Role with name web already exists.")
	// Trust policies are validated as trust policies.
	_, err = e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(allowAll)})
	wantErr(t, err, "MalformedPolicyDocument", 400, "Missing required field Principal")
	_, err = e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`)})
	wantErr(t, err, "MalformedPolicyDocument", 400, "Has prohibited field Resource.")
	_, err = e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:user/ghost"},"Action":"sts:AssumeRole"}]}`)})
	wantErr(t, err, "MalformedPolicyDocument", 400, `Invalid principal in policy: "AWS":"arn:aws:iam::`+account+`:user/ghost"`)
	_, err = e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(trustEC2), MaxSessionDuration: aws.Int32(60)})
	wantErr(t, err, "ValidationError", 400, "")

	got := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("WEB")})).Role
	if *got.Description != "web tier" || *got.MaxSessionDuration != 7200 || len(got.Tags) != 1 || got.RoleLastUsed == nil {
		t.Fatalf("get role %+v", got)
	}
	must(e.iam.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("web"), Description: aws.String("new"), MaxSessionDuration: aws.Int32(3600)}))
	upd := must(e.iam.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("web"), Description: aws.String("newer")})).Role
	if *upd.Description != "newer" || upd.MaxSessionDuration != nil {
		t.Fatalf("updated %+v", upd)
	}
	trust2 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`
	must(e.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("web"), PolicyDocument: aws.String(trust2)}))
	roles := must(e.iam.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/svc/")})).Roles
	if len(roles) != 1 || decode(t, roles[0].AssumeRolePolicyDocument) != trust2 || roles[0].Tags != nil {
		t.Fatalf("list roles %+v", roles)
	}
	must(e.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("web"), Tags: []types.Tag{{Key: aws.String("k2"), Value: aws.String("v")}}}))
	must(e.iam.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("web"), TagKeys: []string{"k"}}))
	if tags := must(e.iam.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("web")})).Tags; len(tags) != 1 || *tags[0].Key != "k2" {
		t.Fatalf("role tags %+v", tags)
	}
	must(e.iam.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("web"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")}))
	if b := must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("web")})).Role.PermissionsBoundary; b == nil || *b.PermissionsBoundaryArn != "arn:aws:iam::aws:policy/PowerUserAccess" {
		t.Fatalf("boundary %+v", b)
	}
	must(e.iam.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("web")}))
	must(e.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("web")}))
	_, err = e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("web")})
	wantErr(t, err, "NoSuchEntity", 404, "The role with name web cannot be found.")
}

func TestInstanceProfiles(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(trustEC2)}))
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r2"), AssumeRolePolicyDocument: aws.String(trustEC2)}))
	ip := must(e.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web"), Path: aws.String("/p/")})).InstanceProfile
	if (*ip.InstanceProfileId)[:4] != "AIPA" || *ip.Arn != "arn:aws:iam::"+account+":instance-profile/p/web" || ip.Roles == nil {
		t.Fatalf("profile %+v", ip)
	}
	_, err := e.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("WEB")})
	wantErr(t, err, "EntityAlreadyExists", 409, "Instance Profile WEB already exists.")
	must(e.iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("r1")}))
	_, err = e.iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("r2")})
	wantErr(t, err, "LimitExceeded", 409, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	got := must(e.iam.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")})).InstanceProfile
	if len(got.Roles) != 1 || *got.Roles[0].RoleName != "r1" {
		t.Fatalf("profile roles %+v", got.Roles)
	}
	fr := must(e.iam.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("r1")})).InstanceProfiles
	if len(fr) != 1 || *fr[0].InstanceProfileName != "web" {
		t.Fatalf("profiles for role %+v", fr)
	}
	_, err = e.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("r1")})
	wantErr(t, err, "DeleteConflict", 409, "Cannot delete entity, must remove roles from instance profile first.")
	_, err = e.iam.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantErr(t, err, "DeleteConflict", 409, "Cannot delete entity, must remove roles from instance profile first.")
	must(e.iam.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("web"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}))
	if tags := must(e.iam.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web")})).Tags; len(tags) != 1 {
		t.Fatalf("profile tags %+v", tags)
	}
	must(e.iam.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("web"), TagKeys: []string{"a"}}))
	must(e.iam.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("r1")}))
	_, err = e.iam.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("r1")})
	wantErr(t, err, "NoSuchEntity", 404, "")
	if n := len(must(e.iam.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{})).InstanceProfiles); n != 1 {
		t.Fatalf("%d profiles", n)
	}
	must(e.iam.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")}))
	_, err = e.iam.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantErr(t, err, "NoSuchEntity", 404, "Instance Profile web cannot be found.")
	must(e.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("r1")}))
}

func TestServiceLinkedRoles(t *testing.T) {
	e := newEnv(t)
	r := must(e.iam.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("config.amazonaws.com")})).Role
	if *r.RoleName != "AWSServiceRoleForConfig" || *r.Path != "/aws-service-role/config.amazonaws.com/" {
		t.Fatalf("SLR %+v", r)
	}
	att := must(e.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: r.RoleName})).AttachedPolicies
	if len(att) != 1 || *att[0].PolicyName != "AWSConfigServiceRolePolicy" {
		t.Fatalf("SLR policies %+v", att)
	}
	_, err := e.iam.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("config.amazonaws.com")})
	wantErr(t, err, "InvalidInput", 400, "Service role name AWSServiceRoleForConfig has been taken in this account, please try a different suffix.")
	const protected = "Cannot perform the operation on the protected role 'AWSServiceRoleForConfig' - this role is only modifiable by AWS"
	_, err = e.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: r.RoleName})
	wantErr(t, err, "UnmodifiableEntity", 400, protected)
	_, err = e.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: r.RoleName, PolicyArn: att[0].PolicyArn})
	wantErr(t, err, "UnmodifiableEntity", 400, protected)
	_, err = e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: r.RoleName, PolicyName: aws.String("x"), PolicyDocument: aws.String(allowAll)})
	wantErr(t, err, "UnmodifiableEntity", 400, protected)
	task := must(e.iam.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: r.RoleName})).DeletionTaskId
	if !strings.HasPrefix(*task, "task/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig/") {
		t.Fatalf("task %s", *task)
	}
	st := must(e.iam.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: task}))
	if st.Status != types.DeletionTaskStatusTypeSucceeded {
		t.Fatalf("status %s", st.Status)
	}
	_, err = e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: r.RoleName})
	wantErr(t, err, "NoSuchEntity", 404, "")
	custom := must(e.iam.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("guardduty.amazonaws.com"), CustomSuffix: aws.String("x")})).Role
	if *custom.RoleName != "AWSServiceRoleForAmazonGuardDuty_x" {
		t.Fatalf("custom suffix %s", *custom.RoleName)
	}
}
