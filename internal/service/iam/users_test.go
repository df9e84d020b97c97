package iam_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

var uniqueID = regexp.MustCompile(`^[A-Z]{4}[A-Z2-7]{17}$`)

func TestUserLifecycle(t *testing.T) {
	e := newEnv(t)
	out := must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Alice"), Path: aws.String("/eng/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("red")}}}))
	u := out.User
	if !uniqueID.MatchString(*u.UserId) || (*u.UserId)[:4] != "AIDA" {
		t.Fatalf("user ID %q", *u.UserId)
	}
	if *u.Arn != "arn:aws:iam::"+account+":user/eng/Alice" || *u.Path != "/eng/" || u.CreateDate == nil || len(u.Tags) != 1 {
		t.Fatalf("created user %+v", u)
	}
	// Names are unique without case.
	_, err := e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})
	wantErr(t, err, "EntityAlreadyExists", 409, "User with name alice already exists.")

	got := must(e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("ALICE")})).User
	if *got.UserName != "Alice" || *got.UserId != *u.UserId || len(got.Tags) != 1 {
		t.Fatalf("get user %+v", got)
	}
	_, err = e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})
	wantErr(t, err, "NoSuchEntity", 404, "The user with name bob cannot be found.")

	// Rename and move.
	must(e.iam.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("alice"), NewUserName: aws.String("alice2"), NewPath: aws.String("/ops/")}))
	got = must(e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice2")})).User
	if *got.Arn != "arn:aws:iam::"+account+":user/ops/alice2" || *got.UserId != *u.UserId {
		t.Fatalf("renamed user %+v", got)
	}
	_, err = e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("Alice")})
	wantErr(t, err, "NoSuchEntity", 404, "")
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}))
	_, err = e.iam.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("alice2"), NewUserName: aws.String("Carol")})
	wantErr(t, err, "EntityAlreadyExists", 409, "User with name Carol already exists.")

	must(e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice2")}))
	_, err = e.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice2")})
	wantErr(t, err, "NoSuchEntity", 404, "The user with name alice2 cannot be found.")
}

func TestGetUserAsRootAndSelf(t *testing.T) {
	e := newEnv(t)
	root := must(e.iam.GetUser(ctx, &iam.GetUserInput{})).User
	if *root.Arn != "arn:aws:iam::"+account+":root" || *root.UserId != account {
		t.Fatalf("root user %+v", root)
	}
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dave")}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dave")})).AccessKey
	dave, _ := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	// Reading oneself needs iam:GetUser on one's own ARN, as on AWS, whose message
	// names the user as "user NAME".
	_, err := dave.GetUser(ctx, &iam.GetUserInput{})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+account+":user/dave is not authorized to perform: iam:GetUser on resource: user dave because no identity-based policy allows the iam:GetUser action")
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dave"), PolicyName: aws.String("self"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)}))
	self := must(dave.GetUser(ctx, &iam.GetUserInput{})).User
	if *self.UserName != "dave" {
		t.Fatalf("self %+v", self)
	}
}

// TestMadeUpMarkersAreRefused: a Marker IAM did not hand out is "Invalid Marker." in
// every listing. Markers were the base64 of a store key, so any base64 text (a user
// name, "garbage") was taken as a position and answered a shifted or empty page.
func TestMadeUpMarkersAreRefused(t *testing.T) {
	e := newEnv(t)
	for i := range 3 {
		must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("m%d", i))}))
	}
	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")}))
	for _, m := range []string{"garbage", "AAAA", "bTA", "MQ", "x"} {
		_, err := e.iam.ListUsers(ctx, &iam.ListUsersInput{Marker: aws.String(m)})
		wantErr(t, err, "ValidationError", 400, "Invalid Marker.")
		_, err = e.iam.ListPolicies(ctx, &iam.ListPoliciesInput{Marker: aws.String(m)})
		wantErr(t, err, "ValidationError", 400, "Invalid Marker.")
		_, err = e.iam.ListGroups(ctx, &iam.ListGroupsInput{Marker: aws.String(m)})
		wantErr(t, err, "ValidationError", 400, "Invalid Marker.")
		_, err = e.iam.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("m0"), Marker: aws.String(m)})
		wantErr(t, err, "ValidationError", 400, "Invalid Marker.")
		_, err = e.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Marker: aws.String(m)})
		wantErr(t, err, "ValidationError", 400, "Invalid Marker.")
	}
	// A marker handed out still resumes after its page.
	out := must(e.iam.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(2)}))
	rest := must(e.iam.ListUsers(ctx, &iam.ListUsersInput{Marker: out.Marker}))
	if len(out.Users) != 2 || len(rest.Users) != 1 || *rest.Users[0].UserName != "m2" {
		t.Fatalf("pages %d then %d", len(out.Users), len(rest.Users))
	}
}

