package sts_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

const rootARN = "arn:aws:iam::" + account + ":root"

func TestAssumeRole(t *testing.T) {
	e := newEnv(t)
	alice, aliceARN := e.user("alice", doc(allow("sts:AssumeRole", "*")))
	bob, _ := e.user("bob", "")
	roleARN := e.role(e.iam, "reader", doc(trust(awsPrincipal(rootARN), "sts:AssumeRole", "")), doc(allow("iam:List*", "*")))

	out := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1")}))
	c := out.Credentials
	if !strings.HasPrefix(*c.AccessKeyId, "ASIA") || len(*c.AccessKeyId) != 20 || len(*c.SecretAccessKey) != 40 || *c.SessionToken == "" {
		t.Fatalf("credentials %+v", c)
	}
	if d := time.Until(*c.Expiration); d < 59*time.Minute || d > 61*time.Minute {
		t.Fatalf("default session lasts %v", d)
	}
	roleID := *must(e.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("reader")})).Role.RoleId
	sessionARN := "arn:aws:sts::" + account + ":assumed-role/reader/s1"
	//lint:ignore SA1019 the pinned model (botocore 1.43.11) has PackedPolicySize, not its replacement
	if *out.AssumedRoleUser.Arn != sessionARN || *out.AssumedRoleUser.AssumedRoleId != roleID+":s1" || out.PackedPolicySize != nil {
		t.Fatalf("assumed role user %+v", out.AssumedRoleUser)
	}
	s := e.session(c)
	id := must(s.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if *id.Arn != sessionARN || *id.UserId != roleID+":s1" || *id.Account != account {
		t.Fatalf("caller identity %s %s %s", *id.Arn, *id.UserId, *id.Account)
	}
	// The session has the role's permissions, not alice's.
	must(s.iam.ListUsers(ctx, &iam.ListUsersInput{}))
	_, err := s.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
	wantErr(t, err, "AccessDenied", 403, "User: "+sessionARN+" is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::"+account+
		":user/x because no identity-based policy allows the iam:CreateUser action")

	// A trust policy naming the account needs the caller's own permission too.
	_, err = bob.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s0")})
	wantErr(t, err, "AccessDenied", 403, "")
	// One naming the user directly does not.
	direct := e.role(e.iam, "direct", doc(trust(awsPrincipal(*must(e.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})).User.Arn), "sts:AssumeRole", "")), "")
	must(bob.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(direct), RoleSessionName: aws.String("s0")}))
	// A trust policy that names someone else: AccessDenied, with AWS's message, which
	// for sts:AssumeRole gives no reason.
	other := e.role(e.iam, "other", doc(trust(`{"Service":"ec2.amazonaws.com"}`, "sts:AssumeRole", "")), "")
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(other), RoleSessionName: aws.String("s0")})
	wantErr(t, err, "AccessDenied", 403, "User: "+aliceARN+" is not authorized to perform: sts:AssumeRole on resource: "+other)
	// A role that does not exist is denied the same way.
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/nope"), RoleSessionName: aws.String("s0")})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":user/alice"), RoleSessionName: aws.String("s0")})
	wantErr(t, err, "ValidationError", 400, "Request ARN is invalid")

	// The root user cannot assume roles.
	_, err = e.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s0")})
	wantErr(t, err, "AccessDenied", 403, "Roles may not be assumed by root accounts.")

	// DurationSeconds: bounded by the role's maximum, and by an hour when chaining.
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s0"), DurationSeconds: aws.Int32(7200)})
	wantErr(t, err, "ValidationError", 400, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	must(e.iam.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("reader"), MaxSessionDuration: aws.Int32(43200)}))
	long := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s0"), DurationSeconds: aws.Int32(7200)}))
	if d := time.Until(*long.Credentials.Expiration); d < 119*time.Minute {
		t.Fatalf("2-hour session lasts %v", d)
	}
	chainTarget := e.role(e.iam, "chained", doc(trust(awsPrincipal(roleARN), "sts:AssumeRole", "")), doc(allow("iam:GetUser", "*")))
	must(e.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("chain"), PolicyDocument: aws.String(doc(allow("sts:AssumeRole", "*")))}))
	_, err = s.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(chainTarget), RoleSessionName: aws.String("c1"), DurationSeconds: aws.Int32(3601)})
	wantErr(t, err, "ValidationError", 400, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	chained := must(s.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(chainTarget), RoleSessionName: aws.String("c1")}))
	if *chained.AssumedRoleUser.Arn != "arn:aws:sts::"+account+":assumed-role/chained/c1" {
		t.Fatalf("chained session %s", *chained.AssumedRoleUser.Arn)
	}
}

