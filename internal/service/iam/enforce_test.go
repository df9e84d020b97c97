package iam_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/palisade/palisade/internal/audit"
	"github.com/palisade/palisade/internal/store"
)

// newUser creates a user with an access key and returns its IAM client.
func (e *env) newUser(name string) *iam.Client {
	e.Helper()
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).AccessKey
	c, _ := e.as(*k.AccessKeyId, *k.SecretAccessKey)
	return c
}

// records returns the CloudTrail records of the log with the event name.
func (e *env) records(name string) []audit.Record {
	e.Helper()
	var out []audit.Record
	err := e.p.Store.View(ctx, func(tx *store.Tx) error {
		return tx.Events(0, 1<<20, func(ev *store.Event) bool {
			var r audit.Record
			if json.Unmarshal(ev.Data, &r) == nil && r.EventName == name {
				out = append(out, r)
			}
			return true
		})
	})
	if err != nil {
		e.Fatal(err)
	}
	return out
}

const userArn = "arn:aws:iam::" + account + ":user/"

// Issue 4's enforcement scenario with AWS's AccessDenied messages ("Troubleshoot
// access denied error messages": "because no identity-based policy allows", "with an
// explicit deny in an identity-based policy", "because no permissions boundary
// allows"; the denying managed policy's ARN after an explicit deny), and denied calls
// in CloudTrail with errorCode AccessDenied.
func TestEnforcement(t *testing.T) {
	e := newEnv(t)
	u := e.newUser("u")

	// No policy: denied, on the ARN prefix ListUsers lists.
	_, err := u.ListUsers(ctx, &iam.ListUsersInput{})
	denyList := "User: " + userArn + "u is not authorized to perform: iam:ListUsers on resource: " + userArn + " because no identity-based policy allows the iam:ListUsers action"
	wantErr(t, err, "AccessDenied", 403, denyList)
	_, err = u.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/ops/")})
	wantErr(t, err, "AccessDenied", 403, "User: "+userArn+"u is not authorized to perform: iam:ListUsers on resource: "+userArn+"ops/ because no identity-based policy allows the iam:ListUsers action")
	_, err = u.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("v"), Path: aws.String("/ops/")})
	wantErr(t, err, "AccessDenied", 403, "User: "+userArn+"u is not authorized to perform: iam:CreateUser on resource: "+userArn+"ops/v because no identity-based policy allows the iam:CreateUser action")
	if _, err := e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("v")}); err == nil {
		t.Fatal("a denied CreateUser created the user")
	}

	// Both denials are in CloudTrail, as CloudTrail records them.
	recs := e.records("ListUsers")
	if len(recs) != 2 || recs[0].ErrorCode != "AccessDenied" || recs[0].ErrorMessage != denyList || !recs[0].ReadOnly ||
		recs[0].UserIdentity.ARN != userArn+"u" || recs[0].UserIdentity.Type != "IAMUser" {
		t.Fatalf("ListUsers records %+v", recs)
	}
	recs = e.records("CreateUser")
	last := recs[len(recs)-1]
	if last.ErrorCode != "AccessDenied" || last.ReadOnly || string(last.ResponseElements) != "null" || last.UserIdentity.UserName != "u" {
		t.Fatalf("CreateUser record %+v", last)
	}

	// ReadOnlyAccess allows reading, not writing.
	must(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	must(u.ListUsers(ctx, &iam.ListUsersInput{}))
	_, err = u.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("v")})
	wantErr(t, err, "AccessDenied", 403, "User: "+userArn+"u is not authorized to perform: iam:CreateUser on resource: "+userArn+"v because no identity-based policy allows the iam:CreateUser action")

	// An explicit deny in a group's inline policy overrides the user's allow; an
	// inline policy has no ARN to name.
	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")}))
	must(e.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("g"), UserName: aws.String("u")}))
	must(e.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("d"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}`)}))
	_, err = u.ListUsers(ctx, &iam.ListUsersInput{})
	wantErr(t, err, "AccessDenied", 403, "User: "+userArn+"u is not authorized to perform: iam:ListUsers on resource: "+userArn+" with an explicit deny in an identity-based policy")
	must(u.ListRoles(ctx, &iam.ListRolesInput{}))

	// A managed policy that denies is named.
	deny := *must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("no-roles"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:GetRole","Resource":"*"}]}`)})).Policy.Arn
	must(e.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: aws.String(deny)}))
	_, err = u.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("any")})
	wantErr(t, err, "AccessDenied", 403, "User: "+userArn+"u is not authorized to perform: iam:GetRole on resource: role any with an explicit deny in an identity-based policy: "+deny)
}