func TestListUsersPaginationAndPath(t *testing.T) {
	e := newEnv(t)
	for i := range 7 {
		path := "/a/"
		if i%2 == 1 {
			path = "/b/"
		}
		must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("user%d", i)), Path: aws.String(path)}))
	}
	var names []string
	var marker *string
	pages := 0
	for {
		out := must(e.iam.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(3), Marker: marker}))
		pages++
		for _, u := range out.Users {
			names = append(names, *u.UserName)
			if u.Tags != nil || u.PermissionsBoundary != nil {
				t.Fatal("ListUsers returns tags or boundaries")
			}
		}
		if !out.IsTruncated {
			if out.Marker != nil {
				t.Fatal("marker on the last page")
			}
			break
		}
		marker = out.Marker
	}
	if pages != 3 || fmt.Sprint(names) != "[user0 user1 user2 user3 user4 user5 user6]" {
		t.Fatalf("%d pages: %v", pages, names)
	}
	out := must(e.iam.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/b/")}))
	if len(out.Users) != 3 {
		t.Fatalf("path prefix /b/: %d users", len(out.Users))
	}
	// The SDK's paginator walks the same pages.
	pg := iam.NewListUsersPaginator(e.iam, &iam.ListUsersInput{MaxItems: aws.Int32(2)})
	n := 0
	for pg.HasMorePages() {
		n += len(must(pg.NextPage(ctx)).Users)
	}
	if n != 7 {
		t.Fatalf("paginator saw %d users", n)
	}
}

func TestUserTags(t *testing.T) {
	e := newEnv(t)
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("t")}))
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	must(e.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("t"), Tags: []types.Tag{tag("a", "1"), tag("b", "2")}}))
	must(e.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("t"), Tags: []types.Tag{tag("A", "3")}}))
	tags := must(e.iam.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("t")})).Tags
	// A retagged key keeps its place, as AWS lists it (test_iam_roles.py
	// test_role_tag_operations, list-role-tags-after-update).
	if len(tags) != 2 || *tags[0].Key != "A" || *tags[0].Value != "3" || *tags[1].Key != "b" {
		t.Fatalf("tags %+v", tags)
	}
	_, err := e.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("t"), Tags: []types.Tag{tag("x", "1"), tag("X", "2")}})
	wantErr(t, err, "InvalidInput", 400, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
	var many []types.Tag
	for i := range 49 {
		many = append(many, tag(fmt.Sprint("k", i), "v"))
	}
	_, err = e.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("t"), Tags: many})
	wantErr(t, err, "LimitExceeded", 409, "The number of tags has reached the maximum limit.")
	must(e.iam.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("t"), TagKeys: []string{"a", "nope"}}))
	tags = must(e.iam.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("t")})).Tags
	if len(tags) != 1 || *tags[0].Key != "b" {
		t.Fatalf("tags after untag %+v", tags)
	}
	_, err = e.iam.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("nobody")})
	wantErr(t, err, "NoSuchEntity", 404, "The user with name nobody cannot be found.")
}

func TestUserPermissionsBoundary(t *testing.T) {
	e := newEnv(t)
	const ro = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("b"), PermissionsBoundary: aws.String(ro)}))
	u := must(e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("b")})).User
	if u.PermissionsBoundary == nil || *u.PermissionsBoundary.PermissionsBoundaryArn != ro || u.PermissionsBoundary.PermissionsBoundaryType != types.PermissionsBoundaryAttachmentTypePolicy {
		t.Fatalf("boundary %+v", u.PermissionsBoundary)
	}
	p := must(e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(ro)})).Policy
	if *p.PermissionsBoundaryUsageCount != 1 {
		t.Fatalf("boundary usage %d", *p.PermissionsBoundaryUsageCount)
	}
	_, err := e.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("b"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/Nope")})
	wantErr(t, err, "NoSuchEntity", 404, "Scope ARN: arn:aws:iam::aws:policy/Nope does not exist or is not attachable.")
	must(e.iam.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("b")}))
	u = must(e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("b")})).User
	p = must(e.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(ro)})).Policy
	if u.PermissionsBoundary != nil || *p.PermissionsBoundaryUsageCount != 0 {
		t.Fatalf("boundary after delete %+v, usage %d", u.PermissionsBoundary, *p.PermissionsBoundaryUsageCount)
	}
}