func TestSessionPolicies(t *testing.T) {
	e := newEnv(t)
	alice, _ := e.user("alice", doc(allow("sts:AssumeRole", "*")))
	roleARN := e.role(e.iam, "admin", doc(trust(awsPrincipal(rootARN), "sts:AssumeRole", "")), doc(allow("iam:*", "*")))
	must(e.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("groups"), PolicyDocument: aws.String(doc(allow("iam:ListGroups", "*")))}))

	// Inline and managed session policies together: any of them allows, within the role.
	out := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s0"),
		Policy:     aws.String(doc(allow("iam:ListUsers", "*"), allow("ec2:*", "*"))),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::" + account + ":policy/groups")}, {Arn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}}}))
	//lint:ignore SA1019 the pinned model (botocore 1.43.11) has PackedPolicySize, not its replacement
	if out.PackedPolicySize == nil || *out.PackedPolicySize <= 0 || *out.PackedPolicySize > 100 {
		//lint:ignore SA1019 the pinned model (botocore 1.43.11) has PackedPolicySize, not its replacement
		t.Fatalf("packed policy size %v", out.PackedPolicySize)
	}
	s := e.session(out.Credentials)
	must(s.iam.ListUsers(ctx, &iam.ListUsersInput{}))
	must(s.iam.ListGroups(ctx, &iam.ListGroupsInput{}))
	must(s.iam.ListRoles(ctx, &iam.ListRolesInput{})) // IAMReadOnlyAccess
	_, err := s.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")})
	wantErr(t, err, "AccessDenied", 403, "User: arn:aws:sts::"+account+":assumed-role/admin/s0 is not authorized to perform: iam:CreateGroup on resource: arn:aws:iam::"+
		account+":group/g because no session policy allows the iam:CreateGroup action")

	// Only an inline policy: it alone is the session policy.
	only := e.session(must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s0"),
		Policy: aws.String(doc(allow("iam:ListUsers", "*")))})).Credentials)
	must(only.iam.ListUsers(ctx, &iam.ListUsersInput{}))
	_, err = only.iam.ListRoles(ctx, &iam.ListRolesInput{})
	wantErr(t, err, "AccessDenied", 403, "")

	// A malformed session policy, an unknown managed one.
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s0"), Policy: aws.String(`{"Version":"2012-10-17"}`)})
	wantErr(t, err, "MalformedPolicyDocument", 400, "")
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s0"),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::" + account + ":policy/nope")}}})
	wantErr(t, err, "MalformedPolicyDocument", 400, "")

	// Deleting a managed session policy takes its permissions from live sessions.
	managedOnly := e.session(must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("m1"),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::" + account + ":policy/groups")}}})).Credentials)
	must(managedOnly.iam.ListGroups(ctx, &iam.ListGroupsInput{}))
	must(e.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String("arn:aws:iam::" + account + ":policy/groups")}))
	_, err = managedOnly.iam.ListGroups(ctx, &iam.ListGroupsInput{})
	wantErr(t, err, "AccessDenied", 403, "")
}