// A permissions boundary caps an administrator: what the boundary does not allow is
// denied, with the boundary named in the message.
func TestBoundaryCapsAdministrator(t *testing.T) {
	e := newEnv(t)
	b := e.newUser("b")
	must(e.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("b"), PolicyArn: aws.String(adminArn)}))
	must(b.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("made-by-admin")}))

	must(e.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("b"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}))
	must(b.ListUsers(ctx, &iam.ListUsersInput{}))
	_, err := b.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("w")})
	wantErr(t, err, "AccessDenied", 403, "User: "+userArn+"b is not authorized to perform: iam:CreateUser on resource: "+userArn+"w because no permissions boundary allows the iam:CreateUser action")

	bnd := *must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("bnd"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}]}`)})).Policy.Arn
	must(e.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("b"), PermissionsBoundary: aws.String(bnd)}))
	must(b.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("w")}))
	_, err = b.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("w")})
	wantErr(t, err, "AccessDenied", 403, "User: "+userArn+"b is not authorized to perform: iam:DeleteUser on resource: user w with an explicit deny in a permissions boundary: "+bnd)
}

// IAM's own condition keys: iam:PermissionsBoundary (the delegated-administrator
// pattern of the IAM User Guide, "Permissions boundaries for IAM entities"),
// iam:PolicyARN, aws:ResourceTag of the target user and aws:RequestTag.
func TestIAMConditionKeys(t *testing.T) {
	e := newEnv(t)
	boundary := "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
	d := e.newUser("delegate")
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("delegate"), PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:CreateUser","iam:PutUserPolicy","iam:AttachUserPolicy"],"Resource":"*","Condition":{"StringEquals":{"iam:PermissionsBoundary":"` + boundary + `"}}},
		{"Effect":"Allow","Action":"iam:AttachUserPolicy","Resource":"*","Condition":{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}},
		{"Effect":"Allow","Action":"iam:TagUser","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"red","aws:RequestTag/team":"red"}}}]}`)}))

	_, err := d.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("free")})
	wantErr(t, err, "AccessDenied", 403, "")
	must(d.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("capped"), PermissionsBoundary: aws.String(boundary)}))
	// The key is the target's boundary when the request sets none.
	must(d.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("capped"), PolicyName: aws.String("x"), PolicyDocument: aws.String(allowAll)}))
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("uncapped")}))
	_, err = d.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("uncapped"), PolicyName: aws.String("x"), PolicyDocument: aws.String(allowAll)})
	wantErr(t, err, "AccessDenied", 403, "")

	_, err = d.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("uncapped"), PolicyArn: aws.String(adminArn)})
	wantErr(t, err, "AccessDenied", 403, "")
	must(d.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("uncapped"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))

	red := []string{"team", "red"}
	tag := func(user string, kv []string) error {
		_, err := d.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(user), Tags: tagsOf(kv...)})
		return err
	}
	must(e.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("capped"), Tags: tagsOf(red...)}))
	must(0, tag("capped", red))
	wantErr(t, tag("capped", []string{"team", "blue"}), "AccessDenied", 403, "")
	wantErr(t, tag("uncapped", red), "AccessDenied", 403, "")
}

// tagsOf makes IAM tags from key, value pairs.
func tagsOf(kv ...string) []types.Tag {
	var out []types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}
