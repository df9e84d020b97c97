package iam_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestRecordedResourceAuthorization replays resource_authorization.json
// (radkawar/stackd testdata/aws/iam/, 2026): a user whose policy reaches only the
// entities under one path reads them by any case of their names, and is authorized
// against their stored path: once moved, the user and its access key's last use are
// out of reach; CreateUser is authorized on the path requested. A principal
// policy's source ARN is resolved by name, whatever path it carries.
func TestRecordedResourceAuthorization(t *testing.T) {
	e := newEnv(t)
	const path = "/stackd-probes/resource-auth/"
	res := func(kind string) string { return "arn:aws:iam::" + account + ":" + kind + path + "*" }
	actorPolicy := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:GetUser","iam:GetAccessKeyLastUsed","iam:GetContextKeysForPrincipalPolicy","iam:SimulatePrincipalPolicy"],"Resource":"` + res("user") + `"},
		{"Effect":"Allow","Action":"iam:GetGroup","Resource":"` + res("group") + `"},
		{"Effect":"Allow","Action":"iam:GetRole","Resource":"` + res("role") + `"},
		{"Effect":"Allow","Action":"iam:GetInstanceProfile","Resource":"` + res("instance-profile") + `"},
		{"Effect":"Allow","Action":"iam:GetPolicy","Resource":"` + res("policy") + `"},
		{"Effect":"Allow","Action":"iam:CreateUser","Resource":"arn:aws:iam::` + account + `:user` + path + `created/*"}]}`
	must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("resource-auth-Actor"), Path: aws.String(path)}))
	must(e.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("resource-auth-Actor"), PolicyName: aws.String("p"), PolicyDocument: aws.String(actorPolicy)}))
	k := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("resource-auth-Actor")})).AccessKey
	actor, _ := e.as(*k.AccessKeyId, *k.SecretAccessKey)

	userARN := *must(e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("resource-auth-User"), Path: aws.String(path)})).User.Arn
	userKey := must(e.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("resource-auth-User")})).AccessKey.AccessKeyId
	must(e.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("resource-auth-Group"), Path: aws.String(path)}))
	must(e.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("resource-auth-Role"), Path: aws.String(path),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	must(e.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("resource-auth-Profile"), Path: aws.String(path)}))
	pol := *must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("resource-auth-Policy"), Path: aws.String(path),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)})).Policy.Arn

	arn := "arn:aws:iam::" + account + ":"
	for _, name := range []string{"resource-auth-User", "RESOURCE-AUTH-USER"} {
		if got := *must(actor.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})).User.Arn; got != userARN {
			t.Errorf("GetUser %s: %s", name, got)
		}
		g := *must(actor.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String(upper(name, "resource-auth-Group"))})).Group.Arn
		r := *must(actor.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(upper(name, "resource-auth-Role"))})).Role.Arn
		p := *must(actor.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(upper(name, "resource-auth-Profile"))})).InstanceProfile.Arn
		if g != arn+"group"+path+"resource-auth-Group" || r != arn+"role"+path+"resource-auth-Role" || p != arn+"instance-profile"+path+"resource-auth-Profile" {
			t.Errorf("canonical ARNs %s %s %s", g, r, p)
		}
	}
	if got := *must(actor.GetUser(ctx, &iam.GetUserInput{})).User.Arn; got != arn+"user"+path+"resource-auth-Actor" {
		t.Errorf("implicit actor %s", got)
	}
	must(actor.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(pol)}))
	if u := *must(actor.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: userKey})).UserName; u != "resource-auth-User" {
		t.Errorf("key owner %s", u)
	}
	for _, src := range []string{userARN, arn + "user/elsewhere/resource-auth-User"} {
		must(e.iam.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(src)}))
		must(e.iam.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(src), ActionNames: []string{"s3:GetObject"}}))
	}
	must(actor.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(userARN)}))
	must(actor.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(userARN), ActionNames: []string{"s3:GetObject"}}))

	_, err := actor.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("resource-auth-denied_path"), Path: aws.String(path + "blocked/")})
	wantErr(t, err, "AccessDenied", 403, "")
	if got := *must(actor.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("resource-auth-allowed_path"), Path: aws.String(path + "created/")})).User.Arn; got != arn+"user"+path+"created/resource-auth-allowed_path" {
		t.Errorf("created %s", got)
	}

	must(e.iam.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("resource-auth-User"), NewPath: aws.String("/moved/")}))
	_, err = actor.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("resource-auth-User")})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = actor.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: userKey})
	wantErr(t, err, "AccessDenied", 403, "")
}

// upper gives name in the case of like (the recording's canonical and uppercase
// cases).
func upper(like, name string) string {
	if like == "RESOURCE-AUTH-USER" {
		return strings.ToUpper(name)
	}
	return name
}