func TestExternalIdAndMFA(t *testing.T) {
	e := newEnv(t)
	alice, _ := e.user("alice", doc(allow("sts:AssumeRole", "*")))
	ext := e.role(e.iam, "ext", doc(trust(awsPrincipal(rootARN), "sts:AssumeRole", `{"StringEquals":{"sts:ExternalId":"xyz"}}`)), "")
	_, err := alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(ext), RoleSessionName: aws.String("s0")})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(ext), RoleSessionName: aws.String("s0"), ExternalId: aws.String("abc")})
	wantErr(t, err, "AccessDenied", 403, "")
	must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(ext), RoleSessionName: aws.String("s0"), ExternalId: aws.String("xyz")}))

	mfaRole := e.role(e.iam, "mfa", doc(trust(awsPrincipal(rootARN), "sts:AssumeRole", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`)),
		doc(`{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}`))
	serial, seed := e.mfa("alice")
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(mfaRole), RoleSessionName: aws.String("s0")})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(mfaRole), RoleSessionName: aws.String("s0"), SerialNumber: aws.String(serial)})
	wantErr(t, err, "AccessDenied", 403, "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.")
	wrong := "000000"
	if code(t, seed, 0) == wrong || code(t, seed, 1) == wrong || code(t, seed, -1) == wrong {
		wrong = "000001"
	}
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(mfaRole), RoleSessionName: aws.String("s0"), SerialNumber: aws.String(serial), TokenCode: aws.String(wrong)})
	wantErr(t, err, "AccessDenied", 403, "MultiFactorAuthentication failed with invalid MFA one time pass code. ")
	out := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(mfaRole), RoleSessionName: aws.String("s0"), SerialNumber: aws.String(serial), TokenCode: aws.String(code(t, seed, 0))}))
	// The session is an MFA session: aws:MultiFactorAuthAge is present and small.
	must(e.session(out.Credentials).iam.ListUsers(ctx, &iam.ListUsersInput{}))
	// The same code is not accepted twice.
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(mfaRole), RoleSessionName: aws.String("s0"), SerialNumber: aws.String(serial), TokenCode: aws.String(code(t, seed, 0))})
	wantErr(t, err, "AccessDenied", 403, "MultiFactorAuthentication failed with invalid MFA one time pass code. ")
}

func TestSourceIdentity(t *testing.T) {
	e := newEnv(t)
	alice, _ := e.user("alice", doc(allow("sts:AssumeRole", "*"), allow("sts:SetSourceIdentity", "*")))
	plain := e.role(e.iam, "plain", doc(trust(awsPrincipal(rootARN), "sts:AssumeRole", "")), "")
	withSI := e.role(e.iam, "with-si", doc(`{"Effect":"Allow","Principal":{"AWS":"`+rootARN+`"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"],`+
		`"Condition":{"StringLike":{"sts:SourceIdentity":"alice*"}}}`), doc(allow("sts:AssumeRole", "*"), allow("sts:SetSourceIdentity", "*")))
	// Setting a source identity needs sts:SetSourceIdentity in the trust policy.
	_, err := alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(plain), RoleSessionName: aws.String("s0"), SourceIdentity: aws.String("alice@corp")})
	wantErr(t, err, "AccessDenied", 403, "")
	_, err = alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(withSI), RoleSessionName: aws.String("s0"), SourceIdentity: aws.String("bob")})
	wantErr(t, err, "AccessDenied", 403, "")
	out := must(alice.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(withSI), RoleSessionName: aws.String("s0"), SourceIdentity: aws.String("alice@corp")}))
	if aws.ToString(out.SourceIdentity) != "alice@corp" {
		t.Fatalf("source identity %v", out.SourceIdentity)
	}
	// It stays with the chain, and cannot be changed there.
	next := e.role(e.iam, "next", doc(`{"Effect":"Allow","Principal":{"AWS":"`+withSI+`"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}`),
		doc(`{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:SourceIdentity":"alice@corp"}}}`))
	s := e.session(out.Credentials)
	_, err = s.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(next), RoleSessionName: aws.String("c1"), SourceIdentity: aws.String("other")})
	wantErr(t, err, "AccessDenied", 403, "")
	chained := must(s.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(next), RoleSessionName: aws.String("c1")}))
	if aws.ToString(chained.SourceIdentity) != "alice@corp" {
		t.Fatalf("chained source identity %v", chained.SourceIdentity)
	}
	must(e.session(chained.Credentials).iam.ListUsers(ctx, &iam.ListUsersInput{}))
}
